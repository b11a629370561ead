"""Item decisions of the back office (domain/review.py): verdicts, finality, readiness,
the merged 行业综合许可证."""
from __future__ import annotations

import doctest
from datetime import date, datetime

import pytest

from clerk_console.domain import review
from clerk_console.domain.case import Decision
from clerk_console.domain.review import (ReviewError, Verdict, approve, ask_correction,
                                         case_outcome, case_ready, merged_licence, record,
                                         refuse, reopen)
from clerk_console.datafiles.catalogue import load_catalogue
from clerk_console.config import data_root

AT = datetime(2026, 11, 27, 10, 0)


def test_doctests():
    result = doctest.testmod(review)
    assert result.attempted >= 10 and result.failed == 0


def test_required_text_rule_doctests():
    """domain.limits.text_error: the one rule for a reason, a note or a legal basis (review
    and the 差评 loop)."""
    from clerk_console.domain import limits

    result = doctest.testmod(limits)
    assert result.attempted >= 2 and result.failed == 0


def test_refuse_needs_reasons_and_basis():
    with pytest.raises(ReviewError, match="理由"):
        refuse("A", "X", reasons="  ", legal_basis="某法第一条", by="u", at=AT)
    with pytest.raises(ReviewError, match="法律依据"):
        refuse("A", "X", reasons="场所不符", legal_basis="", by="u", at=AT)
    d = refuse("A", "X", reasons=" 场所不符 ", legal_basis="某法第一条", by="u", at=AT)
    assert d.reasons == "场所不符" and d.final


def test_correction_stays_open_and_final_decisions_stay():
    c = ask_correction("A", "X", missing="设施布局平面图", by="u", at=AT)
    assert not c.final and not case_ready(["A"], {"A": c})
    a = record(c, approve("A", "X", licence_no="N1", valid_until=date(2030, 1, 1), by="u",
                          at=AT))
    assert a.verdict is Verdict.APPROVE and case_ready(["A"], {"A": a})
    with pytest.raises(ReviewError, match="不能更改"):
        record(a, refuse("A", "X", reasons="r", legal_basis="b", by="u", at=AT))
    with pytest.raises(ReviewError, match="原因"):
        reopen(a, by="boss", supervisor=True, reason=" ", at=AT)
    with pytest.raises(ReviewError, match="无需撤回"):
        reopen(c, by="boss", supervisor=True, reason="x", at=AT)
    assert reopen(a, by="boss", supervisor=True, reason="编号错", at=AT).previous == a


def test_parallel_items_any_order():
    ds = {"B": refuse("B", "Y", reasons="r", legal_basis="b", by="v", at=AT)}
    assert not case_ready(["A", "B"], ds)  # B decided first: nothing waits on A's order
    ds["A"] = approve("A", "X", licence_no="N", valid_until=None, by="u", at=AT)
    assert case_ready(["A", "B"], ds)
    assert case_outcome(ds) is Decision.APPROVE
    assert case_outcome({"B": ds["B"]}) is Decision.REJECT


def test_coffee_shop_merged_licence_from_the_real_catalogue():
    cat = load_catalogue(data_root() / "catalogue")
    bundle = cat.bundles["YZZY-KFD"]
    items = {c: cat.item(c) for c in bundle.items}
    names = {d.code: d.name for d in cat.departments.values()}
    ends = {}
    ds = {}
    for n, code in enumerate(bundle.items):
        item = items[code]
        ends[code] = date(2031, 1, 1 + n) if not review.is_merged_licence_item(item) else None
        ds[code] = approve(code, item.dept, licence_no=f"NO-{n}", valid_until=ends[code],
                           by="u", at=AT)
    lic = merged_licence(bundle, items, names, ds)
    assert lic is not None and lic.industry == "开办咖啡店/茶馆"
    assert lic.number == "NO-3" and len(lic.permits) == 3
    assert lic.valid_until == date(2031, 1, 1)
    assert "烟台市市场监督管理局" in {p.dept_name for p in lic.permits}
    # a refused permit is left off the licence (it gets its own 不予许可决定书)
    sign = next(c for c in bundle.items if items[c].dept == "CG")
    ds[sign] = refuse(sign, "CG", reasons="r", legal_basis="b", by="u", at=AT)
    assert len(merged_licence(bundle, items, names, ds).permits) == 2
    # not ready yet: no licence
    del ds[sign]
    assert merged_licence(bundle, items, names, ds) is None
