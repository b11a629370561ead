"""Service ratings (好差评), bad-rating follow-ups and per-clerk item usage.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rating",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("case_no", sa.String(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(), nullable=False),
        sa.Column("clerk_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("case_no"))
    op.create_index("ix_rating_at", "rating", ["at"])
    op.create_table(
        "followup",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("case_no", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("due_estimated", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_followup_case_no", "followup", ["case_no"])
    op.create_index("ix_followup_due", "followup", ["due"])
    op.create_table(
        "item_usage",
        sa.Column("clerk_id", sa.String(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_used", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("clerk_id", "item"))


def downgrade() -> None:
    for name in ("item_usage", "followup", "rating"):
        op.drop_table(name)
