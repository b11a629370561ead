"""What the applicant takes home, as plain data. Pure: no I/O beyond the cached wording
templates, no reportlab.

``build`` turns a case into a ``Document``; the PDF, ESC/POS and text renderers all read the
same ``Document``, so every field is decided once, here. Each kind of case document is one
module in ``kinds/`` that registers itself (``registry.Kind``): its outcomes, its sections,
whether it fits a receipt printer and carries the seal. The placeholders its wording may use
are the fields of ``printing.context.NoticeContext``.
"""
from __future__ import annotations

from . import kinds as _kinds  # noqa: F401  (registers every kind)
from .build import build
from .facts import day_text, state_label, time_text, window_label
from .handover import HANDOVER, handover_report
from .model import Document, Field, Section, Table
from .registry import KINDS, Kind, kinds_for, ordered, register

# the kinds shipped, by name (a new kind needs no constant here)
RECEIPT = "receipt"
DEFERRAL_NOTICE = "deferral_notice"
DEFERRAL_COMMITMENT = "deferral_commitment"
ONE_TIME_NOTICE = "one_time_notice"
COMMITMENT_APPROVAL = "commitment_approval"
SIGNPOST = "signpost"
DELIVERY = "delivery"

CASE_KINDS = tuple(k.name for k in ordered() if not k.result)  # built from the case alone
RESULT_KINDS = tuple(k.name for k in ordered() if k.result)  # 出件: from the back office's result
THERMAL_KINDS = frozenset(k.name for k in ordered() if k.thermal)  # fit an 80 mm receipt

__all__ = ["build", "handover_report", "kinds_for", "Document", "Field", "Section", "Table",
           "Kind", "KINDS", "register", "ordered", "CASE_KINDS", "RESULT_KINDS", "THERMAL_KINDS",
           "HANDOVER",
           "RECEIPT", "DEFERRAL_NOTICE", "DEFERRAL_COMMITMENT", "ONE_TIME_NOTICE",
           "COMMITMENT_APPROVAL", "SIGNPOST", "DELIVERY", "day_text", "time_text",
           "window_label", "state_label"]
