"""Initial schema: reference data, people, cases, audit log, outbox and sync state.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = sa.String
T = sa.DateTime


def _col(name: str, type_: sa.types.TypeEngine[Any], nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "window", _col("code", S()), _col("name", S()), _col("hall", S()), _col("level", S()),
        _col("levels", sa.JSON()), sa.PrimaryKeyConstraint("code"))
    op.create_table(
        "clerk", _col("id", S()), _col("name", S()), _col("role", S()),
        _col("pin_salt", sa.LargeBinary()), _col("pin_hash", sa.LargeBinary()),
        _col("failed_attempts", sa.Integer()), _col("active", sa.Boolean()),
        sa.PrimaryKeyConstraint("id"))
    op.create_table(
        "applicant", _col("id_number", S()), _col("id_kind", S()), _col("kind", S()),
        _col("name", S()), _col("phone", S()), _col("address", S()), _col("legal_rep_id", S()),
        _col("legal_rep_name", S()), _col("related_ids", sa.JSON()), _col("region", S()),
        _col("note", S()), _col("updated_at", T(), True), sa.PrimaryKeyConstraint("id_number"))
    op.create_table(
        "related_person", _col("id", sa.Integer()), _col("enterprise_id", S()),
        _col("person_id", S()), _col("role", S()), _col("name", S()),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("enterprise_id", "person_id", "role"))
    op.create_index("ix_related_person_enterprise_id", "related_person", ["enterprise_id"])
    op.create_index("ix_related_person_person_id", "related_person", ["person_id"])
    op.create_table(
        "elicence", _col("id", sa.Integer()), _col("key", S()), _col("holder_id", S()),
        _col("type_code", S()),
        _col("name", S()), _col("number", S()), _col("issued", sa.Date(), True),
        _col("expires", sa.Date(), True), sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"), sa.UniqueConstraint("type_code", "number"))
    op.create_index("ix_elicence_holder_id", "elicence", ["holder_id"])
    op.create_table(
        "blacklist", _col("subject_id", S()), _col("name", S()), _col("reason", S()),
        _col("listed_on", sa.Date(), True), sa.PrimaryKeyConstraint("subject_id"))
    op.create_table(
        "catalogue_snapshot", _col("id", sa.Integer()), _col("version", S()),
        _col("data", sa.JSON()), _col("stored_at", T()), sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"))
    op.create_table(
        "calendar_year", _col("year", sa.Integer()), _col("data", sa.JSON()),
        sa.PrimaryKeyConstraint("year"))
    op.create_table(
        "case", _col("id", S()), _col("case_no", S()), _col("window_code", S()),
        _col("clerk_id", S()), _col("applicant_id", S()), _col("applicant_name", S()),
        _col("applicant_kind", S()), _col("items", sa.JSON()), _col("created_at", T()),
        _col("status", S()), _col("outcome", S(), True), _col("bundle", S(), True),
        _col("agent_id", S()), _col("agent_name", S()), _col("accepted_at", T(), True),
        _col("deadline", sa.Date(), True), _col("deadline_estimated", sa.Boolean()),
        _col("promised_date", sa.Date(), True), _col("signpost_dept", S()),
        _col("decision", S(), True), _col("decided_at", T(), True),
        _col("delivered_at", T(), True), _col("note", S()), _col("version", sa.Integer()),
        _col("false_commitment", sa.Boolean()),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("case_no"))
    op.create_index("ix_case_applicant_status", "case", ["applicant_id", "status"])
    op.create_index("ix_case_created_at", "case", ["created_at"])
    op.create_index("ix_case_deadline", "case", ["deadline"])
    op.create_index("ix_case_status", "case", ["status"])
    op.create_table(
        "case_material", _col("id", sa.Integer()), _col("case_id", S()),
        _col("position", sa.Integer()), _col("code", S()), _col("name", S()),
        _col("main", sa.Boolean()), _col("state", S()), _col("original", sa.Boolean()),
        _col("reason", S()), _col("elicence_number", S()),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("case_id", "code"))
    op.create_table(
        "case_seq", _col("window_code", S()), _col("day", sa.Date()), _col("seq", sa.Integer()),
        sa.PrimaryKeyConstraint("window_code", "day"))
    op.create_table(
        "audit_log", _col("id", S()), _col("at", T()), _col("clerk_id", S()),
        _col("action", S()), _col("subject", S()), _col("detail", sa.JSON()),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    op.create_table(
        "outbox", _col("id", S()), _col("entity", S()), _col("entity_id", S()), _col("op", S()),
        _col("payload", sa.JSON()), _col("payload_hash", S()), _col("created_at", T()),
        _col("status", S()), _col("attempts", sa.Integer()), _col("last_error", S()),
        _col("pushed_at", T(), True), sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_outbox_status_created", "outbox", ["status", "created_at"])
    op.create_table(
        "sync_cursor", _col("dataset", S()), _col("cursor", S()), _col("updated_at", T()),
        sa.PrimaryKeyConstraint("dataset"))
    op.create_table("kv", _col("key", S()), _col("value", S()), sa.PrimaryKeyConstraint("key"))


def downgrade() -> None:
    for name in ("kv", "sync_cursor", "outbox", "audit_log", "case_seq", "case_material", "case",
                 "calendar_year", "catalogue_snapshot", "blacklist", "elicence",
                 "related_person", "applicant", "clerk", "window"):
        op.drop_table(name)
