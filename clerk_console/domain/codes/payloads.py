"""What scanners and card readers send, unwrapped to the code inside. Pure functions.

A scanner in keyboard mode types whatever its symbol holds, framed as it is configured:

- the QR code of a paper business licence (营业执照) is a URL to the national enterprise credit
  publicity system carrying ``uniscid=<USCC>``; the electronic licence's display link carries
  ``serial=<USCC>-…``;
- framing: STX/ETX and other control characters, an AIM symbology identifier (``]Q1`` QR,
  ``]C0`` Code 128, ``]d2`` Data Matrix …), a label (``ID:``, ``身份证号：``,
  ``统一社会信用代码：``), brackets ``【…】``, a trailing Tab or line end;
- ID-card readers in keyboard mode type the whole record: name, sex, nation, birth date,
  address, number, issuing office, validity, separated by Tab or ``|``;
- some symbols hold no number at all: a card chip's UID, a CTID 网证 QR (an opaque token that
  only the online check can resolve), an e-licence signature;
- clerks type separators by accident (``，`` ``.`` ``_`` ``/``) and ``×`` for X.

``unwrap`` returns the code text to identify, how it was wrapped, what the wrapping says about
the holder (for quick entry; personal data) and, for symbols with no code, what to tell the
clerk.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

# shape names (Identification.payload)
PLAIN, LICENCE_QR, ELICENCE_LINK, ID_CARD_RECORD = "", "licence_qr", "elicence_link", "id_card_record"
CHIP_UID, CTID, SIGNATURE, URL = "chip_uid", "ctid_qr", "signature", "url"

AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
LABEL = re.compile(
    r"^(?:ID|NO\.?|公民身份号码|身份证号码|身份证号|身份证|证件号码|证件号|号码|统一社会信用代码|"
    r"信用代码|社会信用代码|护照号码|护照号|通行证号码|通行证号|永久居留身份证号码|项目代码|"
    r"投资项目代码)\s*[:：]?\s*", re.IGNORECASE)
BRACKETS = re.compile(r"^[【\[〔［(（]\s*(.*?)\s*[】\]〕］)）]$")
# Characters clerks type between the parts of a number by accident (after NFKC).
ACCIDENTAL = dict.fromkeys(map(ord, ",._/、。·"), None)
TIMES = str.maketrans({"×": "X", "✕": "X", "╳": "X"})
ID_NUMBER = re.compile(r"^(\d{17}[\dXx×]|\d{15})$")
HEX = frozenset("0123456789ABCDEF")
BASE64 = re.compile(r"^[A-Za-z0-9+/_=-]+$")
RECORD_FIELDS = ("name", "sex", "nation", "birth_date", "address", "number", "issuer", "validity")


@dataclass(frozen=True, slots=True)
class Payload:
    code: str  # the text to identify ('' when the symbol holds no code)
    shape: str = PLAIN
    prefill: dict[str, str] = field(default_factory=dict)
    message: str = ""  # for symbols with no code: what it is and what to do (Chinese)
    notes: tuple[str, ...] = ()  # corrections made, for the clerk (Chinese)


def strip_framing(text: str) -> str:
    """Control characters (STX, ETX, GS …) out, Tabs and line ends kept inside, the ends
    trimmed, an AIM symbology identifier dropped."""
    kept = "".join(c for c in text
                   if c in "\t\r\n" or unicodedata.category(c) not in ("Cc", "Cf"))
    kept = kept.strip(" \t\r\n\u3000")
    return AIM_PREFIX.sub("", kept, count=1)


def _url(text: str) -> Payload | None:
    low = text.lower()
    if not low.startswith(("http://", "https://")) and "uniscid=" not in low \
            and "serial=" not in low:
        return None
    try:
        parts = urlsplit(text)
        query = {k.lower(): v for k, v in parse_qs(parts.query or parts.path).items()}
    except ValueError:
        query, parts = {}, None
    if query.get("uniscid"):
        return Payload(query["uniscid"][0], LICENCE_QR)
    if query.get("serial"):
        return Payload(query["serial"][0].split("-")[0], ELICENCE_LINK)
    if "ctid" in low:
        return _ctid()
    return Payload("", URL, message="这是一个网址，不含证件号码或统一社会信用代码：请扫描证件或"
                                    "营业执照上的二维码，或按 F12 手工输入号码")


def _ctid() -> Payload:
    return Payload("", CTID, message="这是网证（CTID）二维码，不含身份证号码，需联网核验：请在网证核验"
                                     "终端上核验，或请申请人出示身份证件")


def _record(text: str) -> Payload | None:
    """An ID-card reader's whole record: the number and the rest for quick entry."""
    sep = "\t" if "\t" in text else "|" if "|" in text else None
    if sep is None:
        return None
    fields = [f.strip() for f in text.split(sep)]
    numbers = [i for i, f in enumerate(fields) if ID_NUMBER.match(f)]
    if len(fields) < 4 or not numbers:
        return None
    at = numbers[0]
    prefill: dict[str, str] = {}
    if len(fields) == len(RECORD_FIELDS) and at == RECORD_FIELDS.index("number"):
        prefill = {k: v for k, v in zip(RECORD_FIELDS, fields) if k != "number" and v}
    else:  # another order: take what can be told apart
        for f in fields[:at] + fields[at + 1:]:
            if f in ("男", "女"):
                prefill.setdefault("sex", f)
            elif re.fullmatch(r"\d{8}|\d{4}[-.年]\d{1,2}[-.月]\d{1,2}日?", f):
                prefill.setdefault("birth_date", f)
            elif f and not any(c.isdigit() for c in f) and "name" not in prefill:
                prefill["name"] = f
    return Payload(fields[at], ID_CARD_RECORD, prefill)


def _opaque(text: str) -> Payload | None:
    """Symbols that hold no number: say what they are."""
    if text.upper().startswith("CTID"):
        return _ctid()
    up = text.upper()
    if len(up) in (8, 14, 16) and set(up) <= HEX and not up.isdigit() \
            and not re.fullmatch(r"[A-F]\d{6}[\dA]", up):  # that is a Hong Kong ID card
        also = "；如为统一社会信用代码，应为18位，请核对" if len(up) == 16 else ""
        return Payload("", CHIP_UID, message=f"这是证件芯片的序列号（{len(up)}位卡UID），不是证件号码："
                                             f"请把读卡器设为输出证件号码，或按 F12 手工输入号码{also}")
    mixed = any(c.islower() for c in text) and any(c.isupper() for c in text)
    hexlike = set(up) <= HEX and not mixed
    if len(text) >= 40 and BASE64.match(text) and (hexlike or mixed):
        if len(text) >= 120 and not hexlike:
            return _ctid()
        return Payload("", SIGNATURE, message="这是电子证照的签名或加密数据，不含号码：请扫描营业执照"
                                              "上的二维码，或按 F12 手工输入统一社会信用代码")
    return None


def clean(text: str) -> tuple[str, tuple[str, ...]]:
    """Accidental separators out, × read as X; notes say what was changed."""
    notes = []
    folded = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    if any(c in folded for c in "×✕╳"):
        folded = folded.translate(TIMES)
        notes.append("已将“×”按字母X读取")
    stripped = folded.translate(ACCIDENTAL)
    if stripped != folded and stripped.strip():
        notes.append("已去掉号码中的标点或分隔符，请核对号码")
    return stripped, tuple(notes)


def unwrap(text: str) -> Payload:
    """The code inside whatever a scanner, reader or clerk sent."""
    body = strip_framing(text)
    url = _url(body)
    if url is not None:
        return url
    record = _record(body)
    if record is not None:
        return record
    for _ in range(2):  # a label inside brackets, or brackets after a label
        m = BRACKETS.match(body)
        if m:
            body = m.group(1)
        body = LABEL.sub("", body, count=1) if not _is_bare_code(body) else body
    opaque = _opaque(body.strip())
    if opaque is not None:
        return opaque
    code, notes = clean(body)
    return Payload(code, PLAIN, notes=notes)


def _is_bare_code(text: str) -> bool:
    """Text a label pattern must not eat (``NO`` is no label in ``NO1234``… but a passport
    number may start with the letters of one): only strip a label followed by a separator
    or by a non-ASCII label word."""
    m = LABEL.match(text)
    return m is None or (m.group(0).isascii() and not re.search(r"[:：\s]$", m.group(0)))
