"""Item picking: one search field over items and bundles, hits below it."""
from __future__ import annotations

from rich.text import Text
from clerk_console.ui.scanner import typed_scan
from clerk_console.ui.widgets.field import Field
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

HIT_LIMIT = 30


def hit_label(hit) -> Text:
    t = Text()
    if hit.kind == "bundle":
        t.append("一件事 ", style="bold magenta")
    t.append(hit.name)
    if hit.signpost:
        t.append(" →他处办理", style="yellow")
    t.append(f"  {hit.code}", style="dim")
    return t


class ItemPicker(Vertical):
    BINDINGS = [
        Binding("down", "move(1)", "下一项", show=False, id="picker.down"),
        Binding("up", "move(-1)", "上一项", show=False, id="picker.up"),
        Binding("pagedown", "move(10)", "下页", show=False, id="picker.page_down"),
        Binding("pageup", "move(-10)", "上页", show=False, id="picker.page_up"),
    ]

    class Picked(Message):
        def __init__(self, kind: str, code: str) -> None:
            super().__init__()
            self.kind = kind
            self.code = code

    def compose(self) -> ComposeResult:
        yield Field(placeholder="中文、拼音、首字母(kfd)或编码，回车选中", id="item-query")
        yield Static("", id="chosen")
        yield OptionList(id="hits")

    def on_mount(self) -> None:
        self.hits: list = []
        self.query_one("#hits", OptionList).can_focus = False

    def focus_query(self) -> None:
        self.query_one("#item-query", Input).focus()

    def show_chosen(self, names: list[str]) -> None:
        self.query_one("#chosen", Static).update(
            "已选：" + "、".join(names) if names else "尚未选择事项")

    @on(Input.Changed, "#item-query")
    def refresh_hits(self, event: Input.Changed) -> None:
        self.hits = self.app.desk.search(event.value, limit=HIT_LIMIT) if event.value.strip() else []
        hits = self.query_one("#hits", OptionList)
        hits.set_options(Option(hit_label(h), id=f"{h.kind}:{h.code}") for h in self.hits)
        if self.hits:
            hits.highlighted = 0

    @on(Input.Submitted, "#item-query")
    def pick(self) -> None:
        hits = self.query_one("#hits", OptionList)
        query = self.query_one("#item-query", Input)
        if not self.hits and (code := typed_scan(query.value)) is not None:
            if self.app.desk.identify(code, self.app.today()).valid:
                query.value = ""  # a typo stays in the field to be corrected
            self.app.handle_scan(code)
            return
        if not self.hits or hits.highlighted is None:
            self.app.notify("没有找到匹配的事项：换个关键词，或输入拼音首字母、事项编码", severity="warning")
            return
        hit = self.hits[hits.highlighted]
        self.query_one("#item-query", Input).value = ""
        self.post_message(self.Picked(hit.kind, hit.code))

    def action_move(self, step: int) -> None:
        hits = self.query_one("#hits", OptionList)
        if not self.hits:
            return
        current = hits.highlighted or 0
        hits.highlighted = max(0, min(len(self.hits) - 1, current + step))
