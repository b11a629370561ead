"""Deferrals due: one index on (status, deadline) instead of status alone.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_case_status", table_name="case")
    op.create_index("ix_case_status_deadline", "case", ["status", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_case_status_deadline", table_name="case")
    op.create_index("ix_case_status", "case", ["status"])
