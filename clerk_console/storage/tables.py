"""SQLModel tables of the local replica.

They use their own registry (``ReplicaModel``) so that the back office's tables, which live in
the same process during tests, never share a MetaData with them. Conversion to and from the
domain objects is in ``replica/codecs.py``; the schema itself is created by the alembic revisions in
``migrations/versions`` (tests compare both).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (JSON, Column, DateTime, ForeignKey, Index, Integer, String, Table,
                        UniqueConstraint)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class ReplicaModel(SQLModel, registry=registry()):
    __table__: ClassVar[Table]  # set on each table=True class (SQLModel does not declare it)


metadata = ReplicaModel.metadata

# Datetimes are the window's naive wall-clock time (the replica converts aware ones to local).


class WindowRow(ReplicaModel, table=True):
    __tablename__ = "window"
    code: str = Field(primary_key=True)  # YT0101
    name: str  # 综合受理1号窗口
    hall: str  # 烟台市政务服务中心
    level: str = "city"  # catalogue.Level value of the hall
    levels: list = Field(default_factory=list, sa_type=JSON)  # levels whose items it takes


class ClerkRow(ReplicaModel, table=True):
    __tablename__ = "clerk"
    id: str = Field(primary_key=True)
    name: str
    role: str = "clerk"  # clerk | supervisor
    pin_salt: bytes
    pin_hash: bytes
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=DateTime)
    active: bool = True


class ApplicantRow(ReplicaModel, table=True):
    __tablename__ = "applicant"
    id_number: str = Field(primary_key=True)
    id_kind: str
    kind: str
    name: str
    phone: str = ""
    address: str = ""
    legal_rep_id: str = ""
    legal_rep_name: str = ""
    related_ids: list = Field(default_factory=list, sa_type=JSON)
    region: str = ""
    note: str = ""
    nationality: str = ""
    updated_at: datetime | None = Field(default=None, sa_type=DateTime)


class RelatedPersonRow(ReplicaModel, table=True):
    __tablename__ = "related_person"
    __table_args__ = (UniqueConstraint("enterprise_id", "person_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: str = Field(index=True)
    person_id: str = Field(index=True)
    role: str  # 法定代表人 / 股东 / 高级管理人员
    name: str = ""


class ELicenceRow(ReplicaModel, table=True):
    __tablename__ = "elicence"
    id: int | None = Field(default=None, primary_key=True)
    # the sync key, domain.parties.elicence_key (holder, type, number): the one identity, so
    # two holders of one number (both spouses' 结婚证) are two rows (migration 0015)
    key: str = Field(sa_column=Column(String, unique=True, nullable=False))
    holder_id: str = Field(index=True)
    type_code: str
    name: str
    number: str
    issued: date | None = None
    expires: date | None = None


class BlacklistRow(ReplicaModel, table=True):
    __tablename__ = "blacklist"
    subject_id: str = Field(primary_key=True)
    name: str
    reason: str
    listed_on: date | None = None


class CatalogueSnapshotRow(ReplicaModel, table=True):
    __tablename__ = "catalogue_snapshot"
    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(sa_column=Column(String, unique=True, nullable=False))
    data: dict = Field(sa_type=JSON)
    stored_at: datetime = Field(sa_type=DateTime)


class CalendarYearRow(ReplicaModel, table=True):
    __tablename__ = "calendar_year"
    year: int = Field(primary_key=True)
    data: dict = Field(sa_type=JSON)


class CaseRow(ReplicaModel, table=True):
    __tablename__ = "case"
    __table_args__ = (Index("ix_case_applicant_status", "applicant_id", "status"),
                      Index("ix_case_status_deadline", "status", "deadline"))
    id: str = Field(primary_key=True)  # UUIDv7
    case_no: str = Field(sa_column=Column(String, unique=True, nullable=False))
    window_code: str
    clerk_id: str
    applicant_id: str
    applicant_name: str
    applicant_kind: str
    items: list = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(index=True, sa_type=DateTime)
    status: str
    outcome: str | None = None
    bundle: str | None = None
    agent_id: str = ""
    agent_name: str = ""
    accepted_at: datetime | None = Field(default=None, sa_type=DateTime)
    deadline: date | None = Field(default=None, index=True)
    deadline_estimated: bool = False
    promised_date: date | None = None
    signpost_dept: str = ""
    decision: str | None = None
    decided_at: datetime | None = Field(default=None, sa_type=DateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=DateTime)
    note: str = ""
    version: int = 0
    false_commitment: bool = False  # set by the back office when a commitment proved false
    # the key of the applicant's progress page (printed in the QR), made at the window
    progress_token: str = Field(default="", sa_column_kwargs={"server_default": ""})
    correction: dict | None = Field(default=None, sa_type=JSON)  # 补正 record (0013)
    extension: dict | None = Field(default=None, sa_type=JSON)  # art. 42 extension (0014)
    excluded: list | None = Field(default=None, sa_type=JSON)  # art. 45 periods (0014)


class CaseMaterialRow(ReplicaModel, table=True):
    __tablename__ = "case_material"
    __table_args__ = (UniqueConstraint("case_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(sa_column=Column(String, ForeignKey("case.id", ondelete="CASCADE"),
                                          nullable=False))
    position: int
    code: str
    name: str
    main: bool
    state: str
    original: bool = False
    reason: str = ""
    elicence_number: str = ""


class CaseSeqRow(ReplicaModel, table=True):
    """Last case-number sequence used per window and day (allocated in the write txn)."""

    __tablename__ = "case_seq"
    window_code: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    seq: int = 0


class AuditLogRow(ReplicaModel, table=True):
    """Append-only (triggers refuse UPDATE, DELETE and REPLACE) and hash-chained by ``seq``
    (``storage/replica/audit.py``)."""

    __tablename__ = "audit_log"
    id: str = Field(primary_key=True)  # UUIDv7
    at: datetime = Field(index=True, sa_type=DateTime)
    clerk_id: str
    action: str
    subject: str = Field(index=True)
    detail: dict = Field(default_factory=dict, sa_type=JSON)
    seq: int | None = Field(default=None, sa_column=Column(Integer, index=True, unique=True))
    prev_hash: str = Field(default="", sa_column_kwargs={"server_default": ""})
    hash: str = Field(default="", sa_column_kwargs={"server_default": ""})


class RatingRow(ReplicaModel, table=True):
    __tablename__ = "rating"
    id: str = Field(primary_key=True)  # UUIDv7
    case_no: str = Field(sa_column=Column(String, unique=True, nullable=False))
    level: int  # GB/T 39046: 1 非常满意 … 5 非常不满意
    comment: str = ""
    clerk_id: str
    at: datetime = Field(index=True, sa_type=DateTime)
    reasons: list = Field(default_factory=list, sa_type=JSON)  # GB/T 39734 bad-rating reasons
    entered_by: str = "clerk"  # pad (the applicant's own device) | clerk (the clerk's keys)


class FollowupRow(ReplicaModel, table=True):
    __tablename__ = "followup"
    id: str = Field(primary_key=True)  # UUIDv7
    case_no: str = Field(index=True)
    due: date = Field(index=True)
    due_estimated: bool = False
    status: str = "open"  # open | closed
    opened_at: datetime = Field(sa_type=DateTime)
    closed_at: datetime | None = Field(default=None, sa_type=DateTime)
    answer: str = ""
    # the 差评 loop (domain.followup): current step, its history, the rated clerk
    step: str = "verify"  # verify | fix | answer | appeal | closed
    rated_clerk: str = ""
    history: list = Field(default_factory=list, sa_type=JSON)
    resume: str = ""  # during an appeal: the step a rejected appeal returns to
    outcome: str = ""  # answered | excluded
    version: int = 0


class ItemUsageRow(ReplicaModel, table=True):
    __tablename__ = "item_usage"
    clerk_id: str = Field(primary_key=True)
    item: str = Field(primary_key=True)
    count: int = 0
    last_used: datetime = Field(sa_type=DateTime)


class OutboxRow(ReplicaModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_created", "status", "created_at"),)
    id: str = Field(primary_key=True)  # UUIDv7
    entity: str
    entity_id: str
    op: str  # upsert | delete
    payload: dict = Field(sa_type=JSON)
    payload_hash: str
    created_at: datetime = Field(sa_type=DateTime)
    status: str = "pending"  # pending | pushed | refused
    attempts: int = 0
    last_error: str = ""
    pushed_at: datetime | None = Field(default=None, sa_type=DateTime)


class SyncCursorRow(ReplicaModel, table=True):
    __tablename__ = "sync_cursor"
    dataset: str = Field(primary_key=True)
    cursor: str
    updated_at: datetime = Field(sa_type=DateTime)


class SyncStageRow(ReplicaModel, table=True):
    """A whole-dataset download in progress (first download or reset), appended page by page.

    Append-only: a tombstone is a row without payload, and the newest row of a key (highest
    ``id``) wins when the staged copy is swapped in. No index besides the rowid, so staging a
    page costs the same whatever order the keys arrive in; the swap sorts once.
    """

    __tablename__ = "sync_stage"
    id: int | None = Field(default=None, primary_key=True)
    dataset: str
    key: str
    payload: str | None = None  # the record's canonical JSON as received; None = tombstone


class NoticeQueueRow(ReplicaModel, table=True):
    """A case saved at the window whose notice has not printed yet (migration 0011)."""

    __tablename__ = "notice_queue"
    case_no: str = Field(primary_key=True)
    saved_at: datetime = Field(sa_type=DateTime)


class ItemDecisionRow(ReplicaModel, table=True):
    """The back office's decision on one item of a case (``domain.review.ItemDecision``), as
    the latest ``decisions`` record has it (migration 0012)."""

    __tablename__ = "item_decision"
    case_id: str = Field(primary_key=True)
    item: str = Field(primary_key=True)
    dept: str
    verdict: str  # approve | refuse | correct
    licence_no: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    reasons: str = ""
    legal_basis: str = ""
    missing: str = ""
    by: str
    at: datetime = Field(sa_type=DateTime)


class MergedLicenceRow(ReplicaModel, table=True):
    """The 行业综合许可证 of a case (an industry bundle), ``MergedLicenceWire`` JSON."""

    __tablename__ = "merged_licence"
    case_id: str = Field(primary_key=True)
    number: str
    data: dict = Field(sa_type=JSON)


class KvRow(ReplicaModel, table=True):
    __tablename__ = "kv"
    key: str = Field(primary_key=True)
    value: str
