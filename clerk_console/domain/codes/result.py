"""What identify() says about one scanned or typed code."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RESIDENT_ID = "resident_id"
HMT_PERMIT = "hk_macao_taiwan_permit"
FOREIGN_PR_ID = "foreign_permanent_resident_id"
HOME_RETURN_PERMIT = "hk_macao_home_return_permit"
TW_COMPATRIOT_PERMIT = "tw_compatriot_permit"
HK_IDENTITY_CARD = "hk_identity_card"
TW_NATIONAL_ID = "tw_national_id"
PASSPORT = "passport"
USCC = "uscc"
PROJECT_CODE = "project_code"
UNKNOWN = "unknown"

KIND_LABELS = {
    RESIDENT_ID: "居民身份证号码",
    HMT_PERMIT: "港澳台居民居住证号码",
    FOREIGN_PR_ID: "外国人永久居留身份证号码",
    HOME_RETURN_PERMIT: "港澳居民来往内地通行证号码",
    TW_COMPATRIOT_PERMIT: "台湾居民来往大陆通行证号码",
    HK_IDENTITY_CARD: "香港身份证号码",
    TW_NATIONAL_ID: "台湾身份证号码",
    PASSPORT: "护照号码",
    USCC: "统一社会信用代码",
    PROJECT_CODE: "投资项目代码",
    UNKNOWN: "未能识别的号码",
}

# Kinds that identify a natural person (the rest identify organisations or projects).
PERSON_KINDS = frozenset({RESIDENT_ID, HMT_PERMIT, FOREIGN_PR_ID, HOME_RETURN_PERMIT,
                          TW_COMPATRIOT_PERMIT, HK_IDENTITY_CARD, TW_NATIONAL_ID, PASSPORT})
# Kinds whose holders are foreigners: quick entry asks for the nationality.
FOREIGNER_KINDS = frozenset({FOREIGN_PR_ID, PASSPORT})


@dataclass(frozen=True, slots=True)
class Identification:
    input: str  # the text exactly as received
    kind: str  # one of KIND_LABELS
    valid: bool
    normalized: str  # canonical form (what to store and compare)
    error: str | None = None  # why it is not valid, in Chinese, with what to do
    warnings: tuple[str, ...] = ()  # valid but worth a look, in Chinese
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    # How the code reached us when it was wrapped (payloads.Payload.shape: "licence_qr",
    # "id_card_record", "mrz" ...), and what the wrapping said about the holder (name, sex,
    # address ...): personal data, to pre-fill quick entry only, never printed or logged.
    payload: str = ""
    prefill: dict[str, str] = field(default_factory=dict, hash=False, compare=False, repr=False)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def is_person(self) -> bool:
        return self.kind in PERSON_KINDS

    def to_json(self) -> dict[str, Any]:
        return {"input": self.input, "kind": self.kind, "kind_label": self.label,
                "valid": self.valid, "normalized": self.normalized, "error": self.error,
                "warnings": list(self.warnings), "details": dict(self.details),
                "payload": self.payload, "prefill_fields": sorted(self.prefill)}

    def describe(self) -> str:
        """One readable Chinese line: kind, number, verdict, then facts or the error."""
        head = f"{self.label} {self.normalized or '（空）'}"
        if not self.valid:
            return f"{head}：无效。{self.error}"
        facts = "，".join(_facts(self.details))
        line = f"{head}：有效" + (f"（{facts}）" if facts else "")
        if self.warnings:
            line += "。注意：" + "；".join(self.warnings)
        return line


_FACT_KEYS = ("birth_date", "sex", "region_name", "nationality_code", "nationality_name",
              "issuing_country", "expiry_date", "authority_label",
              "entity_type_label", "year", "dept", "type", "serial")
_FACT_PREFIX = {"birth_date": "出生日期", "nationality_code": "国籍代码", "nationality_name": "国籍",
                "issuing_country": "签发国", "expiry_date": "有效期至", "year": "赋码年份",
                "dept": "部门代码", "type": "项目类型代码", "serial": "流水号"}


def _facts(details: dict[str, Any]) -> list[str]:
    return [f"{_FACT_PREFIX.get(k, '')}{details[k]}" for k in _FACT_KEYS if details.get(k)]


def invalid(text: str, kind: str, normalized: str, error: str,
            details: dict[str, Any] | None = None) -> Identification:
    return Identification(text, kind, False, normalized, error, (), details or {})
