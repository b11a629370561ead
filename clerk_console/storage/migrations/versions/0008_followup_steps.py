"""The 差评 loop: a follow-up's current step (核实/整改/反馈/申诉复核), its history, the rated
clerk, the outcome and a version. Open follow-ups of older consoles start at 核实; closed
ones keep their answer and are marked answered.

Revision ID: 0008
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"  # 0007 (claimed by workbench) was not on main when this landed
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("followup") as batch:
        batch.add_column(sa.Column("step", sa.String(), nullable=False, server_default="verify"))
        batch.add_column(sa.Column("rated_clerk", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("history", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("resume", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("outcome", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE followup SET step = 'closed', outcome = 'answered' WHERE status = 'closed'")
    op.execute("UPDATE followup SET rated_clerk = COALESCE((SELECT clerk_id FROM rating "
               "WHERE rating.case_no = followup.case_no), '')")


def downgrade() -> None:
    with op.batch_alter_table("followup") as batch:
        for name in ("version", "outcome", "resume", "history", "rated_clerk", "step"):
            batch.drop_column(name)
