"""The hash chain: how a ledger record is stored, hashed and audited (no SQLite, no record contents).

Specification
-------------
Every record has ``seq, kind, key, created_at, payload, prev_hash, hash``.

* ``seq`` counts records 1, 2, 3, … without gaps. ``kind`` is ``ledger`` (the ledger's id: the
  first record of a ledger jcdraw creates, appended to an older ledger on its next write),
  ``prepare``, ``refused`` (a draw refused after its seed was given), ``draw``, ``result``,
  ``correction``, ``publication`` or ``followup`` (the generic API accepts others). ``key`` names
  what the record is about: the ledger id (32 hex) for ``ledger``, ``"<plan>|<task>|<round>"`` for
  prepares, refused attempts and draws, ``"<draw_id>|<uscc>|<item>"`` for results, corrections and
  follow-ups. The ``ledger`` payload is ``{"created_at": <the ledger's creation time>, "ledger_id":
  <the id>}``; audit checks that the id kept beside the records is the one the chain holds.
* A ``followup`` records what was done about a result in a category that needs 后续处置
  (``jcdraw followup``): payload ``draw_id, uscc, item`` (as the result's key), ``action`` (text),
  ``date`` (ISO, the action's day), ``recorded_on`` (ISO), and optionally ``done`` (ISO, the day the
  follow-up was completed) and ``approved_by``. A key may have several; the newest one is the
  current state, and none follows one with ``done``.
* ``created_at`` is UTC to the second, e.g. ``2024-05-01T08:00:00Z``.
* ``payload`` is canonical JSON: ``json.dumps(obj, ensure_ascii=False, sort_keys=True,
  separators=(",", ":"))`` (NaN is refused; dates are written as ISO text).
* ``hash`` is the lower-case hex SHA-256 of the UTF-8 bytes of
  ``f"{seq}|{kind}|{key}|{created_at}|{payload}|{prev_hash}"``. ``prev_hash`` is the previous
  record's ``hash``; the first record's is 64 zeros. Changing, deleting or inserting any record
  therefore breaks the chain, and :func:`audit_rows` names the first broken link. A deleted or
  added last record is caught by comparing the chain's end with the head kept beside the records.
  The chain cannot stop someone who rewrites every later hash *and* the head, or who puts back an
  older copy of the file: so every page jcdraw prints carries the ledger id and the head
  (:class:`Anchor`), and ``jcdraw audit --against`` / ``--expect-head`` check that a head printed
  earlier is still the hash of a record at the place printed (``jcdraw.ledger.anchor_check``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from jcdraw import messages

GENESIS_HASH = "0" * 64


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


def canonical_json(obj: Any) -> str:
    """The exact text that is stored and hashed for a payload.

    Example:
        >>> canonical_json({"b": 1, "a": ["检查", 2.5, None]})
        '{"a":["检查",2.5,null],"b":1}'
    """
    return _CANONICAL.encode(obj)


class _Absent:
    """The marker of a field a row of ``canonical_json_rows`` does not have."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
# Column types whose values are equal only when their JSON texts are: the texts can be cached by value.
# (bool, float and nested lists are not: True == 1 == 1.0 and 0.0 == -0.0 encode differently.)
_CACHEABLE = {str, int, type(None), _Absent, tuple}


def canonical_json_rows(columns: Mapping[str, Sequence[Any]]) -> list[str]:
    """``canonical_json`` of each row ``{name: columns[name][i]}``, built a column at a time.

    A value ``ABSENT`` leaves its field out of that row. Names must be text. Each distinct text,
    number or tuple of texts in a column is encoded once, which at 100,000 rows costs a fifth of
    encoding every row as a dict; the text of every row is the same.

    Example:
        >>> canonical_json_rows({"b": [1, 2], "a": [("检查",), ABSENT]})
        ['{"a":["检查"],"b":1}', '{"b":2}']
    """
    names = sorted(columns)
    if any(type(name) is not str for name in names):
        raise TypeError("canonical_json_rows needs text column names")
    parts = [_encoded_column(name, columns[name]) for name in names]
    if not parts:
        return []
    # Every part starts with its comma; the first one of each row is dropped.
    return ["{" + "".join(row)[1:] + "}" for row in zip(*parts, strict=True)]


def _encoded_column(name: str, values: Sequence[Any]) -> list[str]:
    """``,"name":<JSON>`` per value ("" where ABSENT)."""
    prefix = f",{_CANONICAL.encode(name)}:"
    types = set(map(type, values))
    inner = set(map(type, itertools.chain.from_iterable(v for v in values if type(v) is tuple)))
    if types <= _CACHEABLE and inner <= {str}:
        return list(map(_FieldTexts(prefix).__getitem__, values))
    return ["" if value is ABSENT else prefix + _CANONICAL.encode(value) for value in values]


class _FieldTexts(dict[Any, str]):
    """Value → its field's text, encoded on first use (only for values of ``_CACHEABLE`` types)."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, value: Any) -> str:
        text = "" if value is ABSENT else self.prefix + _CANONICAL.encode(value)
        self[value] = text
        return text


def _json_default(value: Any) -> Any:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars from pandas rows
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable in a ledger payload")


# What json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False,
# default=_json_default) builds on every call; one instance serves all (encoding keeps no state),
# which saves a quarter of the time of recording 100,000 results.
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_json_default
)


def record_hash(seq: int, kind: str, key: str, created_at: str, payload: str, prev_hash: str) -> str:
    """SHA-256 (hex) of ``f"{seq}|{kind}|{key}|{created_at}|{payload}|{prev_hash}"`` in UTF-8.

    Example:
        >>> record_hash(1, "draw", "2024-joint|1|1", "2024-05-01T08:00:00Z", '{"a":1}', "0" * 64)
        '27f776baa56f2329e4a6c6cce620b100b6fc1c6afde6b30f06145670c2e0f3f3'
    """
    text = f"{seq}|{kind}|{key}|{created_at}|{payload}|{prev_hash}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_hash_of_bytes(
    seq: int, kind: str, key: str, created_at: str, payload: bytes, prev_hash: str
) -> str:
    """``record_hash`` with the payload given as its UTF-8 bytes, hashed in pieces.

    The newest record is re-hashed before every append; a publication record can hold megabytes,
    and decoding, joining and re-encoding it cost three times the hashing itself.
    """
    digest = hashlib.sha256(f"{seq}|{kind}|{key}|{created_at}|".encode())
    digest.update(payload)
    digest.update(f"|{prev_hash}".encode())
    return digest.hexdigest()


def row_to_record(row: Sequence[Any]) -> Record:
    seq, kind, key, created_at, payload, prev_hash, hash_ = row
    return Record(int(seq), kind, key, created_at, json.loads(payload), prev_hash, hash_)


def audit_rows(rows: Iterable[Sequence[Any]], head: tuple[int, str]) -> AuditReport:
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


@dataclass(frozen=True)
class Anchor:
    """Where a ledger stood when something was printed: its id, how many records, and the head hash.

    Printed on every workbook and page jcdraw writes, so a ledger restored from a copy or rewritten
    later is caught by any page printed before the change (``jcdraw audit --against``).
    """

    ledger_id: str
    records: int
    head: str  # hash of the newest record; 64 zeros for an empty ledger

    def text(self) -> str:
        """The anchor as printed (``ANCHOR_PATTERN`` reads it back).

        Example:
            >>> Anchor("0" * 32, 3, "ab" * 32).text()[:45]
            '台账编号 00000000000000000000000000000000；记录 3 条；'
        """
        return messages.ANCHOR_TEXT.format(ledger_id=self.ledger_id, records=self.records, head=self.head)


# The printed anchor, read back from workbooks and pages: ledger id (32 hex) and head (64 hex).
ANCHOR_PATTERN = re.compile(r"台账编号\s*([0-9a-f]{32})\D+?(\d+)\s*条\D+?台账校验值\s*([0-9a-f]{64})")


def anchors_in(text: str) -> list[Anchor]:
    """Every anchor printed in ``text``.

    Example:
        >>> anchors_in(Anchor("a" * 32, 7, "b" * 64).text()) == [Anchor("a" * 32, 7, "b" * 64)]
        True
    """
    return [Anchor(m.group(1), int(m.group(2)), m.group(3)) for m in ANCHOR_PATTERN.finditer(text)]
