"""What a window may push: every payload checked against its typed model and against what the
back office already holds. Nothing a window sends can decide a case, rate a case twice or one
that does not exist, reuse a case number, or pin a case with a huge version.

``PushChecker`` is made once per push batch (a few indexed queries for the whole batch) and
answers per item with a Chinese refusal, or "" when the item may be applied. A rating, a
follow-up or a contact is parsed once, here, by its wire model; what push writes is read from
that model (``PushChecker.parsed``), never from the raw payload.
"""
from __future__ import annotations

from typing import Mapping, TypeVar

from pydantic import ValidationError
from sqlalchemy import Connection, select

from clerk_console.backoffice.tables import (DecisionRecord, ServerCase, ServerFollowup,
                                             ServerRating)
from clerk_console.domain.case import Status, window_may_report
from clerk_console.domain.ids import parse_case_no
from clerk_console.domain.messages import contact_key
from clerk_console.domain.rating import is_bad
from clerk_console.sync.protocol import (MAX_VERSION, CasePayload, ContactPayload,
                                        FollowupPayload, PushItem, RatingPayload)

CASE = ServerCase.__table__
DEC = DecisionRecord.__table__
RATING = ServerRating.__table__
FOLLOWUP = ServerFollowup.__table__
ENTITIES = ("case", "rating", "followup", "contact")
CHUNK = 900
Parsed = TypeVar("Parsed", RatingPayload, FollowupPayload, ContactPayload)
MAX_VERSION_STEP = 1_000  # a window bumps a case's version by one per saved change


def _chunks(seq: list):
    for i in range(0, len(seq), CHUNK):
        yield seq[i:i + CHUNK]


class PushChecker:
    def __init__(self, conn: Connection, window, items: list[PushItem]):
        self.window = window
        case_ids = list({it.entity_id for it in items if it.entity == "case"})
        numbers = list({str(it.payload.get("case_no", "")).strip().upper() for it in items})
        self.decisions: dict[str, str] = {}  # case id -> decision of the back office
        self.numbers: dict[str, str] = {}  # this window's case number -> case id
        self.rated: set[str] = set()  # this window's case numbers rated already
        self.bad: set[str] = set()  # ... of those, rated 不满意 or 非常不满意
        # event id -> its payload as parsed, for the ratings, follow-ups and contacts accepted
        self.parsed: dict[str, RatingPayload | FollowupPayload | ContactPayload] = {}
        followup_ids = list({it.entity_id for it in items if it.entity == "followup"})
        self.followups: dict[str, tuple[str, str]] = {}  # id -> (window id, case number)
        for chunk in _chunks(followup_ids):
            self.followups.update((r[0], (r[1], r[2])) for r in conn.execute(
                select(FOLLOWUP.c.id, FOLLOWUP.c.window_id, FOLLOWUP.c.case_no)
                .where(FOLLOWUP.c.id.in_(chunk))))
        for chunk in _chunks(case_ids):
            self.decisions.update(conn.execute(select(DEC.c.case_id, DEC.c.decision)
                                               .where(DEC.c.case_id.in_(chunk))).all())
        for chunk in _chunks(numbers):
            self.numbers.update(conn.execute(
                select(CASE.c.case_no, CASE.c.id).where(
                    (CASE.c.window_id == window.id) & CASE.c.case_no.in_(chunk))).all())
            for number, level in conn.execute(
                    select(RATING.c.case_no, RATING.c.level).where(
                        (RATING.c.window_id == window.id) & RATING.c.case_no.in_(chunk))):
                self.rated.add(number)
                if is_bad(level):
                    self.bad.add(number)

    # ------------------------------------------------------------------ per item

    def check(self, item: PushItem, prior: Mapping | None) -> str:
        if item.entity not in ENTITIES or item.op != "save":
            return f"不支持的记录类型“{item.entity}/{item.op}”，请升级终端"
        if item.entity == "contact":
            return self._contact(item)
        if item.entity == "rating":
            return self._rating(item)
        if item.entity == "followup":
            return self._followup(item)
        return self._case(item, prior)

    def accepted(self, item: PushItem) -> None:
        """Remember what an accepted item adds, for the items after it in the batch."""
        number = str(item.payload.get("case_no", "")).strip().upper()
        if item.entity == "rating":
            self.rated.add(number)
            if is_bad(self.payload(item, RatingPayload).level):
                self.bad.add(number)
        elif item.entity == "followup":
            self.followups.setdefault(item.entity_id, (self.window.id, number))
        elif item.entity == "case":
            self.numbers.setdefault(number, item.entity_id)

    def payload(self, item: PushItem, model: type[Parsed]) -> Parsed:
        """The payload of an item ``check`` let through, as ``model`` parsed it there."""
        p = self.parsed[item.id]
        assert isinstance(p, model)
        return p

    def _rating(self, item: PushItem) -> str:
        try:
            p = RatingPayload.model_validate(item.payload)
        except ValidationError:
            return "评价数据不完整（缺少编号或等级1-5），已拒收，请联系技术支持"
        number = p.case_no.strip().upper()
        parsed = parse_case_no(number)
        if p.id != item.entity_id:
            return "评价数据不完整（缺少编号或等级1-5），已拒收，请联系技术支持"
        if not parsed or parsed[0] != self.window.code:
            return f"评价所属办件{p.case_no}不是本窗口（{self.window.code}）受理的，已拒收"
        if number not in self.numbers:
            return f"评价所属办件{p.case_no}在后台不存在，已拒收：请先同步该办件"
        if number in self.rated:
            return f"办件{p.case_no}已评价过，每次服务只能评价一次，本次已拒收"
        self.parsed[item.id] = p
        return ""

    def _contact(self, item: PushItem) -> str:
        """Where a case's messages go: for a case of this window the back office holds."""
        try:
            p = ContactPayload.model_validate(item.payload)
        except ValidationError:
            return "短信联系方式数据不完整（手机号应为11位手机号码），已拒收"
        number = p.case_no.strip().upper()
        if p.id != item.entity_id or p.id != contact_key(p.case_no):
            return "短信联系方式数据不完整（手机号应为11位手机号码），已拒收"
        if number not in self.numbers:
            return f"短信联系方式所属办件{p.case_no}在后台不存在，已拒收：请先同步该办件"
        self.parsed[item.id] = p
        return ""

    def _followup(self, item: PushItem) -> str:
        """A bad rating's follow-up: of this window's rated case, rated badly, its history as
        long as its version, never moved to another case or window."""
        incomplete = "差评回访数据不完整（缺少编号、步骤或期限），已拒收，请联系技术支持"
        try:
            p = FollowupPayload.model_validate(item.payload)
        except ValidationError:
            return incomplete
        number = p.case_no.strip().upper()
        parsed = parse_case_no(number)
        if p.id != item.entity_id or len(p.history) != p.version:
            return incomplete
        if not parsed or parsed[0] != self.window.code:
            return f"差评回访所属办件{p.case_no}不是本窗口（{self.window.code}）受理的，已拒收"
        if self.followups.get(p.id, (self.window.id, number)) != (self.window.id, number):
            return f"差评回访{p.id}属于其他办件或窗口，已拒收"
        if number not in self.bad:
            return f"办件{p.case_no}在后台没有差评，不能有差评回访，已拒收：请先同步该评价"
        if (p.status == "closed") != (p.step.value == "closed"):
            return incomplete
        self.parsed[item.id] = p
        return ""

    def _case(self, item: PushItem, prior: Mapping | None) -> str:
        try:
            p = CasePayload.model_validate(item.payload)
        except ValidationError as exc:
            fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
            if "status" in fields:
                return f"办件状态“{item.payload.get('status')}”无法识别，已拒收"
            if "version" in fields:
                return (f"办件版本号“{str(item.payload.get('version'))[:24]}”不是"
                        f"0-{MAX_VERSION}之间的整数，已拒收")
            return "办件数据不完整（缺少编号或版本），已拒收，请联系技术支持"
        if p.id != item.entity_id:
            return "办件数据不完整（缺少编号或版本），已拒收，请联系技术支持"
        code = self.window.code
        number = p.case_no.strip().upper()
        parsed = parse_case_no(number)
        if p.window_code != code or not parsed or parsed[0] != code:
            return f"办件{p.case_no}不是本窗口（{code}）受理的，已拒收"
        if prior is not None and prior["window_id"] != self.window.id:
            return f"办件{p.case_no}属于其他窗口，已拒收"
        owner = self.numbers.get(number)
        if owner is not None and owner != p.id:
            return (f"办件编号{p.case_no}在后台已被本窗口的另一个办件使用（本机数据可能从备份"
                    "恢复，或在另一台电脑上受理过），本次已拒收；本窗口之后的编号将接着后台"
                    "最大编号继续，请联系后台管理员核对该办件")
        if prior is not None and prior.get("case_no") not in (None, number):
            return f"办件{prior['case_no']}的编号不能改为{p.case_no}，已拒收"
        base = prior["version"] if prior is not None else 0
        if p.version > base + MAX_VERSION_STEP:
            return f"办件{p.case_no}的版本号{p.version}跳得过大（后台为{base}），已拒收"
        if prior is not None and p.version <= prior["version"]:
            return ""  # an older version arriving late: accepted, the newer one is kept
        decision = self.decisions.get(p.id)
        status = p.status
        before = Status(prior["status"]) if prior is not None else None
        if status in (Status.DECIDED, Status.DELIVERED) and (
                decision is None or (p.decision is not None and p.decision.value != decision)):
            return (f"办件{p.case_no}的“{status.label}”状态只能由后台作出决定后产生，"
                    "窗口上报的已拒收")
        if not window_may_report(before, status, decided=decision is not None):
            was = before.label if before is not None else "新办件"
            return f"办件{p.case_no}不能从“{was}”变为“{status.label}”，已拒收"
        return ""


def case_seq(conn: Connection, window, now) -> dict[str, int]:
    """The highest case sequence the back office holds for ``window`` per day, for the days
    from two days before ``now`` on (case numbers restart every day)."""
    from datetime import timedelta

    first = f"{window.code}-{(now - timedelta(days=2)):%Y%m%d}"
    out: dict[str, int] = {}
    for (number,) in conn.execute(select(CASE.c.case_no).where(
            (CASE.c.window_id == window.id) & (CASE.c.case_no >= first)
            & (CASE.c.case_no < f"{window.code}-~"))):
        parsed = parse_case_no(number)
        if parsed:
            day = f"{parsed[1]:%Y%m%d}"
            out[day] = max(out.get(day, 0), parsed[2])
    return out
