"""The 补正 record of a one-time notice (行政许可法 art. 32(1)(4)-(5)): what the applicant was
told to supply and the day it was all in, so the same case goes on and is accepted from that
day. A JSON column on the case; cases noticed before have none (their notice stays terminal).

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy of "case" would cascade into case_material
    op.add_column("case", sa.Column("correction", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("case", "correction")
