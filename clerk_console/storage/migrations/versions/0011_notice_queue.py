"""The notices still to print: a row per case saved at the window, written in the case's own
transaction and deleted once its notice has printed, so a crash or a kill between saving and
printing is found on the next start.

Revision ID: 0011
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_queue",
        sa.Column("case_no", sa.String(), primary_key=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notice_queue")
