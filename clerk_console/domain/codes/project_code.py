"""Investment project code (投资项目代码, GB/T 40058-2021): ``YYYY-RRRRRR-DD-TT-NNNNNN``.

Year the code was assigned, region (GB/T 2260), guiding department (older codes: industry), project type, serial. The standard
mentions a check part but no public algorithm exists, so only the format, the year and the region
can be checked: a mistyped digit inside the department, type or serial cannot be detected and
the clerk should compare the code with the project's coding document (details["checked"]).
"""
from __future__ import annotations

from datetime import date

from . import regions
from .messages import char_error
from .result import KIND_LABELS, PROJECT_CODE, Identification, invalid

LABEL = KIND_LABELS[PROJECT_CODE]
GROUPS = (("年份", 4), ("地区代码", 6), ("部门代码", 2), ("项目类型代码", 2), ("流水号", 6))
FIRST_YEAR = 2015  # the national online approval platform started assigning codes in 2015
CENTRAL_PREFIX = "00"  # not a province: possibly a code assigned by a central department
DIGITS_ONLY = 20  # the code without its four hyphens


def format(s: str) -> str:
    """20 digits or grouped text -> ``YYYY-RRRRRR-DD-TT-NNNNNN``."""
    digits = s.replace("-", "")
    if len(digits) != DIGITS_ONLY:
        return s
    out, i = [], 0
    for _, width in GROUPS:
        out.append(digits[i:i + width])
        i += width
    return "-".join(out)


def looks_like(s: str) -> bool:
    """Grouped with hyphens, or 20 digits (hyphens lost on the way)."""
    return "-" in s or (len(s) == DIGITS_ONLY and s.isdigit())


def _format_error(s: str) -> str | None:
    parts = s.split("-")
    if len(parts) != len(GROUPS):
        return (f"{LABEL}应为5段：年份4位-地区代码6位-部门代码2位-项目类型代码2位-流水号6位，"
                f"实际为{len(parts)}段，请核对")
    offset = 0
    for part, (name, width) in zip(parts, GROUPS):
        for i, c in enumerate(part):
            if not c.isdigit():
                return char_error(LABEL, offset + i + 1, c, f"{name}应为数字")
        if len(part) != width:
            return f"{LABEL}的{name}“{part}”为{len(part)}位，应为{width}位，请核对"
        offset += len(part) + 1
    return None


def analyse(text: str, s: str, today: date) -> Identification:
    s = format(s)
    error = _format_error(s)
    if error:
        return invalid(text, PROJECT_CODE, s, error)
    year, region, dept, ptype, serial = s.split("-")
    details = {"year": int(year), "region_code": region, "region_name": "", "dept": dept,
               "type": ptype, "serial": serial, "checked": "format, year, region"}
    if not FIRST_YEAR <= int(year) <= today.year + 1:
        return invalid(text, PROJECT_CODE, s,
                       f"{LABEL}的年份{year}不合理（应在{FIRST_YEAR}年至{today.year + 1}年之间），"
                       "请核对", details)
    warnings: tuple[str, ...] = ()
    if region.startswith(CENTRAL_PREFIX):
        # Not a GB/T 2260 code; whether central departments code projects this way is not
        # documented publicly, so the clerk is asked to look rather than refused.
        warnings = (f"地区代码{region}不是行政区划代码（中央部门赋码的项目可能如此），"
                    "请与项目赋码文件核对",)
    elif not regions.province_known(region):
        # No check character protects a project code: an impossible province is the one typo
        # we can see, and no genuine code has one.
        return invalid(text, PROJECT_CODE, s,
                       f"{LABEL}的地区代码{region}不存在（前两位{region[:2]}不是省级行政区划代码），"
                       "请核对", details)
    elif not regions.known(region):
        details["region_name"] = regions.name(region[:2] + "0000") or ""
        warnings = (f"地区代码{region}未收录在行政区划代码表中，请与项目赋码文件核对",)
    else:
        details["region_name"] = regions.name(region, int(year)) or ""
        if not regions.existed_between(region, int(year), int(year)):
            warnings = (f"地区代码{region}（{details['region_name']}）在{year}年不在使用中，"
                        "请与项目赋码文件核对",)
    return Identification(text, PROJECT_CODE, True, s, None, warnings, details)
