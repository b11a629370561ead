"""The dashboard's rollup (dashboard/rollup.py): per day and window and per day and
department the figures that do not depend on ``today``, and the marks of the days to rebuild;
partial indexes for the two figures counted live (open items, open follow-ups). Every day
that has facts is marked, so the first read builds the rollup.

Revision ID: bo0005
Revises: bo0004
"""
import sqlalchemy as sa
from alembic import op

from clerk_console.backoffice.migrations.ops import index, table

revision = "bo0005"
down_revision = "bo0004"
branch_labels = None
depends_on = None

FIGURES = ("taken", "deferrals_open", "deferrals_supplied", "deferrals_voided",
           "commitments_broken", "items", "on_time", "late", "rated", "good", "bad",
           "followup_none", "followup_verify", "followup_fix", "followup_answer",
           "followup_appeal", "followup_closed")


def _figures() -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES]


def upgrade() -> None:
    from clerk_console.backoffice.service.facts import mark_all_dirty

    table("bo_dashboard_window", *_figures(),
          sa.Column("day", sa.Date(), nullable=False),
          sa.Column("window_id", sa.String(), nullable=False),
          sa.PrimaryKeyConstraint("day", "window_id"))
    table("bo_dashboard_dept", *_figures(),
          sa.Column("day", sa.Date(), nullable=False),
          sa.Column("dept", sa.String(), nullable=False),
          sa.PrimaryKeyConstraint("day", "dept"))
    table("bo_dashboard_dirty",
          sa.Column("day", sa.Date(), nullable=False),
          sa.Column("gen", sa.BigInteger(), nullable=False),
          sa.PrimaryKeyConstraint("day"))
    index("ix_case_item_overdue", "bo_case_item",
          ["accepted_on", "due", "window_id", "dept", "case_status"],
          where={"postgresql": "open", "sqlite": "open = 1"})
    index("ix_followup_open", "bo_followup", ["due", "window_id", "case_no"],
          where={"postgresql": "status = 'open'", "sqlite": "status = 'open'"})
    mark_all_dirty(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_followup_open", "bo_followup")
    op.drop_index("ix_case_item_overdue", "bo_case_item")
    for name in ("bo_dashboard_dirty", "bo_dashboard_dept", "bo_dashboard_window"):
        op.drop_table(name)
