"""Which Chinese font a notice embeds: found once per process, never downloaded.

Order: ``settings.cjk_font`` > a font shipped beside the package (``clerk_console/fonts/``, where
a bundle may put one) > a free or system font in the usual folders: 宋体 ``simsun.ttc`` on
Windows, WenQuanYi (``fonts-wqy-microhei``/``-zenhei``), AR PL UMing on Linux. Characters
beyond the BMP (CJK Ext-B, e.g. 𠮷) come from a second font when the first lacks them:
``simsunb.ttf`` (SimSun-ExtB) on Windows, 花園明朝 ``HanaMinB.ttf`` (``fonts-hanazono``) on Linux.

reportlab embeds TrueType outlines only: OpenType/CFF fonts (Noto/Source Han ``.otf``, the
``.ttc`` of fonts-noto-cjk) are skipped. ``CLERK_CONSOLE_FONT_DIRS`` (folders separated by
``os.pathsep``) replaces the system folders, e.g. for tests or a hall's own font folder.
"""
from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent.parent / "fonts"
# file names, best first; a hall can always name its own in settings (cjk_font)
PRIMARY = ("simsun.ttc", "wqy-microhei.ttc", "wqy-zenhei.ttc", "uming.ttc", "ukai.ttc",
           "droidsansfallbackfull.ttf")
EXT_B = ("simsunb.ttf", "simsun-extb.ttf", "hanaminb.ttf")
SUFFIXES = (".ttf", ".ttc")


def font_dirs() -> list[Path]:
    env = os.environ.get("CLERK_CONSOLE_FONT_DIRS")
    if env is not None:
        return [Path(p) for p in env.split(os.pathsep) if p]
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        local = os.environ.get("LOCALAPPDATA", "")
        return [Path(windir) / "Fonts"] + ([Path(local) / "Microsoft" / "Windows" / "Fonts"]
                                           if local else [])
    home = Path.home()
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
            home / ".local" / "share" / "fonts", home / ".fonts"]


@lru_cache(maxsize=4)
def _index(folders: tuple[Path, ...]) -> dict[str, Path]:
    """lower-case file name -> path of every TrueType file under ``folders`` (first wins)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                if name.lower().endswith(SUFFIXES):
                    found.setdefault(name.lower(), Path(root) / name)
    return found


def candidates(ext_b: bool = False) -> list[Path]:
    """Existing font files, best first: shipped ones, then the known names in the folders."""
    names = EXT_B if ext_b else PRIMARY
    shipped = sorted(p for p in _index((PACKAGED,)).values() if (p.name.lower() in EXT_B) == ext_b)
    index = _index(tuple(font_dirs()))
    return shipped + [index[n] for n in names if n in index]


def clear_cache() -> None:
    _index.cache_clear()
