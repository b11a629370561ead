"""The back office's own tables (SQLModel), separate from the console's replica."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint, text
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
    # the code last consumed and the window's install id, hashed: a retry of a lost enroll
    # answer from the same window gets a fresh token instead of "code used"
    used_code_hash: str | None = None
    install_hash: str | None = None
    hostname: str = ""
    # the token that stopped working at a replacement or revocation: told apart from a
    # made-up token so the old PC is told what happened
    previous_token_hash: str | None = Field(default=None, index=True)
    replaced_at: datetime | None = None


class ReceivedEvent(SQLModel, table=True):
    """Every pushed event once: the unique (window_id, event_id) de-duplicates retries."""

    __tablename__ = "bo_received_event"
    __table_args__ = (UniqueConstraint("window_id", "event_id", name="uq_received_window_event"),
                      Index("ix_received_event_at", "received_at"))  # retention.prune_events
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
    # a case number names one case of its window (a restored backup must not reuse it)
    __table_args__ = (Index("uq_case_window_no", "window_id", "case_no", unique=True),
                      Index("ix_case_taken", "taken_on", "window_id"))  # the dashboard
    id: str = Field(primary_key=True)  # the client-made case id
    case_no: str = Field(index=True)
    window_id: str = Field(index=True)
    version: int
    status: str
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    updated_at: datetime
    # the dashboard's facts (service/facts.py), copied from the payload at each push so the
    # supervision figures are SQL aggregates over plain columns; NULL item_codes: not filled
    outcome: str | None = None
    taken_on: date | None = None  # the day the window took the case (China time)
    promised_date: date | None = None  # 承诺办结日期
    item_codes: str | None = None  # the case's item codes, sorted, comma-separated
    decided_on: date | None = None  # the day the back office decided it (China time)


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


class ServerAuditEntry(SQLModel, table=True):
    """The back office's copy of each window's audit log, entry by entry as pushed (append
    only: an entry already held is never replaced; one that differs is a finding)."""

    __tablename__ = "bo_audit_entry"
    window_id: str = Field(primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    id: str
    at: str  # the window's own local time as it hashed it (ISO, microseconds)
    clerk_id: str
    action: str
    subject: str
    detail: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    prev_hash: str
    hash: str
    received_at: datetime


class AdminLog(SQLModel, table=True):
    """Append-only log of admin actions; subjects are codes and counts, never personal data."""

    __tablename__ = "bo_admin_log"
    __table_args__ = (Index("ix_admin_action_at", "action", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str = ""


class ServerRating(SQLModel, table=True):
    """A service rating (好差评) given at a window, one per case."""

    __tablename__ = "bo_rating"
    __table_args__ = (Index("uq_rating_window_case", "window_id", "case_no", unique=True),)
    id: str = Field(primary_key=True)  # the client-made rating id
    window_id: str = Field(index=True)
    case_no: str = Field(index=True)
    level: int  # GB/T 39046: 1 非常满意 … 5 非常不满意
    payload: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime
    rated_on: date | None = Field(default=None, index=True)  # the window's day (China time)
    item_codes: str | None = None  # the rated case's (bo_case.item_codes), for the dashboard


class ServerFollowup(SQLModel, table=True):
    """A bad rating's follow-up (差评 核实/整改/反馈/申诉复核) as its window last reported it."""

    __tablename__ = "bo_followup"
    # the dashboard's 回访逾期, counted live: only the open follow-ups
    __table_args__ = (Index("ix_followup_open", "due", "window_id", "case_no",
                            postgresql_where=text("status = 'open'"),
                            sqlite_where=text("status = 'open'")),)
    id: str = Field(primary_key=True)  # the client-made follow-up id
    window_id: str = Field(index=True)
    case_no: str = Field(index=True)
    step: str  # domain.followup.Step
    status: str  # open | closed
    due: date = Field(index=True)  # the current step's deadline
    version: int
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    updated_at: datetime


class ServerContact(SQLModel, table=True):
    """Where a case's messages go, as its window last reported it (phone, opt-out)."""

    __tablename__ = "bo_sms_contact"
    window_id: str = Field(primary_key=True)
    case_no: str = Field(primary_key=True)
    phone: str = ""  # a mainland mobile number, or "" (no messages)
    opt_out: bool = False
    recorded_at: str = ""  # the window's own clock (ISO), for the record only
    received_at: datetime  # the events of a window arrive in its order: the last one holds


class SmsMessage(SQLModel, table=True):
    """The message outbox: one row per message ever due (``key`` unique: each once), sent by
    ``backoffice/sms.py``; a gateway outage leaves rows pending, never lost."""

    __tablename__ = "bo_sms_outbox"
    __table_args__ = (Index("ix_sms_pending", "status", "next_at"),
                      Index("ix_sms_phone_sent", "phone", "sent_at"))
    id: str = Field(primary_key=True)  # UUIDv7, sent as the provider's OutId
    key: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    window_id: str
    case_no: str
    kind: str  # domain.messages.MessageKind
    params: str = Field(sa_column=Column(Text, nullable=False))  # JSON, already scrubbed
    status: str = "pending"  # pending | sending | sent | failed | opted_out | no_phone
    attempts: int = 0
    last_error: str = ""
    phone: str = ""  # filled when sent (the daily cap counts by it)
    created_at: datetime
    next_at: datetime
    sent_at: datetime | None = None


# ---------------------------------------------------------------- the workbench (后台分类审批)
# Times in these tables are aware UTC (service.accounts.utc), as in the tables above.


class Account(SQLModel, table=True):
    """A person who signs in to the workbench: a department's reviewer (审批人员, ``dept``
    set), a hall supervisor (大厅负责人) or an administrator (系统管理员)."""

    __tablename__ = "bo_account"
    id: str = Field(primary_key=True)  # the login name, lower case
    name: str = ""  # shown on pages and in the audit log; a staff name, not an applicant's
    role: str  # domain.workbench.ROLES
    dept: str = Field(default="", index=True)  # Department.code, reviewers only
    password_hash: str  # argon2id (domain.passwords)
    active: bool = True
    failed_attempts: int = 0  # wrong passwords in a row (domain.accounts.lock_after)
    locked_until: datetime | None = None
    created_at: datetime
    password_changed_at: datetime | None = None


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie's token is kept only as its SHA-256."""

    __tablename__ = "bo_web_session"
    token_hash: str = Field(primary_key=True)
    account_id: str = Field(index=True)
    csrf: str  # the form token of this session (every POST carries it)
    created_at: datetime
    seen_at: datetime  # last request (idle expiry)
    expires_at: datetime  # absolute expiry


class CaseItem(SQLModel, table=True):
    """One item of a pushed case, as a department's queue lists it: filled and kept current
    by push (service.review.index_cases), decided on the workbench. The queue reads only this
    table, through ``ix_case_item_queue``."""

    __tablename__ = "bo_case_item"
    __table_args__ = (Index("ix_case_item_queue", "dept", "open", "due", "case_no", "item"),
                      # the search box: matched within the index, rows read only for hits
                      Index("ix_case_item_search", "dept", "open", "search"),
                      # a supervisor's every department
                      Index("ix_case_item_all", "open", "due", "case_no", "item"),
                      Index("ix_case_item_case_no", "case_no"),
                      Index("ix_case_item_taken", "accepted_on", "window_id"),  # dashboard
                      # the dashboard's 逾期未办结, counted live: only the open items
                      Index("ix_case_item_overdue", "accepted_on", "due", "window_id", "dept",
                            "case_status", postgresql_where=text("open"),
                            sqlite_where=text("open = 1")))
    case_id: str = Field(primary_key=True)
    item: str = Field(primary_key=True)  # Item.code
    dept: str  # Department.code of the deciding department
    open: bool = True  # waiting for a final decision in its department's queue
    case_no: str
    window_id: str
    window_code: str = ""
    bundle: str = ""
    item_name: str = ""
    applicant: str = ""  # masked (domain.masking), never the name in clear
    accepted_on: date | None = None
    due: date | None = None  # 承诺时限 of this item (working days from acceptance)
    case_status: str = ""  # deferred / approved_on_commitment are marked on the queue
    # what the queue's search box matches (case number, masked applicant, item name), upper case
    search: str = ""
    verdict: str = ""  # the current decision's verdict ("" none)
    decision: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decided_at: datetime | None = None
    updated_at: datetime


class ProgressLink(SQLModel, table=True):
    """The applicant's progress page of a case: the token made at the window (printed in the
    QR code), kept only as its SHA-256; never found by case number."""

    __tablename__ = "bo_progress_link"
    token_hash: str = Field(primary_key=True)
    case_id: str = Field(index=True)


# ---------------------------------------------------------------- the dashboard's rollup
# Per day, the supervision figures that do not depend on the day they are read
# (dashboard/rollup.py); a day whose facts changed is marked in bo_dashboard_dirty by the write
# that changed them (service.facts.mark_dirty) and rebuilt at the next read.


class _DayFigures(SQLModel):
    """The figures of one day that ``today`` does not change (dashboard.service.ROLLED)."""

    taken: int = 0
    deferrals_open: int = 0
    deferrals_supplied: int = 0
    deferrals_voided: int = 0
    commitments_broken: int = 0
    items: int = 0
    on_time: int = 0
    late: int = 0
    rated: int = 0
    good: int = 0
    bad: int = 0
    followup_none: int = 0
    followup_verify: int = 0
    followup_fix: int = 0
    followup_answer: int = 0
    followup_appeal: int = 0
    followup_closed: int = 0


class DashboardWindowDay(_DayFigures, table=True):
    """A window's figures of one day: cases by ``taken_on``, items by ``accepted_on``,
    ratings by ``rated_on``."""

    __tablename__ = "bo_dashboard_window"
    day: date = Field(primary_key=True)
    window_id: str = Field(primary_key=True)


class DashboardDeptDay(_DayFigures, table=True):
    """A department's figures of one day (a case or rating counts for every department among
    its items, by the published catalogue; an item for its own ``bo_case_item.dept``)."""

    __tablename__ = "bo_dashboard_dept"
    day: date = Field(primary_key=True)
    dept: str = Field(primary_key=True)


class DashboardDirty(SQLModel, table=True):
    """A day whose rollup is stale; each write that marks it raises ``gen``, so a rebuild
    clears only the marks it read (a newer one stays for the next read)."""

    __tablename__ = "bo_dashboard_dirty"
    day: date = Field(primary_key=True)
    gen: int = Field(sa_column=Column(BigInteger, nullable=False))
