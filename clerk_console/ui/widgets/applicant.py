"""The applicant panel: who is at the window and what is on file for them."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from clerk_console.domain.ids import short_case_no
from clerk_console.domain.masking import mask_id
from clerk_console.domain.parties import ApplicantKind
from clerk_console.ui.desk import ApplicantView


# lines per list: an agency filing for its clients can have hundreds of open cases (417 took
# 114-204 ms to paint); the panel shows the first ones and how many more there are
PANEL_LINES = 8


def _more(t: Text, total: int) -> None:
    if total > PANEL_LINES:
        t.append(f" …另 {total - PANEL_LINES} 件\n", style="dim")


def panel_text(view: ApplicantView | None, *, unmasked: bool = False, agent=None,
               error: str = "", kind_label: str = "") -> Text:
    t = Text()
    if error:
        t.append("扫码有误\n", style="bold red")
        t.append(error + "\n\n", style="red")
    if view is None:
        t.append("请扫描证件号、统一社会信用代码或项目代码", style="dim")
        return t
    a = view.applicant
    shown = view.code if unmasked else mask_id(view.code, view.kind)
    if a is None:
        t.append(f"{kind_label} {shown}\n", style="bold")
        t.append("库中无此申请人：按 F9 快速登记", style="yellow")
        return t
    if view.blacklist is not None:
        t.append(f"⚠ {view.blacklist.message}\n", style="bold white on red")
    t.append(a.name, style="bold")
    t.append(f"  {kind_label}\n{shown}\n")
    if a.phone:
        t.append(f"电话 {a.phone}\n")
    if view.owner is not None:
        t.append(f"项目单位 {view.owner.name}\n")
    if a.kind is ApplicantKind.ENTERPRISE and a.legal_rep_name:
        t.append(f"法定代表人 {a.legal_rep_name}\n")
    if a.address:
        t.append(f"{a.address}\n", style="dim")
    if agent is not None:
        t.append(f"经办人 {agent.name or ''} {mask_id(agent.id_number, agent.id_kind)}\n",
                 style="cyan")
    if view.elicences:
        t.append("电子证照：", style="green")
        t.append("、".join(e.name for e in view.elicences) + "\n")
    if view.deferrals:
        t.append("容缺待补（已受理）：\n", style="yellow")
        for c in view.deferrals[:PANEL_LINES]:
            t.append(f" {c.case_no} 限 {c.deadline:%m-%d} 前补 {len(c.owed)} 项\n")
        _more(t, len(view.deferrals))
    if view.corrections:  # 补正: nothing accepted yet, unlike a deferral
        t.append("待补正（未受理）：\n", style="yellow")
        for c in view.corrections[:PANEL_LINES]:
            told = f"{c.correction.notified_on:%m-%d} 告知" if c.correction else ""
            t.append(f" {c.case_no} {told}缺 {len(c.owed)} 项\n")
        _more(t, len(view.corrections))
    if view.ready:
        t.append("结果待取（F7 出件）：\n", style="green")
        for c in view.ready[:PANEL_LINES]:
            t.append(f" {c.case_no}\n")
        _more(t, len(view.ready))
    if view.partial:
        t.append("部分事项已决定（F7 查看，补正告知）：\n", style="yellow")
        for c in view.partial[:PANEL_LINES]:
            t.append(f" {c.case_no}\n")
        _more(t, len(view.partial))
    listed = {c.case_no for c in view.deferrals + view.corrections + view.ready + view.partial}
    others = [c for c in view.open_cases if c.case_no not in listed]
    if others:
        t.append(f"在办 {len(others)} 件：", style="dim")
        t.append(" ".join(short_case_no(c.case_no) for c in others[:6]) + "\n", style="dim")
    return t


class ApplicantPanel(Static):
    def show(self, view: ApplicantView | None, **kw) -> None:
        self.update(panel_text(view, **kw))
