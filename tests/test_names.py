"""Which names the console accepts (domain.names) and what quick entry says about the rest."""
from __future__ import annotations

import pytest

from clerk_console.domain.names import name_error, normalize_name

GOOD_PEOPLE = ["张伟", "王\U0002023C", "王\U00020BB7", "买买提·艾力", "John Smith", "José Müller-Lee",
               "欧阳〇", "Anna Maria O'Brien"]
BAD_PEOPLE = [("😀", "表情"), ("张伟😀", "表情"), ("张3", "数字"), ("张伟#", "符号"), ("★李", "符号"),
              ("Иван", "拉丁字母"), ("·张伟", "间隔号"), ("", "请输入姓名"), ("张\x07伟", "控制字符")]


@pytest.mark.parametrize("name", GOOD_PEOPLE)
def test_people_names_in_any_cjk_block_latin_letters_dots_and_spaces_are_accepted(name):
    assert name_error(name) == ""


@pytest.mark.parametrize(("name", "says"), BAD_PEOPLE)
def test_emoji_symbols_and_digits_are_refused_with_a_message(name, says):
    error = name_error(name)
    assert says in error


def test_organisation_names_may_hold_digits_and_brackets_but_no_emoji():
    assert name_error("烟台3D打印（山东）有限公司", organisation=True) == ""
    assert name_error("A&B贸易有限公司", organisation=True) == ""
    assert "表情" in name_error("烟台咖啡😀有限公司", organisation=True)


def test_names_are_normalized_before_they_are_stored():
    assert normalize_name("  买买提・艾力 ") == "买买提·艾力"
    assert normalize_name("John   Smith") == "John Smith"


async def test_quick_entry_refuses_an_emoji_name_and_keeps_what_was_typed(tmp_path):
    from support.pilot import until
    from support.ui import UNKNOWN, burst, make_home, new_app, sign_in

    app = new_app(make_home(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, UNKNOWN)
        await until(pilot, lambda: app.screen.query("#qe-name"), "the quick entry form")
        name = app.screen.query_one("#qe-name")
        name.value = "😀"
        app.screen.query_one("#qe-phone").value = "13805350000"
        name.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "表情" in str(app.screen.query_one("#qe-error").render())
        assert name.value == "😀" and app.screen.query("#qe-name")  # still open, nothing lost
