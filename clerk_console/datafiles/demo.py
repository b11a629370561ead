"""Load and validate the synthetic demo data under ``data/demo/``.

Files (see ``data/demo/README.md``): ``people.toml``, ``enterprises.toml``, ``projects.toml``,
``elicences.toml``, ``blacklist.toml``, ``scenarios.toml``. Every ID number, credit code and
project code is checked with ``clerk_console.domain.codes.identify`` and stored in its normalised
form; every reference (legal representative, shareholders, managers, project owner, e-licence
holder, scenario agent) must resolve. A fault raises ``DemoDataError`` naming the file, line,
key and reason in Chinese.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from clerk_console.domain.catalogue import Catalogue
from clerk_console.domain.codes import PERSON_KINDS, PROJECT_CODE, USCC, holders, identify
from clerk_console.domain.parties import (
    Applicant,
    ApplicantKind,
    BlacklistEntry,
    BlacklistHit,
    ELicence,
    blacklist_hit,
)
from clerk_console.datafiles.catalogue import (
    REQUIRED,
    DataFileError,
    TomlSource,
    check_choice,
    check_strings,
    coded_records,
    read_toml,
    table_records,
)

README_HINT = "格式见 data/demo/README.md"
SHAREHOLDER, MANAGER, PROJECT_OWNER = "股东", "高级管理人员", "项目单位"
EXPECTATIONS = {"known": "演示数据中已有", "unknown": "号码有效但不在演示数据中", "invalid": "号码校验不通过"}

_PERSON = {"id_number": (str, REQUIRED), "name": (str, REQUIRED), "phone": (str, ""),
           "address": (str, ""), "note": (str, "")}
_PEOPLE = {**_PERSON, "nationality": (str, "")}  # foreigners: ISO 3166-1 alpha-3
_ENTERPRISE = {**_PERSON, "legal_rep": (str, REQUIRED), "shareholders": (list, ()),
               "managers": (list, ())}
_PROJECT = {**_PERSON, "owner": (str, REQUIRED)}
_ELICENCE = {"holder": (str, REQUIRED), "type": (str, REQUIRED), "name": (str, REQUIRED),
             "number": (str, REQUIRED), "issued": (date, None), "expires": (date, None)}
_BLACKLIST = {"subject_id": (str, REQUIRED), "name": (str, REQUIRED), "reason": (str, REQUIRED),
              "listed_on": (date, None)}
_SCENARIO = {"key": (str, REQUIRED), "title": (str, REQUIRED), "code": (str, REQUIRED),
             "expect": (str, REQUIRED), "agent": (str, ""), "bundle": (str, ""),
             "description": (str, REQUIRED)}


class DemoDataError(DataFileError):
    """A demo data file or record that cannot be used."""

    label = "演示数据"


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to scan at the window to show one behaviour of the console."""

    key: str
    title: str
    code: str  # what to scan (normalised when valid)
    expect: str  # known | unknown | invalid
    description: str
    agent: str = ""  # ID of the person acting for the applicant
    bundle: str = ""  # Bundle.code to open


@dataclass(frozen=True)
class DemoData:
    applicants: dict[str, Applicant]  # by normalised code
    elicences: tuple[ELicence, ...]
    blacklist: dict[str, BlacklistEntry]  # by subject_id
    roles: dict[str, dict[str, str]]  # applicant id -> {related id: 股东 / 高级管理人员 / 项目单位}
    scenarios: dict[str, Scenario] = field(default_factory=dict)

    def of_kind(self, kind: ApplicantKind) -> list[Applicant]:
        return [a for a in self.applicants.values() if a.kind is kind]

    def elicences_of(self, holder_id: str, day: date | None = None) -> list[ELicence]:
        """The holder's e-licences; only those still valid on ``day`` when it is given."""
        return [e for e in self.elicences
                if e.holder_id == holder_id and (day is None or e.valid_on(day))]

    def related_roles(self, applicant_id: str) -> dict[str, str]:
        return dict(self.roles.get(applicant_id, {}))

    def blacklist_hit(self, applicant_id: str) -> BlacklistHit | None:
        applicant = self.applicants[applicant_id]
        return blacklist_hit(applicant, self.blacklist, self.related_roles(applicant_id))


class _Loader:
    def __init__(self, folder: Path, today: date, catalogue: Catalogue | None):
        self.folder, self.today, self.catalogue = folder, today, catalogue
        self.applicants: dict[str, Applicant] = {}
        self.roles: dict[str, dict[str, str]] = {}
        self.seen: dict[str, str] = {}  # every applicant code, across the three files

    def records(self, name: str, table: str, spec: dict, code_key: str, what: str,
                seen: dict[str, str] | None = None) -> Iterator[tuple[TomlSource, str, dict]]:
        src, data = read_toml(self.folder, self.folder / name, DemoDataError, README_HINT)
        for key, r in coded_records(src, data, table, spec, what, seen, code_key):
            yield src, key, r

    def code(self, src: TomlSource, value: str, key: str,
             kinds: frozenset[str] | set[str]) -> tuple[str, str]:
        """Normalised code and kind; refused unless valid and of one of ``kinds``."""
        ident = identify(value, today=self.today)
        if not ident.valid:
            raise src.fail(f"号码 {value} 无效：{ident.error}", key)
        if ident.kind not in kinds:
            raise src.fail(f"号码 {value} 是{ident.label}，此处不适用", key)
        return ident.normalized, ident.kind

    def person(self, src: TomlSource, value: str, key: str) -> Applicant:
        norm, _ = self.code(src, value, key, PERSON_KINDS)
        found = self.applicants.get(norm)
        if found is None or found.kind is not ApplicantKind.PERSON:
            raise src.fail(f"人员 {value} 不在 people.toml 中，请先在那里添加", key)
        return found

    def add(self, src: TomlSource, key: str, applicant: Applicant) -> None:
        if applicant.id_number in self.applicants:
            raise src.fail(f"号码 {applicant.id_number} 已在其他文件中使用", f"{key}.id_number")
        self.applicants[applicant.id_number] = applicant

    def load_people(self) -> None:
        for src, key, r in self.records("people.toml", "people", _PEOPLE, "id_number", "号码",
                                        self.seen):
            norm, kind = self.code(src, r["id_number"], f"{key}.id_number", PERSON_KINDS)
            details = identify(norm, today=self.today).details
            nationality = r["nationality"].upper() or holders.nationality_of(kind, details)
            if nationality and holders.nationality_error(nationality):
                raise src.fail(holders.nationality_error(nationality), f"{key}.nationality")
            self.add(src, key, Applicant(id_number=norm, id_kind=kind, kind=ApplicantKind.PERSON,
                                         name=r["name"], phone=r["phone"], address=r["address"],
                                         region=details.get("region_code", ""), note=r["note"],
                                         nationality=nationality))

    def load_enterprises(self) -> None:
        for src, key, r in self.records("enterprises.toml", "enterprises", _ENTERPRISE, "id_number",
                                        "号码", self.seen):
            norm, _ = self.code(src, r["id_number"], f"{key}.id_number", {USCC})
            rep = self.person(src, r["legal_rep"], f"{key}.legal_rep")
            roles: dict[str, str] = {}
            for role, field_name in ((SHAREHOLDER, "shareholders"), (MANAGER, "managers")):
                for pid in check_strings(src, r[field_name], f"{key}.{field_name}"):
                    person = self.person(src, pid, f"{key}.{field_name}")
                    roles[person.id_number] = "、".join(filter(None, (roles.get(person.id_number), role)))
            self.roles[norm] = roles
            related = tuple(pid for pid in roles if pid != rep.id_number)
            self.add(src, key, Applicant(
                id_number=norm, id_kind=USCC, kind=ApplicantKind.ENTERPRISE, name=r["name"],
                phone=r["phone"], address=r["address"], legal_rep_id=rep.id_number,
                legal_rep_name=rep.name, related_ids=related, region=norm[2:8], note=r["note"]))

    def load_projects(self) -> None:
        for src, key, r in self.records("projects.toml", "projects", _PROJECT, "id_number", "号码",
                                        self.seen):
            norm, _ = self.code(src, r["id_number"], f"{key}.id_number", {PROJECT_CODE})
            owner_id, _ = self.code(src, r["owner"], f"{key}.owner", {USCC})
            owner = self.applicants.get(owner_id)
            if owner is None or owner.kind is not ApplicantKind.ENTERPRISE:
                raise src.fail(f"项目单位 {owner_id} 不在 enterprises.toml 中", f"{key}.owner")
            self.roles[norm] = {owner_id: PROJECT_OWNER, **self.roles.get(owner_id, {})}
            self.add(src, key, Applicant(
                id_number=norm, id_kind=PROJECT_CODE, kind=ApplicantKind.PROJECT, name=r["name"],
                phone=r["phone"] or owner.phone, address=r["address"] or owner.address,
                legal_rep_id=owner.legal_rep_id, legal_rep_name=owner.legal_rep_name,
                related_ids=(owner_id, *owner.related_ids), region=norm.split("-")[1],
                note=r["note"] or f"项目单位：{owner.name}"))

    def rows(self, name: str, table: str, spec: dict) -> Iterator[tuple[TomlSource, str, dict]]:
        src, data = read_toml(self.folder, self.folder / name, DemoDataError, README_HINT)
        for n, r in enumerate(table_records(src, data, table, spec)):
            yield src, f"{table}[{n}]", r

    def load_elicences(self) -> tuple[ELicence, ...]:
        out: list[ELicence] = []
        types = self.catalogue.elicence_types if self.catalogue else None
        for src, key, r in self.rows("elicences.toml", "elicences", _ELICENCE):
            holder = self.applicants.get(identify(r["holder"], today=self.today).normalized)
            if holder is None:
                raise src.fail(f"持证人 {r['holder']} 不在演示人员、企业或项目中", f"{key}.holder")
            if types is not None and r["type"] not in types:
                raise src.fail(f"电子证照类型 {r['type']} 未在事项目录 elicence_types.toml 中定义",
                               f"{key}.type")
            if r["issued"] and r["expires"] and r["expires"] < r["issued"]:
                raise src.fail("有效期截止日期早于发证日期", f"{key}.expires")
            out.append(ELicence(holder_id=holder.id_number, type_code=r["type"], name=r["name"],
                                number=r["number"], issued=r["issued"], expires=r["expires"]))
        return tuple(out)

    def load_blacklist(self) -> dict[str, BlacklistEntry]:
        out: dict[str, BlacklistEntry] = {}
        for src, key, r in self.records("blacklist.toml", "entries", _BLACKLIST, "subject_id", "失信主体"):
            norm, _ = self.code(src, r["subject_id"], f"{key}.subject_id", PERSON_KINDS | {USCC})
            known = self.applicants.get(norm)
            if known is not None and known.name != r["name"]:
                raise src.fail(f"名称“{r['name']}”与演示数据中的“{known.name}”不一致", f"{key}.name")
            out[norm] = BlacklistEntry(subject_id=norm, name=r["name"], reason=r["reason"],
                                       listed_on=r["listed_on"])
        return out

    def load_scenarios(self) -> dict[str, Scenario]:
        out: dict[str, Scenario] = {}
        bundles = self.catalogue.bundles if self.catalogue else None
        for src, key, r in self.records("scenarios.toml", "scenarios", _SCENARIO, "key", "场景"):
            expect = check_choice(src, r["expect"], EXPECTATIONS, f"{key}.expect", "预期")
            ident = identify(r["code"], today=self.today)
            code = ident.normalized if ident.valid else r["code"]
            if expect == "invalid" and ident.valid:
                raise src.fail(f"号码 {r['code']} 校验通过，与 expect = \"invalid\" 不符", f"{key}.code")
            if expect != "invalid" and not ident.valid:
                raise src.fail(f"号码 {r['code']} 无效：{ident.error}", f"{key}.code")
            if (expect == "known") != (code in self.applicants):
                raise src.fail(f"号码 {code} {'不' if expect == 'known' else '已'}在演示数据中，"
                               f"与 expect = \"{expect}\" 不符", f"{key}.code")
            agent = self.person(src, r["agent"], f"{key}.agent").id_number if r["agent"] else ""
            if r["bundle"] and bundles is not None and r["bundle"] not in bundles:
                raise src.fail(f"一件事 {r['bundle']} 不在事项目录 bundles.toml 中", f"{key}.bundle")
            out[r["key"]] = Scenario(key=r["key"], title=r["title"], code=code, expect=expect,
                                     description=r["description"], agent=agent, bundle=r["bundle"])
        return out


def load_demo(folder: Path, *, today: date | None = None,
              catalogue: Catalogue | None = None) -> DemoData:
    """Read and validate the demo data; with ``catalogue``, e-licence types and scenario bundles
    are checked against it too. ``today`` bounds birth dates and project years."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DemoDataError(str(folder), f"目录不存在；{README_HINT}")
    loader = _Loader(folder, today or date.today(), catalogue)
    loader.load_people()
    loader.load_enterprises()
    loader.load_projects()
    elicences = loader.load_elicences()
    blacklist = loader.load_blacklist()
    scenarios = loader.load_scenarios()
    return DemoData(applicants=loader.applicants, elicences=elicences, blacklist=blacklist,
                    roles=loader.roles, scenarios=scenarios)
