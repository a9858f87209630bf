"""An append-only, hash-chained SQLite ledger that makes draws and results auditable.

Specification
-------------
The ledger is one SQLite file (stdlib ``sqlite3`` only). Its truth is the table
``records(seq, kind, key, created_at, payload, prev_hash, hash)``; ``meta`` holds
``schema_version``, ``ledger_id`` and the head of the chain (``head_seq``, ``head_hash``).

* ``seq`` counts records 1, 2, 3, … without gaps. ``kind`` is ``prepare``, ``draw``, ``result``,
  ``correction`` or ``publication`` (the generic API accepts others). ``key`` names what the record
  is about: ``"<plan>|<task>|<round>"`` for prepares and draws, ``"<draw_id>|<uscc>|<item>"`` for
  results and corrections. ``created_at`` is UTC to the second, e.g. ``2024-05-01T08:00:00Z``.
* ``payload`` is canonical JSON: ``json.dumps(obj, ensure_ascii=False, sort_keys=True,
  separators=(",", ":"))`` (NaN is refused; dates are written as ISO text).
* ``hash`` is the lower-case hex SHA-256 of the UTF-8 bytes of
  ``f"{seq}|{kind}|{key}|{created_at}|{payload}|{prev_hash}"``. ``prev_hash`` is the previous
  record's ``hash``; the first record's is 64 zeros. Changing, deleting or inserting any record
  therefore breaks the chain, and :meth:`Ledger.audit` names the first broken link. A deleted or
  added last record is caught by comparing the chain's end with the head kept in ``meta``. The chain
  cannot stop someone who rewrites every later hash *and* the head: print :meth:`Ledger.last_hash`
  on paper records so the chain is anchored outside the file.
* Records are never updated or deleted (SQLite triggers refuse it, and the chain would show it).
  "Standing" is derived: a draw stands unless a later draw for the same key supersedes it. A result
  is changed only by appending a ``correction`` that names its approval.

Writing
-------
There is one way to write: ``with ledger.writing() as w: w.append(kind, key, payload)``. It runs
in a ``BEGIN IMMEDIATE`` transaction, so a check such as "is there a standing draw?" and the append
that follows cannot interleave with another process; it commits on success and rolls back on any
exception. Nested ``writing()`` blocks join the outer transaction. Before appending, the writer
checks that the last record still matches the head in ``meta`` and refuses to chain onto a
tampered tail.

Opening never modifies a file that is not already a jcdraw ledger: a non-SQLite file, another
program's database or a newer schema is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

from jcdraw import messages
from jcdraw.errors import LedgerError
from jcdraw.normalize import normalize_key_one

SCHEMA_VERSION = 1
GENESIS_HASH = "0" * 64
APPLICATION_ID = 0x4A434452  # "JCDR" in the SQLite header, so `file` and others can tell what it is
DEFAULT_BUSY_TIMEOUT = 5.0
SQLITE_HEADER = b"SQLite format 3\x00"
DRAW_RESERVED_FIELDS = ("draw_id", "supersedes", "redraw_reason")
RESULT_KEY_FIELDS = ("draw_id", "uscc", "item")
CORRECTION_REQUIRED = {"approved_by": "审批人", "approval_ref": "审批文号", "reason": "更正原因"}
BEIJING = timezone(timedelta(hours=8))
_IN_QUERY_BATCH = 900  # stays far below SQLite's bound-parameter limit

_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX records_kind_key ON records(kind, key, seq)",
    "CREATE UNIQUE INDEX records_result_key ON records(key) WHERE kind = 'result'",
    "CREATE UNIQUE INDEX records_draw_id ON records(json_extract(payload, '$.draw_id')) WHERE kind = 'draw'",
    # Casual edits in a database browser fail outright; deliberate ones still break the chain.
    """CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, 'jcdraw ledger records are append-only'); END""",
    """CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'jcdraw ledger records are append-only'); END""",
)


class DrawExists(LedgerError):
    """A standing draw already exists for this plan, task and round; a redraw needs a reason."""

    exit_code = 1  # the request was understood and refused by rule, like any input problem

    def __init__(self, message: str, draw_id: str, created_at: str) -> None:
        super().__init__(message)
        self.draw_id = draw_id
        self.created_at = created_at


class ResultConflict(LedgerError):
    """Some result rows differ from results already recorded under the same key; nothing was written."""

    exit_code = 1

    def __init__(self, message: str, keys: list[str]) -> None:
        super().__init__(message)
        self.keys = keys


@dataclass(frozen=True)
class Record:
    """One ledger record as stored; ``payload`` is the decoded canonical JSON."""

    seq: int
    kind: str
    key: str
    created_at: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditReport:
    """Outcome of :meth:`Ledger.audit`; ``reason`` is Chinese and names the first broken record."""

    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str | None


# --- the chain ---------------------------------------------------------------------------------


def canonical_json(obj: Any) -> str:
    """The exact text that is stored and hashed for a payload.

    Example:
        >>> canonical_json({"b": 1, "a": ["检查", 2.5, None]})
        '{"a":["检查",2.5,null],"b":1}'
    """
    return json.dumps(
        obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_json_default
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars from pandas rows
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable in a ledger payload")


def record_hash(seq: int, kind: str, key: str, created_at: str, payload: str, prev_hash: str) -> str:
    """SHA-256 (hex) of ``f"{seq}|{kind}|{key}|{created_at}|{payload}|{prev_hash}"`` in UTF-8.

    Example:
        >>> record_hash(1, "draw", "2024-joint|1|1", "2024-05-01T08:00:00Z", '{"a":1}', "0" * 64)
        '27f776baa56f2329e4a6c6cce620b100b6fc1c6afde6b30f06145670c2e0f3f3'
    """
    text = f"{seq}|{kind}|{key}|{created_at}|{payload}|{prev_hash}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_code(code: object) -> str:
    """A credit code as compared everywhere (``jcdraw.normalize.normalize_key_one``), "" for empty.

    Example:
        >>> normalise_code(" ９１１４０５００\\u00a0ma0k1234x\\u200b ")
        '91140500MA0K1234X'
    """
    return normalize_key_one(code) or ""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _draw_exists(standing: Record, plan_id: str, task: int | str, round: int) -> DrawExists:
    old_id = str(standing.payload["draw_id"])
    message = messages.LEDGER_DRAW_EXISTS.format(
        plan=plan_id, task=task, round=round, when=_beijing(standing.created_at), draw_id=old_id
    )
    return DrawExists(message, old_id, standing.created_at)


def _beijing(created_at: str) -> str:
    return datetime.fromisoformat(created_at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _row_to_record(row: Sequence[Any]) -> Record:
    seq, kind, key, created_at, payload, prev_hash, hash_ = row
    return Record(int(seq), kind, key, created_at, json.loads(payload), prev_hash, hash_)


def draw_key(plan_id: str, task: int | str, round: int) -> str:
    """The ledger key of a (plan, task, round); plan ids may not contain ``|``."""
    if "|" in plan_id or not plan_id:
        raise ValueError(f"invalid plan id {plan_id!r}")
    return f"{plan_id}|{task}|{round}"


def result_key(draw_id: str, uscc: str, item: str) -> str:
    """The ledger key of one result: draw id, normalised credit code and inspection item."""
    return f"{draw_id}|{normalise_code(uscc)}|{item.strip()}"


# --- errors ------------------------------------------------------------------------------------


def _raise_sqlite(err: sqlite3.Error, path: Path) -> NoReturn:
    """Turn an SQLite failure the user can act on into a LedgerError; re-raise anything else."""
    name = getattr(err, "sqlite_errorname", "") or ""
    text = str(err)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        raise LedgerError(messages.LEDGER_LOCKED.format(path=path)) from err
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        raise LedgerError(messages.LEDGER_READONLY_FILE.format(path=path)) from err
    if name.startswith("SQLITE_NOTADB"):
        raise LedgerError(messages.LEDGER_NOT_SQLITE.format(path=path)) from err
    if name.startswith("SQLITE_CORRUPT"):
        raise LedgerError(messages.LEDGER_CORRUPT.format(path=path, detail=text)) from err
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        raise LedgerError(messages.LEDGER_WRITE_FAILED.format(path=path, detail=text)) from err
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        raise LedgerError(messages.LEDGER_CANNOT_OPEN.format(path=path, detail=text)) from err
    raise err


@contextmanager
def _sqlite_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as err:
        _raise_sqlite(err, path)


# --- opening -----------------------------------------------------------------------------------


def _check_existing_file(path: Path) -> bool:
    """Refuse anything that is not a SQLite file; return False for a 0-byte file (may be initialised)."""
    if path.is_dir():
        raise LedgerError(messages.LEDGER_IS_DIRECTORY.format(path=path))
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError as err:
        raise LedgerError(messages.LEDGER_UNREADABLE.format(path=path)) from err
    if not header:
        return False
    if header != SQLITE_HEADER:
        raise LedgerError(messages.LEDGER_NOT_SQLITE.format(path=path))
    return True


def _connect_readonly(path: Path, busy_timeout: float) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro"
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-wal").exists():
        # Reading a WAL file needs a -shm side file SQLite cannot create here. Without a -wal no
        # writer is active, so SQLite's documented answer, reading the file as immutable, is safe.
        uri += "&immutable=1"
    conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None)
    conn.execute("PRAGMA query_only = 1")
    return conn


def _schema_state(conn: sqlite3.Connection, path: Path) -> str:
    """``"ledger"`` for our schema, ``"blank"`` for a database with no objects; raise otherwise."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    if not names:
        return "blank"
    if not {"meta", "records"} <= names:
        raise LedgerError(messages.LEDGER_FOREIGN.format(path=path))
    meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
    version = str(meta.get("schema_version", ""))
    if not version.isdigit() or "ledger_id" not in meta:
        raise LedgerError(messages.LEDGER_FOREIGN.format(path=path))
    if int(version) > SCHEMA_VERSION:
        raise LedgerError(
            messages.LEDGER_NEWER_SCHEMA.format(path=path, found=version, supported=SCHEMA_VERSION)
        )
    return "ledger"


def _check_writable(path: Path, exists: bool) -> None:
    folder = path.parent
    if exists and not os.access(path, os.W_OK):
        raise LedgerError(messages.LEDGER_READONLY_FILE.format(path=path))
    # WAL mode keeps -wal and -shm files next to the ledger, so the folder must be writable too.
    if not os.access(folder, os.W_OK):
        raise LedgerError(messages.LEDGER_READONLY_FOLDER.format(path=path, folder=folder))


def _initialise(conn: sqlite3.Connection, path: Path, now: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _schema_state(conn, path) == "blank":  # re-checked under the lock: another process may have won
            for statement in _SCHEMA:  # not executescript(): it would commit our transaction first
                conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta(name, value) VALUES (?, ?)",
                [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("ledger_id", uuid.uuid4().hex),
                    ("created_at", now),
                    ("head_seq", "0"),
                    ("head_hash", GENESIS_HASH),
                ],
            )
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# --- the writer --------------------------------------------------------------------------------


class Writer:
    """Appends chained records inside one open ``BEGIN IMMEDIATE`` transaction.

    Obtain it from :meth:`Ledger.writing`; never construct it directly.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, head: tuple[int, str], created_at: str) -> None:
        self._conn = conn
        self._path = path
        self.head_seq, self.head_hash = head
        self._created_at = created_at
        self._last_row: tuple[Any, ...] = ()
        self.appended = 0

    def append(self, kind: str, key: str, payload: Mapping[str, Any]) -> Record:
        """Append one record and return it as stored."""
        self.append_many([(kind, key, payload)])
        return _row_to_record(self._last_row)

    def append_many(self, entries: Iterable[tuple[str, str, Mapping[str, Any]]]) -> int:
        """Append many records in order with one ``executemany``; return how many."""
        return self.append_canonical((kind, key, canonical_json(dict(p))) for kind, key, p in entries)

    def append_canonical(self, entries: Iterable[tuple[str, str, str]]) -> int:
        """Like :meth:`append_many` for payloads already passed through :func:`canonical_json`."""
        rows = []
        seq, prev = self.head_seq, self.head_hash
        for kind, key, text in entries:
            if not kind or not isinstance(kind, str) or not isinstance(key, str):
                raise ValueError(f"invalid ledger kind/key {kind!r}/{key!r}")
            seq += 1
            digest = record_hash(seq, kind, key, self._created_at, text, prev)
            rows.append((seq, kind, key, self._created_at, text, prev, digest))
            prev = digest
        with _sqlite_errors(self._path):
            self._conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        if rows:
            self._last_row = rows[-1]
        self.head_seq, self.head_hash = seq, prev
        self.appended += len(rows)
        return len(rows)


# --- the ledger --------------------------------------------------------------------------------


class Ledger:
    """An open ledger file. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path, *, readonly: bool, clock: Callable[[], datetime]
    ) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly
        self._clock = clock
        self._writer: Writer | None = None

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        readonly: bool = False,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Callable[[], datetime] = _utc_now,
    ) -> Ledger:
        """Open (or, with ``create`` and not ``readonly``, create) the ledger at ``path``.

        Raises LedgerError, without touching the file, when it is missing (and may not be created),
        not SQLite, another program's database, of a newer schema, read-only while writing is needed,
        or locked for longer than ``busy_timeout`` seconds.
        """
        path = Path(path)
        exists = path.exists()
        has_content = _check_existing_file(path) if exists else False
        if (readonly or not create) and not exists:
            raise LedgerError(messages.LEDGER_MISSING.format(path=path))
        if not exists and not path.parent.is_dir():
            raise LedgerError(messages.LEDGER_FOLDER_MISSING.format(folder=path.parent))
        if not readonly:  # before any connection: reading a WAL file leaves -wal/-shm side files
            _check_writable(path, exists)
        with _sqlite_errors(path):
            state = cls._inspect(path, busy_timeout) if has_content else "blank"
            if state == "blank" and (readonly or not create):
                raise LedgerError(messages.LEDGER_EMPTY.format(path=path))
            if readonly:
                conn = _connect_readonly(path, busy_timeout)
            else:
                conn = cls._connect_writable(path, busy_timeout, _timestamp(clock()), blank=state == "blank")
        return cls(conn, path, readonly=readonly, clock=clock)

    @staticmethod
    def _inspect(path: Path, busy_timeout: float) -> str:
        conn = _connect_readonly(path, busy_timeout)
        try:
            return _schema_state(conn, path)
        finally:
            conn.close()

    @staticmethod
    def _connect_writable(path: Path, busy_timeout: float, now: str, *, blank: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")  # an audit trail must survive a power cut
            if blank:  # an existing ledger is opened without taking the write lock
                _initialise(conn, path, now)
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        """Close the connection (SQLite folds the WAL back into the file)."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- writing -------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """The one way to write: a ``BEGIN IMMEDIATE`` transaction that commits on success.

        Any exception rolls everything in the block back. A nested ``writing()`` joins the
        outer transaction, so several domain calls can be made atomic together.
        """
        if self.readonly:
            raise RuntimeError("ledger was opened read-only")
        if self._writer is not None:
            yield self._writer
            return
        with _sqlite_errors(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
        try:
            with _sqlite_errors(self.path):
                head = self._verified_tail()
            self._writer = Writer(self._conn, self.path, head, _timestamp(self._clock()))
            yield self._writer
            with _sqlite_errors(self.path):
                self._commit(self._writer)
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        finally:
            self._writer = None

    def _commit(self, writer: Writer) -> None:
        if writer.appended:
            self._conn.executemany(
                "UPDATE meta SET value = ? WHERE name = ?",
                [(str(writer.head_seq), "head_seq"), (writer.head_hash, "head_hash")],
            )
        self._conn.execute("COMMIT")

    def _verified_tail(self) -> tuple[int, str]:
        """The chain head to append after, refusing if the tail no longer matches ``meta``."""
        head_seq, head_hash = self._meta_head()
        row = self._conn.execute("SELECT * FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        last_seq, last_hash = (0, GENESIS_HASH) if row is None else (int(row[0]), row[6])
        if (last_seq, last_hash) != (head_seq, head_hash):
            detail = f"登记为第 {head_seq} 条，实际为第 {last_seq} 条"
            raise LedgerError(messages.LEDGER_TAIL_TAMPERED.format(path=self.path, detail=detail))
        if row is not None and record_hash(*row[:6]) != last_hash:
            detail = f"第 {last_seq} 条记录的内容与校验值不符"
            raise LedgerError(messages.LEDGER_TAIL_TAMPERED.format(path=self.path, detail=detail))
        return head_seq, head_hash

    def _meta_head(self) -> tuple[int, str]:
        meta = dict(self._conn.execute("SELECT name, value FROM meta WHERE name LIKE 'head_%'").fetchall())
        return int(meta.get("head_seq", -1)), str(meta.get("head_hash", ""))

    # --- generic reading -----------------------------------------------------------------------

    @property
    def ledger_id(self) -> str:
        """Random id fixed when the ledger was created (tells copies of different ledgers apart)."""
        return str(self._query("SELECT value FROM meta WHERE name = 'ledger_id'")[0][0])

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with _sqlite_errors(self.path):
            return self._conn.execute(sql, params).fetchall()

    def records(self, kind: str | None = None, key: str | None = None) -> list[Record]:
        """All records, optionally of one kind and/or key, in ledger order."""
        clauses, params = [], []
        for column, value in (("kind", kind), ("key", key)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return [_row_to_record(r) for r in self._query(f"SELECT * FROM records{where} ORDER BY seq", params)]

    def last_hash(self) -> str:
        """Hash of the newest record (64 zeros for an empty ledger); print it to anchor the chain."""
        rows = self._query("SELECT hash FROM records ORDER BY seq DESC LIMIT 1")
        return str(rows[0][0]) if rows else GENESIS_HASH

    def audit(self) -> AuditReport:
        """Recompute the whole chain and report the first broken record (reads one snapshot)."""
        with _sqlite_errors(self.path):
            in_outer = self._conn.in_transaction
            if not in_outer:
                self._conn.execute("BEGIN")
            try:
                head = self._meta_head()
                return _audit_rows(self._conn.execute("SELECT * FROM records ORDER BY seq"), head)
            finally:
                if not in_outer:
                    self._conn.execute("COMMIT")

    # --- draws ---------------------------------------------------------------------------------

    def record_prepare(self, plan_id: str, task: int | str, round: int, payload: Mapping[str, Any]) -> Record:
        """Record what a draw will use (inputs' hashes, seed, …) before it happens."""
        with self.writing() as w:
            return w.append("prepare", draw_key(plan_id, task, round), payload)

    def latest_prepare(self, plan_id: str, task: int | str, round: int) -> Record | None:
        found = self.records("prepare", draw_key(plan_id, task, round))
        return found[-1] if found else None

    def record_draw(
        self,
        plan_id: str,
        task: int | str,
        round: int,
        payload: Mapping[str, Any],
        *,
        redraw_reason: str | None = None,
    ) -> str:
        """Record a draw and return its id ``"<plan>-T<task>-R<round>-<n>"``.

        Refuses (DrawExists) when a standing draw exists and no ``redraw_reason`` is given. With a
        reason, the new draw records ``supersedes`` and ``redraw_reason`` and the old one stops
        standing. The check and the append run in one ``BEGIN IMMEDIATE`` transaction.
        """
        clashing = [name for name in DRAW_RESERVED_FIELDS if name in payload]
        if clashing:
            raise ValueError(f"draw payload may not set {clashing}; the ledger fills them in")
        reason = None if redraw_reason is None else redraw_reason.strip()
        if reason == "":
            raise LedgerError(messages.LEDGER_REDRAW_REASON_EMPTY)
        key = draw_key(plan_id, task, round)
        with self.writing() as w:
            earlier = self.records("draw", key)
            standing = _standing(earlier)
            where = {"plan": plan_id, "task": task, "round": round}
            if standing is not None and reason is None:
                raise _draw_exists(standing, plan_id, task, round)
            if standing is None and reason is not None:
                raise LedgerError(messages.LEDGER_REDRAW_NOTHING.format(**where))
            draw_id = f"{plan_id}-T{task}-R{round}-{len(earlier) + 1}"
            body = {**payload, "draw_id": draw_id}
            if standing is not None:
                body.update(supersedes=standing.payload["draw_id"], redraw_reason=reason)
            w.append("draw", key, body)
        return draw_id

    def standing_draw(self, plan_id: str, task: int | str, round: int) -> Record | None:
        return _standing(self.records("draw", draw_key(plan_id, task, round)))

    def refuse_repeat(self, plan_id: str, task: int | str, round: int) -> None:
        """Raise ``DrawExists`` now if a draw stands, before any work (``record_draw`` checks again)."""
        standing = self.standing_draw(plan_id, task, round)
        if standing is not None:
            raise _draw_exists(standing, plan_id, task, round)

    def get_draw(self, draw_id: str) -> Record | None:
        rows = self._query(
            "SELECT * FROM records WHERE kind = 'draw' AND json_extract(payload, '$.draw_id') = ?", (draw_id,)
        )
        return _row_to_record(rows[0]) if rows else None

    def superseded_by(self, draw_id: str) -> str | None:
        """The id of the draw that replaced ``draw_id``, or None while it stands (or is unknown)."""
        rows = self._query(
            "SELECT json_extract(payload, '$.draw_id') FROM records"
            " WHERE kind = 'draw' AND json_extract(payload, '$.supersedes') = ?",
            (draw_id,),
        )
        return str(rows[0][0]) if rows else None

    def is_standing(self, draw_id: str) -> bool:
        return self.get_draw(draw_id) is not None and self.superseded_by(draw_id) is None

    def draws(self, *, standing_only: bool = True, year: int | None = None) -> list[Record]:
        """Draw records in ledger order; ``year`` is payload["year"] or else the plan id's prefix."""
        found = self.records("draw")
        if standing_only:
            replaced = {r.payload.get("supersedes") for r in found}
            found = [r for r in found if r.payload["draw_id"] not in replaced]
        if year is not None:
            found = [r for r in found if _draw_year(r) == year]
        return found

    def pairings(self, *, except_key: str | None = None) -> set[tuple[str, str]]:
        """(badge, uscc) pairs that standing draws have already sent together.

        ``except_key`` leaves out the draws of one plan/task/round (a redraw's own predecessor).
        """
        pairs: set[tuple[str, str]] = set()
        for record in self.draws():
            if record.key == except_key:
                continue
            for chosen in record.payload.get("selected", []):
                uscc = normalise_code(chosen["uscc"])
                pairs.update((str(badge), uscc) for badge in chosen.get("team", []))
        return pairs

    # --- results -------------------------------------------------------------------------------

    def record_results(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Record result rows (each with draw_id, uscc, item) all-or-nothing; return how many were new.

        A row whose key already has a result is skipped when it equals the recorded result or its
        current (corrected) value; otherwise ResultConflict lists every conflicting key and nothing
        is written.
        """
        batch: dict[str, tuple[dict[str, Any], str]] = {}
        conflicts: list[str] = []
        for row in rows:
            payload = _result_payload(row)
            key = f"{payload['draw_id']}|{payload['uscc']}|{payload['item']}"  # already normalised
            text = canonical_json(payload)
            if key in batch and batch[key][1] != text:
                conflicts.append(key)
            batch.setdefault(key, (payload, text))
        with self.writing() as w:
            self._check_result_draws({p["draw_id"] for p, _ in batch.values()})
            existing = self._existing_results(list(batch))
            fresh: list[tuple[str, str, str]] = []
            for key, (_payload, text) in batch.items():
                if key not in existing:
                    fresh.append(("result", key, text))
                elif text not in existing[key]:
                    conflicts.append(key)
            if conflicts:
                keys = sorted(set(conflicts))
                shown = "、".join(keys[:20]) + ("…" if len(keys) > 20 else "")
                raise ResultConflict(
                    messages.LEDGER_RESULT_CONFLICT.format(count=len(keys), keys=shown), keys
                )
            return w.append_canonical(fresh)

    def _check_result_draws(self, draw_ids: set[str]) -> None:
        for draw_id in sorted(draw_ids):
            if self.get_draw(draw_id) is None:
                raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
            newer = self.superseded_by(draw_id)
            if newer is not None:
                raise LedgerError(messages.LEDGER_SUPERSEDED_DRAW.format(draw_id=draw_id, by=newer))

    def _existing_results(self, keys: list[str]) -> dict[str, set[str]]:
        """key -> canonical texts a re-sent row may equal (as recorded, and as currently corrected)."""
        found = {key: {text} for key, text in self._payloads_by_keys("result", keys)}
        corrections: dict[str, list[dict[str, Any]]] = {}
        for key, text in self._payloads_by_keys("correction", list(found)):
            corrections.setdefault(key, []).append(json.loads(text))
        for key, applied in corrections.items():
            recorded = json.loads(next(iter(found[key])))
            found[key].add(canonical_json(_apply_corrections(recorded, applied)))
        return found

    def _payloads_by_keys(self, kind: str, keys: list[str]) -> list[tuple[str, str]]:
        """(key, stored payload text) of one kind for ``keys``; each key's records stay in ledger order."""
        out: list[tuple[str, str]] = []
        for start in range(0, len(keys), _IN_QUERY_BATCH):
            chunk = keys[start : start + _IN_QUERY_BATCH]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT key, payload FROM records WHERE kind = ? AND key IN ({marks}) ORDER BY seq"
            out.extend(self._query(sql, (kind, *chunk)))
        return out

    def result_for(self, draw_id: str, uscc: str, item: str) -> dict[str, Any] | None:
        """The current value of one result, with approved corrections applied in order."""
        key = result_key(draw_id, uscc, item)
        recorded = self.records("result", key)
        if not recorded:
            return None
        return _apply_corrections(recorded[0].payload, [c.payload for c in self.records("correction", key)])

    def results(self, draw_id: str | None = None) -> list[dict[str, Any]]:
        """Current results (of one draw or all), each with a ``corrections`` list of payloads."""
        params: tuple[str, ...] = ()
        where = ""
        if draw_id is not None:
            # keys of one draw sort between "<id>|" and "<id>}" ("}" follows "|" in code points)
            where, params = " AND key >= ? AND key < ?", (f"{draw_id}|", f"{draw_id}}}")
        grouped: dict[str, list[Record]] = {}
        for correction in self._select("correction", where, params):
            grouped.setdefault(correction.key, []).append(correction)
        out = []
        for result in self._select("result", where, params):
            corrections = [c.payload for c in grouped.get(result.key, [])]
            current = _apply_corrections(result.payload, corrections)
            current["corrections"] = corrections
            out.append(current)
        return out

    def _select(self, kind: str, where: str, params: Sequence[Any]) -> list[Record]:
        sql = f"SELECT * FROM records WHERE kind = ?{where} ORDER BY seq"
        return [_row_to_record(r) for r in self._query(sql, (kind, *params))]

    def record_correction(self, draw_id: str, uscc: str, item: str, payload: Mapping[str, Any]) -> Record:
        """Append an approved correction of one recorded result.

        ``payload["new"]`` maps result fields to their corrected values; approved_by, approval_ref
        and reason are required, approval_file_sha256 is optional. ``old`` is filled in from the
        ledger; if the caller gives it, it must match the current values.
        """
        new = _checked_correction(payload)
        key = result_key(draw_id, uscc, item)
        where = {"draw_id": draw_id, "uscc": normalise_code(uscc), "item": item.strip()}
        with self.writing() as w:
            current = self.result_for(draw_id, uscc, item)
            if current is None:
                raise LedgerError(messages.LEDGER_CORRECTION_NO_RESULT.format(**where))
            old = {name: current.get(name) for name in new}
            _check_given_old(payload.get("old"), old)
            if canonical_json(old) == canonical_json(new):
                raise LedgerError(messages.LEDGER_CORRECTION_NO_CHANGE.format(**where))
            return w.append("correction", key, {**payload, **where, "old": old, "new": new})

    def record_publication(self, payload: Mapping[str, Any], *, key: str = "") -> Record:
        """Record that results were published (what, where, file hashes …)."""
        with self.writing() as w:
            return w.append("publication", key, payload)


# --- helpers -----------------------------------------------------------------------------------


def _standing(draws_for_key: list[Record]) -> Record | None:
    replaced = {r.payload.get("supersedes") for r in draws_for_key}
    standing = [r for r in draws_for_key if r.payload.get("draw_id") not in replaced]
    return standing[-1] if standing else None


def _draw_year(record: Record) -> int | None:
    if "year" in record.payload:
        return int(record.payload["year"])
    match = re.match(r"(\d{4})", record.key)
    return int(match.group(1)) if match else None


def _result_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    payload = dict(row)
    for name in RESULT_KEY_FIELDS:
        if not isinstance(payload.get(name), str) or not payload[name].strip():
            raise ValueError(f"result row needs a non-empty string {name!r}: {row!r}")
    payload["uscc"] = normalise_code(payload["uscc"])
    payload["item"] = payload["item"].strip()
    return payload


def _apply_corrections(result: Mapping[str, Any], corrections: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    current = dict(result)
    for correction in corrections:
        current.update(correction["new"])
    return current


def _checked_correction(payload: Mapping[str, Any]) -> dict[str, Any]:
    for name, label in CORRECTION_REQUIRED.items():
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip():
            raise LedgerError(messages.LEDGER_CORRECTION_FIELD_MISSING.format(label=label))
    new = payload.get("new")
    if not isinstance(new, Mapping) or not new:
        raise ValueError("correction payload needs a non-empty 'new' mapping of field -> value")
    if set(new) & set(RESULT_KEY_FIELDS):
        raise ValueError(f"a correction cannot change {RESULT_KEY_FIELDS}; record a new result instead")
    return json.loads(canonical_json(dict(new)))  # type: ignore[no-any-return]


def _check_given_old(given: Any, old: dict[str, Any]) -> None:
    if given is None:
        return
    for name, current in old.items():
        if not isinstance(given, Mapping) or canonical_json(given.get(name)) != canonical_json(current):
            shown = given.get(name) if isinstance(given, Mapping) else given
            raise LedgerError(
                messages.LEDGER_CORRECTION_OLD_MISMATCH.format(
                    field=name, current=canonical_json(current), given=canonical_json(shown)
                )
            )


def _audit_rows(rows: Iterable[Sequence[Any]], head: tuple[int, str]) -> AuditReport:
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for seq, kind, key, created_at, payload, stored_prev, stored_hash in rows:
        problem = _row_problem(seq, expected_seq, prev_hash, (kind, key, created_at, payload, stored_prev))
        if problem is None and record_hash(seq, kind, key, created_at, payload, stored_prev) != stored_hash:
            problem = (seq, messages.LEDGER_AUDIT_CONTENT.format(seq=seq))
        if problem is not None:
            return AuditReport(False, checked, problem[0], problem[1])
        expected_seq, prev_hash, checked = seq + 1, stored_hash, checked + 1
    if (expected_seq - 1, prev_hash) != head:
        reason = messages.LEDGER_AUDIT_HEAD.format(head_seq=head[0], last_seq=expected_seq - 1)
        return AuditReport(False, checked, min(head[0], expected_seq - 1) + 1, reason)
    return AuditReport(True, checked, None, None)


def _row_problem(
    seq: int, expected_seq: int, prev_hash: str, fields: tuple[str, str, str, str, str]
) -> tuple[int, str] | None:
    """First structural fault of one row: a gap before it, a broken link, or non-canonical payload."""
    _kind, _key, _created_at, payload, stored_prev = fields
    if seq != expected_seq:
        if expected_seq == 1:
            return 1, messages.LEDGER_AUDIT_BAD_START.format(found=seq)
        return expected_seq, messages.LEDGER_AUDIT_GAP.format(seq=expected_seq, found=seq)
    if stored_prev != prev_hash:
        return seq, messages.LEDGER_AUDIT_LINK.format(seq=seq, prev=seq - 1)
    try:
        canonical = canonical_json(json.loads(payload))
    except (TypeError, ValueError):
        canonical = None
    if canonical != payload:
        return seq, messages.LEDGER_AUDIT_NOT_CANONICAL.format(seq=seq)
    return None
