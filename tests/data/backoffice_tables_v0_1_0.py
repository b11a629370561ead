"""The back office's tables as release 0.1.0 made them (its create_all, before migrations): the
"previous schema" tests/test_backoffice_migrations.py upgrades. A frozen copy: never edit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Window(SQLModel, table=True):
    __tablename__ = "bo_window"
    id: str = Field(primary_key=True)
    code: str = Field(unique=True, index=True)
    region: str = ""
    token_hash: str | None = Field(default=None, index=True)
    enroll_code_hash: str | None = Field(default=None, index=True)
    enroll_expires: datetime | None = None
    enrolled_at: datetime | None = None
    revoked_at: datetime | None = None
    created_at: datetime


class ReceivedEvent(SQLModel, table=True):
    """Every pushed event once: the unique (window_id, event_id) de-duplicates retries."""

    __tablename__ = "bo_received_event"
    __table_args__ = (UniqueConstraint("window_id", "event_id", name="uq_received_window_event"),)
    id: int | None = Field(default=None, sa_column=Column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True))
    window_id: str
    event_id: str
    payload_hash: str
    status: str  # ItemStatus value of the first answer
    message: str = ""
    received_at: datetime


class ServerCase(SQLModel, table=True):
    __tablename__ = "bo_case"
    id: str = Field(primary_key=True)  # the client-made case id
    case_no: str = Field(index=True)
    window_id: str = Field(index=True)
    version: int
    status: str
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    updated_at: datetime


class ChangeLog(SQLModel, table=True):
    """Current state of every pulled record, one row per (dataset, scope, key).

    Each change moves the row to a new ``seq`` taken from the locked counter, so readers see
    sequences in commit order. Deletions stay as tombstones until compacted.
    """

    __tablename__ = "bo_change_log"
    __table_args__ = (Index("ix_change_log_read", "dataset", "scope", "seq"),)
    dataset: str = Field(primary_key=True)
    scope: str = Field(primary_key=True)  # "" global, a region code, or a window id
    key: str = Field(primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    deleted: bool = False
    hash: str = ""
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class Counter(SQLModel, table=True):
    __tablename__ = "bo_counter"
    name: str = Field(primary_key=True)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


class DatasetFloor(SQLModel, table=True):
    """Tombstones at or below ``floor`` were compacted away: older cursors must re-download."""

    __tablename__ = "bo_dataset_floor"
    dataset: str = Field(primary_key=True)
    floor: int = Field(sa_column=Column(BigInteger, nullable=False))


class DecisionRecord(SQLModel, table=True):
    __tablename__ = "bo_decision"
    case_id: str = Field(primary_key=True)
    case_no: str
    window_id: str
    decision: str
    decided_at: datetime
    decided_by: str


class AdminLog(SQLModel, table=True):
    """Append-only log of admin actions; subjects are codes and counts, never personal data."""

    __tablename__ = "bo_admin_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str = ""


class ServerRating(SQLModel, table=True):
    """A service rating (好差评) given at a window, one per case."""

    __tablename__ = "bo_rating"
    id: str = Field(primary_key=True)  # the client-made rating id
    window_id: str = Field(index=True)
    case_no: str = Field(index=True)
    level: int  # GB/T 39046: 1 非常满意 … 5 非常不满意
    payload: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime
