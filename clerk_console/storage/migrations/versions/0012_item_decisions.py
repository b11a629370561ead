"""后台分类审批 on the window: the back office's decision on each item of a case (an item
approved with its licence number and validity, refused with reasons and legal basis, or sent
back for 补正 with what is missing), the 行业综合许可证 of an industry bundle, and the case's
progress token (the unguessable key of the applicant's progress page, printed in the QR).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_decision",
        sa.Column("case_id", sa.String(), primary_key=True),
        sa.Column("item", sa.String(), primary_key=True),
        sa.Column("dept", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("licence_no", sa.String(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("reasons", sa.String(), nullable=False),
        sa.Column("legal_basis", sa.String(), nullable=False),
        sa.Column("missing", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "merged_licence",
        sa.Column("case_id", sa.String(), primary_key=True),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("progress_token", sa.String(), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_column("progress_token")
    op.drop_table("merged_licence")
    op.drop_table("item_decision")
