"""An e-licence is one row a holder: its identity is the ``key`` column
(``domain.parties.elicence_key``: holder, type, number), so the (type_code, number) constraint
goes. A certificate two holders hold under one number (a 结婚证, both spouses) kept only one
of them. Nothing looks e-licences up by (type, number), so no index replaces it.

A row still under the older ``type:number`` key (saved at the window before the one key) takes
its one key first, while the constraint still holds, so the new keys are unique too: without
the constraint a pulled row of the same licence would otherwise sit beside it. SQLite's
``upper``/``trim`` match ``elicence_key``'s on the holder's ASCII ID.

One table rebuild (batch mode), rows and their ids kept; the table may hold ~1M rows.

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# 0001 left both unique constraints unnamed: named here so the batch can drop the one
NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
TYPE_NUMBER = "uq_elicence_type_code_number"


def upgrade() -> None:
    op.execute("UPDATE elicence SET key = upper(trim(holder_id)) || '|' || type_code || '|' "
               "|| number WHERE key = type_code || ':' || number")
    with op.batch_alter_table("elicence", naming_convention=NAMES) as batch:
        batch.drop_constraint(TYPE_NUMBER, type_="unique")


def downgrade() -> None:
    # 0014 keeps one row per (type, number): of two holders, the row inserted last
    op.execute("DELETE FROM elicence WHERE id NOT IN "
               "(SELECT max(id) FROM elicence GROUP BY type_code, number)")
    with op.batch_alter_table("elicence", naming_convention=NAMES) as batch:
        batch.create_unique_constraint(TYPE_NUMBER, ["type_code", "number"])
