"""Unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from ``ALPHABET`` (no I, O, Z, S, V): registration authority (1), entity type (1),
region of the registering office (6, GB/T 2260), organisation code (9, GB 11714, with its own
check character), check character (MOD 31, ``stdnum.cn.uscc.calc_check_digit``).

python-stdnum's ``uscc.validate`` requires the first 8 characters to be digits, so codes from
the letter authorities added later (A: 中央军委改革和编制办公室, N: 农业农村) fail there; the
check itself is computed by stdnum over the whole alphabet and is used here.
"""
from __future__ import annotations

from stdnum.cn import uscc as std_uscc

from . import regions
from .messages import char_error, check_error, first_bad, length_error
from .result import KIND_LABELS, USCC, Identification, invalid

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LABEL = KIND_LABELS[USCC]

# Authority (position 1) -> (label, {entity type (position 2) -> label}).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体",
                      "9": "其他"}),
    "2": ("外交", {"1": "外国常住新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所",
                      "4": "司法鉴定机构", "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构",
                  "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业农村", {"1": "组级集体经济组织", "2": "村级集体经济组织",
                      "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}
# Region codes of national registering offices, not in GB/T 2260.
NATIONAL_REGIONS = {"100000": "国家级登记管理机关"}

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def calc_check_char(code: str) -> str:
    """MOD 31 check character of the first 17 characters."""
    return std_uscc.calc_check_digit(code[:17])


def calc_org_check_char(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(_ORG_CHARS.index(c) * w for c, w in zip(body, _ORG_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def entity(code: str) -> tuple[str, str]:
    """(authority label, entity type label); '' where not in the table."""
    authority, types = AUTHORITIES.get(code[0], ("", {}))
    return authority, types.get(code[1], "")


def check_format(s: str) -> str | None:
    if len(s) != 18:
        return length_error(LABEL, len(s), 18)
    bad = first_bad(s, ALPHABET)
    if bad:
        return char_error(LABEL, *bad, "只用数字和除I、O、Z、S、V以外的大写字母")
    bad = first_bad(s, "0123456789", 2, 8)
    if bad:
        return char_error(LABEL, *bad, "第3-8位为行政区划代码，应为数字")
    return None


PILOT_NOTE = ("该代码是国家标准施行前的试点代码（列在已知例外清单中），不按现行规则校验，"
              "请与营业执照逐位核对")


def entity_error(s: str) -> str | None:
    """Why positions 1-2 (authority, entity type) cannot be a real code, or None."""
    authority, entity_type = entity(s)
    if not authority:
        known = "、".join(AUTHORITIES)
        return f"{LABEL}第1位登记管理部门代码“{s[0]}”不存在（应为{known}之一），请核对"
    if not entity_type:
        known = "、".join(f"{s[0]}{t}" for t in AUTHORITIES[s[0]][1])
        return (f"{LABEL}前2位“{s[:2]}”不是有效的机构类别（{authority}登记的为{known}），"
                "请核对")
    return None


def region_error(region: str) -> str | None:
    if region in NATIONAL_REGIONS or regions.province_known(region):
        return None
    return (f"{LABEL}第3-8位行政区划代码{region}不存在（前两位{region[:2]}不是省级行政区划代码），"
            "请核对")


def analyse(text: str, s: str, exceptions: frozenset[str] = frozenset()) -> Identification:
    """``exceptions``: pilot codes really issued before GB 32100 that fail its rules (read
    from data/codes/uscc_exceptions.toml by the caller)."""
    error = check_format(s)
    if error:
        return invalid(text, USCC, s, error)
    if s in exceptions:
        return Identification(text, USCC, True, s, None, (PILOT_NOTE,),
                              {"region_code": s[2:8], "pilot": True})
    expected = calc_check_char(s)
    if s[17] != expected:
        return invalid(text, USCC, s, check_error(expected, s[17]))
    authority, entity_type = entity(s)
    region = s[2:8]
    details = {"authority": s[0], "authority_label": authority, "entity_type": s[:2],
               "entity_type_label": entity_type, "region_code": region,
               "region_name": NATIONAL_REGIONS.get(region) or regions.name(region) or "",
               "organisation_code": f"{s[8:16]}-{s[16]}"}
    # Authorities, their entity types and provinces are fixed lists: a code outside them
    # is not a real code even when its check character happens to fit (1 in 31).
    error = entity_error(s) or region_error(region)
    if error:
        return invalid(text, USCC, s, error, details)
    warnings = []
    if not details["region_name"]:
        province = regions.name(region[:2] + "0000") or region[:2]
        details["region_name"] = province
        warnings.append(f"行政区划代码{region}未收录在行政区划代码表中（{province}），请与证照核对")
    org_expected = calc_org_check_char(s[8:16])
    if s[16] != org_expected:
        warnings.append(f"第9-17位组织机构代码{s[8:16]}-{s[16]}的校验位应为{org_expected}，"
                        "请与证照核对（个体工商户等可能没有独立的组织机构代码）")
    return Identification(text, USCC, True, s, None, tuple(warnings), details)
