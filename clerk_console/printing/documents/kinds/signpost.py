"""路标指引单: where to go instead, with each department's address and what to bring."""
from __future__ import annotations

from clerk_console.domain.case import Outcome
from clerk_console.domain.catalogue import Item

from ..facts import Facts, closing, departments, intro, requirement
from ..model import Field, Section, Table
from ..registry import Kind, register

NAME = "signpost"


def body(f: Facts) -> list[Section]:
    return [intro(f, NAME), *_where_to_go(f), closing(f, NAME)]


def _where_to_go(f: Facts) -> list[Section]:
    out = []
    items = [i for i in f.items if isinstance(i, Item)]
    for dept in departments(f.case, f.catalogue, f.items):
        fields = (Field("办理部门", dept.name), Field("办理地点", f"{dept.hall}　{dept.address}"),
                  Field("联系窗口", dept.contact or "综合窗口"), Field("联系电话", dept.phone),
                  Field("办公时间", dept.hours))
        codes = [i.code for i in items if i.dept == dept.code] or [i.code for i in items]
        rows = tuple((line.material.name, "主要" if line.main else "次要", requirement(line))
                     for line in f.catalogue.checklist(codes))
        out.append(Section("请到以下地点办理", fields=fields))
        out.append(Section(f"需携带的材料（{dept.short_name}）",
                           table=Table(("材料名称", "类别", "要求"), rows)))
    if not out:
        hotline = f.context.hotline
        out.append(Section("请到以下地点办理", paragraphs=(
            f"服务目录中没有该事项办理部门的信息，请拨打服务热线 {hotline} 查询办理地点。",)))
    return out


register(Kind(NAME, 60, body, outcomes=(Outcome.SIGNPOSTED,), thermal=True, seal=False,
              reception=True))
