"""The dashboard as CSV: UTF-8 with a BOM, so Excel on a Chinese PC opens it with the
Chinese intact; one row per window and per department, then the total."""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from .service import Dashboard, Figures

COLUMNS = (("taken", "受理件数"), ("items", "事项数"), ("on_time", "按时办结"), ("late", "逾期办结"),
           ("overdue_open", "逾期未办结"), ("deferrals_open", "容缺待补"),
           ("deferrals_supplied", "容缺已补齐"), ("deferrals_voided", "容缺废止"),
           ("commitments_broken", "承诺未践行"), ("rated", "评价数"), ("good", "好评"),
           ("bad", "差评"), ("satisfaction", "满意率"), ("followup_none", "差评未建回访"),
           ("followup_verify", "核实中"), ("followup_fix", "整改中"), ("followup_answer", "待反馈"),
           ("followup_appeal", "申诉复核"), ("followup_closed", "回访办结"),
           ("followup_overdue", "回访逾期"))
BOM = "\ufeff"


def rate_label(rate: float | None) -> str:
    """A satisfaction rate as shown and exported: ``96.5%``, or ``—`` without ratings."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _cell(text: str) -> str:
    """A label that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _values(f: Figures) -> list[str]:
    return [rate_label(f.satisfaction) if k == "satisfaction" else str(getattr(f, k))
            for k, _h in COLUMNS]


def to_csv(d: Dashboard) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["统计范围", "编码", "名称", *(h for _k, h in COLUMNS)])
    for kind, rows in (("窗口", d.windows), ("部门", d.departments)):
        for r in rows:
            w.writerow([kind, _cell(r.key), _cell(r.label), *_values(r.figures)])
    w.writerow(["合计", "", f"{d.start.isoformat()}至{d.end.isoformat()}", *_values(d.total)])
    return (BOM + out.getvalue()).encode("utf-8")


def filename(d: Dashboard) -> str:
    """The Content-Disposition value: a Chinese name for browsers, an ASCII one for others."""
    name = f"监管评价_{d.start.isoformat()}_{d.end.isoformat()}.csv"
    return (f'attachment; filename="dashboard_{d.start.isoformat()}_{d.end.isoformat()}.csv"; '
            f"filename*=UTF-8''{quote(name)}")
