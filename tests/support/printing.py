"""The printing tests' sample catalogue, applicant and cases (every outcome), the document
builder with the test settings, PDF text read back, and a tiny real TrueType font."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from clerk_console.config import Settings
from clerk_console.domain.case import Case, CaseMaterial, Decision, MaterialState, Outcome, Status
from clerk_console.domain.catalogue import (Catalogue, CaseType, Department, Item, ItemMaterial,
                                            Level, MaterialSpec, Target)
from clerk_console.domain.parties import Applicant, ApplicantKind
from clerk_console.printing import documents as D

NOW = datetime(2026, 11, 27, 10, 5)
PERSON_ID = "370602199001011237"
MASKED = "3706**********1237"
EXT_B_NAME = "王\U00020BB7"  # 𠮷, CJK Ext-B


def sample_catalogue() -> Catalogue:
    depts = {
        "SCJG": Department("SCJG", "烟台市市场监督管理局", "市场监管", "市政务服务中心二楼",
                           "烟台市莱山区港城东大街1000号", "0535-6788001", "工作日 9:00-17:00", "食品科"),
        "GA": Department("GA", "烟台市公安局治安支队", "公安", "市公安局办证大厅",
                         "烟台市芝罘区南大街99号", "0535-6788110", "工作日 8:30-17:30", "特行科"),
    }
    mats = {
        "M_LIC": MaterialSpec("M_LIC", "营业执照", "government", elicence_type="YYZZ"),
        "M_APP": MaterialSpec("M_APP", "食品经营许可申请书", form="A4纸，法定代表人签字", sample="窗口领取"),
        "M_PLAN": MaterialSpec("M_PLAN", "经营场所平面图", form="A3或A4纸，标明设备布局"),
        "M_HEALTH": MaterialSpec("M_HEALTH", "从业人员健康证明", form="有效期内"),
        "M_FIRE": MaterialSpec("M_FIRE", "消防安全承诺书", form="签字盖章"),
    }
    food = Item("3706FOOD01", "FOOD01", "食品经营许可", "SCJG", "01", Level.CITY, Target.ENTERPRISE,
                20, 5, CaseType.PROMISED, True, True, False, True,
                (ItemMaterial("M_LIC", True, 0, 1), ItemMaterial("M_APP", True, 1, 0),
                 ItemMaterial("M_PLAN", False, 0, 1), ItemMaterial("M_HEALTH", False, 0, 1)))
    fire = Item("3706FIRE01", "FIRE01", "公众聚集场所投入使用营业前消防安全检查", "SCJG", "01",
                Level.CITY, Target.ENTERPRISE, 10, 3, CaseType.PROMISED, True, True, False, True,
                (ItemMaterial("M_LIC", True, 0, 1), ItemMaterial("M_FIRE", True, 1, 0)))
    hotel = Item("3706HOTEL1", "HOTEL1", "旅馆业特种行业许可", "GA", "01", Level.CITY,
                 Target.ENTERPRISE, 20, 10, CaseType.PROMISED, False, False, False, False,
                 (ItemMaterial("M_LIC", True, 0, 1), ItemMaterial("M_PLAN", True, 0, 2)))
    return Catalogue("2026.11", depts, mats, {i.code: i for i in (food, fire, hotel)}, {})


def sample_applicant(name: str = "张三丰") -> Applicant:
    return Applicant(PERSON_ID, "resident_id", ApplicantKind.PERSON, name, phone="13800000000")


def _m(code, name, main, state, reason="", original=False, lic=""):
    return CaseMaterial(code, name, main, state, original, reason, lic)


def sample_cases() -> dict[str, Case]:
    """One case per outcome, plus a delivered one."""
    base = Case(id="0190-a", case_no="YT0103-20261127-0001", window_code="YT0103", clerk_id="C007",
                applicant_id=PERSON_ID, applicant_name="张三丰", applicant_kind="person",
                items=("3706FOOD01", "3706FIRE01"), created_at=NOW)
    full = (_m("M_LIC", "营业执照", True, MaterialState.ELICENCE, lic="91370600MA3C00001X"),
            _m("M_APP", "食品经营许可申请书", True, MaterialState.RECEIVED, original=True),
            _m("M_PLAN", "经营场所平面图", False, MaterialState.RECEIVED),
            _m("M_HEALTH", "从业人员健康证明", False, MaterialState.RECEIVED),
            _m("M_FIRE", "消防安全承诺书", True, MaterialState.RECEIVED, original=True))
    owed = (full[0], full[1],
            _m("M_PLAN", "经营场所平面图", False, MaterialState.PENDING),
            _m("M_HEALTH", "从业人员健康证明", False, MaterialState.DEFECTIVE, "健康证明已过期，请重新体检"),
            full[4])
    accepted = replace(base, status=Status.ACCEPTED, outcome=Outcome.ACCEPTED, materials=full,
                       accepted_at=NOW, promised_date=date(2026, 12, 4))
    cases = {
        "accepted": accepted,
        "deferred": replace(base, case_no="YT0103-20261127-0002", status=Status.DEFERRED,
                            outcome=Outcome.DEFERRED, materials=owed, accepted_at=NOW,
                            deadline=date(2026, 12, 4), promised_date=date(2026, 12, 11)),
        "approved_on_commitment": replace(accepted, case_no="YT0103-20261127-0003",
                                          status=Status.APPROVED_ON_COMMITMENT,
                                          outcome=Outcome.APPROVED_ON_COMMITMENT),
        "notified": replace(base, case_no="YT0103-20261127-0004", status=Status.NOTIFIED,
                            outcome=Outcome.NOTIFIED,
                            materials=(full[0], _m("M_APP", "食品经营许可申请书", True,
                                                   MaterialState.MISSING, "未提交，请到窗口领取空白表"))
                            + owed[2:]),
        "signposted": replace(base, case_no="YT0103-20261127-0005", status=Status.SIGNPOSTED,
                              outcome=Outcome.SIGNPOSTED, items=("3706HOTEL1",), signpost_dept="GA"),
        "delivered": replace(accepted, case_no="YT0103-20261120-0009", status=Status.DELIVERED,
                             decision=Decision.APPROVE, delivered_at=datetime(2026, 11, 27, 15, 30)),
    }
    return {name: replace(c, id=f"01960000-0000-7000-8000-00000000000{i}")
            for i, (name, c) in enumerate(cases.items())}


SETTINGS = Settings()


def make(kind: str, case: Case, **kw) -> D.Document:
    args = dict(case=case, catalogue=sample_catalogue(), applicant=sample_applicant(case.applicant_name),
                window="3号综合窗口", clerk_name="李受理", settings=SETTINGS, now=NOW)
    args.update(kw)
    return D.build(kind, **args)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Extracted text without the line breaks and spaces the layout puts in."""
    return re.sub(r"\s+", "", text)


ALL = [(name, kind) for name, case in sample_cases().items() for kind in D.kinds_for(case)]


def tiny_font(path: Path, chars: str) -> Path:
    """A real TrueType font with a square glyph for each of ``chars`` (Ext-B included)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", "space"] + [f"uni{ord(c):X}" for c in chars]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({32: "space", **{ord(c): f"uni{ord(c):X}" for c in chars}})
    glyphs_ = {}
    for n in names:
        pen = TTGlyphPen(None)
        if n != "space":
            pen.moveTo((100, 0)); pen.lineTo((100, 800)); pen.lineTo((900, 800)); pen.lineTo((900, 0))
            pen.closePath()
        glyphs_[n] = pen.glyph()
    fb.setupGlyf(glyphs_)
    fb.setupHorizontalMetrics({n: (1000, 100) for n in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "ClerkTest", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    fb.save(str(path))
    return path
