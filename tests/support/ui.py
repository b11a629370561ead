"""The window's Pilot helpers shared by the UI tests: the test catalogue and replica (a
template made once per session, copied per test), the app, and typing, scanning and signing in
as a clerk does."""
from __future__ import annotations

from datetime import date, datetime
import shutil
from pathlib import Path

import pytest

from clerk_console.domain.calendar import default_calendar
from clerk_console.domain.catalogue import (Bundle, CaseType, Catalogue, Department, Item,
                                            ItemMaterial, Level, MaterialSpec, Target)
from clerk_console.domain.parties import Applicant, ApplicantKind, BlacklistEntry, ELicence
from clerk_console.storage.replica import Replica
from clerk_console.ui.app import ClerkApp
from support.keyclock import KeyClock, press_as_clerk, scan, type_as_clerk

NOW = datetime(2026, 11, 27, 10, 0)  # a Friday
PERSON = "370602199003071235"  # 张伟, known, holds an ID-card e-licence
AGENT = "370602198012120030"  # 刘洋, known person, comes as an agent
LISTED = "370602197510100046"  # 赵强, on the blacklist
UNKNOWN = "370687200001010016"  # not in the replica
COMPANY = "91370600MA3C123466"  # 烟台海风咖啡有限公司, its legal rep is 张伟
RARE = "37020219851111002X"  # unknown: registered with a name outside the BMP
BAD_CHECK = "370602199003071236"  # check character should be 5
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


def dept(code, name, short, hall="烟台市政务服务中心"):
    return Department(code, name, short, hall, "烟台市莱山区港城东大街1000号", "0535-6688000",
                      "工作日 9:00-17:00", contact=f"{short}窗口")


def item(code, name, dept_code, materials, *, deferral=True, commitment=False, in_hall=True,
         level=Level.CITY, promised=10):
    return Item(code=code, base_code="B" + code, name=name, dept=dept_code, item_type="01",
                level=level, target=Target.BOTH, legal_days=20, promised_days=promised,
                case_type=CaseType.PROMISED, deferral=deferral, commitment=commitment,
                instant=False, in_hall=in_hall, materials=tuple(materials))


def catalogue() -> Catalogue:
    m = ItemMaterial
    materials = {
        "sfz": MaterialSpec("sfz", "法定代表人身份证", "government", elicence_type="id_card"),
        "yyzz": MaterialSpec("yyzz", "营业执照", "government", elicence_type="business_licence"),
        "cszm": MaterialSpec("cszm", "经营场所使用证明"),
        "spzd": MaterialSpec("spzd", "食品安全管理制度"),
        "jkzm": MaterialSpec("jkzm", "从业人员健康证明"),
        "bjt": MaterialSpec("bjt", "设施布局和工艺流程图"),
        "zpt": MaterialSpec("zpt", "招牌设计效果图"),
        "xfcn": MaterialSpec("xfcn", "消防安全承诺书"),
        "old": MaterialSpec("old", "卫生许可证（已取消）"),
        "hz": MaterialSpec("hz", "护照申请表"),
    }
    items = {
        "SP01": item("SP01", "食品经营许可", "SCJG", [
            m("yyzz", True), m("sfz", True), m("cszm", True), m("spzd", False),
            m("jkzm", False), m("bjt", False), m("old", True, cancelled=True)]),
        "ZP01": item("ZP01", "户外招牌设置许可", "CGJ", [
            m("yyzz", True), m("cszm", True), m("zpt", False)], commitment=True),
        "XF01": item("XF01", "公众聚集场所投入使用前消防安全检查", "XFJ", [
            m("yyzz", True), m("xfcn", True)], commitment=True),
        "CR01": item("CR01", "普通护照签发", "GAJ", [m("hz", True)], in_hall=False,
                     level=Level.CITY),
    }
    bundles = {"KFD": Bundle("KFD", "开办咖啡店", "industry", ("SP01", "ZP01", "XF01"),
                             keywords=("咖啡馆",))}
    depts = {d.code: d for d in [dept("SCJG", "烟台市市场监督管理局", "市场监管"),
                                 dept("CGJ", "烟台市城市管理局", "城管"),
                                 dept("XFJ", "烟台市消防救援支队", "消防"),
                                 dept("GAJ", "烟台市公安局出入境管理支队", "出入境",
                                      hall="烟台市出入境接待大厅")]}
    return Catalogue("test-1", depts, materials, items, bundles,
                     {"id_card": "居民身份证", "business_licence": "营业执照"})


def make_home(tmp: Path, *, idle: int = 300, burst_ms: int = 200) -> Path:
    home = tmp / "window"
    home.mkdir()
    (home / "settings.toml").write_text(
        f"idle_lock_seconds = {idle}\nscan_burst_ms = {burst_ms}\nprinter = \"pdf\"\n",
        encoding="utf-8")
    r = Replica.open(home / "replica.sqlite3")
    r.set_window("YT0101", "1号综合窗口", "烟台市政务服务中心")
    r.add_clerk("1001", "王芳", "123412", "clerk")
    r.add_clerk("9001", "李主管", "999999", "supervisor")
    r.store_catalogue(catalogue())
    r.store_calendar(default_calendar())
    r.save_applicant(Applicant(PERSON, "resident_id", ApplicantKind.PERSON, "张伟",
                               phone="13805351234"), "setup")
    r.save_applicant(Applicant(AGENT, "resident_id", ApplicantKind.PERSON, "刘洋"), "setup")
    r.save_applicant(Applicant(LISTED, "resident_id", ApplicantKind.PERSON, "赵强"), "setup")
    r.save_applicant(Applicant(COMPANY, "uscc", ApplicantKind.ENTERPRISE, "烟台海风咖啡有限公司",
                               legal_rep_id=PERSON, legal_rep_name="张伟"), "setup")
    r.save_elicences([
        ELicence(PERSON, "id_card", "居民身份证", PERSON),
        ELicence(COMPANY, "business_licence", "营业执照", COMPANY, expires=date(2030, 1, 1)),
    ])
    r.save_blacklist([BlacklistEntry(LISTED, "赵强", "拒不履行法院判决", date(2025, 3, 1))])
    r.close()
    return home


@pytest.fixture(scope="session")
def template_home(tmp_path_factory) -> Path:
    return make_home(tmp_path_factory.mktemp("template"))


@pytest.fixture
def home(template_home, tmp_path) -> Path:
    """A fresh copy of the prepared window folder (PIN hashing is slow by design)."""
    target = tmp_path / "window"
    shutil.copytree(template_home, target)
    return target


def new_app(home: Path, **kwargs) -> ClerkApp:
    """The console on ``home`` at ``NOW``, its keys on a virtual clock (support.keyclock)."""
    kwargs.setdefault("clock", lambda: NOW)
    return ClerkApp(home, sync=False, key_clock=KeyClock(), **kwargs)


async def wait_ready(app: ClerkApp, pilot) -> None:
    from support.pilot import until

    await until(pilot, lambda: app.desk.ready or app.open_error, "the desk ready", seconds=8)
    assert app.desk.ready, app.open_error
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    """Type ``text`` as a clerk does (support.keyclock: virtual time, no real waiting)."""
    await type_as_clerk(pilot, text)


async def sign_in(app: ClerkApp, pilot, clerk: str = "1001", pin: str = "123412") -> None:
    await wait_ready(app, pilot)
    await type_text(pilot, clerk)
    await pilot.press("enter")
    await type_text(pilot, pin)
    await pilot.press("enter")
    await pilot.pause()


async def burst(app: ClerkApp, pilot, code: str, enter: bool = True) -> None:
    """Send a scanner burst: every key in one go, the way a keyboard-mode scanner types."""
    assert pilot.app is app
    await scan(pilot, code, enter=enter)


async def authorise(pilot, clerk: str = "9001", pin: str = "999999") -> None:
    """Answer the supervisor prompt."""
    await type_text(pilot, clerk)
    await pilot.press("enter")
    await type_text(pilot, pin)
    await pilot.press("enter")
    await pilot.pause()


async def keys(pilot, *names: str) -> None:
    """Press keys one by one as a clerk does; each is handled before the next (the app holds
    a single key back until it knows it starts no scan: support.keyclock)."""
    await press_as_clerk(pilot, *names)


def text_of(app: ClerkApp, selector: str) -> str:
    """What a widget of the current screen shows (a label, the sign-in screen's lines ...)."""
    return str(app.screen.query_one(selector).render())


async def intake_shown(app: ClerkApp, pilot) -> None:
    """Wait until the intake screen is up and has run its mount (the item search has the
    focus), and the app has handled what that queued: where a crash there would show."""
    from support.pilot import until

    await until(pilot, lambda: type(app.screen).__name__ == "IntakeScreen"
                and getattr(app.focused, "id", None) == "item-query", "the intake screen shown")
    await pilot.pause()


def intake(app: ClerkApp):
    from clerk_console.ui.screens.intake import IntakeScreen

    return next(s for s in app.screen_stack if isinstance(s, IntakeScreen))


def panel(app: ClerkApp) -> str:
    from clerk_console.ui.widgets.applicant import ApplicantPanel

    return str(intake(app).query_one(ApplicantPanel).render())


def replica_of(app: ClerkApp):
    return app.desk.replica


def seed_case(home: Path, applicant_id: str, when: datetime, *, deferred: bool = True,
              decided: bool = False):
    """A case made through the services, as an earlier visit would have."""
    from dataclasses import replace as dc_replace

    from clerk_console.domain.case import Decision, MaterialState, Outcome
    from clerk_console.services import intake, returns

    r = Replica.open(home / "replica.sqlite3")
    try:
        draft = intake.new_draft(r, window="YT0101", clerk_id="1001",
                                 applicant=r.find_applicant(applicant_id), items=["SP01"],
                                 now=when)
        mats = tuple(dc_replace(m, state=MaterialState.RECEIVED)
                     if m.main or not deferred else m for m in draft.materials)
        draft = dc_replace(draft, materials=mats)
        case = intake.close_intake(r, draft, Outcome.DEFERRED if deferred else Outcome.ACCEPTED,
                                   clerk_id="1001", now=when)
        r.notice_printed(case.case_no)  # its notice printed at that visit
        if decided:
            case = returns.record_decision(r, case, Decision.READY, decided_at=when)
        return case
    finally:
        r.close()


async def search_for(app: ClerkApp, pilot, text: str) -> None:
    """Type ``text`` into the item search and wait until it lists its hits."""
    from clerk_console.ui.widgets.picker import ItemPicker
    from support.pilot import until

    await type_text(pilot, text)
    await until(pilot, lambda: app.screen.query_one(ItemPicker).hits, f"hits for {text!r}")
