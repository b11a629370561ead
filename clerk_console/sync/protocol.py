"""Wire format shared by the console (client) and the back office (server).

Every body is JSON, gzip-compressed when large (``Content-Encoding: gzip``). Every answer
carries the server's time (``server_time`` in the body and the ``X-Server-Time`` header).
See docs/sync-protocol.md.
"""
from __future__ import annotations

import gzip
import json
import zlib
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Iterable, Literal, Sequence

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from clerk_console.domain.case import Decision, Status
from clerk_console.domain.followup import Step as FollowupStep
from clerk_console.domain.hashing import canonical_json, payload_hash  # noqa: F401  (wire API)
from clerk_console.domain.review import ItemDecision, MergedLicence, Permit, Verdict

API_PREFIX = "/v1"
SERVER_TIME_HEADER = "X-Server-Time"
GZIP_MIN_BYTES = 1024  # bodies smaller than this go uncompressed
REVOKED = "已停用"  # first words of the refusal a revoked or replaced window gets (401)

# Size caps, compressed (on the wire) and decompressed, checked while the body streams in:
# a gzip bomb stops at the cap instead of exhausting memory. A 2,000-event push batch of
# synthetic cases is about 2.6 MB of JSON (0.2 MB gzipped); 5,000 events stay under 8 MB.
MAX_PUSH_BYTES = 16 * 1024 * 1024
MAX_SMALL_BYTES = 64 * 1024  # enroll and pull requests
MAX_WIRE_BYTES = 8 * 1024 * 1024  # any request as sent
# answers to the window: a 50,000-row e-licence page is about 11 MB of JSON
MAX_ANSWER_BYTES = 64 * 1024 * 1024
MAX_ANSWER_WIRE_BYTES = 32 * 1024 * 1024


class Dataset(StrEnum):
    """Pull datasets, each with its own cursor on the console."""

    CATALOGUE = "catalogue"  # global
    CALENDAR = "calendar"  # global
    BLACKLIST = "blacklist"  # global
    ELICENCE = "elicence"  # the window's region only
    DECISIONS = "decisions"  # decisions on this window's cases only


PULL_DATASETS = tuple(Dataset)
# datasets whose first download (or reset) is staged and swapped in atomically
PAGE_LIMITS = {Dataset.ELICENCE: 20_000}
DEFAULT_PAGE_LIMIT = 2_000


class ItemStatus(StrEnum):
    ACCEPTED = "accepted"  # stored now
    DUPLICATE = "duplicate"  # seen before with the same payload: same answer again
    CONFLICT = "conflict"  # seen before with a different payload: refused
    REFUSED = "refused"  # invalid or not this window's to change: refused


FINAL_OK = frozenset({ItemStatus.ACCEPTED, ItemStatus.DUPLICATE})


def encode_body(body: BaseModel | bytes) -> tuple[bytes, dict[str, str]]:
    """A request body (a model, or JSON text already made) and its headers, gzipped when large
    (level 5: on a 2,000-event push batch 12 ms and 194 KB, level 1 7 ms and 226 KB)."""
    raw = body if isinstance(body, bytes) else body.model_dump_json().encode()
    headers = {"Content-Type": "application/json"}
    if len(raw) >= GZIP_MIN_BYTES:
        raw = gzip.compress(raw, compresslevel=5)
        headers["Content-Encoding"] = "gzip"
    return raw, headers


def push_body(events: Iterable[Sequence[str]]) -> bytes:
    """PushRequest JSON from ``(id, entity, entity_id, op, payload JSON text, payload_hash)``
    rows, the payload texts spliced in as stored (no parsing and encoding them again)."""
    enc = json.dumps
    items = ",".join(f'{{"id":{enc(i)},"entity":{enc(e)},"entity_id":{enc(eid)},"op":{enc(op)},'
                     f'"payload":{payload},"payload_hash":{enc(h)}}}'
                     for i, e, eid, op, payload, h in events)
    return f'{{"items":[{items}]}}'.encode()


class BodyTooLarge(ValueError):
    """A body above its cap (on the wire or once decompressed); ``str()`` is Chinese."""

    def __init__(self, limit: int):
        super().__init__(f"数据量超过上限（{limit // 1024} KB），已拒收：请分批发送或升级终端")
        self.limit = limit


def decode_body(raw: bytes, content_encoding: str | None, limit: int = MAX_PUSH_BYTES) -> bytes:
    """The body, gunzipped in 64 KB steps: never more than ``limit`` bytes are produced, so
    a small gzip bomb costs ``limit`` bytes of memory at most. Unknown encodings and trailing
    garbage are ValueError; a body above the cap is BodyTooLarge."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        if len(raw) > limit:
            raise BodyTooLarge(limit)
        return raw
    if encoding != "gzip":
        raise ValueError(f"unsupported content encoding {encoding!r}")
    inflater = zlib.decompressobj(wbits=31)  # gzip header and trailer
    out: list[bytes] = []
    size = 0
    data = raw
    while data:
        try:
            chunk = inflater.decompress(data, 65536)
        except zlib.error as exc:
            raise ValueError(f"corrupt gzip data: {exc}") from None
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        out.append(chunk)
        data = inflater.unconsumed_tail
        if inflater.eof:
            break
    if not inflater.eof or inflater.unused_data:
        raise ValueError("truncated or trailing gzip data")
    return b"".join(out)


# ---------------------------------------------------------------- typed pushed payloads
# Every pushed payload is validated by these models on the back office (and the console's own
# payloads are made to fit them, tests/test_security_backoffice.py): strict integers (a JSON
# ``true`` is not a version), bounded to what a window can make, lengths bounded.

MAX_VERSION = 1_000_000  # a case is saved a handful of times; 2**63-1 would pin it forever
Version = Annotated[StrictInt, Field(ge=0, le=MAX_VERSION)]
Text64 = Annotated[str, Field(max_length=64)]


class CasePayload(BaseModel):
    """The payload of ``entity="case"``: the fields the back office reads. Other fields of
    the case travel along as they are (a newer console may send more)."""

    model_config = ConfigDict(extra="allow")
    id: Text64
    case_no: Text64
    window_code: Text64
    version: Version
    status: Status
    decision: Decision | None = None
    items: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list,
                                                               max_length=200)


class RatingPayload(BaseModel):
    """The payload of ``entity="rating"`` (好差评, GB/T 39046 levels 1-5), as the console's one
    codec makes it (``storage.replica.codecs.rating_to_dict``; ``at`` and the rest travel
    along, read only by ``backoffice.service.facts.rated_on``)."""

    model_config = ConfigDict(extra="allow")
    id: Text64
    case_no: Text64
    level: Annotated[StrictInt, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=2000)] = ""


Note = Annotated[str, Field(max_length=500)]  # domain.followup.NOTE_MAX
MAX_FOLLOWUP_STEPS = 40  # 核实, 整改, 反馈 and a few appeals: far more than a loop takes


class FollowupStepPayload(BaseModel):
    """One completed step of the 差评 loop (``domain.followup.StepRecord``)."""

    model_config = ConfigDict(extra="allow")
    step: FollowupStep
    result: Text64
    note: Note
    clerk_id: Text64
    at: datetime
    due: date
    late: StrictBool
    channel: Text64 = ""


class FollowupPayload(BaseModel):
    """The payload of ``entity="followup"``: a bad rating's follow-up as it stands after each
    step, with its whole history; ``version`` counts the steps (one event per step). Made by
    the console's one codec (``storage.replica.codecs.followup_to_dict``)."""

    model_config = ConfigDict(extra="allow")
    id: Text64
    case_no: Text64
    step: FollowupStep
    status: Literal["open", "closed"]
    due: date
    version: Annotated[StrictInt, Field(ge=0, le=MAX_FOLLOWUP_STEPS)]
    rated_clerk: Text64 = ""
    outcome: Text64 = ""
    answer: Note = ""
    history: list[FollowupStepPayload] = Field(default_factory=list,
                                               max_length=MAX_FOLLOWUP_STEPS)


class ContactPayload(BaseModel):
    """The payload of ``entity="contact"``: where a case's messages go, as the window has it
    (a mainland mobile number or "", and the applicant's opt-out given at the window); its id
    is ``domain.messages.contact_key``. Made by ``storage.replica.codecs.contact_to_dict``."""

    model_config = ConfigDict(extra="allow")
    id: Text64
    case_no: Text64
    phone: Annotated[str, Field(pattern=r"^(1[3-9]\d{9})?$")]
    opt_out: StrictBool
    at: datetime


class EnrollRequest(BaseModel):
    code: Annotated[str, Field(max_length=64)]
    hostname: Annotated[str, Field(max_length=255)] = ""
    # a random id the window makes once and keeps: a retry of a lost answer is recognised
    install_id: Annotated[str, Field(max_length=64)] = ""


class EnrollResponse(BaseModel):
    window_id: str
    window_code: str
    region: str
    token: str
    server_time: datetime
    case_seq: dict[str, int] = Field(default_factory=dict)  # as in PushResponse


class PushItem(BaseModel):
    id: Text64  # client-made event id (UUIDv7), unique per window
    entity: Text64  # "case", "rating", "followup", "contact"
    entity_id: Text64
    op: Text64  # "save"
    payload: dict[str, Any]  # validated per entity: Case-, Rating-, Followup-, ContactPayload
    payload_hash: Text64


class PushRequest(BaseModel):
    items: list[PushItem] = Field(max_length=5_000)


class PushResult(BaseModel):
    id: str
    status: ItemStatus
    message: str = ""  # Chinese, shown to the clerk when refused


class PushResponse(BaseModel):
    results: list[PushResult]
    server_time: datetime
    # the highest case sequence the back office holds for this window, per day (YYYYMMDD),
    # for the days of refused duplicate numbers: the window resumes numbering after it
    case_seq: dict[str, int] = Field(default_factory=dict)


Seq = Annotated[StrictInt, Field(ge=-1, lt=2**63)]  # a change-log position (-1: not known)


class PullRequest(BaseModel):
    cursors: dict[Dataset, Seq]  # last applied sequence per dataset (0 = never)
    limits: dict[Dataset, Seq] = Field(default_factory=dict)
    # datasets being downloaded whole: the floor their staged copy is consistent with
    stage_floors: dict[Dataset, Seq] = Field(default_factory=dict)


class Page(BaseModel):
    # [key, payload] pairs; payload is the record's canonical JSON text: staged as is, parsed
    # only when applied. Pairs, not objects: a 20,000-row page decodes in half the time and
    # leaves no per-row objects for the garbage collector to walk.
    rows: list[tuple[str, str]] = Field(default_factory=list)
    tombstones: list[str] = Field(default_factory=list)
    cursor: int  # new cursor after applying this page
    more: bool = False  # another page is waiting
    reset: bool = False  # the cursor is older than the server keeps: download everything again
    floor: int = 0  # tombstones at or below this sequence are no longer kept


class PullResponse(BaseModel):
    pages: dict[Dataset, Page]
    server_time: datetime
    case_seq: dict[str, int] = Field(default_factory=dict)  # as in PushResponse


class ErrorBody(BaseModel):
    detail: str  # Chinese


# ---------------------------------------------------------------- decisions, pulled down
# One record per case (key: case id) in ``Dataset.DECISIONS``, rewritten whenever one of
# its items is decided (一链办理: items move on their own). ``decision`` is the case's outcome
# once every item has a final verdict (``domain.review.case_outcome``), else None: a window
# keeps the case open and shows the items decided so far. Older back offices send only
# ``case_id``/``decision``/``decided_at``: ``items`` defaults to empty.

Text2000 = Annotated[str, Field(max_length=2000)]  # domain.review.MAX_TEXT


class ItemDecisionWire(BaseModel):
    """``domain.review.ItemDecision`` on the wire; :meth:`to_domain` re-checks nothing (the
    back office made it through the domain's rules) and :meth:`of` is its only encoder."""

    model_config = ConfigDict(extra="ignore")
    item: Text64
    dept: Text64
    verdict: Literal["approve", "refuse", "correct"]
    by: Text64
    at: datetime
    licence_no: Text64 = ""
    valid_from: date | None = None
    valid_until: date | None = None
    reasons: Text2000 = ""
    legal_basis: Text2000 = ""
    missing: Text2000 = ""

    @classmethod
    def of(cls, d: ItemDecision) -> "ItemDecisionWire":
        return cls(item=d.item, dept=d.dept, verdict=d.verdict.value, by=d.by, at=d.at,
                   licence_no=d.licence_no, valid_from=d.valid_from,
                   valid_until=d.valid_until, reasons=d.reasons,
                   legal_basis=d.legal_basis, missing=d.missing)

    def to_domain(self) -> ItemDecision:
        return ItemDecision(item=self.item, dept=self.dept, verdict=Verdict(self.verdict),
                            by=self.by, at=self.at, licence_no=self.licence_no,
                            valid_from=self.valid_from, valid_until=self.valid_until,
                            reasons=self.reasons, legal_basis=self.legal_basis,
                            missing=self.missing)


class PermitWire(BaseModel):
    model_config = ConfigDict(extra="ignore")
    item: Text64
    name: Annotated[str, Field(max_length=200)]
    dept_name: Annotated[str, Field(max_length=200)]
    licence_no: Text64
    validity: Text64


class MergedLicenceWire(BaseModel):
    """``domain.review.MergedLicence`` (行业综合许可证) on the wire."""

    model_config = ConfigDict(extra="ignore")
    number: Text64
    industry: Annotated[str, Field(max_length=200)]
    permits: list[PermitWire] = Field(max_length=200)
    valid_until: date | None = None
    issued_on: date

    @classmethod
    def of(cls, m: MergedLicence) -> "MergedLicenceWire":
        return cls(number=m.number, industry=m.industry, valid_until=m.valid_until,
                   issued_on=m.issued_on,
                   permits=[PermitWire(item=p.item, name=p.name, dept_name=p.dept_name,
                                       licence_no=p.licence_no, validity=p.validity)
                            for p in m.permits])

    def to_domain(self) -> MergedLicence:
        return MergedLicence(self.number, self.industry,
                             tuple(Permit(p.item, p.name, p.dept_name, p.licence_no,
                                          p.validity) for p in self.permits),
                             self.valid_until, self.issued_on)


class CaseDecisionsWire(BaseModel):
    """The payload of one ``Dataset.DECISIONS`` record (key: the case id)."""

    model_config = ConfigDict(extra="ignore")
    case_id: Text64
    case_no: Text64 = ""
    decision: Decision | None = None  # the case outcome once every item is final
    decided_at: datetime | None = None
    false_commitment: StrictBool = False
    items: list[ItemDecisionWire] = Field(default_factory=list, max_length=200)
    merged_licence: MergedLicenceWire | None = None


# ---------------------------------------------------------------- pulled rows, one by one
# A page of reference data is applied whole, but one malformed row of a keyed dataset must not
# block the channel: the window skips it, counts it, and says so (the back office's data is
# fixed there, and the row comes again with its next change).


def _date_ok(value: Any) -> bool:
    if value in (None, ""):
        return True
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _text_ok(value: Any, required: bool = True, limit: int = 200) -> bool:
    return isinstance(value, str) and (bool(value.strip()) or not required) and len(value) <= limit


def decisions_problem(payload: dict[str, Any]) -> str:
    """Why a DECISIONS record does not parse as ``CaseDecisionsWire`` ("" = it does); the
    fields named, never their contents."""
    try:
        CaseDecisionsWire.model_validate({**payload, "case_id": payload.get("case_id") or "?"})
    except ValidationError as exc:
        where = "、".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
        return f"审批结果记录格式有误（{where}）"
    return ""


def row_problem(dataset: Dataset, payload: Any) -> str:
    """Why one pulled row of ``dataset`` can't be applied ("" = it can). Only the keyed
    datasets whose rows stand alone are checked row by row (e-licences, the blacklist);
    the catalogue and the calendar are whole documents, refused whole.

    >>> row_problem(Dataset.ELICENCE, {"holder_id": "X", "type_code": "yyzz", "name": "营业执照",
    ...                                "number": "N1", "issued": "2026-02-30"})
    '签发日期不是有效日期'
    >>> row_problem(Dataset.BLACKLIST, {"subject_id": "X", "listed_on": "2026-11-27"})
    ''
    >>> row_problem(Dataset.DECISIONS, {"case_id": "C1", "decision": "maybe"})
    '审批结果记录格式有误（decision）'
    """
    if dataset not in (Dataset.ELICENCE, Dataset.BLACKLIST, Dataset.DECISIONS):
        return ""
    if not isinstance(payload, dict):
        return "记录不是对象"
    if dataset is Dataset.DECISIONS:
        return decisions_problem(payload)
    if dataset is Dataset.BLACKLIST:
        if not _text_ok(payload.get("subject_id", "x"), limit=64):
            return "主体编号无效"
        if not _text_ok(payload.get("name", ""), required=False) or not _text_ok(
                payload.get("reason", ""), required=False, limit=2000):
            return "名称或原因无效"
        return "" if _date_ok(payload.get("listed_on")) else "列入日期不是有效日期"
    for name, label in (("holder_id", "持证主体"), ("type_code", "证照类型"), ("name", "证照名称"),
                        ("number", "证照编号")):
        if not _text_ok(payload.get(name), limit=64 if name != "name" else 200):
            return f"{label}缺失或无效"
    if not _date_ok(payload.get("issued")):
        return "签发日期不是有效日期"
    if not _date_ok(payload.get("expires")):
        return "有效期截止日期不是有效日期"
    return ""


# ---------------------------------------------------------------- the audit log, pushed up
# The window's append-only, hash-chained audit log goes to the back office, which keeps its own
# copy and checks every entry against it: an entry rewritten, replaced or cut off at the window
# after it was pushed no longer chains, and the back office says so (and keeps its copy).
MAX_AUDIT_BATCH = 2_000


class AuditEntryWire(BaseModel):
    model_config = ConfigDict(extra="ignore")
    seq: Annotated[StrictInt, Field(ge=1, lt=2**63)]
    id: Text64
    at: datetime
    clerk_id: Text64
    action: Text64
    subject: Annotated[str, Field(max_length=200)]
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: Annotated[str, Field(max_length=64)]
    hash: Annotated[str, Field(min_length=64, max_length=64)]


class AuditPushRequest(BaseModel):
    entries: list[AuditEntryWire] = Field(max_length=MAX_AUDIT_BATCH)


class AuditPushResponse(BaseModel):
    through: int  # the highest entry the back office now holds for this window, chained
    problem: str = ""  # Chinese: where the pushed entries stop chaining to its copy
    server_time: datetime
