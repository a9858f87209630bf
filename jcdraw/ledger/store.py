"""The ledger file: an append-only SQLite store of chained records (it knows nothing of their contents).

The truth is the table ``records(seq, kind, key, created_at, payload, prev_hash, hash)`` (chained as
``jcdraw.ledger.chain`` specifies); ``meta`` holds ``schema_version``, ``ledger_id`` and the head of the
chain (``head_seq``, ``head_hash``). Records are never updated or deleted (SQLite triggers refuse it,
and the chain would show it).

The id is in the chain too, as a record of kind ``ledger`` (payload ``{"ledger_id", "created_at"}``,
the ledger's own creation time). Every writing command opens the ledger through
``jcdraw.ledger.opening``: a ledger it creates gets that record at once (:meth:`Store.ensure_id_record`),
and an older one gets it in the transaction of its next write (:meth:`Store.chain_id_on_write`).
Readers never write.

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

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

from jcdraw import messages
from jcdraw.errors import LedgerError
from jcdraw.ledger.chain import (
    GENESIS_HASH,
    Anchor,
    AuditReport,
    Record,
    audit_rows,
    canonical_json,
    record_hash,
    record_hash_of_bytes,
    row_to_record,
)

SCHEMA_VERSION = 1
ID_KIND = "ledger"  # the record kind that holds the ledger's id (the first record of a new ledger)
DEFAULT_FILE_NAME = "jcdraw.sqlite3"  # the ledger every command uses when none is named
APPLICATION_ID = 0x4A434452  # "JCDR" in the SQLite header, so `file` and others can tell what it is
DEFAULT_BUSY_TIMEOUT = 5.0
SQLITE_HEADER = b"SQLite format 3\x00"
_IN_QUERY_BATCH = 900  # stays far below SQLite's bound-parameter limit
# The newest record with its payload as the UTF-8 bytes SQLite stores (TEXT is UTF-8 in a jcdraw
# ledger), so it is hashed without being decoded and encoded again.
_NEWEST_AS_STORED = (
    "SELECT seq, kind, key, created_at, CAST(payload AS BLOB), prev_hash, hash FROM records"
    " ORDER BY seq DESC LIMIT 1"
)

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


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        return row_to_record(self._last_row)

    def append_many(self, entries: Iterable[tuple[str, str, Mapping[str, Any]]]) -> int:
        """Append many records in order with one ``executemany``; return how many."""
        return self.append_canonical((kind, key, canonical_json(dict(p))) for kind, key, p in entries)

    def append_canonical(self, entries: Iterable[tuple[str, str, str]]) -> int:
        """Like :meth:`append_many` for payloads already passed through :func:`canonical_json`.

        The rows are chained and handed to SQLite one at a time, so 100,000 results never sit in
        memory as rows too (their hashes alone are 25 MB). A bad kind or key raises ValueError,
        which the enclosing ``writing()`` rolls back like any failure.
        """
        before = self.appended
        with _sqlite_errors(self._path):
            self._conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)", self._chained(entries))
        return self.appended - before

    def _chained(self, entries: Iterable[tuple[str, str, str]]) -> Iterator[tuple[Any, ...]]:
        """The rows of ``entries``, each hashed onto the one before; the head follows each row."""
        created_at = self._created_at
        for kind, key, text in entries:
            if not kind or not isinstance(kind, str) or not isinstance(key, str):
                raise ValueError(f"invalid ledger kind/key {kind!r}/{key!r}")
            seq, prev = self.head_seq + 1, self.head_hash
            digest = record_hash(seq, kind, key, created_at, text, prev)
            self._last_row = (seq, kind, key, created_at, text, prev, digest)
            self.head_seq, self.head_hash = seq, digest
            self.appended += 1
            yield self._last_row


# --- the ledger --------------------------------------------------------------------------------


class Store:
    """An open ledger file. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path, *, readonly: bool, clock: Callable[[], datetime]
    ) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly
        self._clock = clock
        self._writer: Writer | None = None
        self._id_on_write = False  # chain the id with the next write if the chain lacks it

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        readonly: bool = False,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Callable[[], datetime] = _utc_now,
    ) -> Self:
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
            id_added = self._id_on_write and self._append_id_if_missing(self._writer)
            yield self._writer
            with _sqlite_errors(self.path):
                if id_added and self._writer.appended == 1:  # nothing else written: leave the file as it was
                    self._conn.execute("ROLLBACK")
                    self._id_on_write = True
                else:
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
        row = self._conn.execute(_NEWEST_AS_STORED).fetchone()
        last_seq, last_hash = (0, GENESIS_HASH) if row is None else (int(row[0]), row[6])
        if (last_seq, last_hash) != (head_seq, head_hash):
            detail = f"登记为第 {head_seq} 条，实际为第 {last_seq} 条"
            raise LedgerError(messages.LEDGER_TAIL_TAMPERED.format(path=self.path, detail=detail))
        if (
            row is not None
            and record_hash_of_bytes(*row[:6]) != last_hash
            and not self._tail_matches_as_text()
        ):
            detail = f"第 {last_seq} 条记录的内容与校验值不符"
            raise LedgerError(messages.LEDGER_TAIL_TAMPERED.format(path=self.path, detail=detail))
        return head_seq, head_hash

    def _tail_matches_as_text(self) -> bool:
        """The newest record hashed from its text: the same unless the file is not stored as UTF-8."""
        row = self._conn.execute("SELECT * FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        return bool(record_hash(*row[:6]) == row[6])

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
        return [row_to_record(r) for r in self._query(f"SELECT * FROM records{where} ORDER BY seq", params)]

    def newest_seq(self) -> int:
        """The seq of the newest record, 0 for an empty ledger (read without its payload)."""
        rows = self._query("SELECT seq FROM records ORDER BY seq DESC LIMIT 1")
        return int(rows[0][0]) if rows else 0

    def last_hash(self) -> str:
        """Hash of the newest record (64 zeros for an empty ledger); print it to anchor the chain."""
        rows = self._query("SELECT hash FROM records ORDER BY seq DESC LIMIT 1")
        return str(rows[0][0]) if rows else GENESIS_HASH

    def anchor(self, *, skipping: str | None = None) -> Anchor:
        """The ledger's id and head as of now, to print on what is about to be written.

        ``skipping``: as of the newest record of another kind (a publication names its outputs'
        SHA-256, so they print the head just before it; see ``jcdraw.publicity.publish``).
        """
        where = "" if skipping is None else " WHERE kind != ?"
        params = () if skipping is None else (skipping,)
        rows = self._query(f"SELECT seq, hash FROM records{where} ORDER BY seq DESC LIMIT 1", params)
        seq, head = (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS_HASH)
        return Anchor(self.ledger_id, seq, head)

    def has_hash(self, digest: str) -> bool:
        """Whether some record of the chain has this hash (an anchor printed earlier is still in it)."""
        return self.seq_of(digest) is not None

    def seq_of(self, digest: str) -> int | None:
        """The seq of the record with this hash, None when no record of the chain has it."""
        rows = self._query("SELECT seq FROM records WHERE hash = ? LIMIT 1", (digest.lower(),))
        return int(rows[0][0]) if rows else None

    def ensure_id_record(self) -> bool:
        """Append the ``ledger`` record now if the chain lacks it (a ledger just created); True if so."""
        with self.writing() as w:
            return self._append_id_if_missing(w)

    def chain_id_on_write(self) -> None:
        """Have the next write first append the ``ledger`` record if the chain lacks it (an older ledger).

        Writing commands call this when they open the ledger, so the record joins the command's own
        transaction; a transaction that writes nothing else is rolled back, so a command refused
        before it writes leaves the file as it was. Readers never write.
        """
        self._id_on_write = True

    def _append_id_if_missing(self, writer: Writer) -> bool:
        """Append the ``ledger`` record (existing records keep their hashes); False if there is one."""
        self._id_on_write = False
        if self._query(f"SELECT 1 FROM records WHERE kind = '{ID_KIND}' LIMIT 1"):
            return False
        created = self._query("SELECT value FROM meta WHERE name = 'created_at'")
        since = str(created[0][0]) if created else ""
        writer.append(ID_KIND, self.ledger_id, {"ledger_id": self.ledger_id, "created_at": since})
        return True

    def audit(self) -> AuditReport:
        """Recompute the whole chain and report the first broken record (reads one snapshot)."""
        with _sqlite_errors(self.path):
            in_outer = self._conn.in_transaction
            if not in_outer:
                self._conn.execute("BEGIN")
            try:
                head = self._meta_head()
                report = audit_rows(self._conn.execute("SELECT * FROM records ORDER BY seq"), head)
                return report if not report.ok else self._audit_id(report)
            finally:
                if not in_outer:
                    self._conn.execute("COMMIT")

    def _audit_id(self, report: AuditReport) -> AuditReport:
        """The id in ``meta`` must be the one the chain records (a swapped id would mislead anchors)."""
        rows = self._conn.execute(
            f"SELECT seq, json_extract(payload, '$.ledger_id') FROM records WHERE kind = '{ID_KIND}'"
            " ORDER BY seq LIMIT 1"
        ).fetchall()
        if not rows or rows[0][1] == self.ledger_id:
            return report
        reason = messages.LEDGER_AUDIT_ID.format(seq=rows[0][0], chained=rows[0][1], meta=self.ledger_id)
        return AuditReport(False, report.checked, int(rows[0][0]), reason)
