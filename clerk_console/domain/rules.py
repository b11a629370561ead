"""Which outcomes a case may take. Pure domain: decided from the catalogue's flags, the
materials' states and the applicant's credit, never from the screen.

- 受理 (accepted): every material satisfied.
- 容缺受理 (deferred): every main material satisfied, some secondary owed, every item allows
  deferral, applicant not blacklisted and no earlier broken deferral promise.
- 承诺即准 (approved on commitment): every item allows it, every main material satisfied,
  applicant (and its legal representative, shareholders, managers) not blacklisted, no earlier
  false commitment, and no item touches public safety or ecology unless a law names it as a
  告知承诺 item (``commitment_refusal``). It is the applicant's choice (国办发〔2020〕42号;
  消防法 art. 15 "可以选择"), so it is never the preselected outcome.
- 一次性告知 (notified): something is owed; lists all of it at once.
- 设路标 (signposted): an item this window cannot take. 一窗受理 means accept: in a draft that
  mixes both (the 身后一件事 bundle with the 不动产 inheritance transfer taken in another hall),
  the items taken here are judged on their own materials and may be accepted; only the others
  get the signpost (``taken_elsewhere``, ``signpost_dept``).
- 不予受理 (not accepted, 行政许可法 art. 32(1)(1)-(2)): the application needs no permit, is
  outside the deciding office's powers, or the applicant may not apply. The clerk's judgement,
  with written reasons (``refusal_problem``), never preselected; never for an item the hall
  merely routes elsewhere (that stays a signpost).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .case import CaseMaterial, Outcome
from .catalogue import COUNTY_CENTRE, RISKS, TOWNSHIP_CENTRE, CaseType, Department, Item, Level, Target
from .parties import BlacklistHit

# The order the outcome pane lists the options in.
PREFERENCE = (Outcome.APPROVED_ON_COMMITMENT, Outcome.ACCEPTED, Outcome.DEFERRED,
              Outcome.NOTIFIED, Outcome.SIGNPOSTED, Outcome.NOT_ACCEPTED)
# What may be preselected, best first. 告知承诺 is the applicant's own choice
# (国办发〔2020〕42号 二(三); 消防法 art. 15 "可以选择"), never the clerk's default.
PRESELECTABLE = (Outcome.ACCEPTED, Outcome.DEFERRED, Outcome.NOTIFIED, Outcome.SIGNPOSTED)


REASONS_MIN = 4  # characters: "不属职权" at least; a bare "不行" is no reason


def refusal_problem(reasons: str) -> str:
    """What is wrong with the reasons given for 不予受理 ("" when they will do): 行政许可法
    art. 32(1) and art. 38(2) want the decision reasoned in writing."""
    text = " ".join(reasons.split())
    if not text:
        return "不予受理须写明理由（行政许可法第三十二条）"
    if len(text) < REASONS_MIN:
        return f"不予受理的理由过短（“{text}”）：请写明依据和事实，如“经营场所无歌舞游艺项目，依法无需取得娱乐场所经营许可”"
    return ""


def commitment_refusal(item: Item) -> str:
    """Why 承诺即准 is refused for ``item`` by the nature of the item ("" when it is not).

    The seed article (烟台 “承诺即准”制度) limits it to items that do not touch public safety or
    ecology; an item that does (``item.risk``) is refused unless a law names it as a 告知承诺
    item (``item.commitment_basis``, e.g. 消防法 art. 15 for the pre-opening fire check)."""
    if not item.commitment:
        return f"“{item.name}”不实行告知承诺"
    if item.risk and not item.commitment_basis:
        touched = "、".join(RISKS.get(r, r) for r in item.risk)
        return f"“{item.name}”涉及{touched}，法律未规定可告知承诺，不实行承诺即准"
    return ""


TARGETS_NEEDING_DEFERRAL = frozenset({Target.ENTERPRISE, Target.BOTH})  # 涉企事项100%容缺受理
MAX_DAYS = 1_000  # working days; far above any statutory time limit (a few months at most)


def item_problem(item: Item) -> tuple[str, str] | None:
    """The first rule an item breaks, as (field, Chinese reason).

    Checked where the human-edited files are read (``datafiles.catalogue``); a catalogue's
    structure and references are ``catalogue.catalogue_problem``, checked on construction, so
    a stored or synced catalogue is read back as it was written."""
    legal, promised = item.legal_days, item.promised_days
    if legal < 0:
        return "legal_days", "法定时限不能为负数"
    if legal > MAX_DAYS:
        return "legal_days", f"法定时限（{legal}个工作日）超过{MAX_DAYS}个工作日，请核对"
    if promised < 0:
        return "promised_days", "承诺时限不能为负数"
    if promised > legal:
        return "promised_days", f"承诺时限（{promised}个工作日）不得超过法定时限（{legal}个工作日）"
    if item.target in TARGETS_NEEDING_DEFERRAL and not item.deferral:
        return "deferral", f"服务对象为{item.target.label}的涉企事项必须允许容缺受理（deferral = true）"
    if item.instant and promised != 0:
        return "promised_days", "秒批秒办事项（instant = true）的承诺时限应为 0（即办件）"
    if (item.case_type is CaseType.IMMEDIATE) != (promised == 0):
        return "promised_days", "即办件的承诺时限应为 0，承诺件的承诺时限应大于 0"
    if not item.required_materials:
        return "materials", "事项至少需要一项未取消的申请材料"
    unknown = [r for r in item.risk if r not in RISKS]
    if unknown:
        return "risk", f"不认识的风险类别“{unknown[0]}”，只允许 {'、'.join(RISKS)}"
    if item.charges and not item.fee_basis:
        return "fee_basis", "收费事项须写明收费依据（fee_basis），通知书上与收费标准一并打印"
    if item.commitment and commitment_refusal(item):
        return "commitment", commitment_refusal(item)
    return None


def commitment_bases(items: list[Item] | tuple[Item, ...]) -> tuple[str, ...]:
    """The laws that name these risk items as 告知承诺 items, to print on the approval."""
    return tuple(dict.fromkeys(i.commitment_basis for i in items
                               if i.risk and i.commitment_basis))


@dataclass(frozen=True, slots=True)
class WindowScope:
    """What a window may take: its hall's level and whether it is a township centre."""

    level: Level = Level.CITY
    # levels whose items this window takes (a city hall takes city and county items that were
    # brought into the hall; a township centre takes township and village items)
    levels: frozenset[Level] = frozenset({Level.CITY, Level.COUNTY})

    def takes(self, item: Item) -> bool:
        return item.in_hall and item.level in self.levels


TOWNSHIP_SCOPE = WindowScope(Level.TOWNSHIP, frozenset({Level.TOWNSHIP, Level.VILLAGE}))
CITY_SCOPE = WindowScope()


@dataclass(frozen=True, slots=True)
class Option:
    outcome: Outcome
    allowed: bool
    reason: str  # why it is allowed or not, in Chinese, shown beside the option


@dataclass(frozen=True, slots=True)
class Verdict:
    options: tuple[Option, ...]
    best: Outcome | None

    @property
    def allowed(self) -> tuple[Outcome, ...]:
        return tuple(o.outcome for o in self.options if o.allowed)

    def option(self, outcome: Outcome) -> Option:
        return next(o for o in self.options if o.outcome is outcome)


@dataclass(frozen=True, slots=True)
class CreditRecord:
    """The applicant's history that bars deferral or commitment approval."""

    blacklist: BlacklistHit | None = None
    broken_deferral: bool = False  # an earlier deferral voided for not supplying in time
    false_commitment: bool = False  # an earlier commitment found false


def taken_elsewhere(items: Iterable[Item], scope: WindowScope) -> list[Item]:
    """The items this window cannot take (another hall, a township centre, another level):
    the only ones a signpost answers."""
    return [i for i in items if not scope.takes(i)]


@dataclass(frozen=True, slots=True)
class Whereabouts:
    """Where an applicant belongs, for routing: the registered address (户籍地 / 住所) and the
    region code of the document (the USCC's positions 3-8, the ID number's first 6 digits)."""

    address: str = ""
    region: str = ""


def whereabouts(applicant_id: str, applicant_kind: str, address: str = "") -> Whereabouts:
    """An applicant's routing facts: an enterprise's domicile region from its USCC (GB 32100:
    positions 3-8), a person's from the ID number (GB 11643: the first 6 digits, where it was
    first assigned — the address, when known, decides first)."""
    code = (applicant_id or "").strip().upper()
    if applicant_kind == "enterprise" and len(code) == 18:
        region = code[2:8]
    elif applicant_kind == "person" and len(code) in (15, 18):
        region = code[:6]
    else:
        region = ""
    return Whereabouts(address=address or "", region=region if region.isdigit() else "")


def _local(offices: list[Department], where: Whereabouts) -> Department | None:
    """The office of the applicant's own place: the one whose 乡镇/街道 or 区/县 the address
    names, else the one of the document's region code."""
    named = [d for d in offices if d.area and d.area in where.address]
    if named:  # the most specific place the address names: its 街道 after its 区
        return max(named, key=lambda d: where.address.index(d.area) + len(d.area))
    return next((d for d in offices if where.region and d.region == where.region), None)


def signpost_dept(items: Iterable[Item], scope: WindowScope,
                  departments: Mapping[str, Department] | None = None,
                  where: Whereabouts = Whereabouts()) -> str | None:
    """The department a signpost (设路标) sends the applicant to, for the first item this window
    cannot take (None when it takes them all): a township-level item to the 便民服务中心 of the
    applicant's own 乡镇/街道 (named in the registered address; else one of the applicant's
    district), a county-level one to the office of the applicant's district or the
    enterprise's domicile (address, else the USCC's or ID's region code) that stands for the
    item's department; otherwise, or when the catalogue has no such office, the item's own."""
    item = next((i for i in items if not scope.takes(i)), None)
    if item is None:
        return None
    if departments:
        if item.level in (Level.TOWNSHIP, Level.VILLAGE):
            offices = [d for d in departments.values() if d.serves == TOWNSHIP_CENTRE]
        elif item.level is Level.COUNTY:  # the department's own office there, else the hall
            offices = ([d for d in departments.values() if d.serves == item.dept]
                       or [d for d in departments.values() if d.serves == COUNTY_CENTRE])
        else:
            offices = []
        local = _local(offices, where) if offices else None
        if local is not None:
            return local.code
    return item.dept


def decide(items: list[Item], materials: list[CaseMaterial] | tuple[CaseMaterial, ...],
           credit: CreditRecord = CreditRecord(), scope: WindowScope = CITY_SCOPE,
           needs: Mapping[str, Iterable[str]] | None = None) -> Verdict:
    """Every outcome with allowed/forbidden and the reason, plus the best allowed one.
    ``needs``: the item codes each material is needed by (the merged checklist); in a draft
    mixing items taken here and elsewhere only the materials of those taken here count."""
    if not items:
        return Verdict(tuple(Option(o, False, "尚未选择事项") for o in PREFERENCE), None)

    elsewhere = taken_elsewhere(items, scope)
    here = [i for i in items if scope.takes(i)]
    if elsewhere and here:  # 一窗受理: the items taken here are judged on their own
        taken = {i.code for i in here}
        if needs is not None:
            materials = [m for m in materials if taken & set(needs.get(m.code, taken))]
        items = here
    owed = [m for m in materials if not m.state.satisfied]
    main_owed = [m for m in owed if m.main]
    opts: dict[Outcome, Option] = {}

    if elsewhere:
        names = "、".join(i.name for i in elsewhere)
        opts[Outcome.SIGNPOSTED] = Option(Outcome.SIGNPOSTED, True, f"本窗口不能受理：{names}")
    else:
        opts[Outcome.SIGNPOSTED] = Option(Outcome.SIGNPOSTED, False, "所选事项均可在本窗口受理")

    block = "本窗口不能受理所选事项，请设路标" if elsewhere and not here else ""
    also = f"；{'、'.join(i.name for i in elsewhere)}另出具路标" if elsewhere and here else ""

    def gate(outcome: Outcome, ok: bool, yes: str, no: str) -> None:
        if block:
            opts[outcome] = Option(outcome, False, block)
        else:
            opts[outcome] = Option(outcome, ok, yes + also if ok else no)

    gate(Outcome.ACCEPTED, not owed, "材料齐全", f"尚缺 {len(owed)} 项材料")

    if main_owed:
        why = f"主要材料不全（{main_owed[0].name}等 {len(main_owed)} 项），不能容缺"
        gate(Outcome.DEFERRED, False, "", why)
    elif not owed:
        gate(Outcome.DEFERRED, False, "", "材料齐全，无需容缺")
    elif not all(i.deferral for i in items):
        no = next(i for i in items if not i.deferral)
        gate(Outcome.DEFERRED, False, "", f"“{no.name}”不适用容缺受理")
    elif credit.blacklist:
        gate(Outcome.DEFERRED, False, "", credit.blacklist.message)
    elif credit.broken_deferral:
        gate(Outcome.DEFERRED, False, "", "曾有容缺承诺未按期兑现，信用修复前不得容缺受理")
    else:
        gate(Outcome.DEFERRED, True, f"主要材料齐全，次要材料缺 {len(owed)} 项，可容缺受理", "")

    refusals = [r for r in (commitment_refusal(i) for i in items) if r]
    if refusals:
        gate(Outcome.APPROVED_ON_COMMITMENT, False, "", refusals[0])
    elif main_owed:
        gate(Outcome.APPROVED_ON_COMMITMENT, False, "", "主要材料不全，不能承诺即准")
    elif credit.blacklist:
        gate(Outcome.APPROVED_ON_COMMITMENT, False, "", credit.blacklist.message)
    elif credit.false_commitment:
        gate(Outcome.APPROVED_ON_COMMITMENT, False, "", "曾有虚假承诺，不得承诺即准")
    elif owed:
        gate(Outcome.APPROVED_ON_COMMITMENT, True,
             f"申请人可选择：签署信用承诺书即可批准，次要材料 {len(owed)} 项限期补交", "")
    else:
        gate(Outcome.APPROVED_ON_COMMITMENT, True, "申请人可选择：签署信用承诺书即可批准", "")

    # an item taken elsewhere is answered with a signpost, never with a list of materials
    gate(Outcome.NOTIFIED, bool(owed), f"一次性告知所缺 {len(owed)} 项材料", "材料齐全，无需告知")
    # 不予受理 is the clerk's judgement on the law, whatever the materials; never instead of a
    # signpost for an item another place takes
    gate(Outcome.NOT_ACCEPTED, True, "依法无需申请、不属职权或无资格：写明理由", "")

    ordered = tuple(opts[o] for o in PREFERENCE)
    best = next((o for o in PRESELECTABLE if opts[o].allowed), None)
    return Verdict(ordered, best)
