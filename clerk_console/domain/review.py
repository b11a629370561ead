"""后台分类审批: a department's decision on one item of a case. Pure domain.

The items of a case (of a bundle above all) are decided in parallel, each by its own
department; no item waits on another. An item gets one of three verdicts:

- 准予 (approve): the licence or document number issued and its validity;
- 不予 (refuse): the reasons and the legal basis, both required (they print on the window's
  不予许可决定书);
- 补正 (correct): what is missing; it goes back to the window as a one-time notice and the item
  stays open until it is decided again.

Approve and refuse are final unless a hall supervisor reopens the item, with a reason. The
case is ready for pick-up (出件) when every item has a final verdict. For an 一证准营 industry
bundle the approvals merge into one 行业综合许可证 (:func:`merged_licence`).

>>> from datetime import date, datetime
>>> at = datetime(2026, 11, 27, 10, 0)
>>> food = approve("FOOD", "SCJG", licence_no="JY23706130012345", valid_until=date(2031, 11, 26),
...                by="scjg1", at=at)
>>> sign = refuse("SIGN", "CG", reasons="招牌设置位置占用消防通道",
...               legal_basis="《烟台市户外广告设施和招牌设置管理办法》第十二条", by="cg1", at=at)
>>> case_ready(("FOOD", "SIGN"), {"FOOD": food})
False
>>> case_ready(("FOOD", "SIGN"), {"FOOD": food, "SIGN": sign})
True
>>> case_outcome({"FOOD": food, "SIGN": sign}).value
'approve'
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .case import Decision
from .catalogue import Bundle, Item
from .errors import ClerkError
from .limits import text_error

MAX_TEXT = 2000  # characters of a reason, a legal basis or a list of what is missing


class ReviewError(ClerkError, ValueError):
    """A decision the rules refuse; the message (Chinese) says what to fix."""


class Verdict(StrEnum):
    APPROVE = "approve"  # 准予许可
    REFUSE = "refuse"  # 不予许可
    CORRECT = "correct"  # 补正: materials missing, back to the window

    @property
    def label(self) -> str:
        return {"approve": "准予许可", "refuse": "不予许可", "correct": "需补正"}[self.value]

    @property
    def final(self) -> bool:
        """Approve and refuse close the item; 补正 leaves it open."""
        return self is not Verdict.CORRECT


@dataclass(frozen=True, slots=True)
class ItemDecision:
    item: str  # Item.code
    dept: str  # Department.code of the deciding department
    verdict: Verdict
    by: str  # reviewer account
    at: datetime
    licence_no: str = ""  # approve: the licence or document number issued
    valid_from: date | None = None  # approve: validity start (default: the day decided)
    valid_until: date | None = None  # approve: last valid day; None = 长期有效
    reasons: str = ""  # refuse
    legal_basis: str = ""  # refuse
    missing: str = ""  # correct: what the applicant must bring

    @property
    def final(self) -> bool:
        return self.verdict.final

    @property
    def validity_label(self) -> str:
        """e.g. ``2026-11-27至2031-11-26`` or ``长期有效``; "" unless approved.

        >>> d = approve("A", "X", licence_no="N1", valid_until=None, by="u",
        ...             at=datetime(2026, 11, 27, 9, 0))
        >>> d.validity_label
        '2026-11-27起长期有效'
        """
        if self.verdict is not Verdict.APPROVE:
            return ""
        start = (self.valid_from or self.at.date()).isoformat()
        if self.valid_until is None:
            return f"{start}起长期有效"
        return f"{start}至{self.valid_until.isoformat()}"


def _text(value: str, what: str) -> str:
    if error := text_error(value, what, MAX_TEXT):
        raise ReviewError(error)
    return value.strip()


def approve(item: str, dept: str, *, licence_no: str, valid_until: date | None, by: str,
            at: datetime, valid_from: date | None = None) -> ItemDecision:
    """准予: the number issued is required; the validity ends after it starts.

    >>> approve("A", "X", licence_no=" ", valid_until=None, by="u",
    ...         at=datetime(2026, 11, 27, 9, 0))
    Traceback (most recent call last):
    ...
    clerk_console.domain.review.ReviewError: 请填写许可证（批准文件）编号
    >>> approve("A", "X", licence_no="N1", valid_until=date(2026, 11, 1), by="u",
    ...         at=datetime(2026, 11, 27, 9, 0))
    Traceback (most recent call last):
    ...
    clerk_console.domain.review.ReviewError: 有效期截止日2026-11-01早于起始日2026-11-27，请核对
    """
    number = _text(licence_no, "许可证（批准文件）编号")
    if len(number) > 64:
        raise ReviewError("许可证编号过长（最多64个字符），请核对")
    start = valid_from or at.date()
    if valid_until is not None and valid_until < start:
        raise ReviewError(f"有效期截止日{valid_until.isoformat()}早于起始日{start.isoformat()}，"
                          "请核对")
    return ItemDecision(item, dept, Verdict.APPROVE, by, at, licence_no=number,
                        valid_from=start, valid_until=valid_until)


def refuse(item: str, dept: str, *, reasons: str, legal_basis: str, by: str,
           at: datetime) -> ItemDecision:
    """不予: reasons and legal basis are both required (行政许可法第三十八条).

    >>> refuse("A", "X", reasons="场所不符合要求", legal_basis="", by="u",
    ...        at=datetime(2026, 11, 27, 9, 0))
    Traceback (most recent call last):
    ...
    clerk_console.domain.review.ReviewError: 请填写不予许可的法律依据
    """
    return ItemDecision(item, dept, Verdict.REFUSE, by, at,
                        reasons=_text(reasons, "不予许可的理由"),
                        legal_basis=_text(legal_basis, "不予许可的法律依据"))


def ask_correction(item: str, dept: str, *, missing: str, by: str,
                   at: datetime) -> ItemDecision:
    """补正: what is missing, told to the applicant once (一次性告知)."""
    return ItemDecision(item, dept, Verdict.CORRECT, by, at,
                        missing=_text(missing, "需要补正的材料或内容"))


def record(previous: ItemDecision | None, new: ItemDecision) -> ItemDecision:
    """The item's decision after ``new``: refused when the item already has a final one.

    >>> at = datetime(2026, 11, 27, 9, 0)
    >>> first = ask_correction("A", "X", missing="平面图", by="u", at=at)
    >>> second = approve("A", "X", licence_no="N1", valid_until=None, by="u", at=at)
    >>> record(first, second).verdict.value
    'approve'
    >>> record(second, first)
    Traceback (most recent call last):
    ...
    clerk_console.domain.review.ReviewError: 该事项已作出“准予许可”决定，决定作出后不能更改；确需更改的，请大厅负责人先撤回重审
    """
    if previous is not None and previous.item != new.item:
        raise ReviewError("决定与事项不符，请刷新页面后重试")
    if previous is not None and previous.final:
        raise ReviewError(f"该事项已作出“{previous.verdict.label}”决定，决定作出后不能更改；"
                          "确需更改的，请大厅负责人先撤回重审")
    return new


@dataclass(frozen=True, slots=True)
class Reopening:
    """A supervisor's reopening of a final decision: the item is open again."""

    item: str
    by: str
    at: datetime
    reason: str
    previous: ItemDecision


def reopen(previous: ItemDecision | None, *, by: str, supervisor: bool, reason: str,
           at: datetime) -> Reopening:
    """撤回重审: only a supervisor, only a final decision, always with a reason.

    >>> at = datetime(2026, 11, 27, 9, 0)
    >>> d = approve("A", "X", licence_no="N1", valid_until=None, by="u", at=at)
    >>> reopen(d, by="u", supervisor=False, reason="编号错误", at=at)
    Traceback (most recent call last):
    ...
    clerk_console.domain.review.ReviewError: 只有大厅负责人可以撤回已作出的决定
    >>> reopen(d, by="boss", supervisor=True, reason="编号录入错误", at=at).item
    'A'
    """
    if not supervisor:
        raise ReviewError("只有大厅负责人可以撤回已作出的决定")
    if previous is None or not previous.final:
        raise ReviewError("该事项尚未作出准予或不予决定，无需撤回")
    return Reopening(previous.item, by, at, _text(reason, "撤回重审的原因"), previous)


def case_ready(items: Iterable[str], decisions: Mapping[str, ItemDecision]) -> bool:
    """Ready for pick-up: every item of the case has a final decision (none waits on another).

    >>> case_ready((), {})
    False
    """
    codes = list(items)
    return bool(codes) and all(c in decisions and decisions[c].final for c in codes)


def case_outcome(decisions: Mapping[str, ItemDecision]) -> Decision:
    """The case's decision as the window knows it: refused when every item was refused,
    approved when at least one item was (each item prints its own document at 出件)."""
    if decisions and all(d.verdict is Verdict.REFUSE for d in decisions.values()):
        return Decision.REJECT
    return Decision.APPROVE


# ---------------------------------------------------------------- 一证准营: the merged licence

MERGED_LICENCE_ITEM = "行业综合许可证核发"


def is_merged_licence_item(item: Item) -> bool:
    """The bundle item whose approval issues the 行业综合许可证 itself (its number)."""
    return item.name == MERGED_LICENCE_ITEM


@dataclass(frozen=True, slots=True)
class Permit:
    item: str
    name: str  # the permit as it prints: the item's name
    dept_name: str
    licence_no: str
    validity: str  # ItemDecision.validity_label


@dataclass(frozen=True, slots=True)
class MergedLicence:
    """行业综合许可证: one licence listing every permit it stands for."""

    number: str
    industry: str  # the bundle's name, e.g. 开办咖啡店/茶馆
    permits: tuple[Permit, ...]
    valid_until: date | None  # the earliest end among the permits; None = 长期有效
    issued_on: date


def merged_licence(bundle: Bundle | None, items: Mapping[str, Item],
                   dept_names: Mapping[str, str],
                   decisions: Mapping[str, ItemDecision]) -> MergedLicence | None:
    """The 行业综合许可证 of a ready industry bundle whose licence item was approved; its
    number is that item's number, the permits are the other approved items (a refused one
    gets its 不予许可决定书 instead), valid as long as the shortest of them.

    >>> from clerk_console.domain.catalogue import Bundle, CaseType, Level, Target
    >>> at = datetime(2026, 11, 27, 9, 0)
    >>> def item(code, name, dept):
    ...     return Item(code, "B" + code, name, dept, "01", Level.CITY, Target.ENTERPRISE,
    ...                 20, 5, CaseType.PROMISED, True, False, False, True)
    >>> b = Bundle("KFD", "开办咖啡店", "industry", ("FOOD", "LIC"))
    >>> its = {"FOOD": item("FOOD", "食品经营许可", "SCJG"),
    ...        "LIC": item("LIC", MERGED_LICENCE_ITEM, "XZSP")}
    >>> ds = {"FOOD": approve("FOOD", "SCJG", licence_no="JY1", valid_until=date(2031, 11, 26), by="u", at=at),
    ...       "LIC": approve("LIC", "XZSP", licence_no="HZ1", valid_until=None, by="v", at=at)}
    >>> lic = merged_licence(b, its, {"SCJG": "市场监管局"}, ds)
    >>> lic.number, [p.licence_no for p in lic.permits], lic.valid_until
    ('HZ1', ['JY1'], datetime.date(2031, 11, 26))
    """
    if bundle is None or bundle.kind != "industry":
        return None
    codes = [c for c in bundle.items if c in items]
    if not case_ready(codes, decisions):
        return None
    issuing = [c for c in codes if is_merged_licence_item(items[c])]
    if not issuing or decisions[issuing[0]].verdict is not Verdict.APPROVE:
        return None
    head = decisions[issuing[0]]
    permits = tuple(
        Permit(c, items[c].name, dept_names.get(items[c].dept, items[c].dept),
               decisions[c].licence_no, decisions[c].validity_label)
        for c in codes if c != issuing[0] and decisions[c].verdict is Verdict.APPROVE)
    if not permits:
        return None
    ends = [decisions[p.item].valid_until for p in permits]
    ends.append(head.valid_until)
    known = [e for e in ends if e is not None]
    return MergedLicence(head.licence_no, bundle.name, permits,
                         min(known) if known else None, head.at.date())
