"""A PDF read back as a person's viewer would: poppler's pdftotext, whitespace removed (the
layout breaks lines and pads columns)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path


def pdftotext(data: bytes, folder: Path) -> str:
    """The text of the PDF ``data`` (written to ``folder``), with no whitespace."""
    path = folder / "readback.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s+", "", out)
