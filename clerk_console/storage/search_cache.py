"""The item search index kept on disk, so a start does not convert 20,000 names to pinyin.

``SearchIndex.build`` costs ~3 s of CPU and a 55 MB pypinyin import for a province's 20,000
事项; reading its tables back from ``<home>/search-index.bin`` costs ~0.15 s. The file holds
``marshal`` data (plain tuples, lists, dicts, strings and numbers: loading it runs no code) and
the key it was built for: catalogue version and size, the window's scope and the pypinyin
version. Any other key, a format change or an unreadable file means: build again and rewrite.
The file is the window user's own (0600), like the replica beside it.
"""
from __future__ import annotations

import logging
import marshal
import os
from pathlib import Path

from clerk_console.domain.catalogue import Catalogue
from clerk_console.domain.rules import WindowScope
from clerk_console.domain.search import SearchIndex
from clerk_console.private_files import private_file

log = logging.getLogger(__name__)

CACHE_FILE = "search-index.bin"
_MARSHAL_VERSION = 4


def cache_key(catalogue: Catalogue, scope: WindowScope) -> tuple:
    from importlib.metadata import version

    return (catalogue.version, len(catalogue.items), len(catalogue.bundles),
            tuple(sorted(str(level) for level in scope.levels)), str(scope.level),
            version("pypinyin"))


def load(home: Path, catalogue: Catalogue, scope: WindowScope) -> SearchIndex | None:
    """The cached index for this catalogue and scope, or None (missing, stale or unreadable)."""
    path = Path(home) / CACHE_FILE
    try:
        key, state = marshal.loads(path.read_bytes())
        if key != cache_key(catalogue, scope):
            return None
        return SearchIndex.from_state(state)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as exc:
        log.warning("search index cache unreadable, rebuilding: %s", type(exc).__name__)
        return None


def build(home: Path, catalogue: Catalogue, scope: WindowScope) -> SearchIndex:
    """The index from the cache, else built from the catalogue and written to the cache."""
    index = load(home, catalogue, scope)
    if index is not None:
        return index
    index = SearchIndex.build(catalogue, scope=scope)
    save(home, catalogue, scope, index)
    return index


def save(home: Path, catalogue: Catalogue, scope: WindowScope, index: SearchIndex) -> None:
    """Write atomically (a crash leaves the old file or none); failure only costs a rebuild."""
    path = Path(home) / CACHE_FILE
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(marshal.dumps((cache_key(catalogue, scope), index.state()),
                                      _MARSHAL_VERSION))
        private_file(tmp)
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:
        log.warning("search index cache not written: %s", type(exc).__name__)
        tmp.unlink(missing_ok=True)
