"""The dashboard counts items (on time, late, overdue) from ``bo_case_item``: an index on
the day the case was taken, and the items of cases stored before the workbench indexed as
push indexes them (the decided ones closed at their decision's time).

Revision ID: bo0002
Revises: bo0001
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from clerk_console.backoffice.migrations.ops import index, table

revision = "bo0002"
down_revision = "bo0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from clerk_console.backoffice.service.facts import backfill_items

    index("ix_case_item_taken", "bo_case_item", ["accepted_on", "window_id"])
    # the backfill writes rows as today's push does: with bo0003's search column (bo0003
    # finds it there and only fills and indexes it)
    table("bo_case_item", sa.Column("search", sa.String(), nullable=False))
    backfill_items(op.get_bind(), datetime.now(timezone.utc))


def downgrade() -> None:
    op.drop_index("ix_case_item_taken", "bo_case_item")
