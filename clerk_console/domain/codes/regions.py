"""GB/T 2260 region codes -> names, with the years each code was in use.

The data is python-stdnum's ``stdnum/cn/loc.dat`` (the table ``stdnum.cn.ric`` checks birth
places against), read once, lazily, into a dict. It is read with a small line parser rather than
``stdnum.numdb.get``: the numdb reader builds a generic prefix tree with regular expressions and
takes about 0.1 s on this machine, which would be felt on the first scan of the day, while a
single regular expression over the same lines into a dict takes a few milliseconds.

Line format (see ``stdnum.numdb``): ``PP province="..."`` then, indented, ``CCDD county="..."``
where the county value is one name or a comma list of ``[start-end]name`` periods (either year
may be empty: open-ended).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

# Intermediate levels that carry no place name of their own.
_NAMELESS = ("市辖区", "县")
_NAMELESS_SUFFIXES = ("直辖县级行政区划", "直辖县级行政单位")


@dataclass(frozen=True, slots=True)
class Period:
    """One name a code had, from ``start`` to ``end`` (inclusive years, None = open)."""

    name: str
    start: int | None = None
    end: int | None = None

    def covers(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)

    def overlaps(self, first: int, last: int) -> bool:
        return (self.start is None or self.start <= last) and (self.end is None or first <= self.end)


@cache
def _periods(value: str) -> tuple[Period, ...]:
    out = []
    for part in value.split(","):
        if part.startswith("["):
            span, name = part[1:].split("]", 1)
            start, end = span.split("-", 1)
            out.append(Period(name, int(start) if start else None, int(end) if end else None))
        else:
            out.append(Period(part))
    return tuple(out)


def _expand(ranges: str) -> list[str]:
    """``0101`` or ``0101-0103`` or ``0101,0105`` -> the codes they name."""
    if ranges.isdigit():
        return [ranges]
    codes = []
    for rng in ranges.split(","):
        low, _, high = rng.partition("-")
        high = high or low
        codes += [str(n).zfill(len(low)) for n in range(int(low), int(high) + 1)]
    return codes


def _data_file() -> Path:
    """stdnum's loc.dat, found without importing stdnum's package machinery."""
    spec = find_spec("stdnum")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("python-stdnum is not installed")
    return Path(spec.submodule_search_locations[0]) / "cn" / "loc.dat"


# One line of the file: indent, code range(s), one property. A single regular expression over
# the whole text (C speed) instead of a Python loop over 7,000 split lines.
_LINE_RE = re.compile(r'^( *)([0-9][0-9,-]*) +(province|county)="([^"]*)"', re.MULTILINE)


@cache
def _table() -> tuple[dict[str, str], dict[str, str]]:
    """(province code -> name, 6-digit code -> raw periods text), loaded once; the periods are
    parsed on lookup."""
    provinces: dict[str, str] = {}
    codes: dict[str, str] = {}
    province = ""
    for indent, ranges, key, value in _LINE_RE.findall(_data_file().read_text(encoding="utf-8")):
        if not indent:
            province = ranges
            for p in _expand(ranges):
                provinces[p] = value
        elif key == "county":
            if ranges.isdigit():  # the usual case, without the call
                codes[province + ranges] = value
            else:
                for code in _expand(ranges):
                    codes[province + code] = value
    return provinces, codes


def load() -> None:
    """Read the table now (the UI may call this at start-up so the first scan is fast)."""
    _table()


def province_known(code: str) -> bool:
    return code[:2] in _table()[0]


def periods(code: str) -> tuple[Period, ...]:
    """Every name the 6-digit code had, oldest first; () if the code never existed."""
    raw = _table()[1].get(code)
    return _periods(raw) if raw else ()


def known(code: str) -> bool:
    return code in _table()[1]


def existed_between(code: str, first: int, last: int) -> bool:
    """Was the code in use at some time in the years first..last (inclusive)?"""
    return any(p.overlaps(first, last) for p in periods(code))


def years(code: str) -> tuple[int | None, int | None]:
    """First and last year of use (None = open-ended or unknown)."""
    ps = periods(code)
    if not ps:
        return None, None
    starts = [p.start for p in ps if p.start is not None]
    ends = [p.end for p in ps if p.end is not None]
    return (min(starts) if len(starts) == len(ps) else None), \
        (max(ends) if len(ends) == len(ps) else None)


def _name_at(code: str, year: int | None) -> str | None:
    ps = periods(code)
    if not ps:
        return None
    if year is not None:
        for p in ps:
            if p.covers(year):
                return p.name
    # No year or no period covering it: the most recent name.
    return max(ps, key=lambda p: (p.end is None, p.end or 0, p.start or 0)).name


def name(code: str, year: int | None = None) -> str | None:
    """Full name for a 6-digit code as it was in ``year`` (latest name when None):
    370602 -> 山东省烟台市芝罘区; None if the code never existed."""
    own = _name_at(code, year)
    if own is None:
        return None
    prov_code = code[:2] + "0000"
    if code == prov_code:
        return own
    parts = [_name_at(prov_code, year) or _table()[0].get(code[:2], "")]
    pref_code = code[:4] + "00"
    if code != pref_code:
        pref = _name_at(pref_code, year)
        if pref and pref not in _NAMELESS and not pref.endswith(_NAMELESS_SUFFIXES):
            parts.append(pref)
    parts.append(own)
    return "".join(parts)


def all_codes() -> list[str]:
    """Every 6-digit code in the table (for pickers and test data)."""
    return list(_table()[1])
