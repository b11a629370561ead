"""The service catalogue: departments, materials, items and "one thing" bundles.

Pure domain: plain frozen dataclasses and functions, no I/O. Loading and validating the
human-edited files under data/ lives in ``clerk_console.datafiles.catalogue``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import RuleError


class Level(StrEnum):
    """Administrative level that implements an item (GB/T 39046 行使层级)."""

    PROVINCE = "province"  # 省级
    CITY = "city"  # 市级
    COUNTY = "county"  # 区县级
    TOWNSHIP = "township"  # 乡镇(街道)级
    VILLAGE = "village"  # 村(社区)级

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        """Higher number = higher level."""
        return _LEVEL_RANK[self]


LEVEL_LABELS = {
    Level.PROVINCE: "省级",
    Level.CITY: "市级",
    Level.COUNTY: "区县级",
    Level.TOWNSHIP: "乡镇级",
    Level.VILLAGE: "村级",
}
_LEVEL_RANK = {Level.VILLAGE: 0, Level.TOWNSHIP: 1, Level.COUNTY: 2, Level.CITY: 3, Level.PROVINCE: 4}

# GB/T 39046 item type codes -> Chinese label.
ITEM_TYPES = {
    "01": "行政许可",
    "02": "行政处罚",
    "05": "行政给付",
    "07": "行政确认",
    "10": "其他行政权力",
    "20": "公共服务",
}


# What an item may touch; 承诺即准 is barred for such items unless a law names them as
# 告知承诺 items (see ``rules.commitment_refusal``).
RISKS = {"public_safety": "公共安全", "ecology": "生态环境"}


class Target(StrEnum):
    """Who applies for an item (服务对象)."""

    PERSON = "person"  # 自然人
    ENTERPRISE = "enterprise"  # 法人/企业
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"person": "自然人", "enterprise": "法人", "both": "自然人、法人"}[self.value]


class CaseType(StrEnum):
    IMMEDIATE = "immediate"  # 即办件
    PROMISED = "promised"  # 承诺件

    @property
    def label(self) -> str:
        return "即办件" if self is CaseType.IMMEDIATE else "承诺件"


TOWNSHIP_CENTRE = "township"  # Department.serves of a 乡镇/街道便民服务中心
COUNTY_CENTRE = "county"  # Department.serves of a 区/县 政务服务中心 (its county-level items)


@dataclass(frozen=True, slots=True)
class Department:
    code: str  # e.g. "SCJG"
    name: str  # 烟台市市场监督管理局
    short_name: str  # 市场监管
    hall: str  # where it receives applicants, used by signposts
    address: str
    phone: str
    hours: str
    contact: str = ""  # whom to see (窗口/科室)
    # The seal line printed on the department's documents (行政许可法 art. 32(5): the office's
    # own special seal); "" = the department's name with （行政审批专用章）.
    seal: str = ""
    # The body that hears a 行政复议 against its decisions (行政复议法 2023 art. 24: the
    # government at its level; art. 27: the next higher department for tax and other vertically
    # led offices), named on every refusal; "" = not configured.
    review_body: str = ""
    # Routing (signposts): a district's or a township's office stands for a city department
    # (``serves``: its code) or is a 便民服务中心 (``serves`` = TOWNSHIP_CENTRE) in ``region``
    # (GB/T 2260 county code) and ``area`` (its 区/县 or 乡镇/街道 as addresses write it).
    region: str = ""
    area: str = ""
    serves: str = ""

    @property
    def seal_line(self) -> str:
        return self.seal or f"{self.name}（行政审批专用章）"


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """A real-world document, defined once and shared by every item that needs it."""

    code: str  # catalogue-wide id, the key for de-duplication across items
    name: str
    source: str = "applicant"  # "applicant" (自备) | "government" (政府部门核发)
    elicence_type: str | None = None  # e-licence type code that satisfies it (电子证照)
    form: str = ""  # required form: paper size, signature, blank form name ...
    sample: str = ""  # where the blank form / sample is


@dataclass(frozen=True, slots=True)
class ItemMaterial:
    """How one item asks for one material."""

    code: str  # MaterialSpec.code
    main: bool  # 主要材料 (True) or 次要材料 (False)
    originals: int = 0
    copies: int = 1
    cancelled: bool = False  # 极简审批: cancelled, never asked for
    note: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    code: str  # implementation code (实施编码), opaque
    base_code: str  # base code (基本编码), opaque
    name: str
    dept: str  # Department.code
    item_type: str  # key of ITEM_TYPES
    level: Level
    target: Target
    legal_days: int  # 法定时限 (working days)
    promised_days: int  # 承诺时限 (working days), 0 for 即办件
    case_type: CaseType
    deferral: bool  # 容缺受理 allowed
    commitment: bool  # 告知承诺 / 承诺即准 allowed
    instant: bool  # 秒批秒办
    in_hall: bool  # handled at this hall's comprehensive windows; False -> signpost
    materials: tuple[ItemMaterial, ...] = ()
    legal_basis: str = ""
    fee: str = "不收费"
    keywords: tuple[str, ...] = ()  # extra search words (aliases)
    fee_basis: str = ""  # the rule that sets the fee (printed beside it); "" for 不收费
    risk: tuple[str, ...] = ()  # RISKS keys: what the item touches (public_safety, ecology)
    # The law that names this item as a 告知承诺 item although it touches a risk
    # (e.g. 《中华人民共和国消防法》第十五条 for the pre-opening fire-safety check).
    commitment_basis: str = ""

    @property
    def charges(self) -> bool:
        return bool(self.fee) and self.fee != "不收费"

    @property
    def type_label(self) -> str:
        return ITEM_TYPES.get(self.item_type, self.item_type)

    @property
    def required_materials(self) -> tuple[ItemMaterial, ...]:
        return tuple(m for m in self.materials if not m.cancelled)


@dataclass(frozen=True, slots=True)
class Bundle:
    """一件事: several items taken in one visit with one merged checklist."""

    code: str
    name: str  # e.g. 开办咖啡店/茶馆
    kind: str  # "industry" (一证准营) | "life_event" (个人一件事)
    items: tuple[str, ...]  # Item.code, in display order
    description: str = ""
    keywords: tuple[str, ...] = ()
    # items offered but not taken by default (e.g. 娱乐场所经营许可 for a bar with dancing)
    optional: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChecklistLine:
    """One material of a merged checklist."""

    material: MaterialSpec
    main: bool  # main for at least one of the items that need it
    originals: int
    copies: int
    items: tuple[str, ...]  # codes of the items that need it
    notes: tuple[str, ...] = ()


class CatalogueInvalid(RuleError):
    """A catalogue whose parts do not fit together (an unknown department, material, e-licence
    type or item; a code filed under another); the message is Chinese."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Departments, materials, items and bundles that refer only to one another: construction
    refuses an inconsistent one (``catalogue_problem``) with ``CatalogueInvalid``."""

    version: str
    departments: dict[str, Department]
    materials: dict[str, MaterialSpec]
    items: dict[str, Item]
    bundles: dict[str, Bundle]
    elicence_types: dict[str, str] = field(default_factory=dict)  # code -> Chinese name

    def __post_init__(self) -> None:
        problem = catalogue_problem(self)
        if problem:
            raise CatalogueInvalid(problem)

    def item(self, code: str) -> Item:
        return self.items[code]

    def department_of(self, item: Item) -> Department:
        return self.departments[item.dept]

    def bundle_items(self, bundle_code: str) -> list[Item]:
        return [self.items[c] for c in self.bundles[bundle_code].items]

    def checklist(self, item_codes: list[str] | tuple[str, ...]) -> list[ChecklistLine]:
        return merge_checklist(self, item_codes)


def catalogue_problem(cat: Catalogue) -> str:
    """The first way ``cat``'s parts fail to fit together, in Chinese ("" when they fit).

    Structure and references only: each record filed under its own code; every item's
    department and materials defined, no material twice in one item; every material's e-licence
    type defined (when the catalogue names any); every bundle with at least one item, all
    defined, none twice. The rules one item must keep (``rules.item_problem``) are checked where
    the human-edited files are read, so a stored catalogue is read back as it was written."""
    for what, table in (("部门", cat.departments), ("材料", cat.materials), ("事项", cat.items),
                        ("一件事", cat.bundles)):
        for code, record in table.items():
            if record.code != code:
                return f"{what}编码 {record.code} 登记在 {code} 之下，编码不一致"
    for item in cat.items.values():
        if item.dept not in cat.departments:
            return f"事项 {item.code}（{item.name}）的部门 {item.dept} 不在部门目录中"
        codes = [m.code for m in item.materials]
        unknown = [c for c in codes if c not in cat.materials]
        if unknown:
            return f"事项 {item.code}（{item.name}）的材料 {unknown[0]} 不在材料目录中"
        twice = [c for c in codes if codes.count(c) > 1]
        if twice:
            return f"材料 {twice[0]} 在事项 {item.code}（{item.name}）中重复列出"
    if cat.elicence_types:
        for spec in cat.materials.values():
            if spec.elicence_type and spec.elicence_type not in cat.elicence_types:
                return f"材料 {spec.code}（{spec.name}）的电子证照类型 {spec.elicence_type} 未定义"
    for bundle in cat.bundles.values():
        listed = list(bundle.items) + list(bundle.optional)
        if not bundle.items:
            return f"一件事 {bundle.code}（{bundle.name}）至少包含一个事项"
        unknown = [c for c in listed if c not in cat.items]
        if unknown:
            return f"一件事 {bundle.code}（{bundle.name}）的事项 {unknown[0]} 不在事项目录中"
        if len(set(listed)) != len(listed):
            return f"一件事 {bundle.code}（{bundle.name}）中同一事项重复列出（含可选事项）"
    return ""


def merge_checklist(catalogue: Catalogue, item_codes: list[str] | tuple[str, ...]) -> list[ChecklistLine]:
    """Merge the materials of several items, duplicates removed, cancelled ones dropped.

    A material is main if any item needs it as main; originals and copies take the maximum
    asked by any item. Main materials come first, then secondary, each in first-seen order.
    """
    merged: dict[str, dict[str, Any]] = {}
    for code in dict.fromkeys(item_codes):
        item = catalogue.items[code]
        for im in item.required_materials:
            entry = merged.get(im.code)
            if entry is None:
                merged[im.code] = {
                    "main": im.main,
                    "originals": im.originals,
                    "copies": im.copies,
                    "items": [code],
                    "notes": [im.note] if im.note else [],
                }
                continue
            entry["main"] = entry["main"] or im.main
            entry["originals"] = max(entry["originals"], im.originals)
            entry["copies"] = max(entry["copies"], im.copies)
            entry["items"].append(code)
            if im.note and im.note not in entry["notes"]:
                entry["notes"].append(im.note)
    lines = [
        ChecklistLine(
            material=catalogue.materials[mcode],
            main=e["main"],
            originals=e["originals"],
            copies=e["copies"],
            items=tuple(e["items"]),
            notes=tuple(e["notes"]),
        )
        for mcode, e in merged.items()
    ]
    lines.sort(key=lambda line: not line.main)  # stable: main first, first-seen order kept
    return lines
