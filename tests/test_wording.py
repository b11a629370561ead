"""One term each on screens, the CLI and notices (issue #9): 负责人 (not 主管), PIN (not 密码),
注册码 (not 窗口码), 窗口人员 (not 受理员 or 工作人员). Every Chinese string of the package's
sources and of the notice templates is checked, and the screens' texts as drawn."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the refused variant and the term to use; 主管部门 (a competent department) is another word
REFUSED = {r"主管(?!部门)": "负责人", "密码": "PIN", "窗口码": "注册码", "受理员": "窗口人员",
           "工作人员": "窗口人员"}


def strings_of(path: Path):
    """(line, text) of every string literal (f-string parts included) in a Python file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def offenders(lines) -> list[str]:
    found = []
    for where, text in lines:
        for pattern, use in REFUSED.items():
            if re.search(pattern, text):
                found.append(f"{where}: “{pattern}” → {use}: {text[:60]}")
    return found


def test_sources_use_one_term_each():
    found = []
    for path in sorted((ROOT / "clerk_console").rglob("*.py")):
        found += offenders((f"{path.relative_to(ROOT)}:{n}", s) for n, s in strings_of(path))
    assert not found, "\n".join(found)


def test_notice_templates_and_reference_texts_use_one_term_each():
    files = sorted((ROOT / "data" / "templates").glob("*.toml"))
    assert files
    found = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        found += offenders((f"{path.relative_to(ROOT)}:{n}", line)
                           for n, line in enumerate(lines, 1))
    assert not found, "\n".join(found)


def test_the_check_refuses_each_variant():
    assert len(offenders([("x", "需要主管授权")])) == 1
    assert offenders([("x", "报主管部门审批")]) == []
    assert len(offenders([("x", "请输入密码"), ("y", "<窗口码>"), ("z", "窗口工作人员")])) == 3


def test_cli_help_uses_one_term_each(capsys):
    from clerk_console import cli

    texts = []
    for argv in (["--help"], ["clerk", "--help"], ["clerk", "add", "--help"], ["enroll", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        texts.append(capsys.readouterr().out)
    assert texts[0]
    assert not offenders(enumerate(texts)), offenders(enumerate(texts))


async def test_screens_as_drawn_use_one_term_each(tmp_path):
    from support.pilot import settle
    from support.ui import make_home, new_app, sign_in

    app = new_app(make_home(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        drawn = []

        def grab():
            drawn.extend((type(app.screen).__name__, str(w.render()))
                         for w in app.screen.query("Static, Label, Input"))
            drawn.extend((type(app.screen).__name__, w.placeholder)
                         for w in app.screen.query("Input"))

        await sign_in(app, pilot, pin="")  # sign-in screen, PIN asked
        grab()
        await sign_in(app, pilot)
        grab()
        for key in ("ctrl+f", "ctrl+g"):  # 差评回访, 评价器配对 (and back)
            await pilot.press(key)
            await settle(app, pilot)
            grab()
            await pilot.press("escape")
            await settle(app, pilot)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        grab()
        assert {"SignInScreen", "IntakeScreen", "FollowupsScreen", "PairingScreen",
                "LockScreen"} <= {n for n, _ in drawn}
        assert not offenders(drawn), offenders(drawn)
