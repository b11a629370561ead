"""Load and validate the human-edited service catalogue under ``data/catalogue/``.

Layout (see ``data/catalogue/README.md``)::

    departments.toml      [[departments]]  code, name, short_name, hall, address, phone, hours, contact (+ seal, review_body, region, area, serves)
    elicence_types.toml   [[elicence_types]]  code, name
    materials.toml        [[materials]]  code, name, source, elicence_type, form, sample
    items/<dept>.toml     dept = "SCJG" + [[items]] (one file per department)
    bundles.toml          [[bundles]]  code, name, kind, items, description, keywords

Every fault (TOML syntax, unknown or missing key, wrong type, unknown reference, duplicate code,
promised limit above the legal one, enterprise item without deferral ...) raises a
``CatalogueError`` whose Chinese message names the file, the line when known, the key and the
reason. ``CatalogueStore`` keeps the last good catalogue in use when a reload fails.

``catalogue_to_dict``/``catalogue_from_dict`` give the JSON-safe form stored in the replica and
sent by sync; ``version`` is a hash of that content, so equal catalogues share a version.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from clerk_console import toml_text
from clerk_console.domain.catalogue import (
    ITEM_TYPES,
    LEVEL_LABELS,
    Bundle,
    CaseType,
    Catalogue,
    CatalogueInvalid,
    Department,
    Item,
    ItemMaterial,
    Level,
    MaterialSpec,
    Target,
)
from clerk_console.domain.rules import item_problem

log = logging.getLogger(__name__)

DEPARTMENTS_FILE = "departments.toml"
ELICENCE_TYPES_FILE = "elicence_types.toml"
MATERIALS_FILE = "materials.toml"
BUNDLES_FILE = "bundles.toml"
ITEMS_FOLDER = "items"
README_HINT = "格式见 data/catalogue/README.md"

MATERIAL_SOURCES = {"applicant": "申请人自备", "government": "政府部门核发"}
BUNDLE_KINDS = {"industry": "一证准营行业", "life_event": "个人一件事"}

_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
REQUIRED = object()
_TYPE_NAMES = {str: "文字（加英文双引号）", int: "整数", bool: "true 或 false", list: "列表",
               date: "日期（如 2026-01-31，不加引号）"}


class DataFileError(ValueError):
    """A data file or record that cannot be used; ``str()`` is the Chinese message."""

    label = "数据文件"

    def __init__(self, origin: str, reason: str, key: str = "", line: int | None = None):
        self.origin, self.reason, self.key, self.line = origin, reason, key, line
        where = origin
        if line is not None:
            where += f" 第{line}行"
        if key:
            where += f"（{key}）"
        super().__init__(f"{self.label} {where}：{reason}")


class CatalogueError(DataFileError):
    """A catalogue file or record that cannot be used."""

    label = "事项目录"


# --- field specs: key -> (python type, default or REQUIRED) ---------------------------------

_DEPARTMENT = {
    "code": (str, REQUIRED), "name": (str, REQUIRED), "short_name": (str, REQUIRED),
    "hall": (str, REQUIRED), "address": (str, REQUIRED), "phone": (str, REQUIRED),
    "hours": (str, REQUIRED), "contact": (str, REQUIRED), "seal": (str, ""),
    "review_body": (str, ""), "region": (str, ""), "area": (str, ""), "serves": (str, ""),
}
_ELICENCE_TYPE = {"code": (str, REQUIRED), "name": (str, REQUIRED)}
_MATERIAL = {
    "code": (str, REQUIRED), "name": (str, REQUIRED), "source": (str, "applicant"),
    "elicence_type": (str, ""), "form": (str, ""), "sample": (str, ""),
}
_ITEM = {
    "code": (str, REQUIRED), "base_code": (str, REQUIRED), "name": (str, REQUIRED),
    "type": (str, REQUIRED), "level": (str, REQUIRED), "target": (str, REQUIRED),
    "legal_days": (int, REQUIRED), "promised_days": (int, REQUIRED),
    "deferral": (bool, REQUIRED), "commitment": (bool, REQUIRED), "instant": (bool, REQUIRED),
    "in_hall": (bool, REQUIRED), "legal_basis": (str, REQUIRED), "fee": (str, "不收费"),
    "keywords": (list, ()), "materials": (list, REQUIRED), "fee_basis": (str, ""),
    "risk": (list, ()), "commitment_basis": (str, ""),
}
_ITEM_MATERIAL = {
    "code": (str, REQUIRED), "main": (bool, REQUIRED), "originals": (int, 0),
    "copies": (int, 1), "cancelled": (bool, False), "note": (str, ""),
}
_BUNDLE = {
    "code": (str, REQUIRED), "name": (str, REQUIRED), "kind": (str, REQUIRED),
    "items": (list, REQUIRED), "description": (str, ""), "keywords": (list, ()),
    "optional": (list, ()),
}
_ITEMS_FILE_KEYS = ("dept", "items")


@dataclass
class TomlSource:
    """One parsed file: its name for messages and its lines for locating records."""

    origin: str
    lines: list[str]
    error: type[DataFileError] = CatalogueError

    def fail(self, reason: str, key: str = "") -> DataFileError:
        return self.error(self.origin, reason, key, self.line_of(key))

    def line_of(self, key: str) -> int | None:
        """Line of ``table[i].field`` in a file made of ``[[table]]`` blocks, when it can be found."""
        m = re.match(r"^(\w+)\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?)?", key)
        if not m or not self.lines:
            top = re.match(r"^(\w+)", key)
            return self._key_line(0, len(self.lines), top.group(1)) if top else None
        table, index, field = m.group(1), int(m.group(2)), m.group(3)
        header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
        starts = [n for n, text in enumerate(self.lines) if header.match(text)]
        if index >= len(starts):
            return None
        start = starts[index]
        end = next((n for n, text in enumerate(self.lines[start + 1:], start + 1)
                    if text.lstrip().startswith("[")), len(self.lines))
        if field:
            found = self._key_line(start + 1, end, field)
            if found is not None and m.group(4) is not None:  # n-th inline table, one a line
                inline = [n for n in range(found - 1, end) if self.lines[n].lstrip().startswith(
                    "{") or (n == found - 1 and "{" in self.lines[n])]
                sub = int(m.group(4))
                return inline[sub] + 1 if sub < len(inline) else found
            if found is not None:
                return found
        return start + 1

    def _key_line(self, start: int, end: int, key: str) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start, end):
            if pattern.match(self.lines[n]):
                return n + 1
        return None


def read_toml(folder: Path, path: Path, error: type[DataFileError] = CatalogueError,
              hint: str = README_HINT) -> tuple[TomlSource, dict]:
    """Parse one UTF-8 TOML file; any fault raises ``error`` naming the file (and line)."""
    origin = path.relative_to(folder).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(origin, f"文件不存在；{hint}") from None
    except UnicodeDecodeError:
        raise error(origin, "文件不是 UTF-8 编码，请用 UTF-8 另存后重试") from None
    except OSError as exc:
        raise error(origin, f"无法读取文件（{exc.strerror or exc}）") from None
    src = TomlSource(origin, text.splitlines(), error)
    try:
        data = toml_text.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_POSITION.search(str(exc))
        raise error(origin, f"TOML 格式错误（{_TOML_POSITION.sub('', str(exc)).strip()}），"
                    "请检查引号、逗号和方括号是否成对", line=int(m.group(1)) if m else None) from None
    return src, data


def check_record(src: TomlSource, raw: Any, key: str, spec: dict) -> dict:
    """Check one table against its spec: no unknown or missing keys, right types, no blanks."""
    if not isinstance(raw, dict):
        raise src.fail("应为一个表（[[...]] 或 {...}），请检查写法", key)
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        raise src.fail(f"未知的键 {'、'.join(unknown)}；允许的键：{'、'.join(spec)}",
                       f"{key}.{unknown[0]}")
    out: dict[str, Any] = {}
    for name, (kind, default) in spec.items():
        where = f"{key}.{name}"
        if name not in raw:
            if default is REQUIRED:
                raise src.fail(f"缺少必填的键 {name}", key)
            out[name] = default
            continue
        value = raw[name]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise src.fail(f"应为{_TYPE_NAMES[int]}，实际是 {value!r}", where)
        if not isinstance(value, kind):
            raise src.fail(f"应为{_TYPE_NAMES[kind]}，实际是 {value!r}", where)
        if kind is str:
            value = value.strip()
            if not value and default is REQUIRED:
                raise src.fail("不能为空", where)
        if kind is date and isinstance(value, datetime):
            raise src.fail(f"应为{_TYPE_NAMES[date]}，不要写时间，实际是 {value.isoformat()}", where)
        out[name] = value
    return out


def check_strings(src: TomlSource, values: list, key: str) -> tuple[str, ...]:
    for n, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise src.fail(f"第{n + 1}个值应为非空文字，实际是 {value!r}", key)
    return tuple(v.strip() for v in values)


def check_choice(src: TomlSource, value: str, allowed: dict, key: str, what: str) -> str:
    if value not in allowed:
        options = "、".join(f"{k}（{v}）" for k, v in allowed.items())
        raise src.fail(f"未知的{what} {value!r}；可选：{options}", key)
    return value


def table_records(src: TomlSource, data: dict, table: str, spec: dict) -> list[dict]:
    """The records of a file made of ``[[table]]`` blocks."""
    unknown = sorted(set(data) - {table})
    if unknown:
        raise src.fail(f"未知的键 {'、'.join(unknown)}；本文件只应包含 [[{table}]] 表", unknown[0])
    rows = data.get(table)
    if not isinstance(rows, list) or not rows:
        raise src.fail(f"没有任何 [[{table}]] 记录", table)
    return [check_record(src, raw, f"{table}[{n}]", spec) for n, raw in enumerate(rows)]


def _unique(src: TomlSource, seen: dict[str, str], code: str, key: str, what: str) -> None:
    if code in seen:
        raise src.fail(f"{what} {code} 重复（已在 {seen[code]} 中定义），不得重复", key)
    seen[code] = f"{src.origin} {key}"


def coded_records(src: TomlSource, data: dict, table: str, spec: dict, what: str,
                  seen: dict[str, str] | None = None,
                  code_key: str = "code") -> Iterator[tuple[str, dict]]:
    """Each record of ``[[table]]`` with its key, its ``code_key`` checked unique within ``seen``."""
    seen = {} if seen is None else seen
    for n, r in enumerate(table_records(src, data, table, spec)):
        key = f"{table}[{n}]"
        _unique(src, seen, r[code_key], f"{key}.{code_key}", what)
        yield key, r


def _load_departments(folder: Path) -> dict[str, Department]:
    src, data = read_toml(folder, folder / DEPARTMENTS_FILE)
    return {r["code"]: Department(**r)
            for _, r in coded_records(src, data, "departments", _DEPARTMENT, "部门编码")}


def _load_elicence_types(folder: Path) -> dict[str, str]:
    src, data = read_toml(folder, folder / ELICENCE_TYPES_FILE)
    return {r["code"]: r["name"]
            for _, r in coded_records(src, data, "elicence_types", _ELICENCE_TYPE, "电子证照类型编码")}


def _load_materials(folder: Path, elicence_types: dict[str, str]) -> dict[str, MaterialSpec]:
    src, data = read_toml(folder, folder / MATERIALS_FILE)
    out: dict[str, MaterialSpec] = {}
    for key, r in coded_records(src, data, "materials", _MATERIAL, "材料编码"):
        check_choice(src, r["source"], MATERIAL_SOURCES, f"{key}.source", "材料来源")
        if r["elicence_type"] and r["elicence_type"] not in elicence_types:
            raise src.fail(f"电子证照类型 {r['elicence_type']} 未在 {ELICENCE_TYPES_FILE} 中定义",
                           f"{key}.elicence_type")
        out[r["code"]] = MaterialSpec(**{**r, "elicence_type": r["elicence_type"] or None})
    return out


def _item_materials(src: TomlSource, raw: list, key: str,
                    materials: dict[str, MaterialSpec]) -> tuple[ItemMaterial, ...]:
    out: list[ItemMaterial] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw):
        mkey = f"{key}.materials[{n}]"
        r = check_record(src, entry, mkey, _ITEM_MATERIAL)
        if r["code"] not in materials:
            raise src.fail(f"材料 {r['code']} 未在 {MATERIALS_FILE} 中定义，请先在那里添加", f"{mkey}.code")
        if r["code"] in seen:
            raise src.fail(f"材料 {r['code']} 在同一事项中重复列出", f"{mkey}.code")
        seen.add(r["code"])
        for count in ("originals", "copies"):
            if r[count] < 0:
                raise src.fail("份数不能为负数", f"{mkey}.{count}")
        out.append(ItemMaterial(code=r["code"], main=r["main"], originals=r["originals"],
                                copies=r["copies"], cancelled=r["cancelled"], note=r["note"]))
    return tuple(out)


def _item(src: TomlSource, r: dict, key: str, dept: str, materials: dict[str, MaterialSpec]) -> Item:
    check_choice(src, r["type"], ITEM_TYPES, f"{key}.type", "事项类型")
    levels = {lv.value: label for lv, label in LEVEL_LABELS.items()}
    level = Level(check_choice(src, r["level"], levels, f"{key}.level", "行使层级"))
    targets = {t.value: t.label for t in Target}
    target = Target(check_choice(src, r["target"], targets, f"{key}.target", "服务对象"))
    item = Item(
        code=r["code"], base_code=r["base_code"], name=r["name"], dept=dept,
        item_type=r["type"], level=level, target=target, legal_days=r["legal_days"],
        promised_days=r["promised_days"],
        case_type=CaseType.IMMEDIATE if r["promised_days"] == 0 else CaseType.PROMISED,
        deferral=r["deferral"], commitment=r["commitment"], instant=r["instant"],
        in_hall=r["in_hall"], materials=_item_materials(src, r["materials"], key, materials),
        legal_basis=r["legal_basis"], fee=r["fee"] or "不收费",
        keywords=check_strings(src, r["keywords"], f"{key}.keywords"),
        fee_basis=r["fee_basis"], risk=check_strings(src, r["risk"], f"{key}.risk"),
        commitment_basis=r["commitment_basis"],
    )
    problem = item_problem(item)
    if problem:
        raise src.fail(problem[1], f"{key}.{problem[0]}")
    return item


def _load_items(folder: Path, departments: dict[str, Department],
                materials: dict[str, MaterialSpec]) -> dict[str, Item]:
    files = sorted((folder / ITEMS_FOLDER).glob("*.toml"))
    if not files:
        raise CatalogueError(f"{ITEMS_FOLDER}/", f"没有任何事项文件（*.toml）；{README_HINT}")
    out: dict[str, Item] = {}
    seen: dict[str, str] = {}
    for path in files:
        src, data = read_toml(folder, path)
        unknown = sorted(set(data) - set(_ITEMS_FILE_KEYS))
        if unknown:
            raise src.fail(f"未知的键 {'、'.join(unknown)}；本文件只应包含 dept 和 [[items]]", unknown[0])
        if not isinstance(data.get("dept"), str) or not data["dept"].strip():
            raise src.fail("缺少文件开头的 dept = \"部门编码\"", "dept")
        dept = data["dept"].strip()
        if dept not in departments:
            raise src.fail(f"部门 {dept} 未在 {DEPARTMENTS_FILE} 中定义", "dept")
        for key, r in coded_records(src, {"items": data.get("items")}, "items", _ITEM, "事项编码", seen):
            out[r["code"]] = _item(src, r, key, dept, materials)
    return out


def _load_bundles(folder: Path, items: dict[str, Item]) -> dict[str, Bundle]:
    src, data = read_toml(folder, folder / BUNDLES_FILE)
    out: dict[str, Bundle] = {}
    for key, r in coded_records(src, data, "bundles", _BUNDLE, "一件事编码"):
        check_choice(src, r["kind"], BUNDLE_KINDS, f"{key}.kind", "一件事类别")
        codes = check_strings(src, r["items"], f"{key}.items")
        if not codes:
            raise src.fail("一件事至少包含一个事项", f"{key}.items")
        optional = check_strings(src, r["optional"], f"{key}.optional")
        for field_name, listed in (("items", codes), ("optional", optional)):
            for code in listed:
                if code not in items:
                    raise src.fail(f"事项 {code} 不在任何 items/*.toml 中", f"{key}.{field_name}")
        if len(set(codes + optional)) != len(codes) + len(optional):
            raise src.fail("同一事项在一件事中重复列出（含可选事项）", f"{key}.items")
        out[r["code"]] = Bundle(code=r["code"], name=r["name"], kind=r["kind"], items=codes,
                                description=r["description"],
                                keywords=check_strings(src, r["keywords"], f"{key}.keywords"),
                                optional=optional)
    return out


def load_catalogue(folder: Path) -> Catalogue:
    """Read and validate every catalogue file under ``folder``; raise ``CatalogueError`` on a fault."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogueError(str(folder), f"目录不存在；{README_HINT}")
    departments = _load_departments(folder)
    elicence_types = _load_elicence_types(folder)
    materials = _load_materials(folder, elicence_types)
    items = _load_items(folder, departments, materials)
    bundles = _load_bundles(folder, items)
    try:  # each file's references were checked with its line; this is the model's own word
        cat = Catalogue(version="", departments=departments, materials=materials, items=items,
                        bundles=bundles, elicence_types=elicence_types)
    except CatalogueInvalid as exc:
        raise CatalogueError(str(folder), f"{exc}；{README_HINT}") from None
    return replace(cat, version=catalogue_version(cat))


# --- dict form (replica, sync) ----------------------------------------------------------------

def _content(cat: Catalogue) -> dict:
    def item(i: Item) -> dict:
        return {
            "code": i.code, "base_code": i.base_code, "name": i.name, "dept": i.dept,
            "item_type": i.item_type, "level": i.level.value, "target": i.target.value,
            "legal_days": i.legal_days, "promised_days": i.promised_days,
            "case_type": i.case_type.value, "deferral": i.deferral, "commitment": i.commitment,
            "instant": i.instant, "in_hall": i.in_hall,
            "materials": [{"code": m.code, "main": m.main, "originals": m.originals,
                           "copies": m.copies, "cancelled": m.cancelled, "note": m.note}
                          for m in i.materials],
            "legal_basis": i.legal_basis, "fee": i.fee, "keywords": list(i.keywords),
            "fee_basis": i.fee_basis, "risk": list(i.risk), "commitment_basis": i.commitment_basis,
        }

    return {
        "departments": [{"code": d.code, "name": d.name, "short_name": d.short_name, "hall": d.hall,
                         "address": d.address, "phone": d.phone, "hours": d.hours,
                         "contact": d.contact, "seal": d.seal,
                         "review_body": d.review_body, "region": d.region, "area": d.area,
                         "serves": d.serves} for d in cat.departments.values()],
        "materials": [{"code": m.code, "name": m.name, "source": m.source,
                       "elicence_type": m.elicence_type, "form": m.form, "sample": m.sample}
                      for m in cat.materials.values()],
        "items": [item(i) for i in cat.items.values()],
        "bundles": [{"code": b.code, "name": b.name, "kind": b.kind, "items": list(b.items),
                     "description": b.description, "keywords": list(b.keywords),
                     "optional": list(b.optional)}
                    for b in cat.bundles.values()],
        "elicence_types": [{"code": k, "name": v} for k, v in cat.elicence_types.items()],
    }


def catalogue_version(cat: Catalogue) -> str:
    """Content hash (order-sensitive, since order is what clerks see), ignoring ``cat.version``."""
    blob = json.dumps(_content(cat), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def catalogue_to_dict(cat: Catalogue) -> dict:
    """JSON-safe form; ``catalogue_from_dict(catalogue_to_dict(c)) == c``."""
    return {"version": cat.version, **_content(cat)}


def catalogue_from_dict(d: dict) -> Catalogue:
    """Rebuild a catalogue from ``catalogue_to_dict``'s form; a malformed dict raises CatalogueError."""
    try:
        departments = {r["code"]: Department(**r) for r in d["departments"]}
        materials = {r["code"]: MaterialSpec(**r) for r in d["materials"]}
        items = {}
        for r in d["items"]:
            fields = dict(r)
            fields["level"] = Level(r["level"])
            fields["target"] = Target(r["target"])
            fields["case_type"] = CaseType(r["case_type"])
            fields["materials"] = tuple(ItemMaterial(**m) for m in r["materials"])
            fields["keywords"] = tuple(r["keywords"])
            fields["risk"] = tuple(r.get("risk", ()))
            items[r["code"]] = Item(**fields)
        bundles = {r["code"]: Bundle(**{**r, "items": tuple(r["items"]),
                                        "keywords": tuple(r["keywords"]),
                                        "optional": tuple(r.get("optional", ()))})
                   for r in d["bundles"]}
        elicence_types = {r["code"]: r["name"] for r in d["elicence_types"]}
        version = d["version"]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CatalogueError("目录数据", f"结构不完整或类型错误（{type(exc).__name__}: {exc}），"
                             "请重新同步事项目录") from None
    try:
        return Catalogue(version=version, departments=departments, materials=materials,
                         items=items, bundles=bundles, elicence_types=elicence_types)
    except CatalogueInvalid as exc:
        raise CatalogueError("目录数据", f"{exc}，请重新同步事项目录") from None


# --- keeping the last good catalogue -----------------------------------------------------------

class CatalogueStore:
    """The catalogue in use; a reload that fails keeps the last good one and records the error.

    ``fallback`` seeds the store (e.g. the copy kept in the replica) so a broken file on the very
    first load still leaves a usable catalogue.
    """

    def __init__(self, folder: Path, fallback: Catalogue | None = None):
        self.folder = Path(folder)
        self._current = fallback
        self.last_error: CatalogueError | None = None

    @property
    def current(self) -> Catalogue:
        if self._current is None:
            raise self.last_error or CatalogueError(str(self.folder), "事项目录尚未加载")
        return self._current

    @property
    def loaded(self) -> bool:
        return self._current is not None

    def reload(self) -> bool:
        """Load the files again; True when the new catalogue is now in use."""
        try:
            cat = load_catalogue(self.folder)
        except CatalogueError as exc:
            self.last_error = exc
            log.warning("catalogue reload failed, keeping version %s: %s",
                        self._current.version if self._current else None, exc)
            return False
        self._current, self.last_error = cat, None
        return True
