"""The dashboard counts items (on time, late, overdue) from ``bo_case_item``: an index on
the day the case was taken, and the items of cases stored before the workbench indexed as
push indexes them (the decided ones closed at their decision's time).

Revision ID: bo0002
Revises: bo0001
"""
from datetime import datetime, timezone

from alembic import op

from clerk_console.backoffice.migrations.ops import index

revision = "bo0002"
down_revision = "bo0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from clerk_console.backoffice.service.facts import backfill_items

    index("ix_case_item_taken", "bo_case_item", ["accepted_on", "window_id"])
    backfill_items(op.get_bind(), datetime.now(timezone.utc))


def downgrade() -> None:
    op.drop_index("ix_case_item_taken", "bo_case_item")
