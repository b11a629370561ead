"""Growing lockout (``clerk.locked_until``) and the audit log's hash chain (``audit_log.seq``,
``prev_hash``, ``hash``): entries of older consoles are chained here in id order.

Revision ID: 0006
Revises: 0005
"""
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from clerk_console.domain.hashing import audit_entry_hash as entry_hash
from clerk_console.storage.replica.audit import APPEND_ONLY_TRIGGERS

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clerk") as batch:
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{verb}")
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("hash", sa.String(), nullable=False, server_default=""))
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, at, clerk_id, action, subject, detail FROM audit_log ORDER BY id")).all()
    prev = ""
    for seq, (id_, at, clerk_id, action, subject, detail) in enumerate(rows, start=1):
        at = at if isinstance(at, datetime) else datetime.fromisoformat(at)
        detail = json.loads(detail) if isinstance(detail, str) else (detail or {})
        digest = entry_hash(prev, seq, id_, at, clerk_id, action, subject, detail)
        conn.execute(sa.text("UPDATE audit_log SET seq = :seq, prev_hash = :prev, hash = :h "
                             "WHERE id = :id"), {"seq": seq, "prev": prev, "h": digest, "id": id_})
        prev = digest
    op.create_index("ix_audit_log_seq", "audit_log", ["seq"], unique=True)
    for statement in APPEND_ONLY_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{verb}")
    op.drop_index("ix_audit_log_seq", "audit_log")
    with op.batch_alter_table("audit_log") as batch:
        for column in ("hash", "prev_hash", "seq"):
            batch.drop_column(column)
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    with op.batch_alter_table("clerk") as batch:
        batch.drop_column("locked_until")
