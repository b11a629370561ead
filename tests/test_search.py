"""Item/bundle search: Chinese, full pinyin, initials, codes, keywords, ranking and scope."""
from __future__ import annotations

import pytest

from clerk_console.domain.catalogue import (
    Bundle, CaseType, Catalogue, Department, Item, Level, Target,
)
from clerk_console.domain.rules import CITY_SCOPE, TOWNSHIP_SCOPE
from clerk_console.domain.search import Hit, SearchIndex, normalize, usage_weight

DAY = 86400.0
NOW = 1_800_000_000.0  # fixed reference time; nothing here reads the clock


def _dept(code: str, name: str, short: str, hall: str) -> Department:
    return Department(code, name, short, hall=hall, address="", phone="", hours="")


def _item(code: str, name: str, dept: str = "SCJG", *, level: Level = Level.CITY,
          in_hall: bool = True, keywords: tuple[str, ...] = (), base: str = "") -> Item:
    return Item(code=code, base_code=base or f"B{code}", name=name, dept=dept, item_type="01",
                level=level, target=Target.ENTERPRISE, legal_days=20, promised_days=5,
                case_type=CaseType.PROMISED, deferral=True, commitment=False, instant=False,
                in_hall=in_hall, keywords=keywords)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    depts = {d.code: d for d in (
        _dept("SCJG", "烟台市市场监督管理局", "市场监管", "市政务服务中心二楼"),
        _dept("CG", "烟台市城市管理局", "城管", "市政务服务中心三楼"),
        _dept("YC", "烟台市烟草专卖局", "烟草", "烟草专卖局办证大厅（南大街88号）"),
        _dept("GA", "烟台市公安局", "公安", "户籍大厅"),
    )}
    items = [
        _item("370600-0101", "食品经营许可", keywords=("餐饮许可证",), base="000101"),
        _item("370600-0102", "食品经营许可证补办", base="000102"),
        _item("370600-0201", "户外广告设施设置审批", "CG"),
        _item("370600-0301", "烟草专卖零售许可", "YC", in_hall=False),
        _item("370600-0401", "曾用名变更登记", "GA"),
        _item("370600-0501", "村民建房用地审核", "CG", level=Level.TOWNSHIP),
        _item("370600-0601", "消防安全检查", "CG"),
        _item("370600-0701", "小餐饮登记", "SCJG"),
    ]
    bundles = [
        Bundle("B-CAFE", "开办咖啡店/茶馆", "industry", ("370600-0101", "370600-0201"),
               keywords=("咖啡店", "茶馆")),
        Bundle("B-STORE", "开办便利店", "industry", ("370600-0101", "370600-0301")),
        Bundle("B-TOBACCO", "烟草零售一件事", "industry", ("370600-0301",)),
    ]
    return Catalogue(version="t1", departments=depts, materials={},
                     items={i.code: i for i in items}, bundles={b.code: b for b in bundles})


@pytest.fixture(scope="module")
def index(catalogue: Catalogue) -> SearchIndex:
    return SearchIndex.build(catalogue)


def names(hits: list[Hit]) -> list[str]:
    return [h.name for h in hits]


def test_chinese_substring_anywhere(index: SearchIndex) -> None:
    assert names(index.search("咖啡"))[0] == "开办咖啡店/茶馆"
    assert names(index.search("广告")) == ["户外广告设施设置审批"]
    assert "消防安全检查" in names(index.search("安全"))
    assert index.search("不存在的事项") == []


def test_full_pinyin_whole_and_from_a_later_syllable(index: SearchIndex) -> None:
    assert names(index.search("kafeidian"))[0] == "开办咖啡店/茶馆"
    assert names(index.search("kafei"))[0] == "开办咖啡店/茶馆"
    assert names(index.search("shipinjingyingxuke"))[0] == "食品经营许可"
    assert set(names(index.search("jingying"))) == {"食品经营许可", "食品经营许可证补办"}
    # only syllable starts count: "feidian" is a later syllable, "eidian" is not
    assert names(index.search("feidian")) == ["开办咖啡店/茶馆"]
    assert index.search("eidian") == []


def test_initials(index: SearchIndex) -> None:
    assert names(index.search("kfd")) == ["开办咖啡店/茶馆"]
    assert names(index.search("spjyxk"))[0] == "食品经营许可"
    assert names(index.search("hwgg")) == ["户外广告设施设置审批"]
    # pinyin typed with IME leftovers: upper case, spaces, apostrophes, full width
    assert names(index.search("KA'FEI"))[0] == "开办咖啡店/茶馆"
    assert names(index.search("ｋｆｄ")) == ["开办咖啡店/茶馆"]


def test_polyphone_initials_both_readings(index: SearchIndex) -> None:
    # 曾 reads céng (曾用名) and zēng; a clerk may type either initial
    assert names(index.search("cymbg")) == ["曾用名变更登记"]
    assert names(index.search("zymbg")) == ["曾用名变更登记"]


def test_codes_and_keywords(index: SearchIndex) -> None:
    hits = index.search("370600-01")
    assert [h.code for h in hits] == ["370600-0101", "370600-0102"]
    assert index.search("000102")[0].code == "370600-0102"  # base code
    assert index.search("b-cafe")[0].code == "B-CAFE"  # bundle code, any case
    assert names(index.search("餐饮许可证"))[0] == "食品经营许可"  # alias
    assert names(index.search("cyxkz"))[0] == "食品经营许可"  # alias initials
    assert names(index.search("茶馆"))[0] == "开办咖啡店/茶馆"


def test_exact_then_prefix_then_inside(index: SearchIndex) -> None:
    hits = index.search("食品经营许可")
    assert names(hits) == ["食品经营许可", "食品经营许可证补办"]
    assert hits[0].score > hits[1].score
    # "餐饮" starts the alias 餐饮许可证 (prefix) and sits inside 小餐饮登记
    hits = index.search("餐饮")
    assert names(hits) == ["食品经营许可", "小餐饮登记"]


def test_usage_ranks_within_a_tier(catalogue: Catalogue, index: SearchIndex) -> None:
    assert names(index.search("spjy")) == ["食品经营许可", "食品经营许可证补办"]  # shorter first
    used = index.with_usage({"370600-0102": (3, NOW)}, now=NOW)
    assert names(used.search("spjy")) == ["食品经营许可证补办", "食品经营许可"]
    # but an exact match still beats a frequently used prefix match
    assert names(used.search("食品经营许可"))[0] == "食品经营许可"
    # the original index is unchanged
    assert names(index.search("spjy"))[0] == "食品经营许可"


def test_recency_beats_an_old_higher_count() -> None:
    assert usage_weight(2, NOW - 1 * DAY, NOW) > usage_weight(3, NOW - 60 * DAY, NOW)
    assert usage_weight(0, NOW, NOW) == 0.0
    assert usage_weight(1, NOW, NOW) > usage_weight(1, NOW - DAY, NOW)


def test_counts_without_a_time_are_not_decayed_by_a_timed_use(catalogue: Catalogue) -> None:
    # counts loaded from storage without times, then one pick timed now
    usage = {"370600-0102": (5, 0.0), "370600-0101": (1, NOW)}
    idx = SearchIndex.build(catalogue, usage)
    assert names(idx.search("spjy")) == ["食品经营许可证补办", "食品经营许可"]
    assert usage_weight(5, 0.0, NOW) == 5.0


def test_recent_item_first_among_equal_counts(catalogue: Catalogue) -> None:
    usage = {"370600-0101": (2, NOW - 30 * DAY), "370600-0102": (2, NOW - DAY)}
    idx = SearchIndex.build(catalogue, usage, now=NOW)
    assert names(idx.search("spjy")) == ["食品经营许可证补办", "食品经营许可"]


def test_bundles_before_items_on_ties(index: SearchIndex) -> None:
    # "烟草" is a prefix of both the tobacco bundle and the tobacco item
    hits = index.search("烟草")
    assert [h.kind for h in hits] == ["bundle", "item"]


def test_empty_query_lists_most_used_then_bundles(catalogue: Catalogue) -> None:
    usage = {"370600-0201": (5, NOW), "B-STORE": (1, NOW - 90 * DAY)}
    idx = SearchIndex.build(catalogue, usage, now=NOW)
    hits = idx.search("")
    assert [h.code for h in hits[:2]] == ["370600-0201", "B-STORE"]
    assert hits[2].kind == "bundle"
    assert len(idx.search("   ", limit=3)) == 3
    assert idx.search("", limit=0) == []
    assert len(hits) == len(idx) == len(catalogue.items) + len(catalogue.bundles)


def test_limit(index: SearchIndex) -> None:
    assert len(index.search("x", limit=1)) <= 1
    assert len(index.search("k", limit=2)) == 2


def test_signposts_follow_the_window_scope(catalogue: Catalogue) -> None:
    city = SearchIndex.build(catalogue, scope=CITY_SCOPE)
    tobacco = city.search("烟草专卖零售许可")[0]
    assert tobacco.signpost and "南大街88号" in tobacco.detail
    village = city.search("村民建房")[0]
    assert village.signpost  # township level: not taken at a city hall
    assert not city.search("食品经营许可")[0].signpost
    assert city.search("烟草零售一件事")[0].signpost  # every item of it is elsewhere
    store = city.search("开办便利店")[0]
    assert not store.signpost and "1 项需到他处办理" in store.detail

    township = SearchIndex.build(catalogue, scope=TOWNSHIP_SCOPE)
    assert not township.search("村民建房")[0].signpost
    assert township.search("食品经营许可")[0].signpost


def test_signposts_rank_after_takeable_items_on_ties(catalogue: Catalogue) -> None:
    idx = SearchIndex.build(catalogue)
    hits = idx.search("许可")
    takeable = [h.signpost for h in hits if h.kind == "item"]
    assert takeable == sorted(takeable)


def test_normalize() -> None:
    assert normalize(" Ka'Fei Dian ") == "kafeidian"
    assert normalize("３７０６") == "3706"
    assert normalize("lüe") == "lve"


def test_an_alias_as_written_beats_another_entrys_initials() -> None:
    """开饭店 has the initials kfd too; the bundle that lists "kfd" itself comes first."""
    food = _item("370600-0101", "食品经营许可", keywords=("开饭店",))
    scjg = _dept("SCJG", "烟台市市场监督管理局", "市场监管", "市政务服务中心二楼")
    cat = Catalogue(version="t2", departments={"SCJG": scjg}, materials={}, items={food.code: food},
                    bundles={"B-FD": Bundle("B-FD", "开办饭店", "industry", (food.code,),
                                            keywords=("开饭店",)),
                             "B-CAFE": Bundle("B-CAFE", "开办咖啡店/茶馆", "industry",
                                              (food.code,), keywords=("kfd",))})
    hits = SearchIndex.build(cat).search("kfd")
    assert names(hits)[0] == "开办咖啡店/茶馆"
    assert hits[0].score > hits[1].score
    assert {"开办饭店", "食品经营许可"} <= set(names(hits))
