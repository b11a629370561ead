"""Applicants' nationality (foreigners: ISO 3166-1 alpha-3), asked by quick entry for
passports and permanent residence IDs.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applicant") as batch:
        batch.add_column(sa.Column("nationality", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("applicant") as batch:
        batch.drop_column("nationality")
