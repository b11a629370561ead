"""The staging table of whole-dataset downloads, append-only (was created on demand).

Consoles before this revision created ``sync_stage`` themselves (keyed by dataset and key,
WITHOUT ROWID); a download in progress there is carried over row for row, so its position in
``kv`` (``sync_stage_<dataset>``) stays true and it resumes where it stopped.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD = "sync_stage_before_0004"


def _create() -> None:
    op.create_table(
        "sync_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("payload", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"))


def upgrade() -> None:
    existing = sa.inspect(op.get_bind()).has_table("sync_stage")
    if existing:
        op.rename_table("sync_stage", OLD)
    _create()
    if existing:
        op.execute(f"INSERT INTO sync_stage (dataset, key, payload) "
                   f"SELECT dataset, key, payload FROM {OLD} ORDER BY dataset, key")
        op.drop_table(OLD)


def downgrade() -> None:
    # back to the on-demand form of 0003: one row per (dataset, key), tombstones applied
    op.rename_table("sync_stage", OLD)
    op.execute("CREATE TABLE sync_stage (dataset TEXT NOT NULL, key TEXT NOT NULL, "
               "payload TEXT NOT NULL, PRIMARY KEY (dataset, key)) WITHOUT ROWID")
    op.execute(f"INSERT INTO sync_stage (dataset, key, payload) "
               f"SELECT dataset, key, payload FROM (SELECT dataset, key, payload, max(id) "
               f"FROM {OLD} GROUP BY dataset, key) WHERE payload IS NOT NULL")
    op.drop_table(OLD)
