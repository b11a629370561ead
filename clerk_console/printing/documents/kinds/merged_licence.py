"""行业综合许可证 (一证准营): one licence listing every permit of an industry bundle with its
number and validity, issued by the back office, printed at the window at 出件 (its QR opens the
case's progress page)."""
from __future__ import annotations

from ..facts import Facts, closing, date_text
from ..model import Field, Section, Table
from ..registry import Kind, register

NAME = "merged_licence"


def body(f: Facts) -> list[Section]:
    m = f.merged
    if m is None:
        return [Section("", paragraphs=("（未收到行业综合许可证信息）",))]
    until = date_text(m.valid_until) if m.valid_until else "长期"
    return [Section("", fields=(
                Field("许可证编号", m.number), Field("经营者名称", f.context.applicant),
                Field("证件号码", f.context.id_masked), Field("行业类别", m.industry),
                Field("有效期至", until), Field("发证日期", date_text(m.issued_on)),
                Field("办件编号", f.case.case_no))),
            Section("本证载明的许可事项", table=Table(
                ("许可事项", "发证部门", "许可证编号", "有效期"),
                tuple((p.name, p.dept_name, p.licence_no, p.validity) for p in m.permits))),
            Section("", paragraphs=(f.fill(NAME, "note"),), small=True),
            closing(f, NAME)]


register(Kind(NAME, 79, body, result="merged", own_header=True))
