"""Quick entry of an applicant the replica does not know yet."""
from __future__ import annotations

from dataclasses import replace

from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.ui.widgets.field import Field
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from clerk_console.domain.codes import holders
from clerk_console.domain.masking import ORGANISATION_KINDS, mask_id
from clerk_console.domain.codes import RESIDENT_ID
from clerk_console.domain.names import normalize_name
from clerk_console.domain.parties import Applicant, ApplicantKind
from clerk_console.domain.registration import holder_name_error, normalize_phone, phone_error
from clerk_console.ui.screens.dialogs import HoldsScan, held_scan_line


class QuickEntryScreen(HoldsScan, ModalScreen[Applicant | None]):
    BINDINGS = [Binding("escape", "cancel", "取消", id="quick_entry.cancel")]
    HELD_TEXT = "已扫描新的证件：回车保存本登记或 Esc 放弃后，自动打开新证件"

    def __init__(self, code: str, kind: str, kind_label: str, existing: Applicant | None = None,
                 *, agent_for: str = "", details: dict | None = None,
                 prefill: dict | None = None):
        """``agent_for``: the enterprise's name when this person comes as its agent (经办人);
        the phone is then optional. ``details``: what identify() found in the document
        (nationality, issuing state); ``prefill``: what a card reader or the MRZ said about
        the holder (name, address, nationality), shown for the clerk to confirm."""
        super().__init__()
        self.details = details or {}
        self.prefill = prefill or {}
        self.agent_for = agent_for
        self.code = code
        self.kind = kind
        self.kind_label = kind_label
        self.existing = existing

    def compose(self) -> ComposeResult:
        org = self.kind in ORGANISATION_KINDS
        with Vertical(classes="dialog"):
            yield Label(f"登记经办人 · 代 {self.agent_for} 办理" if self.agent_for
                        else "快速登记申请人", classes="dialog-title")
            yield Label(f"{self.kind_label} {mask_id(self.code, self.kind)}")
            if self.prefill and not self.existing:
                yield Label("已从读卡器带入证件上的信息，请与证件核对后回车", classes="hint")
            name = self.existing.name if self.existing else self.prefill.get("name", "")
            yield Field(value=name, id="qe-name",
                        placeholder="单位名称" if org else holders.name_prompt(self.kind, self.details))
            if self.asks_nationality:
                nationality = ((self.existing.nationality if self.existing else "")
                               or self.prefill.get("nationality")
                               or holders.nationality_of(self.kind, self.details))
                yield Field(value=nationality, id="qe-nationality",
                            placeholder="国籍（三字母代码，如 USA、GBR、JPN）")
            if self.prefill.get("address") and not (self.existing and self.existing.address):
                yield Field(value=self.prefill["address"], id="qe-address", placeholder="住址")
            yield Field(value=self.existing.phone if self.existing else "",
                        placeholder="联系电话（可不填）" if self.agent_for else "联系电话",
                        id="qe-phone")
            if org:
                yield Field(value=self.existing.legal_rep_name if self.existing else "",
                            placeholder="法定代表人（可不填）", id="qe-rep")
            yield Static("", classes="error", id="qe-error")
            yield held_scan_line()
        yield KeyBar()

    @property
    def asks_nationality(self) -> bool:
        return holders.asks_nationality(self.kind, self.details)

    def on_mount(self) -> None:
        self.query_one("#qe-name", Input).focus()
        self.initial = self.typed()

    def typed(self) -> dict[str, str]:
        return {field.id: field.value for field in self.query(Input)}

    def holds_work(self) -> bool:
        """Something was typed: a scan must not throw it away."""
        return self.typed() != getattr(self, "initial", {})

    def hold_scan(self, code: str) -> bool:
        return code.strip().upper() == self.code or super().hold_scan(code)  # the same card

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        if (event.input.id == "qe-name" and not self.query_one("#qe-phone", Input).value
                and not self.agent_for):
            self.query_one("#qe-phone", Input).focus()
            return
        org = self.kind in ORGANISATION_KINDS
        name = normalize_name(self.query_one("#qe-name", Input).value)
        phone = normalize_phone(self.query_one("#qe-phone", Input).value)
        reps = self.query("#qe-rep")
        rep = normalize_name(reps.first(Input).value) if reps else ""
        nationalities = self.query("#qe-nationality")
        nationality = nationalities.first(Input).value.strip().upper() if nationalities else ""
        addresses = self.query("#qe-address")
        address = addresses.first(Input).value.strip() if addresses else ""
        checks = [("#qe-name", holder_name_error(name, self.kind, self.details)),
                  ("#qe-nationality",
                   holders.nationality_error(nationality) if self.asks_nationality else ""),
                  ("#qe-phone", phone_error(phone, optional=bool(self.agent_for))),
                  ("#qe-rep", holder_name_error(rep, RESIDENT_ID) if rep else "")]
        wrong = next(((field, error) for field, error in checks if error), None)
        if wrong:
            self.query_one("#qe-error", Static).update(wrong[1])
            self.query_one(wrong[0], Input).focus()
            return
        kind = (ApplicantKind.PROJECT if self.kind == "project_code" else ApplicantKind.ENTERPRISE) \
            if org else ApplicantKind.PERSON
        base = self.existing or Applicant(id_number=self.code, id_kind=self.kind, kind=kind, name=name)

        self.close(replace(base, name=name, phone=phone,
                             legal_rep_name=rep or base.legal_rep_name,
                             nationality=nationality or base.nationality,
                             address=address or base.address))

    def action_cancel(self) -> None:
        self.close(None)
