"""The rating pad: a rating's GB/T 39734 reasons (bad ratings) and who entered it, the
applicant on the pad or the clerk on the keyboard. Ratings of older consoles were all typed
by the clerk.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rating") as batch:
        batch.add_column(sa.Column("reasons", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("entered_by", sa.String(), nullable=False,
                                   server_default="clerk"))


def downgrade() -> None:
    with op.batch_alter_table("rating") as batch:
        batch.drop_column("entered_by")
        batch.drop_column("reasons")
