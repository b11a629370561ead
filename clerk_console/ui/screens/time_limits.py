"""Moving a case's time limit at the window (a supervisor's decision): the one extension
(行政许可法 art. 42) or a procedure's time not counted (art. 45), then the 延期告知书 prints."""
from __future__ import annotations

from clerk_console.domain.case import EXCLUSION_KINDS, EXTENSION_DAYS, LIMITED_STATUSES, Case
from clerk_console.ui.guard import explain
from clerk_console.ui.screens.dialogs import ChoiceScreen, PromptScreen
from clerk_console.ui.widgets.toasts import print_in_background

NOTICE = "extension_notice"


def move_time_limit(screen, open_cases: list[Case]) -> None:
    """Pick the case (when the applicant has several), get a supervisor, then extend it or
    record excluded time; the case is saved and its 延期告知书 printed."""
    app = screen.app
    cases = [c for c in open_cases if c.status in LIMITED_STATUSES and c.promised_date]
    if not cases:
        app.notify("当前申请人没有已受理、在办理期限内的办件，不能延期", severity="warning")
        return

    def for_case(case: Case) -> None:
        app.with_supervisor(f"调整办理期限 {case.case_no}", lambda boss: _choose(app, case, boss))

    if len(cases) == 1:
        for_case(cases[0])
        return
    app.push_screen(ChoiceScreen("选择要调整办理期限的办件",
                                 [(c.case_no, f"{c.case_no} 承诺 {c.promised_date}") for c in cases]),
                    lambda no: for_case(next(c for c in cases if c.case_no == no)) if no else None)


def _choose(app, case: Case, boss) -> None:
    def chosen(what: str | None) -> None:
        if what == "extend":
            app.push_screen(PromptScreen(f"延长 {case.case_no} 的办理期限：延长理由（告知申请人）",
                                         "如：需现场核查经营场所，二十个工作日内不能作出决定",
                                         required="请填写延期理由"),
                            lambda reason: _save(app, case, boss, reason=reason) if reason else None)
        elif what:
            app.push_screen(ChoiceScreen("不计入期限的程序（第四十五条）", list(EXCLUSION_KINDS.items())),
                            lambda kind: _period(app, case, boss, kind) if kind else None)

    choices = [("extend", f"延长{EXTENSION_DAYS}个工作日（行政许可法第四十二条，只能一次）"),
               ("exclude", "扣除听证、检验检测、专家评审等时间（第四十五条）")]
    if case.extension is not None:
        choices = choices[1:]
    app.push_screen(ChoiceScreen(f"{case.case_no} 现承诺 {case.promised_date} 办结", choices), chosen)


def _period(app, case: Case, boss, kind: str) -> None:
    label = EXCLUSION_KINDS[kind]

    def reason_for(period: str | None) -> None:
        if not period:
            return
        app.push_screen(PromptScreen(f"{label}：说明（告知申请人）", "如：委托检测机构检测水质",
                                     required="请填写说明"),
                        lambda reason: _save(app, case, boss, reason=reason, kind=kind,
                                             period=period) if reason else None)

    app.push_screen(PromptScreen(f"{label}：起止日期", "2026-12-07 2026-12-11",
                                 required="请填写开始和结束日期"), reason_for)


def _save(app, case: Case, boss, *, reason: str, kind: str = "", period: str = "") -> None:
    try:
        if kind:
            moved = app.desk.exclude(case, kind=kind, period=period, reason=reason,
                                     clerk_id=app.clerk.clerk_id, supervisor_id=boss.clerk_id,
                                     now=app.now())
        else:
            moved = app.desk.extend(case, clerk_id=app.clerk.clerk_id,
                                    supervisor_id=boss.clerk_id, now=app.now(), reason=reason)
    except Exception as exc:
        app.notify(f"办理期限未调整：{explain(exc)}", severity="error", timeout=10)
        return
    app.notify(f"{moved.case_no} 现承诺 {moved.promised_date} 办结，正在打印延期告知书")
    now = app.now()
    print_in_background(app, lambda: app.desk.print_notice(moved, now, [NOTICE]),
                        name=f"print-{moved.case_no}-extension",
                        failed="延期告知书未打印：{reason}（已保存，可用 "
                               f"clerk-console notice {moved.case_no} 补打）")
