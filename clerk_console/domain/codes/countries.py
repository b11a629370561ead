"""Nationality codes: ISO 3166-1 countries (alpha-3 and numeric) with their Chinese names.

Used by passports (the issuing state and the holder's nationality in the MRZ) and by both
editions of the foreigners' permanent residence ID (2017: the alpha-3 code; 2023: the numeric
one). The table is pycountry's copy of the ISO 3166-1 database and its zh_CN translation, read
once, lazily. ICAO 9303 adds a few codes that are not ISO countries (``D`` for Germany, the
British nationality classes, UN and stateless holders): they are listed here.
"""
from __future__ import annotations

import gettext
from functools import cache

# ICAO 9303 part 3 codes that are not ISO 3166-1 alpha-3 country codes.
ICAO_EXTRA = {
    "D": "德国", "GBD": "英国（海外领土公民）", "GBN": "英国（海外国民）",
    "GBO": "英国（海外公民）", "GBP": "英国（受保护人）", "GBS": "英国（臣民）",
    "UNO": "联合国", "UNA": "联合国专门机构", "UNK": "联合国科索沃特派团", "EUE": "欧盟",
    "XXA": "无国籍", "XXB": "难民", "XXC": "难民（其他）", "XXX": "国籍不明",
}
# The holder of a passport with one of these is not a foreigner in Chinese law: the SARs'
# passports are Chinese passports; CHN itself is the Chinese passport.
CHINESE = frozenset({"CHN", "HKG", "MAC"})


@cache
def _untranslated(text: str) -> str:
    return text


def _table() -> tuple[dict[str, str], dict[str, str]]:
    """({alpha-3: Chinese name}, {numeric: alpha-3})."""
    import pycountry

    try:
        zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
        translate = zh.gettext
    except OSError:  # a pycountry build without its translations: English names
        translate = _untranslated
    names, numeric = {}, {}
    for country in pycountry.countries:
        names[country.alpha_3] = translate(country.name)
        numeric[country.numeric] = country.alpha_3
    return names, numeric


def known(code: str) -> bool:
    """An ISO 3166-1 alpha-3 code or one of ICAO's extra codes."""
    return code in ICAO_EXTRA or code in _table()[0]


def name(code: str) -> str:
    """Chinese name of an alpha-3 (or ICAO) code, '' if unknown."""
    return ICAO_EXTRA.get(code) or _table()[0].get(code, "")


def alpha3_of_numeric(code: str) -> str:
    """The alpha-3 code of an ISO 3166-1 numeric code ('840' -> 'USA'), '' if unknown."""
    return _table()[1].get(code, "")


def canonical(code: str) -> str:
    """ICAO's ``D`` (Germany) and its filler forms -> DEU; other codes unchanged."""
    code = code.rstrip("<")
    return "DEU" if code == "D" else code
