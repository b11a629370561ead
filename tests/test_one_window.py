"""一窗受理 means accept: in an intake mixing items this hall's windows take and items taken
elsewhere, the first are accepted at the comprehensive window and only the others get a
signpost, in the same visit (the 身后一件事 bundle: 户口, 殡葬补贴, 丧葬补助金, 医保 accepted here;
the 不动产 inheritance transfer is signposted to the 不动产登记服务大厅)."""
from __future__ import annotations

from pathlib import Path

from clerk_console.datafiles.catalogue import load_catalogue
from clerk_console.domain.case import CaseMaterial, MaterialState, Outcome, Status
from clerk_console.domain.rules import CITY_SCOPE, decide, taken_elsewhere
from clerk_console.services import intake

from conftest import ENTERPRISE, NOW
from support.services import draft_for

SHIPPED = Path(__file__).parents[1] / "data" / "catalogue"


def test_the_bereavement_bundle_is_accepted_here_but_its_property_transfer():
    cat = load_catalogue(SHIPPED)
    bundle = next(b for b in cat.bundles.values() if b.name == "身后一件事")
    items = [cat.items[c] for c in bundle.items]
    lines = cat.checklist(bundle.items)
    here = [i for i in items if i not in taken_elsewhere(items, CITY_SCOPE)]
    mats = []
    for line in lines:  # the family brought everything the items taken here need
        got = any(i.code in line.items for i in here)
        mats.append(CaseMaterial(line.material.code, line.material.name, line.main,
                                 MaterialState.RECEIVED if got else MaterialState.PENDING))
    verdict = decide(items, mats, scope=CITY_SCOPE,
                     needs={line.material.code: line.items for line in lines})
    assert [i.name for i in taken_elsewhere(items, CITY_SCOPE)] == ["不动产转移登记（继承）"]
    accepted = verdict.option(Outcome.ACCEPTED)
    assert accepted.allowed and "不动产转移登记（继承）另出具路标" in accepted.reason
    assert verdict.best is Outcome.ACCEPTED


def test_accepting_a_mixed_intake_saves_an_accepted_case_and_a_signpost(shop):
    draft = draft_for(shop, items=("FOOD", "HOTEL"), received=("form", "lease", "plan"))
    assert Outcome.ACCEPTED in intake.evaluate(shop, draft).allowed
    case = intake.close_intake(shop, draft, Outcome.ACCEPTED, clerk_id="c1", now=NOW)
    assert case.status is Status.ACCEPTED and case.items == ("FOOD",)
    assert {m.code for m in case.materials} == {"licence", "form", "lease", "plan"}
    [signpost] = [c for c in shop.cases_of(ENTERPRISE.id_number)
                  if c.status is Status.SIGNPOSTED]
    assert signpost.items == ("HOTEL",) and signpost.signpost_dept == "GA"
    assert signpost.case_no != case.case_no and signpost.id != case.id
    owed = {c.case_no for c in shop.unprinted_notices()}
    assert {case.case_no, signpost.case_no} <= owed  # both papers owed until printed


def test_signposting_the_mixed_intake_still_signposts_it_whole(shop):
    draft = draft_for(shop, items=("FOOD", "HOTEL"), received=())
    case = intake.close_intake(shop, draft, Outcome.SIGNPOSTED, clerk_id="c1", now=NOW)
    assert case.items == ("FOOD", "HOTEL") and case.signpost_dept == "GA"
    assert len(shop.cases_of(ENTERPRISE.id_number)) == 1


def test_materials_of_the_item_taken_elsewhere_never_block_the_rest(shop):
    """HOTEL needs only the licence (from the e-licence library); FOOD's own owed plan blocks
    a plain acceptance but allows 容缺 for FOOD alone."""
    draft = draft_for(shop, items=("FOOD", "HOTEL"), received=("form", "lease"))
    verdict = intake.evaluate(shop, draft)
    assert not verdict.option(Outcome.ACCEPTED).allowed
    assert verdict.option(Outcome.DEFERRED).allowed


async def test_at_the_window_both_papers_print_in_one_visit(home):
    """The coffee-shop bundle with a passport (another hall): the bundle is taken here, the
    passport gets its signpost; both papers print."""
    from support.pilot import until
    from support.ui import PERSON as CLERK_PERSON, burst, keys, new_app, replica_of, sign_in, type_text

    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, CLERK_PERSON)
        await keys(pilot, "k", "f", "d", "enter", "f2")
        await type_text(pilot, "护照")
        await keys(pilot, "enter", "a", "enter", "enter")  # main received; the best outcome
        cases = await until(pilot, lambda: len(replica_of(app).cases_of(CLERK_PERSON)) == 2
                            and replica_of(app).cases_of(CLERK_PERSON), "two cases saved")
        by_status = {c.status: c for c in cases}
        assert by_status[Status.SIGNPOSTED].items == ("CR01",)
        kept = by_status[Status.DEFERRED]
        assert "CR01" not in kept.items and "SP01" in kept.items
        no = by_status[Status.SIGNPOSTED].case_no
        await until(pilot, lambda: (home / "notices" / f"{no}-signpost.pdf").is_file(),
                    "the signpost printed")
        assert list((home / "notices").glob(f"{kept.case_no}-*.pdf"))
