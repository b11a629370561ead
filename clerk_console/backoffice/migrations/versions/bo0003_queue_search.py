"""The workbench queue's search box matches one column (``bo_case_item.search``: case number,
masked applicant and item name, upper case; ``service.review.search_text``) within its own
index, and a supervisor's every-department queue reads an index on (open, due).

Revision ID: bo0003
Revises: bo0002
"""
import sqlalchemy as sa
from alembic import op

from clerk_console.backoffice.migrations.ops import index, table

revision = "bo0003"
down_revision = "bo0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table("bo_case_item", sa.Column("search", sa.String(), nullable=False))
    op.execute("UPDATE bo_case_item SET search = UPPER(case_no || '|' || applicant || '|' "
               "|| item_name) WHERE search = ''")
    index("ix_case_item_search", "bo_case_item", ["dept", "open", "search"])
    index("ix_case_item_all", "bo_case_item", ["open", "due"])


def downgrade() -> None:
    op.drop_index("ix_case_item_all", "bo_case_item")
    op.drop_index("ix_case_item_search", "bo_case_item")
    with op.batch_alter_table("bo_case_item") as batch:
        batch.drop_column("search")
