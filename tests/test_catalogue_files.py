"""The shipped catalogue under data/catalogue and its loader's validation."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clerk_console.config import data_root
from support.datafiles import copy_folder, edit
from clerk_console.domain.catalogue import CaseType, Level, Target
from clerk_console.datafiles.catalogue import (
    CatalogueError,
    CatalogueStore,
    catalogue_from_dict,
    catalogue_to_dict,
    catalogue_version,
    load_catalogue,
)

SHIPPED = data_root() / "catalogue"
INDUSTRIES = ("便利店", "健身场馆", "宾馆", "饭店", "小餐饮", "现制现售小商铺", "烘焙店/面包房",
              "咖啡店/茶馆", "酒吧", "药店")


@pytest.fixture(scope="module")
def cat():
    return load_catalogue(SHIPPED)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_folder(SHIPPED, tmp_path)


# --- the shipped catalogue -------------------------------------------------------------------

def test_shipped_catalogue_size_and_bundles(cat):
    assert len(cat.items) >= 60
    industry = [b for b in cat.bundles.values() if b.kind == "industry"]
    life = [b for b in cat.bundles.values() if b.kind == "life_event"]
    names = " ".join(b.name for b in industry)
    assert all(ind in names for ind in INDUSTRIES)
    assert len(industry) == 10
    assert len(life) >= 5
    assert {"出生一件事", "退休一件事", "身后一件事", "入学一件事"} <= {b.name for b in life}
    for b in cat.bundles.values():  # Chinese aliases and pinyin for clerks typing without an IME
        assert any(not k.isascii() for k in b.keywords) and any(k.isascii() for k in b.keywords)


def test_shipped_catalogue_references_resolve(cat):
    for item in cat.items.values():
        assert item.dept in cat.departments
        assert all(m.code in cat.materials for m in item.materials)
        assert cat.department_of(item).contact
    for mat in cat.materials.values():
        assert mat.elicence_type is None or mat.elicence_type in cat.elicence_types
    for bundle in cat.bundles.values():
        assert [i.code for i in cat.bundle_items(bundle.code)] == list(bundle.items)
    for dept in cat.departments.values():
        assert all((dept.name, dept.hall, dept.address, dept.phone, dept.hours, dept.contact))


def test_shipped_catalogue_rules_and_variety(cat):
    items = list(cat.items.values())
    for item in items:
        assert 0 <= item.promised_days <= item.legal_days, item.name
        if item.target in (Target.ENTERPRISE, Target.BOTH):
            assert item.deferral, item.name
        assert (item.case_type is CaseType.IMMEDIATE) == (item.promised_days == 0)
        assert item.legal_basis and item.base_code and item.keywords
    assert len({i.base_code for i in items}) == len(items)
    local = [i for i in items if i.level in (Level.TOWNSHIP, Level.VILLAGE)]
    assert len(local) >= 12
    assert {"居住证申领", "残疾人证核发", "最低生活保障审核确认"} <= {i.name for i in local}
    assert {i.item_type for i in items} >= {"01", "05", "07", "10", "20"}
    elsewhere = {i.name for i in items if not i.in_hall}
    assert {"普通护照签发", "机动车驾驶证期满换证", "不动产转移登记（继承）"} <= elsewhere
    assert any(i.commitment for i in items) and any(i.instant for i in items)
    assert sum(1 for i in items for m in i.materials if m.cancelled) >= 5
    assert any(i.promised_days < i.legal_days for i in items)


def test_coffee_shop_checklist_merged(cat):
    bundle = next(b for b in cat.bundles.values() if b.name == "开办咖啡店/茶馆")
    items = cat.bundle_items(bundle.code)
    assert len(items) >= 3 and all(i.deferral for i in items)
    lines = cat.checklist(bundle.items)
    codes = [line.material.code for line in lines]
    assert len(codes) == len(set(codes))
    cancelled = {m.code for i in items for m in i.materials if m.cancelled}
    still_needed = {m.code for i in items for m in i.required_materials}
    assert cancelled and not (cancelled - still_needed) & set(codes)
    main = {line.material.code for line in lines if line.main}
    secondary = {line.material.code for line in lines if not line.main}
    assert {"premises_proof", "floor_plan", "business_licence", "food_process"} <= main
    assert {"food_safety_rules"} <= secondary
    # 食品经营许可和备案管理办法 (2023) art. 12: health certificates are no application material
    assert "health_cert" not in codes and "food_safety_manager" not in codes
    shared = next(line for line in lines if line.material.code == "business_licence")
    assert len(shared.items) >= 3  # asked by several items, listed once
    by_elicence = {line.material.elicence_type for line in lines if line.material.elicence_type}
    assert {"YYZZ", "SFZ"} <= by_elicence
    # main materials come before secondary ones
    assert [line.main for line in lines] == sorted((line.main for line in lines), reverse=True)


def test_every_bundle_checklist_drops_cancelled(cat):
    for bundle in cat.bundles.values():
        lines = cat.checklist(bundle.items)
        codes = [line.material.code for line in lines]
        assert len(codes) == len(set(codes))
        for line in lines:
            for code in line.items:
                im = next(m for m in cat.items[code].materials if m.code == line.material.code)
                assert not im.cancelled


# --- malformed files -------------------------------------------------------------------------

SCJG = "items/scjg.toml"
FIRST_ITEM = "3706134010020001000"  # 企业设立登记, the first item of items/scjg.toml


def _check(folder: Path, origin: str, key: str, reason: str, line: int | None):
    with pytest.raises(CatalogueError) as err:
        load_catalogue(folder)
    exc = err.value
    assert exc.origin == origin
    assert exc.key == key
    assert reason in exc.reason
    assert line is None or exc.line == line
    message = str(exc)
    assert origin in message and reason in message
    if key:
        assert key in message
    if line is not None:
        assert f"第{line}行" in message


# (file, old text, new text, expected key, expected reason, reported on the edited line)
MALFORMED = [
    ("departments.toml", 'short_name = "市场监管"', 'short_name = "市场监管', "", "TOML 格式错误", True),
    ("departments.toml", "hours = ", "opening = ", "departments[0].opening", "未知的键 opening", True),
    (SCJG, "promised_days = 1", 'promised_days = "1"', "items[0].promised_days", "应为整数", True),
    (SCJG, "legal_days = 3", "legal_days = true", "items[0].legal_days", "应为整数", True),
    (SCJG, 'level = "county"', 'level = "town"', "items[0].level", "未知的行使层级 'town'", True),
    (SCJG, "promised_days = 1", "promised_days = 9", "items[0].promised_days", "不得超过法定时限", True),
    (SCJG, "deferral = true\ncommitment", "deferral = false\ncommitment", "items[0].deferral",
     "必须允许容缺受理", True),
    (SCJG, "instant = false", "instant = true", "items[0].promised_days", "承诺时限应为 0", False),
    (SCJG, 'dept = "SCJG"', 'dept = "NOPE"', "dept", "部门 NOPE 未在 departments.toml 中定义", True),
    (SCJG, '{ code = "articles"', '{ code = "articlez"', "items[0].materials[1].code",
     "材料 articlez 未在 materials.toml 中定义", True),
    (SCJG, '{ code = "articles"', '{ code = "company_setup_form"', "items[0].materials[1].code",
     "重复列出", True),
    (SCJG, 'copies = 1 },', 'copies = -1 },', "items[0].materials[1].copies", "份数不能为负数", True),
    ("materials.toml", 'elicence_type = "SFZ"', 'elicence_type = "SFZZ"', "materials[0].elicence_type",
     "SFZZ 未在 elicence_types.toml", True),
    ("materials.toml", 'code = "business_licence"', 'code = "id_card"', "materials[1].code",
     "材料编码 id_card 重复", True),
    ("items/wj.toml", 'code = "3706134010030001000"', f'code = "{FIRST_ITEM}"', "items[0].code",
     f"事项编码 {FIRST_ITEM} 重复", True),
    ("bundles.toml", '"3706134100020006000",', '"3706134100020006999",', "bundles[0].items",
     "事项 3706134100020006999 不在任何 items/*.toml 中", False),
    ("bundles.toml", 'kind = "industry"', 'kind = "shop"', "bundles[0].kind", "未知的一件事类别", True),
    ("items/xf.toml", 'dept = "XF"\n', "", "dept", "缺少文件开头的 dept", False),
]


@pytest.mark.parametrize("rel, old, new, key, reason, on_line", MALFORMED,
                         ids=[f"{m[0]}:{m[4]}" for m in MALFORMED])
def test_malformed_file_names_file_key_and_reason(folder, rel, old, new, key, reason, on_line):
    line = edit(folder, rel, old, new)
    _check(folder, rel, key, reason, line if on_line else None)


def test_item_with_only_cancelled_materials(folder):
    path = folder / "items/xzsp.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"cancelled = \w+", "", text)
    text = text.replace(" }", ", cancelled = true }")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("materials = ["))
    _check(folder, "items/xzsp.toml", "items[0].materials", "至少需要一项未取消", line)


def test_missing_key_points_at_the_record(folder):
    edit(folder, SCJG, 'legal_basis = "《中华人民共和国市场主体登记管理条例》第三条、第十九条"\n', "")
    text = (folder / SCJG).read_text(encoding="utf-8")
    header = text.splitlines().index("[[items]]  # 企业设立登记") + 1
    _check(folder, SCJG, "items[0]", "缺少必填的键 legal_basis", header)


def test_missing_file(folder):
    (folder / "bundles.toml").unlink()
    _check(folder, "bundles.toml", "", "文件不存在", None)


def test_not_utf8(folder):
    path = folder / "departments.toml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    _check(folder, "departments.toml", "", "不是 UTF-8", None)


def test_missing_dept_line(folder):
    edit(folder, "items/xf.toml", 'dept = "XF"\n', "")
    _check(folder, "items/xf.toml", "dept", "缺少文件开头的 dept", None)


# --- keeping the last good catalogue ---------------------------------------------------------

def test_store_keeps_last_good_catalogue(folder):
    store = CatalogueStore(folder)
    assert store.reload() and store.last_error is None
    good = store.current
    edit(folder, SCJG, "promised_days = 1", "promised_days = 9")
    assert store.reload() is False
    assert store.current is good
    assert "不得超过法定时限" in str(store.last_error)
    edit(folder, SCJG, "promised_days = 9", "promised_days = 2")
    assert store.reload() is True and store.last_error is None
    assert store.current.version != good.version
    assert store.current.items[FIRST_ITEM].promised_days == 2


def test_store_fallback_when_first_load_fails(folder, cat):
    (folder / "materials.toml").write_text("[[materials]\n", encoding="utf-8")
    empty = CatalogueStore(folder)
    assert empty.reload() is False and not empty.loaded
    with pytest.raises(CatalogueError):
        _ = empty.current
    seeded = CatalogueStore(folder, fallback=cat)
    assert seeded.reload() is False
    assert seeded.current is cat and seeded.last_error.origin == "materials.toml"


# --- dict form -------------------------------------------------------------------------------

def test_dict_round_trip_exact(cat):
    d = catalogue_to_dict(cat)
    again = catalogue_from_dict(json.loads(json.dumps(d, ensure_ascii=False)))
    assert again == cat
    assert list(again.items) == list(cat.items)
    assert catalogue_to_dict(again) == d


def test_version_is_a_content_hash(folder, cat):
    assert cat.version == catalogue_version(cat) and len(cat.version) == 16
    assert load_catalogue(folder).version == cat.version  # same content elsewhere, same version
    edit(folder, "departments.toml", 'phone = "0535-6788001"', 'phone = "0535-6788002"')
    assert load_catalogue(folder).version != cat.version


def test_from_dict_refuses_malformed(cat):
    d = catalogue_to_dict(cat)
    broken = json.loads(json.dumps(d))
    del broken["items"][0]["promised_days"]
    with pytest.raises(CatalogueError, match="目录数据"):
        catalogue_from_dict(broken)
    dangling = json.loads(json.dumps(d))
    dangling["bundles"][0]["items"].append("nope")
    with pytest.raises(CatalogueError, match="的事项 nope 不在事项目录中"):
        catalogue_from_dict(dangling)


# --- any edit gives a catalogue or a CatalogueError, never another exception -----------------

TOML_VALUES = ['""', '"x"', "0", "-1", "99", "true", "false", "1.5", "[]", '["a"]', "[1, 2]", "{}",
               '{ code = "x" }', "2026-01-01", '"SCJG"', '"id_card"', '"county"', '"enterprise"']
ASSIGNMENT = re.compile(r"(\b\w+ = )(\"[^\"\n]*\"|\[[^\]\n]*\]|[^,}\n\[]+)")


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    """A small but complete catalogue: every file kind, one items file, one bundle."""
    dst = tmp_path_factory.mktemp("mini")
    for name in ("departments.toml", "elicence_types.toml"):
        shutil.copy(SHIPPED / name, dst / name)
    (dst / "items").mkdir()
    shutil.copy(SHIPPED / "items/xf.toml", dst / "items/xf.toml")
    cat = load_catalogue(SHIPPED)
    code = next(c for c, i in cat.items.items() if i.dept == "XF")
    needed = {m.code for m in cat.items[code].materials}
    blocks = (SHIPPED / "materials.toml").read_text(encoding="utf-8").split("[[materials]]")
    kept = [b for b in blocks[1:] if re.search(r'code = "(\w+)"', b).group(1) in needed]
    (dst / "materials.toml").write_text("".join("[[materials]]" + b for b in kept), encoding="utf-8")
    (dst / "bundles.toml").write_text(
        f'[[bundles]]\ncode = "B1"\nname = "测试"\nkind = "industry"\nitems = ["{code}"]\n'
        'keywords = ["cs"]\n', encoding="utf-8")
    return dst


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(["departments.toml", "materials.toml", "items/xf.toml", "bundles.toml"]),
       pick=st.integers(min_value=0, max_value=10_000), value=st.sampled_from(TOML_VALUES + [None]))
def test_any_single_edit_is_loaded_or_refused_in_chinese(mini, tmp_path_factory, file, pick, value):
    folder = Path(shutil.copytree(mini, tmp_path_factory.mktemp("edit") / "catalogue"))
    path = folder / file
    text = path.read_text(encoding="utf-8")
    spots = list(ASSIGNMENT.finditer(text))
    spot = spots[pick % len(spots)]
    if value is None:  # drop the key altogether
        line_start = text.rfind("\n", 0, spot.start()) + 1
        line_end = text.find("\n", spot.end())
        whole_line = text[line_start:line_end].strip()
        new = text[:line_start] + text[line_end + 1:] if whole_line == spot.group(0).strip() else text
    else:
        new = text[:spot.start()] + spot.group(1) + value + text[spot.end():]
    path.write_text(new, encoding="utf-8")
    try:
        load_catalogue(folder)
    except CatalogueError as exc:
        assert exc.origin and exc.reason and str(exc).startswith("事项目录 ")


def _named(cat, name):
    return next(i for i in cat.items.values() if i.name == name)


def test_food_licence_materials_are_those_of_the_2023_measures(cat):
    """《食品经营许可和备案管理办法》(总局令第78号, 2023) art. 12: application, subject
    qualification, equipment/layout/process documents, list of food-safety rules — nothing else."""
    food = _named(cat, "食品经营许可")
    asked = {m.code for m in food.required_materials}
    assert asked == {"food_licence_form", "business_licence", "food_process", "food_safety_rules"}
    assert "第十二条" in food.legal_basis and "public_safety" in food.risk


def test_class_two_device_filing_is_city_level(cat):
    """《医疗器械监督管理条例》art. 41: filed with the 设区的市 drug regulator."""
    device = _named(cat, "第二类医疗器械经营备案")
    assert device.level.value == "city" and "第四十一条" in device.legal_basis
    assert "第四十二条" not in device.legal_basis  # art. 42 is the class III licence


def test_id_card_fees_and_their_basis(cat):
    """《居民身份证法》art. 20; 发改价格〔2003〕2322号: 20元 申领/换领, 40元 补领/损坏换领, 10元 临时证."""
    card = _named(cat, "居民身份证换领、补领")
    assert all(fee in card.fee for fee in ("20元", "40元", "临时居民身份证10元"))
    assert "第二十条" in card.fee_basis
    assert all(i.fee_basis for i in cat.items.values() if i.charges)


def test_bar_bundle_offers_the_entertainment_licence_as_optional(cat):
    """《娱乐场所管理条例》art. 2: 娱乐场所 are 歌舞/游艺 venues; a plain bar needs no licence."""
    bar = next(b for b in cat.bundles.values() if b.name == "开办酒吧")
    ent = _named(cat, "娱乐场所经营许可").code
    assert ent not in bar.items and ent in bar.optional


def test_high_risk_sports_basis_is_article_105(cat):
    """《体育法》(2022 revision) art. 105 sets the 高危险性体育项目 licence."""
    assert "第一百零五条" in _named(cat, "高危险性体育项目经营许可（游泳）").legal_basis


def test_fire_check_is_a_named_commitment_item(cat):
    """消防法 art. 15: the applicant may choose 告知承诺 for the pre-opening fire check, the one
    public-safety item that may be approved on commitment; its basis is on the item."""
    fire = _named(cat, "公众聚集场所投入使用、营业前消防安全检查")
    assert fire.commitment and fire.risk and "第十五条" in fire.commitment_basis
    assert not [i.name for i in cat.items.values()
                if i.commitment and i.risk and not i.commitment_basis]
