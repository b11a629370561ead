"""Back-office operations on one open transaction (a SQLAlchemy Connection).

Plain functions used by the HTTP app and the admin CLI alike; nothing here keeps state between
calls, so any number of server processes can share one database.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from clerk_console.backoffice.push_rules import PushChecker
from clerk_console.backoffice.tables import (AdminLog, ChangeLog, Counter, DatasetFloor,
                                             DecisionRecord, ReceivedEvent, ServerCase,
                                             ServerRating, Window)
from clerk_console.domain.case import TRANSITIONS, Decision, Status
from clerk_console.domain.ids import new_id, parse_case_no
from clerk_console.sync.protocol import (DEFAULT_PAGE_LIMIT, PAGE_LIMITS, PULL_DATASETS, REVOKED,
                                         Dataset,
                                         ItemStatus, PushItem, PushResult, canonical_json,
                                         payload_hash)

ENROLL_CODE_TTL = timedelta(hours=24)
ENROLL_RETRY_TTL = timedelta(hours=1)  # a lost enroll answer may be asked for again
MAX_PAGE = 50_000
CHUNK = 900  # ids per IN (...) query

W = Window.__table__
EV = ReceivedEvent.__table__
CASE = ServerCase.__table__
LOG = ChangeLog.__table__
COUNTER = Counter.__table__
FLOOR = DatasetFloor.__table__
DEC = DecisionRecord.__table__
ADMIN = AdminLog.__table__
RATING = ServerRating.__table__


class BackofficeError(Exception):
    """A refusal with a Chinese message and the HTTP status that carries it."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class WindowRow:
    id: str
    code: str
    region: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _insert(conn: Connection, table):
    return (postgresql.insert(table) if conn.dialect.name == "postgresql"
            else sqlite.insert(table))


def _chunks(seq: list, size: int = CHUNK):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


# ---------------------------------------------------------------- the driver's own cursor
# Hot paths (push batches, pull pages) skip SQLAlchemy's per-row work; the SQL is plain and the
# same on SQLite and PostgreSQL, only the placeholder differs.


def _placeholders(conn: Connection, n: int) -> str:
    ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"  # sqlite3 / psycopg
    return ", ".join([ph] * n)


def _bound(conn: Connection, column, value):
    """``value`` as SQLAlchemy would hand it to the driver for ``column`` (SQLite stores
    datetimes as text), so rows written either way read back alike."""
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process(value) if process else value


@contextmanager
def _driver_cursor(conn: Connection):
    """The driver's own cursor, inside the connection's transaction."""
    cur = conn.connection.driver_connection.cursor()
    try:
        yield cur
    finally:
        cur.close()


def _driver_executemany(conn: Connection, sql: str, rows: list[tuple]) -> None:
    with _driver_cursor(conn) as cur:
        cur.executemany(sql, rows)


def _driver_rows(conn: Connection, sql: str, params: tuple) -> list[tuple]:
    """Plain tuples from the driver's own cursor, inside the connection's transaction: a page of
    20,000 rows costs half as much as through SQLAlchemy's result rows."""
    with _driver_cursor(conn) as cur:
        cur.execute(sql.replace("?", _placeholders(conn, 1)), params)
        return cur.fetchall()


# ---------------------------------------------------------------- admin log


def log_admin(conn: Connection, *, actor: str, action: str, subject: str, detail: str,
              now: datetime) -> None:
    conn.execute(ADMIN.insert().values(at=now, actor=actor, action=action, subject=subject,
                                       detail=detail))


def admin_log(conn: Connection, limit: int = 100) -> list[dict]:
    rows = conn.execute(select(ADMIN).order_by(ADMIN.c.id.desc()).limit(limit)).mappings()
    return [dict(r) for r in rows]


# ---------------------------------------------------------------- windows and tokens


def issue_enrollment_code(conn: Connection, window_code: str, *, region: str | None,
                          now: datetime, replace: bool = False) -> str:
    """Create the window if new and return a one-time code; the server keeps only its hash.

    A window enrolled on a PC gets a new code only as an explicit ``replace``: the PC that
    enrolls with it takes the window over and the first one is told it was replaced."""
    code_norm = window_code.strip().upper()
    if not parse_case_no(f"{code_norm}-20000101-0001"):
        raise BackofficeError(f"窗口编号“{window_code}”不合规：应为2-12位大写字母或数字，如 YT0101")
    code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    row = conn.execute(select(W).where(W.c.code == code_norm)).mappings().first()
    if row is not None and row["token_hash"] and not replace:
        where = f"（{row['hostname']}）" if row["hostname"] else ""
        raise BackofficeError(f"窗口{code_norm}已在一台电脑{where}上注册：如要换到另一台电脑，"
                              "请加 --replace 重新申请，新电脑注册后原电脑即停用", 409)
    values = dict(enroll_code_hash=_hash(code), enroll_expires=now + ENROLL_CODE_TTL,
                  revoked_at=None)
    if region is not None:
        values["region"] = region
    if row is None:
        conn.execute(W.insert().values(id=new_id(), code=code_norm, created_at=now,
                                       **{"region": "", **values}))
    else:
        conn.execute(W.update().where(W.c.id == row["id"]).values(**values))
    return code


def enroll(conn: Connection, code: str, *, now: datetime, install_id: str = "",
           hostname: str = "") -> tuple[WindowRow, str]:
    """Exchange a one-time code for (window, token); the old token of that window stops working.

    The code is consumed by one conditional UPDATE (``… WHERE enroll_code_hash = :code``): of
    concurrent requests with one code exactly one changes the row, on PostgreSQL too. The same
    window (``install_id``) retrying after a lost answer gets a fresh token for up to
    ENROLL_RETRY_TTL; anybody else gets "code used"."""
    code_hash = _hash(code.strip().upper())
    install_hash = _hash(install_id) if install_id else None
    token = secrets.token_urlsafe(32)
    row = conn.execute(select(W).where(W.c.enroll_code_hash == code_hash)).mappings().first()
    if row is None:
        retry = conn.execute(select(W).where(W.c.used_code_hash == code_hash)).mappings().first()
        if (retry is None or install_hash is None or retry["install_hash"] != install_hash
                or retry["revoked_at"] is not None or retry["enrolled_at"] is None
                or _aware(retry["enrolled_at"]) < now - ENROLL_RETRY_TTL):
            raise BackofficeError("注册码无效或已使用，请向后台管理员重新申请注册码", 403)
        conn.execute(W.update().where(W.c.id == retry["id"]).values(token_hash=_hash(token)))
        return WindowRow(retry["id"], retry["code"], retry["region"]), token
    if row["enroll_expires"] is not None and _aware(row["enroll_expires"]) < now:
        raise BackofficeError("注册码已过期（24小时有效），请向后台管理员重新申请", 403)
    replaced = row["token_hash"]
    n = conn.execute(W.update().where((W.c.id == row["id"])
                                      & (W.c.enroll_code_hash == code_hash)).values(
        token_hash=_hash(token), enroll_code_hash=None, enroll_expires=None, enrolled_at=now,
        used_code_hash=code_hash, install_hash=install_hash, hostname=hostname[:64],
        **({"previous_token_hash": replaced, "replaced_at": now} if replaced else {}))).rowcount
    if n != 1:  # another request consumed it first
        raise BackofficeError("注册码无效或已使用，请向后台管理员重新申请注册码", 403)
    return WindowRow(row["id"], row["code"], row["region"]), token


def _aware(at: datetime) -> datetime:
    """SQLite hands datetimes back naive (they were stored as UTC)."""
    from datetime import timezone

    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def revoke(conn: Connection, window_code: str, *, now: datetime) -> None:
    row = conn.execute(select(W).where(W.c.code == window_code.strip().upper())).mappings().first()
    if row is None:
        raise BackofficeError(f"没有编号为“{window_code}”的窗口", 404)
    conn.execute(W.update().where(W.c.id == row["id"]).values(
        revoked_at=now, token_hash=None, enroll_code_hash=None, used_code_hash=None,
        previous_token_hash=row["token_hash"] or row["previous_token_hash"]))


def authenticate(conn: Connection, token: str | None) -> WindowRow:
    if not token:
        raise BackofficeError("缺少窗口令牌：请先注册本窗口（clerk-console enroll 地址 注册码）", 401)
    h = _hash(token)
    row = conn.execute(select(W).where(W.c.token_hash == h)).mappings().first()
    if row is None:
        old = conn.execute(select(W).where(W.c.previous_token_hash == h)).mappings().first()
        if old is not None and old["revoked_at"] is not None:
            raise BackofficeError(f"{REVOKED}：本窗口已于{_aware(old['revoked_at']):%Y-%m-%d %H:%M}"
                                  "（UTC）被后台停用，本机不再同步；请联系后台管理员", 401)
        if old is not None:
            where = f"（{old['hostname']}）" if old["hostname"] else ""
            raise BackofficeError(f"{REVOKED}：本窗口已于{_aware(old['replaced_at']):%Y-%m-%d %H:%M}"
                                  f"（UTC）在另一台电脑{where}上重新注册，本机不再同步；"
                                  "本机尚未上传的办件请联系后台管理员处理", 401)
        raise BackofficeError("窗口令牌无效或窗口已被停用：请向后台管理员申请新的注册码并重新注册", 401)
    if row["revoked_at"] is not None:
        raise BackofficeError(f"{REVOKED}：本窗口已被后台停用，请联系后台管理员", 403)
    return WindowRow(row["id"], row["code"], row["region"])


# ---------------------------------------------------------------- push


def push(conn: Connection, window: WindowRow, items: list[PushItem], *,
         now: datetime) -> list[PushResult]:
    """Store each event exactly once; per-item results, a refused item never blocks the rest.

    One transaction (the caller's): the batch's new events are claimed with multi-row
    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on the unique (window_id, event_id), the rest
    are answered from what was stored the first time. Each payload is encoded once: its
    canonical JSON gives both the hash and the stored text.
    """
    texts = [canonical_json(it.payload) for it in items]
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    first: dict[str, int] = {}  # event id -> position of its first copy in the batch
    for i, it in enumerate(items):
        first.setdefault(it.id, i)
    claimed = _claim_events(conn, window.id, [(eid, hashes[i]) for eid, i in first.items()],
                            now)
    checker = PushChecker(conn, window, [items[i] for eid, i in first.items() if eid in claimed])

    results: dict[str, PushResult] = {}
    mine = [i for eid, i in first.items() if eid in claimed]
    case_ids = list({items[i].entity_id for i in mine if items[i].entity == "case"})
    existing: dict[str, dict] = {}
    for chunk in _chunks(case_ids):
        for r in conn.execute(select(CASE.c.id, CASE.c.window_id, CASE.c.version,
                                     CASE.c.status, CASE.c.case_no)
                              .where(CASE.c.id.in_(chunk))).mappings():
            existing[r["id"]] = dict(r)
    inserts: dict[str, tuple] = {}
    updates: dict[str, dict] = {}
    refused: list[dict] = []
    ratings: list[dict] = []
    for i in mine:
        it = items[i]
        prior = existing.get(it.entity_id)
        problem = checker.check(it, prior)
        if problem:
            results[it.id] = PushResult(id=it.id, status=ItemStatus.REFUSED, message=problem)
            refused.append(dict(w=window.id, e=it.id, m=problem))
            continue
        checker.accepted(it)
        results[it.id] = PushResult(id=it.id, status=ItemStatus.ACCEPTED)
        p = it.payload
        if it.entity == "rating":
            ratings.append(dict(id=it.entity_id, window_id=window.id, case_no=p["case_no"],
                                level=p["level"], payload=texts[i], received_at=now))
            continue
        version = p["version"]
        if prior is not None and prior["version"] >= version:
            continue  # an older version arriving late: keep the newer one
        if prior is None:
            inserts[it.entity_id] = (it.entity_id, p.get("case_no", ""), window.id, version,
                                     p["status"], texts[i])
        else:  # (inserts run first, so a newer version later in this batch updates its row)
            updates[it.entity_id] = dict(b_id=it.entity_id, b_version=version,
                                         b_status=p["status"], b_payload=texts[i], b_at=now,
                                         b_case_no=p.get("case_no", ""))
        existing[it.entity_id] = dict(id=it.entity_id, window_id=window.id, version=version,
                                      status=p["status"], case_no=p.get("case_no", ""))
    if inserts:
        at = _bound(conn, CASE.c.updated_at, now)
        _driver_executemany(
            conn, f"INSERT INTO {CASE.name} (id, case_no, window_id, version, status, payload, "
                  f"updated_at) VALUES ({_placeholders(conn, 7)})",
            [(*row, at) for row in inserts.values()])
    if ratings:
        conn.execute(_insert(conn, RATING).on_conflict_do_nothing(), ratings)
    if updates:
        stmt = (CASE.update().where(CASE.c.id == bindparam("b_id"))
                .values(version=bindparam("b_version"), status=bindparam("b_status"),
                        payload=bindparam("b_payload"), updated_at=bindparam("b_at"),
                        case_no=bindparam("b_case_no")))
        conn.execute(stmt, list(updates.values()))
    if refused:
        conn.execute(EV.update().where((EV.c.window_id == bindparam("w"))
                                       & (EV.c.event_id == bindparam("e")))
                     .values(status=ItemStatus.REFUSED.value, message=bindparam("m")), refused)

    others = list({it.id for it in items if it.id not in claimed})
    stored: dict[str, Mapping] = {}
    for chunk in _chunks(others):
        for r in conn.execute(select(EV.c.event_id, EV.c.payload_hash, EV.c.status, EV.c.message)
                              .where((EV.c.window_id == window.id)
                                     & EV.c.event_id.in_(chunk))).mappings():
            stored[r["event_id"]] = r
    out: list[PushResult] = []
    for i, it in enumerate(items):
        if first[it.id] == i and it.id in claimed:
            out.append(results[it.id])
            continue
        prev = stored.get(it.id)
        if prev is None:  # a second copy of an event claimed earlier in this very batch
            answer = results[it.id]
            prev = {"payload_hash": hashes[first[it.id]], "status": answer.status.value,
                    "message": answer.message}
        if prev["payload_hash"] != hashes[i]:
            out.append(PushResult(id=it.id, status=ItemStatus.CONFLICT,
                                  message="同一记录编号已收到过不同的内容，本次已拒收；"
                                          "请核对该办件后联系后台处理"))
        elif prev["status"] == ItemStatus.REFUSED.value:
            out.append(PushResult(id=it.id, status=ItemStatus.REFUSED, message=prev["message"]))
        else:
            out.append(PushResult(id=it.id, status=ItemStatus.DUPLICATE))
    return out


def _claim_events(conn: Connection, window_id: str, events: list[tuple[str, str]],
                  now: datetime) -> set[str]:
    """Insert the (event id, payload hash) pairs not received before; the ids inserted now.

    Multi-row VALUES through the driver's cursor: SQLAlchemy's per-row parameter processing
    cost more than the database work here. In event id order, so that concurrent batches with
    the same events (a retry while the first is still running) wait for each other on
    PostgreSQL instead of deadlocking."""
    ph = _placeholders(conn, 1)
    row = f"({ph}, {ph}, {ph}, '{ItemStatus.ACCEPTED.value}', '', {ph})"
    at = _bound(conn, EV.c.received_at, now)
    claimed: set[str] = set()
    with _driver_cursor(conn) as cur:
        for chunk in _chunks(sorted(events)):
            cur.execute(f"INSERT INTO {EV.name} (window_id, event_id, payload_hash, status, "
                        f"message, received_at) VALUES {', '.join([row] * len(chunk))} "
                        "ON CONFLICT (window_id, event_id) DO NOTHING RETURNING event_id",
                        [v for event_id, h in chunk for v in (window_id, event_id, h, at)])
            claimed.update(r[0] for r in cur.fetchall())
    return claimed


# ---------------------------------------------------------------- change log and pull


def allocate_seq(conn: Connection, n: int) -> int:
    """Reserve ``n`` sequence numbers; returns the first. The counter row stays locked until
    commit, so change-log sequences become visible strictly in order (no late commits)."""
    last = conn.execute(update(COUNTER).where(COUNTER.c.name == "change_log")
                        .values(value=COUNTER.c.value + n).returning(COUNTER.c.value)).scalar_one()
    return last - n + 1


MAX_REPLACE_SHARE = 0.2  # a replace may delete at most this share of live records unforced


def put_records(conn: Connection, dataset: Dataset, records: Mapping[tuple[str, str], dict], *,
                replace_scopes: Iterable[str] | None = None,
                max_delete_share: float | None = None) -> dict[str, int]:
    """Upsert ``{(scope, key): payload}``; with ``replace_scopes`` every other live record of
    those scopes becomes a tombstone. Unchanged records keep their sequence (not re-sent).
    With ``max_delete_share`` a replace that would delete more than that share of the live
    records (an empty or truncated file) is refused before anything is written."""
    existing: dict[tuple[str, str], tuple[str, bool]] = {}
    for r in conn.execute(select(LOG.c.scope, LOG.c.key, LOG.c.hash, LOG.c.deleted)
                          .where(LOG.c.dataset == dataset.value)):
        existing[(r[0], r[1])] = (r[2], r[3])
    changes: list[dict] = []
    for (scope, key), payload in records.items():
        h = payload_hash(payload)
        old = existing.get((scope, key))
        if old is not None and old[0] == h and not old[1]:
            continue
        changes.append(dict(scope=scope, key=key, deleted=False, hash=h,
                            payload=canonical_json(payload)))
    deleted = 0
    if replace_scopes is not None:
        scopes = set(replace_scopes)
        live = 0
        for (scope, key), (_h, dead) in existing.items():
            if not dead and scope in scopes:
                live += 1
                if (scope, key) not in records:
                    changes.append(dict(scope=scope, key=key, deleted=True, hash="",
                                        payload="{}"))
                    deleted += 1
        if max_delete_share is not None and live and deleted > live * max_delete_share:
            raise BackofficeError(
                f"本次导入将删除现有{live}条中的{deleted}条（超过{max_delete_share:.0%}），"
                "文件可能为空或不完整，未做任何修改；确认无误请加 --force 重新导入")
    if changes:
        first = allocate_seq(conn, len(changes))
        for i, ch in enumerate(changes):
            ch["seq"] = first + i
            ch["dataset"] = dataset.value
        for chunk in _chunks(changes, 5_000):
            stmt = _insert(conn, LOG)
            stmt = stmt.on_conflict_do_update(
                index_elements=["dataset", "scope", "key"],
                set_=dict(seq=stmt.excluded.seq, deleted=stmt.excluded.deleted,
                          hash=stmt.excluded.hash, payload=stmt.excluded.payload))
            conn.execute(stmt, chunk)
    return {"changed": len(changes) - deleted, "deleted": deleted,
            "unchanged": len(records) - (len(changes) - deleted)}


def compact(conn: Connection, dataset: Dataset, *, keep: int) -> int:
    """Drop tombstones except the newest ``keep`` sequences of the log; raise the floor."""
    top = conn.execute(select(func.max(LOG.c.seq))).scalar() or 0
    limit = top - keep
    if limit <= 0:
        return 0
    n = conn.execute(LOG.delete().where((LOG.c.dataset == dataset.value) & LOG.c.deleted
                                        & (LOG.c.seq <= limit))).rowcount
    current = conn.execute(select(FLOOR.c.floor).where(FLOOR.c.dataset == dataset.value)).scalar()
    if current is None:
        conn.execute(FLOOR.insert().values(dataset=dataset.value, floor=limit))
    elif current < limit:
        conn.execute(FLOOR.update().where(FLOOR.c.dataset == dataset.value).values(floor=limit))
    return n


def scope_of(dataset: Dataset, window: WindowRow) -> str:
    if dataset is Dataset.ELICENCE:
        return window.region
    if dataset is Dataset.DECISIONS:
        return window.id
    return ""


# one page of a dataset's change log after a cursor (index ix_change_log_read)
_PAGE_SQL = ("SELECT seq, key, deleted, payload FROM bo_change_log WHERE dataset = ? AND "
             "scope = ? AND seq > ? ORDER BY seq LIMIT ?")


@dataclass
class RawPage:
    rows: list[tuple[str, str]]  # (key, payload JSON text)
    tombstones: list[str]
    cursor: int
    more: bool = False
    reset: bool = False
    floor: int = 0


def pull(conn: Connection, window: WindowRow, cursors: Mapping[Dataset, int],
         limits: Mapping[Dataset, int] | None = None,
         stage_floors: Mapping[Dataset, int] | None = None) -> dict[Dataset, RawPage]:
    """One page per dataset after each cursor, only the window's own scope.

    A cursor below the dataset's floor has missed compacted tombstones: the page says
    ``reset``. A whole-dataset download that started under the current floor (its
    ``stage_floors`` entry equals the floor) has missed nothing and goes on.
    """
    limits = limits or {}
    stage_floors = stage_floors or {}
    floors = {d: f for d, f in conn.execute(select(FLOOR.c.dataset, FLOOR.c.floor))}
    pages: dict[Dataset, RawPage] = {}
    for ds in PULL_DATASETS:
        cursor = max(0, int(cursors.get(ds, 0)))
        floor = floors.get(ds.value, 0)
        if 0 < cursor < floor and stage_floors.get(ds) != floor:
            pages[ds] = RawPage([], [], 0, more=True, reset=True, floor=floor)
            continue
        limit = min(MAX_PAGE, max(1, limits.get(ds) or PAGE_LIMITS.get(ds, DEFAULT_PAGE_LIMIT)))
        got = _driver_rows(conn, _PAGE_SQL, (ds.value, scope_of(ds, window), cursor, limit + 1))
        more = len(got) > limit
        got = got[:limit]
        page = RawPage([], [], got[-1][0] if got else cursor, more=more, floor=floor)
        for _seq, key, dead, payload in got:
            if dead:
                page.tombstones.append(key)
            else:
                page.rows.append((key, payload))
        pages[ds] = page
    return pages


def render_pull(pages: Mapping[Dataset, RawPage], server_time: datetime, *,
                case_seq: Mapping[str, int] | None = None) -> bytes:
    """PullResponse JSON; stored payload texts go out as strings, never re-parsed (one C-encoder
    call for the whole answer). ASCII output (non-ASCII as \\u escapes): the encoder is about
    twice as fast that way and gzip makes the sizes equal."""
    body = {"pages": {ds.value: {"rows": p.rows,
                                 "tombstones": p.tombstones, "cursor": p.cursor,
                                 "more": p.more, "reset": p.reset, "floor": p.floor}
                      for ds, p in pages.items()},
            "server_time": server_time.isoformat(), "case_seq": dict(case_seq or {})}
    return json.dumps(body, separators=(",", ":")).encode()


# ---------------------------------------------------------------- cases and decisions


def list_cases(conn: Connection, limit: int = 1000) -> list[dict]:
    q = (select(CASE, W.c.code.label("window_code"), DEC.c.decision)
         .join(W, W.c.id == CASE.c.window_id)
         .join(DEC, DEC.c.case_id == CASE.c.id, isouter=True)
         .order_by(CASE.c.case_no).limit(limit))
    out = []
    for r in conn.execute(q).mappings():
        p = json.loads(r["payload"])
        out.append(dict(case_no=r["case_no"], window_code=r["window_code"], status=r["status"],
                        version=r["version"], items=p.get("items", []),
                        decision=r["decision"] or "", updated_at=r["updated_at"]))
    return out


def count_cases(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(CASE)).scalar_one()


def decide(conn: Connection, case_no: str, decision: Decision, *, actor: str,
           now: datetime) -> dict:
    """Record the back office's decision and queue it for the window that took the case."""
    row = conn.execute(select(CASE).where(CASE.c.case_no == case_no.strip().upper())
                       ).mappings().first()
    if row is None:
        raise BackofficeError(f"后台没有办件{case_no}：请确认编号，或等待窗口同步后再试", 404)
    if conn.execute(select(DEC.c.decision).where(DEC.c.case_id == row["id"])).first():
        raise BackofficeError(f"办件{case_no}已有决定，不能重复决定", 409)
    status = Status(row["status"])
    if Status.DECIDED not in TRANSITIONS.get(status, frozenset()):
        raise BackofficeError(f"办件{case_no}当前状态为“{status.label}”，不能作出决定", 409)
    conn.execute(DEC.insert().values(case_id=row["id"], case_no=row["case_no"],
                                     window_id=row["window_id"], decision=decision.value,
                                     decided_at=now, decided_by=actor))
    payload = dict(case_id=row["id"], case_no=row["case_no"], decision=decision.value,
                   decided_at=now.isoformat())
    put_records(conn, Dataset.DECISIONS, {(row["window_id"], row["id"]): payload})
    return payload
