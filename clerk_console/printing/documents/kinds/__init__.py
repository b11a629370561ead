"""One module per document kind of a case; each registers itself (``registry.register``).

Every module here is imported when ``clerk_console.printing.documents`` is, so a new kind is
one new module (and its wording file ``data/templates/<name>.toml``).
"""
from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
