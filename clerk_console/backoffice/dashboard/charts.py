"""Server-rendered SVG charts (no script, no library): horizontal stacked bars with a
legend. Every text is escaped; each chart carries its title for screen readers."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .service import Dashboard, Figures

LABEL_W = 150  # px for the row labels
BAR_H = 18
ROW_H = 26
VALUE_W = 60


def stacked_bars(title: str, rows: Sequence[tuple[str, Sequence[int]]],
                 series: Sequence[tuple[str, str]], *, width: int = 720) -> str:
    """One horizontal bar per row, its parts coloured by ``series`` ``(name, colour)``; the
    bars share one scale (the longest row fills the width)."""
    top = 28
    legend_y = top + max(1, len(rows)) * ROW_H + 8
    height = legend_y + 22
    scale_w = width - LABEL_W - VALUE_W
    longest = max((sum(v) for _l, v in rows), default=0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
           f'<text x="0" y="16" class="chart-title" font-size="15" font-weight="bold">'
           f'{escape(title)}</text>']
    if not rows or longest == 0:
        out.append(f'<text x="{LABEL_W}" y="{top + 14}" font-size="13" fill="#666">'
                   '所选日期内没有数据</text>')
    for n, (label, values) in enumerate(rows):
        y = top + n * ROW_H
        out.append(f'<text x="{LABEL_W - 8}" y="{y + 14}" font-size="13" text-anchor="end">'
                   f'{escape(label)}</text>')
        x = float(LABEL_W)
        for (name, colour), value in zip(series, values, strict=True):
            if value <= 0 or longest == 0:
                continue
            w = scale_w * value / longest
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_H}" '
                       f'fill="{colour}"><title>{escape(label)} {escape(name)}：{value}</title>'
                       '</rect>')
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + 14}" font-size="12" class="bar-total">'
                   f'{sum(values)}</text>')
    x = 0
    for name, colour in series:
        out.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 16}" y="{legend_y + 11}" font-size="12">{escape(name)}</text>')
        x += 24 + 14 * len(name)
    out.append("</svg>")
    return "".join(out)


GREEN, ORANGE, RED, GREY, BLUE, PURPLE = ("#2e7d32", "#ef6c00", "#c62828", "#90a4ae",
                                          "#1565c0", "#6a1b9a")
CASE_SERIES = (("按时办结", GREEN), ("逾期办结", ORANGE), ("逾期未办结", RED), ("其他在办", GREY))
RATING_SERIES = (("好评（满意及以上）", GREEN), ("差评", RED))
FOLLOWUP_SERIES = (("未建回访", GREY), ("核实", BLUE), ("整改", ORANGE), ("反馈", PURPLE),
                   ("申诉复核", RED), ("办结", GREEN))


def _case_parts(f: Figures) -> list[int]:
    other = max(0, f.items - f.on_time - f.late - f.overdue_open)
    return [f.on_time, f.late, f.overdue_open, other]


def _followup_parts(f: Figures) -> list[int]:
    return [f.followup_none, f.followup_verify, f.followup_fix, f.followup_answer,
            f.followup_appeal, f.followup_closed]


def charts(d: Dashboard) -> dict[str, str]:
    """The dashboard's charts by name: cases per window and per department, ratings per
    window, and the bad ratings' follow-up state per window."""
    return {
        "windows": stacked_bars("各窗口受理事项办结情况", [(r.label, _case_parts(r.figures))
                                             for r in d.windows], CASE_SERIES),
        "departments": stacked_bars("各部门受理事项办结情况", [(r.label, _case_parts(r.figures))
                                                 for r in d.departments], CASE_SERIES),
        "ratings": stacked_bars("各窗口好差评", [(r.label, [r.figures.good, r.figures.bad])
                                           for r in d.windows], RATING_SERIES),
        "followups": stacked_bars("差评回访整改进度（核实→整改→反馈）",
                                  [(r.label, _followup_parts(r.figures)) for r in d.windows
                                   if r.figures.bad], FOLLOWUP_SERIES),
    }
