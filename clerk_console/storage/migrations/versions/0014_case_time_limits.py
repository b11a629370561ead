"""A case's time limit moved by law: the one extension (行政许可法 art. 42: 10 working days,
approved by the office's head, reason told) and the periods not counted (art. 45: hearing,
testing, expert review …). JSON columns on the case; older cases have neither.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs: a batch copy of "case" would cascade into case_material
    op.add_column("case", sa.Column("extension", sa.JSON(), nullable=True))
    op.add_column("case", sa.Column("excluded", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("case", "excluded")
    op.drop_column("case", "extension")
