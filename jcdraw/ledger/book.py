"""What the ledger records about draws, results, corrections and publications.

"Standing" is derived: a draw stands unless a later draw for the same key supersedes it. A result is
changed only by appending a ``correction`` that names its approval. Every method writes through
``Store.writing`` (one ``BEGIN IMMEDIATE`` transaction), so a check such as "is there a standing draw?"
and the append that follows cannot interleave with another process.

Reading many results
    ``results()`` decodes every payload. ``stored_results()`` returns the same values for what
    publishing and status need, at a third of the cost: SQLite's ``json_extract`` reads the six
    fields of each *plain* result (draw_id, uscc, item and completed are JSON text, result and badges
    JSON arrays, and no correction names its key), and only the other results are decoded in full.
    Nothing is stored beside the records: the schema and every record's bytes stay as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jcdraw import messages
from jcdraw.errors import LedgerError
from jcdraw.io.clock import beijing_minute
from jcdraw.io.text import normalize_key_one
from jcdraw.ledger.chain import (
    ABSENT,
    Anchor,
    Record,
    canonical_json,
    canonical_json_rows,
    row_to_record,
)
from jcdraw.ledger.draw_uses import DRAW_USES_SQL, DrawUse, draw_use
from jcdraw.ledger.store import Store

DRAW_RESERVED_FIELDS = ("draw_id", "supersedes", "redraw_reason")
RESULT_KEY_FIELDS = ("draw_id", "uscc", "item")
CORRECTION_REQUIRED = {"approved_by": "审批人", "approval_ref": "审批文号", "reason": "更正原因"}
_IN_QUERY_BATCH = 900  # stays far below SQLite's bound-parameter limit
# The JSON types publishing records; a result with these and no correction is "plain".
_PLAIN_RESULT_TYPES = {
    "draw_id": "text",
    "uscc": "text",
    "item": "text",
    "result": "array",
    "completed": "text",
    "badges": "array",
}
PLAIN_RESULT_FIELDS = tuple(_PLAIN_RESULT_TYPES)
# One pass over the results: the six fields of each plain result, the seq of every other one. SQLite
# (3.40) cuts text at an escaped NUL, so a payload holding one is decoded in Python instead.
_STORED_RESULTS_SQL = (
    "SELECT "
    + ", ".join(f"json_extract(payload, '$.{name}')" for name in PLAIN_RESULT_FIELDS)
    + ", CASE WHEN "
    + " AND ".join(f"json_type(payload, '$.{name}') = '{kind}'" for name, kind in _PLAIN_RESULT_TYPES.items())
    + " AND instr(payload, '\\u0000') = 0"
    + " AND key NOT IN (SELECT key FROM records WHERE kind = 'correction') THEN NULL ELSE seq END"
    + " FROM records WHERE kind = 'result' ORDER BY seq"
)


class DrawExists(LedgerError):
    """A standing draw already exists for this plan, task and round; a redraw needs a reason."""

    exit_code = 1  # the request was understood and refused by rule, like any input problem

    def __init__(self, message: str, draw_id: str, created_at: str) -> None:
        super().__init__(message)
        self.draw_id = draw_id
        self.created_at = created_at


class RedrawOrphans(LedgerError):
    """A redraw would replace a draw whose results are already recorded; nothing was recorded."""

    exit_code = 1

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


@dataclass(frozen=True)
class StoredResults:
    """Every recorded result in ledger order (``Ledger.stored_results``), without decoding each payload.

    ``plain[name]`` is a column over the plain results for each of ``PLAIN_RESULT_FIELDS`` plus
    ``position`` (the result's index in ledger order). Values are as stored: text for draw_id, uscc,
    item and completed, and for result and badges the array's JSON text, which ``json.loads`` turns
    into exactly the list the payload holds (equal arrays have equal text, so decode each text once).
    Plain results have no corrections. ``others`` maps the position of every other result to what
    ``results()`` returns for it: current values, corrections applied, and ``corrections``.
    """

    count: int
    plain: dict[str, list[Any]]
    others: dict[int, dict[str, Any]]


class ResultConflict(LedgerError):
    """Some result rows differ from results already recorded under the same key; nothing was written."""

    exit_code = 1

    def __init__(self, message: str, keys: list[str]) -> None:
        super().__init__(message)
        self.keys = keys


def _draw_exists(standing: Record, plan_id: str, task: int | str, round: int) -> DrawExists:
    old_id = str(standing.payload["draw_id"])
    message = messages.LEDGER_DRAW_EXISTS.format(
        plan=plan_id, task=task, round=round, when=beijing_minute(standing.created_at), draw_id=old_id
    )
    return DrawExists(message, old_id, standing.created_at)


def draw_key(plan_id: str, task: int | str, round: int) -> str:
    """The ledger key of a (plan, task, round); plan ids may not contain ``|``."""
    if "|" in plan_id or not plan_id:
        raise ValueError(f"invalid plan id {plan_id!r}")
    return f"{plan_id}|{task}|{round}"


def result_key(draw_id: str, uscc: str, item: str) -> str:
    """The ledger key of one result: draw id, normalised credit code and inspection item."""
    return f"{draw_id}|{_code(uscc)}|{item.strip()}"


def _code(code: object) -> str:
    """A credit code as compared everywhere (``normalize_key_one``), "" for empty."""
    return normalize_key_one(code) or ""


class Ledger(Store):
    """An open ledger with the domain records; open it with :meth:`Store.open`."""

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
        standing. A standing statement that the round had no eligible entity (``empty``) is
        replaced by a real draw without a reason (``supersedes`` only). The check and the append
        run in one ``BEGIN IMMEDIATE`` transaction.
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
            if standing is not None and reason is None and not _replaces_empty(standing, payload):
                raise _draw_exists(standing, plan_id, task, round)
            if standing is None and reason is not None:
                raise LedgerError(messages.LEDGER_REDRAW_NOTHING.format(**where))
            if standing is not None:
                self._refuse_orphaning(standing)
            draw_id = f"{plan_id}-T{task}-R{round}-{len(earlier) + 1}"
            body = {**payload, "draw_id": draw_id}
            if standing is not None:
                body["supersedes"] = standing.payload["draw_id"]
            if standing is not None and reason is not None:
                body["redraw_reason"] = reason
            w.append("draw", key, body)
        return draw_id

    def standing_draw(self, plan_id: str, task: int | str, round: int) -> Record | None:
        return _standing(self.records("draw", draw_key(plan_id, task, round)))

    def refuse_repeat(self, plan_id: str, task: int | str, round: int, *, empty: bool = False) -> None:
        """Raise ``DrawExists`` now if a draw stands, before any work (``record_draw`` checks again).

        A standing ``empty`` statement does not stand in the way of a real draw (``empty=False``).
        """
        standing = self.standing_draw(plan_id, task, round)
        if standing is not None and not _replaces_empty(standing, {"empty": empty}):
            raise _draw_exists(standing, plan_id, task, round)

    def draw_anchor(self, draw_id: str) -> Anchor:
        """The ledger's id with the draw's own place in the chain: its seq and its record hash."""
        rows = self._query(
            "SELECT seq, hash FROM records WHERE kind = 'draw' AND json_extract(payload, '$.draw_id') = ?",
            (draw_id,),
        )
        if not rows:
            raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
        return Anchor(self.ledger_id, int(rows[0][0]), str(rows[0][1]))

    def refuse_redraw(self, plan_id: str, task: int | str, round: int) -> None:
        """Raise ``RedrawOrphans`` now if the draw a redraw would replace has results recorded."""
        standing = self.standing_draw(plan_id, task, round)
        if standing is not None:
            self._refuse_orphaning(standing)

    def _refuse_orphaning(self, standing: Record) -> None:
        """Results recorded against a draw belong to it: replacing it would hide them from every count."""
        draw_id = str(standing.payload["draw_id"])
        count = self.result_count(draw_id)
        if count:
            raise RedrawOrphans(messages.LEDGER_REDRAW_ORPHANS.format(draw_id=draw_id, count=count), count)

    def inspected_entities(self) -> set[tuple[str, str]]:
        """(draw id, code) of every entity with a recorded result (publish records all its items)."""
        rows = self._query("SELECT key FROM records WHERE kind = 'result'")
        return {(draw_id, uscc) for draw_id, uscc, _item in (str(r[0]).split("|", 2) for r in rows)}

    def result_count(self, draw_id: str) -> int:
        """How many results are recorded against ``draw_id``."""
        rows = self._query(
            "SELECT COUNT(*) FROM records WHERE kind = 'result' AND key >= ? AND key < ?",
            (f"{draw_id}|", f"{draw_id}}}"),  # keys of one draw sort between "<id>|" and "<id>}"
        )
        return int(rows[0][0])

    def get_draw(self, draw_id: str) -> Record | None:
        rows = self._query(
            "SELECT * FROM records WHERE kind = 'draw' AND json_extract(payload, '$.draw_id') = ?", (draw_id,)
        )
        return row_to_record(rows[0]) if rows else None

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

    def draw_uses(self, plan_id: str | None = None) -> list[DrawUse]:
        """Every draw (superseded ones too) with the plan file it used, in ledger order; cheap at any
        size, as the drawn entities are never decoded."""
        sql = DRAW_USES_SQL
        params: tuple[str, ...] = ()
        if plan_id is not None:  # keys of one plan sort between "<id>|" and "<id>}"
            sql += " AND key >= ? AND key < ?"
            params = (f"{plan_id}|", f"{plan_id}}}")
        rows = self._query(sql + " ORDER BY seq", params)
        return [draw_use(row) for row in rows]

    def pairings(self, *, except_key: str | None = None) -> set[tuple[str, str]]:
        """(badge, uscc) pairs that standing draws have already sent together.

        ``except_key`` leaves out the draws of one plan/task/round (a redraw's own predecessor).
        """
        pairs: set[tuple[str, str]] = set()
        for record in self.draws():
            if record.key == except_key:
                continue
            for chosen in record.payload.get("selected", []):
                uscc = _code(chosen["uscc"])
                pairs.update((str(badge), uscc) for badge in chosen.get("team", []))
        return pairs

    # --- results -------------------------------------------------------------------------------

    def record_results(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Record result rows (each with draw_id, uscc, item) all-or-nothing; return how many were new.

        A row whose key already has a result is skipped when it equals the recorded result or its
        current (corrected) value; otherwise ResultConflict lists every conflicting key and nothing
        is written.
        """
        rows = list(rows)
        names = dict.fromkeys(name for row in rows for name in row)
        return self.record_result_columns({name: [row.get(name, ABSENT) for row in rows] for name in names})

    def record_result_columns(self, columns: Mapping[str, Sequence[Any]]) -> int:
        """``record_results`` of the rows ``{name: columns[name][i]}`` (``ABSENT``: no such field).

        The payloads are encoded a column at a time (``canonical_json_rows``), as publishing records
        many thousands at once; the stored texts are those of ``record_results``.
        """
        columns = {name: list(values) for name, values in columns.items()}
        count = len(next(iter(columns.values()), []))
        for name in RESULT_KEY_FIELDS:
            if not _all_filled_text(columns.get(name, [ABSENT] * count)):
                raise ValueError(f"every result row needs a non-empty string {name!r}")
        for name, normal in (("uscc", _code), ("item", str.strip)):  # codes and items repeat
            columns[name] = _each_once(normal, columns.get(name, []))
        fields = [columns.get(name, []) for name in RESULT_KEY_FIELDS]
        keys = list(map("|".join, zip(*fields, strict=True)))
        return self._record_result_texts(keys, fields[0], canonical_json_rows(columns))

    def _record_result_texts(self, keys: list[str], draw_ids: Iterable[str], texts: list[str]) -> int:
        """Append the result payloads ``texts`` under ``keys``, skipping repeats (``record_results``)."""
        batch: dict[str, str] = {}
        conflicts: list[str] = []
        for key, text in zip(keys, texts, strict=True):
            if batch.setdefault(key, text) != text:
                conflicts.append(key)
        with self.writing() as w:
            self._check_result_draws(set(draw_ids))
            existing = self._existing_results(list(batch))
            fresh: list[tuple[str, str, str]] = []
            for key, text in batch.items():
                if key not in existing:
                    fresh.append(("result", key, text))
                elif text not in existing[key]:
                    conflicts.append(key)
            if conflicts:
                refused = sorted(set(conflicts))
                shown = "、".join(refused[:20]) + ("…" if len(refused) > 20 else "")
                raise ResultConflict(
                    messages.LEDGER_RESULT_CONFLICT.format(count=len(refused), keys=shown), refused
                )
            return w.append_canonical(fresh)

    def _check_result_draws(self, draw_ids: set[str]) -> None:
        """Refuse (first in sorted order) a draw id that is unknown or superseded.

        Two queries for all ids, as ``get_draw`` and ``superseded_by`` per id would parse every
        draw payload once per id.
        """
        wanted = sorted(draw_ids)
        known: set[str] = set()
        replaced: dict[str, str] = {}
        for start in range(0, len(wanted), _IN_QUERY_BATCH):
            chunk = wanted[start : start + _IN_QUERY_BATCH]
            marks = ",".join("?" * len(chunk))
            found = self._query(
                f"SELECT json_extract(payload, '$.draw_id') FROM records"
                f" WHERE kind = 'draw' AND json_extract(payload, '$.draw_id') IN ({marks})",
                chunk,
            )
            known.update(str(row[0]) for row in found)
            newer = self._query(
                "SELECT json_extract(payload, '$.supersedes'), json_extract(payload, '$.draw_id')"
                " FROM records WHERE kind = 'draw'"
                f" AND json_extract(payload, '$.supersedes') IN ({marks}) ORDER BY seq",
                chunk,
            )
            for old, new in newer:
                replaced.setdefault(str(old), str(new))
        for draw_id in wanted:
            if draw_id not in known:
                raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
            if draw_id in replaced:
                raise LedgerError(
                    messages.LEDGER_SUPERSEDED_DRAW.format(draw_id=draw_id, by=replaced[draw_id])
                )

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

    def stored_results(self) -> StoredResults:
        """All results as ``StoredResults``: plain ones by ``json_extract``, the others decoded."""
        rows = self._query(_STORED_RESULTS_SQL)
        fields: list[Sequence[Any]] = list(zip(*rows, strict=True)) or [()] * (len(PLAIN_RESULT_FIELDS) + 1)
        marks = fields.pop()
        others = {seq: n for n, seq in enumerate(marks) if seq is not None}
        positions = [n for n, seq in enumerate(marks) if seq is None]
        if others:
            fields = [[column[n] for n in positions] for column in fields]
        table = {name: list(values) for name, values in zip(PLAIN_RESULT_FIELDS, fields, strict=True)}
        table["position"] = positions
        return StoredResults(len(rows), table, self._decoded_results(others))

    def _decoded_results(self, positions: dict[int, int]) -> dict[int, dict[str, Any]]:
        """Position → current value with ``corrections`` (as ``results()``), for results by seq."""
        if not positions:
            return {}
        grouped: dict[str, list[dict[str, Any]]] = {}
        for correction in self._select("correction", "", ()):
            grouped.setdefault(correction.key, []).append(correction.payload)
        out: dict[int, dict[str, Any]] = {}
        seqs = list(positions)
        for start in range(0, len(seqs), _IN_QUERY_BATCH):
            chunk = seqs[start : start + _IN_QUERY_BATCH]
            sql = f"SELECT * FROM records WHERE seq IN ({','.join('?' * len(chunk))})"
            for record in map(row_to_record, self._query(sql, chunk)):
                corrections = grouped.get(record.key, [])
                current = _apply_corrections(record.payload, corrections)
                current["corrections"] = corrections
                out[positions[record.seq]] = current
        return out

    def _select(self, kind: str, where: str, params: Sequence[Any]) -> list[Record]:
        sql = f"SELECT * FROM records WHERE kind = ?{where} ORDER BY seq"
        return [row_to_record(r) for r in self._query(sql, (kind, *params))]

    def record_correction(self, draw_id: str, uscc: str, item: str, payload: Mapping[str, Any]) -> Record:
        """Append an approved correction of one recorded result.

        ``payload["new"]`` maps result fields to their corrected values; approved_by, approval_ref
        and reason are required, approval_file_sha256 is optional. ``old`` is filled in from the
        ledger; if the caller gives it, it must match the current values.
        """
        new = _checked_correction(payload)
        key = result_key(draw_id, uscc, item)
        where = {"draw_id": draw_id, "uscc": _code(uscc), "item": item.strip()}
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

    def newest_outputs(self) -> dict[str, str]:
        """File name → SHA-256 of the outputs the newest record lists, if it is a publication, else {}.

        Read without decoding the record's (possibly long) list of published results.
        """
        rows = self._query(
            "SELECT kind, json_extract(payload, '$.outputs') FROM records ORDER BY seq DESC LIMIT 1"
        )
        if not rows or rows[0][0] != "publication" or not isinstance(rows[0][1], str):
            return {}
        entries = json.loads(rows[0][1])
        return {
            str(e["file"]): str(e["sha256"])
            for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict) and "file" in e and "sha256" in e
        }


# --- helpers -----------------------------------------------------------------------------------


def _standing(draws_for_key: list[Record]) -> Record | None:
    replaced = {r.payload.get("supersedes") for r in draws_for_key}
    standing = [r for r in draws_for_key if r.payload.get("draw_id") not in replaced]
    return standing[-1] if standing else None


def _replaces_empty(standing: Record, payload: Mapping[str, Any]) -> bool:
    """A real draw takes the place of a standing "no eligible entity" statement without a reason."""
    return bool(standing.payload.get("empty")) and not payload.get("empty")


def _draw_year(record: Record) -> int | None:
    if "year" in record.payload:
        return int(record.payload["year"])
    match = re.match(r"(\d{4})", record.key)
    return int(match.group(1)) if match else None


def _all_filled_text(values: Sequence[Any]) -> bool:
    """Whether every value is a string with more than spaces (each distinct one looked at once)."""
    try:
        distinct: Iterable[Any] = set(values)
    except TypeError:  # a list or dict among them: not text anyway
        distinct = values
    return all(isinstance(value, str) and value.strip() for value in distinct)


def _each_once(normal: Callable[[str], str], texts: Sequence[str]) -> list[str]:
    """``normal`` of each text, worked out once per distinct text."""
    done = {text: normal(text) for text in set(texts)}
    return [done[text] for text in texts]


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
