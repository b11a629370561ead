"""Every refusal a service can raise, walked through the console: a Chinese message, the
console still running, what the clerk entered kept; a defect gets an apology and a log line
with no personal data (issue 9, "crash to the shell")."""
from __future__ import annotations

import ast
import logging
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from clerk_console import services
from clerk_console.commands.demo import build_demo
from clerk_console.services import ServiceError
from clerk_console.ui.guard import APOLOGY
from support.pilot import settle, until
from support import ui
from support.ui import burst, keys, search_for, type_text

NOW = datetime(2026, 12, 2, 10, 0)  # a Wednesday; the demo's deferrals are due 12-04
PERSON = "370611197911230315"  # 王𠈌
COMPANY = "91370613MA3CKF011N"  # 烟台海岸咖啡有限公司: a deferral owed, a result to hand out
SERVICES = Path(services.__file__).parent
DESK = Path(__file__).parents[1] / "clerk_console" / "ui" / "desk.py"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "window"
    build_demo(home, now=NOW)
    (home / "settings.toml").write_text('printer = "pdf"\n', encoding="utf-8")
    return home


@pytest.fixture
def home(demo_template, tmp_path) -> Path:
    target = tmp_path / "window"
    shutil.copytree(demo_template, target)
    return target


# -- which service functions refuse, and which the console calls --------------------------

def _calls(fn: ast.FunctionDef) -> set[str]:
    names = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    return names


def _raises_service_error(fn: ast.FunctionDef) -> bool:
    return any(isinstance(n, ast.Raise) and n.exc is not None and "ServiceError" in ast.unparse(n.exc)
               for n in ast.walk(fn))


def refusing_services() -> set[str]:
    """``module.function`` of every public service function that can raise ServiceError,
    itself or through a helper of the services package."""
    functions: dict[str, ast.FunctionDef] = {}
    for path in sorted(SERVICES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                functions[f"{path.stem}.{node.name}"] = node
    refusing = {k for k, fn in functions.items() if _raises_service_error(fn)}
    while True:
        names = {k.split(".")[1] for k in refusing}
        more = {k for k, fn in functions.items() if k not in refusing and _calls(fn) & names}
        if not more:
            break
        refusing |= more
    return {k for k in refusing if not k.split(".")[1].startswith("_")
            and not k.startswith("__init__.")}


def desk_services() -> set[str]:
    """``module.function`` of the service functions the console's Desk calls."""
    tree = ast.parse(DESK.read_text(encoding="utf-8"))
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("clerk_console.services."):
            module = node.module.rsplit(".", 1)[1]
            used |= {f"{module}.{a.name}" for a in node.names}
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name)
              and (SERVICES / f"{node.func.value.id}.py").exists()):
            used.add(f"{node.func.value.id}.{node.func.attr}")
    return used


# service functions with refusals that the console never calls, and where they are used
NOT_AT_THE_WINDOW = {
    "accounts.add": "clerk-console clerk add",
    "accounts.authorise": "clerk-console clerk --as",
    "accounts.existing": "clerk-console clerk",
    "accounts.set_active": "clerk-console clerk disable/enable",
    "accounts.set_pin": "clerk-console clerk pin",
    "accounts.unlock": "clerk-console clerk unlock",
    "accounts.unlock_with_code": "clerk-console clerk unlock --code (the back office's one-time code)",
    "accounts.unused_id": "clerk-console clerk add",
    "accounts.valid_name": "clerk-console clerk add",
    "accounts.valid_new_id": "clerk-console clerk add",
    "accounts.valid_pin": "clerk-console clerk add/pin",
    "audit.unlock": "clerk-console clerk unlock",
    "common.load_case": "inside every case service (walked through them)",
    "common.refused": "inside the services: a domain rule's refusal as theirs (walked through them)",
    "common.require_now": "inside every case service (walked through them)",
    "common.require_supervisor": "inside void and unmask (walked through them)",
    "intake.split_elsewhere": "inside close_intake (一窗受理 splits off the items taken elsewhere)",
    "intake.set_material": "the checklist marks the draft itself; used by the demo and sync",
    "returns.correct": "inside supplement (F5 on a one-time notice's 补正; tests/test_ui_correction.py)",
    "followup.answer": "clerk-console followup answer (the 差评 loop's 反馈 step)",
    "followup.appeal": "clerk-console followup appeal (申诉复核)",
    "followup.decide_appeal": "clerk-console followup decide (a supervisor)",
    "followup.fix": "clerk-console followup fix (整改)",
    "followup.rules_of": "inside rating and every follow-up step (the hall's deadlines)",
    "followup.verify": "clerk-console followup verify (核实, a supervisor)",
    "messages.record_choice": "clerk-console sms (the applicant's opt-out)",
    "rating.bad_reasons": "inside rating and the rating pad (GB/T 39734 reasons)",
    "returns.record_decision": "sync: the back office's decisions",
}


# -- the walks: drive the console to the point where it calls the service -----------------

async def sign_in(app, pilot, clerk="demo", pin="123456"):
    """The demo window's clerk (this test's home is the demo, not the UI template)."""
    await ui.sign_in(app, pilot, clerk, pin)


async def pick(pilot, query: str):
    await search_for(pilot.app, pilot, query)
    await pilot.press("enter")
    await settle(pilot.app, pilot)


def current(app):
    from clerk_console.ui.screens.intake import IntakeScreen

    screen = next(s for s in app.screen_stack if isinstance(s, IntakeScreen))
    cur = screen.current
    return None if cur is None else (cur.view.code, tuple(cur.items), cur.draft is not None)


async def to_checklist(app, pilot):
    await sign_in(app, pilot)
    await burst(app, pilot, COMPANY)
    await pick(pilot, "kfd")


async def walk_login(app, pilot):
    await sign_in(app, pilot)
    return None


async def walk_pick(app, pilot):
    await sign_in(app, pilot)
    await burst(app, pilot, COMPANY)
    kept = current(app)
    await pick(pilot, "kfd")
    return kept


async def walk_mark(app, pilot):
    await to_checklist(app, pilot)
    kept = current(app)
    await keys(pilot, "a")  # main materials received: a deferral becomes possible
    return kept


async def walk_close(app, pilot):
    await to_checklist(app, pilot)
    await keys(pilot, "a")
    kept = current(app)
    await keys(pilot, "f4", "enter")
    return kept


async def walk_rate(app, pilot):
    await to_checklist(app, pilot)
    await keys(pilot, "a", "f4", "enter")
    assert type(app.screen).__name__ == "RatingScreen"
    kept = current(app)
    await keys(pilot, "1")
    assert type(app.screen).__name__ == "RatingScreen"  # the applicant may rate again
    return kept


async def walk_supplement(app, pilot):
    await sign_in(app, pilot)
    await burst(app, pilot, COMPANY)
    kept = current(app)
    await keys(pilot, "f5", "a", "enter")
    assert type(app.screen).__name__ == "SupplementScreen"
    return kept


async def walk_void(app, pilot):
    app.clock = lambda: NOW + timedelta(days=10)  # the deferrals are overdue now
    await sign_in(app, pilot, "boss", "654321")
    await keys(pilot, "f6", "v")
    await type_text(pilot, "yuqi")
    await pilot.press("enter")
    await until(pilot, lambda: type(app.screen).__name__ == "DueScreen", "the due list")
    return None


async def walk_deliver(app, pilot):
    await sign_in(app, pilot)
    await burst(app, pilot, COMPANY)
    kept = current(app)
    await keys(pilot, "f7", "enter", "y")
    assert type(app.screen).__name__ == "DeliverScreen"
    return kept


async def walk_results(app, pilot):
    """出件 reads each item's decision first: shown on the list, and again on Enter."""
    await sign_in(app, pilot)
    await burst(app, pilot, COMPANY)
    kept = current(app)
    await keys(pilot, "f7", "enter")
    return kept


async def walk_unmask(app, pilot):
    await sign_in(app, pilot, "boss", "654321")
    await burst(app, pilot, PERSON)
    kept = current(app)
    await keys(pilot, "f8")
    from clerk_console.ui.screens.intake import IntakeScreen

    assert not next(s for s in app.screen_stack if isinstance(s, IntakeScreen)).unmasked
    return kept


async def walk_day(app, pilot):
    await sign_in(app, pilot)
    await keys(pilot, "f10")
    return None


async def walk_close_day(app, pilot):
    await sign_in(app, pilot, "boss", "654321")
    await keys(pilot, "f10", "c")
    assert type(app.screen).__name__ == "DayScreen"
    return None


async def walk_supervisor_unlock(app, pilot):
    await sign_in(app, pilot)
    await pilot.press("ctrl+l")
    await pilot.pause()
    app.screen.query_one("#lock-id").value = ""
    app.screen.query_one("#lock-id").focus()
    await type_text(pilot, "boss")
    await pilot.press("enter")
    await type_text(pilot, "654321")
    await pilot.press("enter")
    await settle(app, pilot)
    assert app.locked and type(app.screen).__name__ == "LockScreen"  # not unlocked unaudited
    return None


async def to_time_limit(app, pilot) -> None:
    """A supervisor on the deferral of the demo's coffee shop: Ctrl+T, its case if asked."""
    await sign_in(app, pilot, "boss", "654321")
    await burst(app, pilot, COMPANY)
    await keys(pilot, "ctrl+t")
    if "选择要调整" in str(app.screen.query_one(".dialog-title").render()):
        await keys(pilot, "enter")  # the applicant has several cases: the first
    assert type(app.screen).__name__ == "ChoiceScreen"


async def walk_extend(app, pilot):
    await to_time_limit(app, pilot)
    kept = current(app)
    await keys(pilot, "enter")  # 延长10个工作日
    await type_text(pilot, "xuyaohecha")
    await pilot.press("enter")  # typed keys then Enter (support.keyclock): not a scanner burst
    return kept


def _dialog_title(app) -> str:
    found = app.screen.query(".dialog-title")
    return str(found.first().render()) if found else ""


async def _dialog(app, pilot, words: str) -> None:
    """Wait for the dialog whose title has ``words`` (it opens after the keys before it)."""
    await until(pilot, lambda: words in _dialog_title(app), f"the dialog “{words}”")


async def walk_exclude(app, pilot):
    await to_time_limit(app, pilot)
    kept = current(app)
    await keys(pilot, "down", "enter")  # 扣除
    await _dialog(app, pilot, "不计入期限的程序")
    await keys(pilot, "enter")  # 听证
    await _dialog(app, pilot, "起止日期")
    # at a clerk's pace: typed as fast as a scanner, digits and dashes then Enter are a scan
    # (a project code)
    await type_text(pilot, "2026-12-03 2026-12-03")
    await pilot.press("enter")
    await _dialog(app, pilot, "说明")
    await type_text(pilot, "tingzheng")
    await pilot.press("enter")
    return kept


WALKS = {
    "time_limits.extend": walk_extend,
    "time_limits.exclude": walk_exclude,
    "time_limits.parse_period": walk_exclude,
    "stats.close_day": walk_close_day,
    "audit.screen_unlocked": walk_supervisor_unlock,
    "audit.login": walk_login,
    "intake.new_draft": walk_pick,
    "intake.evaluate": walk_pick,
    "intake.deferral_due": walk_mark,  # the outcome pane shows the deferral's deadline
    "intake.close_intake": walk_close,
    "rating.rate": walk_rate,
    "returns.supplement": walk_supplement,
    "returns.void": walk_void,
    "returns.deliver": walk_deliver,
    "returns.results": walk_results,
    "audit.audit_unmask": walk_unmask,
    "stats.stats": walk_day,
}


def test_every_refusal_is_walked_or_not_at_the_window():
    refusing = refusing_services()
    at_window = refusing & desk_services()
    assert at_window == set(WALKS) & refusing, (at_window, set(WALKS))
    assert refusing - at_window == set(NOT_AT_THE_WINDOW)
    assert "intake.new_draft" in refusing and "returns.void" in refusing  # the scan works


def shown(app) -> str:
    """Every message the clerk can see: toasts and the texts of every screen."""
    from textual.widgets import Label, Static

    texts = [f"{n.title} {n.message}" for n in app._notifications]
    for screen in app.screen_stack:
        texts += [str(w.render()) for w in screen.query(Static) if not isinstance(w, Label)]
        texts += [str(w.render()) for w in screen.query(Label)]
    return "\n".join(texts)


def _module_function(name: str):
    module, function = name.split(".")
    import importlib

    return importlib.import_module(f"clerk_console.services.{module}"), function


@pytest.mark.parametrize("name", sorted(WALKS))
async def test_a_refusal_is_said_and_the_intake_kept(home, monkeypatch, name):
    module, function = _module_function(name)
    message = f"测试拒绝：{name}"
    calls = []

    def refuse(*args, **kwargs):
        calls.append(name)
        raise ServiceError(message)

    monkeypatch.setattr(module, function, refuse)
    app = ui.new_app(home, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        kept = await WALKS[name](app, pilot)
        await until(pilot, lambda: calls and message in shown(app), f"{name} refused, and said")
        assert app.is_running and app.return_code is None
        if kept is not None:
            assert current(app) == kept


@pytest.mark.parametrize("scan,query", [(PERSON, "fd"), (PERSON, "hyzhxkz"),
                                        (COMPANY, "ywjyxsrxbm")])
async def test_an_item_for_the_other_kind_of_applicant_is_refused_in_chinese(home, scan, query):
    app = ui.new_app(home, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, scan)
        kept = current(app)
        await pick(pilot, query)
        assert app.is_running and app.return_code is None
        text = shown(app)
        assert ("只面向法人" if scan == PERSON else "只面向自然人") in text
        assert current(app) == kept  # no item was added, the applicant is still there
        await pick(pilot, "kfd" if scan == COMPANY else "zdshbz")  # and work goes on
        assert app.is_running


async def test_a_defect_is_an_apology_and_a_log_line_without_personal_data(home, monkeypatch,
                                                                            caplog):
    from clerk_console.services import intake

    def broken(*args, **kwargs):
        raise RuntimeError(f"boom {PERSON}")

    monkeypatch.setattr(intake, "new_draft", broken)
    app = ui.new_app(home, clock=lambda: NOW)
    with caplog.at_level(logging.ERROR, logger="clerk_console"):
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(app, pilot)
            await burst(app, pilot, PERSON)
            kept = current(app)
            await pick(pilot, "zdshbz")
            assert app.is_running and app.return_code is None
            text = shown(app)
            assert APOLOGY in text and PERSON not in text and "boom" not in text
            assert current(app) == kept
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError at" in logged and "new_draft" in logged
    assert PERSON not in logged and "boom" not in logged


def test_every_error_meant_for_the_clerk_has_the_one_base_class():
    """The guard shows a ClerkError's own message and an apology for anything else: the
    domain's errors and the Desk's (Chinese messages for the clerk) are all ClerkErrors."""
    import importlib
    import inspect
    import pkgutil

    import clerk_console.domain as domain
    from clerk_console.domain.errors import ClerkError
    from clerk_console.ui.desk import DeskError

    modules = [importlib.import_module(m.name)
               for m in pkgutil.walk_packages(domain.__path__, "clerk_console.domain.")]
    errors = [c for m in modules for _n, c in inspect.getmembers(m, inspect.isclass)
              if issubclass(c, Exception) and c.__module__ == m.__name__]
    assert len(errors) >= 4
    assert [c.__name__ for c in errors + [DeskError] if not issubclass(c, ClerkError)] == []
