"""Pilot tests of the intake console on a real replica file (SQLite in tmp_path)."""
from __future__ import annotations

from datetime import date, datetime

from textual import events

from support.pilot import until
from support.ui import (
    AGENT, BAD_CHECK, COMPANY, LISTED, PERSON, RARE, UNKNOWN, authorise, burst, intake,
    keys, new_app, panel, replica_of, seed_case, sign_in, type_text)

def palette_hits(app) -> int:
    """How many commands the open palette lists for what was typed (0 while it searches)."""
    from textual.command import CommandList

    found = app.screen.query(CommandList)
    return found.first().option_count if found else 0


# -- sign-in, roles, lock -------------------------------------------------------------------

async def test_sign_in_rejects_a_wrong_pin_then_accepts_the_right_one(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot, pin="111100")
        assert app.clerk is None
        assert "PIN 错误" in str(app.screen.query_one("#signin-error").render())
        await type_text(pilot, "123412")
        await pilot.press("enter")
        await pilot.pause()
        assert app.clerk is not None and app.clerk.name == "王芳"
        assert not app.clerk.supervisor


async def test_idle_lock_keeps_the_case_in_progress(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await type_text(pilot, "kfd")
        assert not app.lock_if_idle(now=app.last_activity + 10)
        assert app.lock_if_idle(now=app.last_activity + 301)
        await pilot.pause()
        assert type(app.screen).__name__ == "LockScreen"
        await burst(app, pilot, AGENT)  # a scan while locked changes nothing
        await type_text(pilot, "123412")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.id == "intake"
        assert intake(app).current.view.code == PERSON
        assert app.screen.query_one("#item-query").value == "kfd"


async def test_unlock_refuses_another_clerk(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        app.action_lock()
        await pilot.pause()
        field = app.screen.query_one("#lock-id")
        field.value = ""
        field.focus()
        await type_text(pilot, "9001")
        await pilot.press("enter")
        await type_text(pilot, "000000")
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "LockScreen"
        assert "PIN 错误" in str(app.screen.query_one("#lock-error").render())


# -- scanning and the applicant panel --------------------------------------------------------

async def test_scan_shows_the_applicant_masked(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        text = panel(app)
        assert "张伟" in text
        assert "3706**********1235" in text
        assert PERSON not in text
        assert "居民身份证" in text  # the e-licence on file


async def test_a_bad_scan_shows_the_check_error_and_keeps_the_search_text(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await type_text(pilot, "kfd")
        await burst(app, pilot, BAD_CHECK)
        text = panel(app)
        assert "校验位应为5" in text
        assert intake(app).current.view.code == PERSON  # still the same applicant
        assert app.screen.query_one("#item-query").value == "kfd"  # nothing leaked, nothing lost


async def test_a_scan_into_a_field_is_removed_from_it(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await type_text(pilot, "kf")
        await burst(app, pilot, PERSON)
        assert app.screen.query_one("#item-query").value == "kf"
        assert intake(app).current.view.code == PERSON
        assert app.scans_seen == 1


async def test_typed_code_is_not_taken_for_a_scan(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        app.scanner.gap = 0.0001  # every key arrives "late": a person typing
        await type_text(pilot, "kfd")
        await pilot.press("enter")
        await pilot.pause()
        assert app.scans_seen == 0


async def test_a_code_typed_into_the_item_search_is_looked_up(home):
    """Typed by hand (or a burst the console read as typing): Enter looks the code up."""
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        app.scanner.gap = 0.0001  # every key arrives "late": a person typing
        await type_text(pilot, COMPANY)
        await pilot.press("enter")
        await pilot.pause()
        assert intake(app).current.view.code == COMPANY
        assert "烟台海风咖啡" in panel(app)
        assert app.screen.query_one("#item-query").value == ""


async def test_a_mistyped_code_in_the_item_search_says_what_is_wrong(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        app.scanner.gap = 0.0001
        await type_text(pilot, BAD_CHECK)
        await pilot.press("enter")
        await pilot.pause()
        assert intake(app).current is None
        assert "校验" in panel(app), panel(app)
        assert app.screen.query_one("#item-query").value == BAD_CHECK  # kept, to correct


def test_typed_scan_doctests():
    import doctest

    from clerk_console.ui import scanner

    assert doctest.testmod(scanner).failed == 0


async def test_blacklisted_applicant_gets_a_red_warning(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, LISTED)
        assert "失信黑名单" in panel(app)


async def test_unmask_needs_a_supervisor_and_is_audited(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await pilot.press("f8")
        await pilot.pause()
        assert "需要负责人授权" in str(app.screen.query_one(".dialog-title").render())
        await authorise(pilot, "1001", "123412")  # a plain clerk cannot authorise
        assert "不是负责人" in str(app.screen.query_one("#sup-error").render())
        app.screen.query_one("#sup-id").value = ""
        app.screen.query_one("#sup-id").focus()
        await authorise(pilot)
        assert PERSON in panel(app)
        entries = app.desk.replica.audit_entries(subject=PERSON)
        assert any(e.clerk_id in ("1001", "9001") and "unmask" in e.action for e in entries)


async def test_unknown_applicant_quick_entry_with_a_chinese_name(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, UNKNOWN)
        assert app.screen.query_one("#qe-name")
        await pilot.press("enter")  # empty name: told what to do, nothing saved
        await pilot.press("enter")
        await pilot.pause()
        assert "请输入姓名" in str(app.screen.query_one("#qe-error").render())
        app.screen.query_one("#qe-name").insert_text_at_cursor("欧阳娜娜")  # as an IME commits
        app.screen.query_one("#qe-phone").focus()
        await type_text(pilot, "13805")
        await pilot.press("enter")
        await pilot.pause()
        assert "格式不对" in str(app.screen.query_one("#qe-error").render())
        await type_text(pilot, "356789")
        await pilot.press("enter")
        await pilot.pause()
        assert "欧阳娜娜" in panel(app)
        assert app.desk.replica.find_applicant(UNKNOWN).phone == "13805356789"


async def test_rare_character_name_outside_the_bmp_is_kept(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, RARE)
        app.screen.query_one("#qe-name").insert_text_at_cursor("𠮷𡈼")
        app.screen.query_one("#qe-phone").insert_text_at_cursor("0535-6688123")
        app.screen.query_one("#qe-phone").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.desk.replica.find_applicant(RARE).name == "𠮷𡈼"
        assert "𠮷𡈼" in panel(app)


async def test_agent_scan_after_an_enterprise_records_the_agent(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, COMPANY)
        text = panel(app)
        assert "烟台海风咖啡有限公司" in text and "法定代表人 张伟" in text
        assert COMPANY in text  # credit codes are not masked
        await burst(app, pilot, AGENT)
        assert intake(app).current.view.code == COMPANY
        assert intake(app).current.agent.id_number == AGENT
        assert "经办人 刘洋" in panel(app)


# -- item search -----------------------------------------------------------------------------

async def test_item_search_by_initials_finds_the_bundle(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await type_text(pilot, "kfd")
        picker = app.screen.query_one("#picker")
        assert picker.hits and picker.hits[0].code == "KFD"
        app.screen.query_one("#item-query").value = "护照"
        await pilot.pause()
        assert picker.hits[0].code == "CR01" and picker.hits[0].signpost


# -- the intake flow -------------------------------------------------------------------------

async def test_coffee_shop_deferral_in_few_keystrokes(home):
    """Scan, then: k f d Enter, A (main received), Enter, Enter, 1 (rating) = 8 keys."""
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        sequence = ["k", "f", "d", "enter", "a", "enter"]
        await keys(pilot, *sequence)
        screen = intake(app)
        draft = screen.current.draft
        by_code = {m.code: m for m in draft.materials}
        assert by_code["sfz"].state.value == "elicence"  # covered by the e-licence library
        assert "old" not in by_code  # cancelled material never shown
        assert by_code["cszm"].state.value == "received" and by_code["spzd"].state.value == "pending"
        outcomes = screen.query_one("#outcomes")
        assert outcomes.highlighted_option.id == "deferred"  # preselected: the best allowed
        detail = str(screen.query_one("#outcome-detail").render())
        assert "2026-12-04" in detail and "食品安全管理制度" in detail  # 5 working days
        await keys(pilot, "enter")
        assert type(app.screen).__name__ == "RatingScreen"
        await keys(pilot, "1")
        sequence += ["enter", "1"]
        assert len(sequence) <= 25
        await app.workers.wait_for_complete()
        await pilot.pause()
        [case] = replica_of(app).cases_of(PERSON)
        assert case.status.value == "deferred" and case.deadline == date(2026, 12, 4)
        assert {m.code for m in case.owed} == {"spzd", "jkzm", "bjt", "zpt"}
        assert replica_of(app).rating(case.case_no).level == 1
        assert replica_of(app).outbox_counts().get("pending", 0) >= 1  # saved with its sync record
        assert list((home / "notices").glob("*.pdf")), "the notice was printed to PDF"
        assert app.screen.id == "intake"
        assert case.case_no in panel(app)  # the deferral now shows as owed


async def test_checklist_keys_mark_missing_and_original(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter")
        checklist = intake(app).query_one("#checklist")
        first = checklist.rows[checklist.highlighted]
        await keys(pilot, "o")  # original seen -> received, original
        m = checklist.materials[first]
        assert m.state.value == "received" and m.original
        await keys(pilot, "down", "down", "m")  # the e-licence line below cannot be marked
        missing = [x for x in checklist.materials if x.state.value == "missing"]
        assert len(missing) == 1
        assert intake(app).current.verdict.best.value == "notified"  # a main material missing
        await keys(pilot, "enter")
        detail = str(intake(app).query_one("#outcome-detail").render())
        assert missing[0].name in detail


async def test_notice_outcome_lists_everything_missing_and_a_bad_rating_opens_a_followup(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "enter", "enter")  # nothing received
        assert type(app.screen).__name__ == "RatingScreen"
        await keys(pilot, "5")
        assert app.screen.query_one("#reason").has_focus
        await pilot.press("enter")  # no reason: asked again
        await pilot.pause()
        assert "原因" in str(app.screen.query_one("#rating-error").render())
        app.screen.query_one("#reason").insert_text_at_cursor("等候时间太长")
        await pilot.press("enter")
        await pilot.pause()
        [case] = replica_of(app).cases_of(PERSON)
        assert case.status.value == "notified" and len(case.owed) == 7
        followups = replica_of(app).followups()
        assert [f.case_no for f in followups] == [case.case_no]


async def test_commitment_approval_asks_the_applicant_to_confirm(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, COMPANY)
        await type_text(pilot, "户外招牌")
        await keys(pilot, "enter", "a", "enter")
        outcomes = intake(app).query_one("#outcomes")
        # 告知承诺 is the applicant's choice (国办发〔2020〕42号): offered, never preselected
        assert outcomes.highlighted_option.id != "approved_on_commitment"
        while outcomes.highlighted_option.id != "approved_on_commitment":
            await keys(pilot, "up")
        await keys(pilot, "enter")
        assert "申请人确认" in str(app.screen.query_one(".dialog-title").render())
        await keys(pilot, "n")  # declined: nothing saved, the draft stays
        assert replica_of(app).cases_of(COMPANY) == []
        assert intake(app).current.draft is not None
        await keys(pilot, "enter", "y")
        [case] = replica_of(app).cases_of(COMPANY)
        assert case.status.value == "approved_on_commitment"


async def test_blacklisted_applicant_cannot_defer(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, LISTED)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter")
        verdict = intake(app).current.verdict
        assert "deferred" not in [o.value for o in verdict.allowed]
        assert "失信" in verdict.option(verdict.options[2].outcome).reason or \
            any("失信" in o.reason for o in verdict.options)
        assert intake(app).query_one("#outcomes").highlighted_option.id == "notified"


async def test_item_of_another_hall_leads_to_a_signpost(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await type_text(pilot, "护照")
        await keys(pilot, "enter", "enter")
        outcomes = intake(app).query_one("#outcomes")
        allowed = [o.id for o in outcomes.options if not o.disabled]
        assert "signposted" in allowed and "accepted" not in allowed
        while outcomes.highlighted_option.id != "signposted":
            await keys(pilot, "down")
        detail = str(intake(app).query_one("#outcome-detail").render())
        assert "烟台市出入境接待大厅" in detail and "出入境窗口" in detail
        await keys(pilot, "enter", "escape")
        [case] = replica_of(app).cases_of(PERSON)
        assert case.status.value == "signposted" and case.signpost_dept == "GAJ"


async def test_switching_applicants_parks_the_first_intake(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a")
        await until(pilot, lambda: intake(app).current.draft is not None, "the draft")
        await burst(app, pilot, LISTED)
        await until(pilot, lambda: intake(app).current.view.code == LISTED, "the second applicant")
        await burst(app, pilot, PERSON)
        cur = intake(app).current
        assert cur.view.code == PERSON and cur.items == ["SP01", "ZP01", "XF01"]
        assert any(m.state.value == "received" for m in cur.draft.materials)


# -- return visits, delivery, the day view ---------------------------------------------------

async def test_return_visit_supplements_a_deferral_to_completed(home):
    case = seed_case(home, PERSON, datetime(2026, 11, 20, 9, 0))  # due 2026-11-27
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        assert f"{case.case_no} 限 11-27" in panel(app)
        await pilot.press("f5")
        await pilot.pause()
        await keys(pilot, "space")  # one of three
        await keys(pilot, "enter")
        still = replica_of(app).get_case(case.case_no)
        assert still.status.value == "deferred" and len(still.owed) == 2
        await pilot.press("f5")
        await pilot.pause()
        await keys(pilot, "a", "enter")
        done = replica_of(app).get_case(case.case_no)
        assert done.status.value == "completed" and not done.owed
        assert case.case_no not in panel(app) or "容缺待补" not in panel(app)


async def test_due_list_voids_an_overdue_deferral_only_with_a_supervisor(home):
    late = seed_case(home, AGENT, datetime(2026, 11, 13, 9, 0))  # due 2026-11-20: overdue
    today = seed_case(home, PERSON, datetime(2026, 11, 20, 9, 0))  # due today
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("f6")
        await pilot.pause()
        title = str(app.screen.query_one("#due-title").render())
        assert "共 2 件，逾期 1 件" in title
        assert app.screen.selected().case_no == today.case_no  # today's first (#17)
        await keys(pilot, "down")
        assert app.screen.selected().case_no == late.case_no  # overdue behind
        await keys(pilot, "v")
        assert "需要负责人授权" in str(app.screen.query_one(".dialog-title").render())
        await authorise(pilot)
        app.screen.query_one("#prompt").insert_text_at_cursor("逾期未补齐材料")
        await pilot.press("enter")
        await pilot.pause()
        assert replica_of(app).get_case(late.case_no).status.value == "voided"
        assert replica_of(app).get_case(today.case_no).status.value == "deferred"
        assert "共 1 件，逾期 0 件" in str(app.screen.query_one("#due-title").render())


async def test_delivery_of_a_back_office_result(home):
    case = seed_case(home, PERSON, datetime(2026, 11, 20, 9, 0), deferred=False, decided=True)
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        assert "结果待取" in panel(app) and case.case_no in panel(app)
        await pilot.press("f7")
        await pilot.pause()
        await keys(pilot, "enter", "y")
        assert replica_of(app).get_case(case.case_no).status.value == "delivered"
        assert app.screen.id == "intake"
        assert "结果待取" not in panel(app)


async def test_day_view_counts_and_day_close_needs_a_supervisor(home):
    seed_case(home, AGENT, datetime(2026, 11, 13, 9, 0))  # overdue today
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter", "enter", "2")
        await pilot.press("f10")
        await pilot.pause()
        text = str(app.screen.query_one("#day-stats").render())
        assert "容缺受理" in text and "满意率" in text and "100.0%" in text
        assert "逾期未补正" in text
        await keys(pilot, "c")
        await authorise(pilot)
        entries = replica_of(app).audit_entries(subject="YT0101:2026-11-27")
        assert [e.clerk_id for e in entries if e.action == "day_close"] == ["9001"]


async def test_command_palette_finds_actions_and_bundles(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "kfd")
        await until(pilot, lambda: palette_hits(app), "the palette's hits")
        await pilot.press("enter")
        await until(pilot, lambda: intake(app).current.items == ["SP01", "ZP01", "XF01"],
                    "the bundle's items")
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "当日统计":
            await pilot.press(ch)
        await until(pilot, lambda: palette_hits(app), "the palette's hits")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "DayScreen", "the day view")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "主要材料全收":
            await pilot.press(ch)
        await until(pilot, lambda: palette_hits(app), "the palette's hits")
        await pilot.press("enter")
        await until(pilot, lambda: all(m.state.value in ("received", "elicence")
                                       for m in intake(app).current.draft.materials if m.main),
                    "every main material received")


async def test_status_bar_shows_the_local_queue_without_a_back_office(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        bar = app.screen.query_one("#status")
        assert "未连接后台 · 待上传 0 条" in str(bar.render())
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter", "enter", "1")
        bar.refresh_status()
        assert "待上传 0 条" not in str(bar.render())


def test_run_without_a_replica_tells_the_clerk_what_to_do(tmp_path, capsys):
    from types import SimpleNamespace

    from clerk_console.commands.run import run

    assert run(SimpleNamespace(data_dir=str(tmp_path / "empty"))) == 2
    err = capsys.readouterr().err
    assert "clerk-console demo" in err and "enroll" in err


async def test_pasted_code_with_a_line_end_is_a_scan_and_plain_paste_is_text(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        app.post_message(events.Paste(PERSON + "\r\n"))
        await pilot.pause()
        assert intake(app).current.view.code == PERSON
        app.post_message(events.Paste("咖啡"))
        await pilot.pause()
        assert app.screen.query_one("#item-query").value == "咖啡"
        assert app.scans_seen == 1


async def test_frequently_used_bundle_comes_first(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        app.desk.note_use("item", "ZP01")
        app.desk.note_use("item", "ZP01")
        hits = app.desk.search("许可")
        assert hits[0].code == "ZP01"


async def test_parked_intakes_are_bounded(home):
    from clerk_console.ui.screens.intake import MAX_PARKED, Intake
    from clerk_console.ui.desk import ApplicantView

    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        screen = intake(app)
        for n in range(MAX_PARKED + 5):
            screen.park(Intake(ApplicantView(code=f"C{n}", kind="resident_id", applicant=None),
                               items=["SP01"]))
        screen.park(Intake(ApplicantView(code="EMPTY", kind="resident_id", applicant=None)))
        assert len(screen.parked) == MAX_PARKED
        assert "C0" not in screen.parked and f"C{MAX_PARKED + 4}" in screen.parked
        assert "EMPTY" not in screen.parked  # nothing entered: nothing to keep


def test_desk_releases_pinyin_after_building_the_index(home):
    """pypinyin's dictionaries (~55 MB) are dropped once the index is built; search still
    answers pinyin and initials, and a rebuild after a catalogue update works again."""
    import subprocess
    import sys

    probe = ("import sys; from pathlib import Path; from clerk_console.ui.desk import Desk;"
             f"d = Desk(Path({str(home)!r})); d.open();"
             "print('pypinyin' in sys.modules, d.index.search('kfd', 1)[0].name);"
             "d.rebuild_index(); print(d.index.search('kafei', 1)[0].name)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "False"
    assert all(name.startswith("开办咖啡店") for name in out[1:])



def orphan_render_caches() -> int:
    """Render caches (``StylesCache``, one per widget) alive after their widget was freed."""
    import gc

    from textual._styles_cache import StylesCache
    from textual.widget import Widget

    gc.collect()
    objects = gc.get_objects()
    owned = {id(o._styles_cache) for o in objects if isinstance(o, Widget)}
    return sum(1 for o in objects if isinstance(o, StylesCache) and id(o) not in owned)


async def test_closed_intakes_leave_no_rendered_lines_behind(home):
    """Dismissed rating dialogs and expired toasts are freed with everything they drew.

    Textual 8.2.8 keeps each rendered widget's lines in a class-wide lru_cache, so they
    outlived the widget (~55 MB after 200 intakes; see ui/textual_fixes.py)."""
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        for n in range(3):
            await burst(app, pilot, PERSON)
            await keys(pilot, "k", "f", "d", "enter", "a", "enter", "enter")
            assert type(app.screen).__name__ == "RatingScreen", n
            await keys(pilot, "1")
            await app.workers.wait_for_complete()
            app.clear_notifications()
            await pilot.pause()
            assert app.screen.id == "intake"
        assert len(replica_of(app).cases_of(PERSON)) == 3
        assert orphan_render_caches() == 0


def test_inner_outer_colours_are_cached_on_the_colours_alone():
    from textual._styles_cache import StylesCache
    from textual.color import Color
    from textual.style import Style

    from clerk_console.ui import textual_fixes

    base, background = Color(18, 18, 18), Color(0, 48, 84, 0.5)
    first = StylesCache().get_inner_outer(base, background)
    assert StylesCache().get_inner_outer(base, background) is first  # no widget in the key
    assert first == (Style(background=base + background), Style(background=base))
    assert textual_fixes.apply() is False  # already applied when the app module loaded


def test_keys_of_one_read_are_stamped_with_the_time_of_the_read(monkeypatch):
    """A scanner's burst read at once keeps its keys together however slowly they are parsed
    and posted (ui/textual_fixes.py: they were stamped as parsed, one post apart)."""
    from textual import _time, events
    from textual._xterm_parser import XTermParser

    from clerk_console.ui import textual_fixes

    ticks = iter(range(1000))
    monkeypatch.setattr(_time, "get_time", lambda: next(ticks) * 0.2)  # 200 ms per look
    assert textual_fixes.stamp_keys_at_read() is False  # already applied with the app module
    keys = [e for e in XTermParser().feed(COMPANY + "\r") if isinstance(e, events.Key)]
    assert len(keys) == len(COMPANY) + 1
    assert {k.time for k in keys} == {0.0}  # the read's time; parsed, each would be later
