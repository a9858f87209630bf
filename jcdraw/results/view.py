"""What the ledger knows, as frames read once: draws, results (current and as first recorded),
publications, follow-ups, and the rows every standing draw expects in a results sheet (entity × item).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from jcdraw.io.files import gc_paused
from jcdraw.io.normalize import normalize_key
from jcdraw.io.text import normalize_key_one
from jcdraw.ledger import Ledger, Record
from jcdraw.ledger.book import StoredResults
from jcdraw.plans.categories import result_text
from jcdraw.plans.load import find_plan
from jcdraw.plans.model import Plan
from jcdraw.results.backfill import recorded_on


@dataclass
class LedgerView:
    """Draws, results and publications of a ledger as frames, read once (no per-row queries).

    ``draws`` is indexed by draw id; ``results`` has one row per result key with the current and
    the originally recorded values as text; ``published`` one row per published key (its first
    publication); ``shown_corrections`` how many corrections of a key the public record shows;
    ``latest_publication`` the newest publication record as read; ``followups`` one row per result
    key with follow-up records (``FOLLOWUP_FIELDS``: the newest record's values).
    ``published.recorded_on`` is the real recording date of a backfilled publication (补录,
    ``jcdraw.results.backfill``), else None.
    """

    draws: pd.DataFrame
    payloads: dict[str, dict[str, Any]]
    results: pd.DataFrame
    published: pd.DataFrame
    shown_corrections: dict[str, int]
    _expected: dict[str, _DrawRows] = field(default_factory=dict)
    latest_publication: Record | None = None
    followups: pd.DataFrame = field(default_factory=lambda: _followup_table([]))

    @classmethod
    def load(cls, ledger: Ledger) -> LedgerView:
        with gc_paused():
            records = ledger.draws(standing_only=False)
            payloads = {str(r.payload["draw_id"]): r.payload for r in records}
            publications = ledger.records("publication")
            published, shown = _publications(publications)
            results = _result_table(ledger.stored_results())
            latest = publications[-1] if publications else None
            followups = _followup_table(ledger.records("followup"))
            return cls(
                _draw_table(records), payloads, results, published, shown,
                latest_publication=latest, followups=followups,
            )  # fmt: skip

    def expected(self, draw_ids: Iterable[str]) -> pd.DataFrame:
        """One row per drawn entity × item of ``draw_ids`` (key, entity, item, texts, order)."""
        draws = self._draw_rows(draw_ids)
        if not draws:
            return _empty_expected()
        return _expected_frame(draws)

    def standing_ids(self, plans: Iterable[str] | None = None) -> list[str]:
        standing = self.draws[self.draws["standing"]]
        if plans is not None:
            standing = standing[standing["plan"].isin(list(plans))]
        return list(standing.index)

    def teams(self, draw_ids: Iterable[str]) -> pd.DataFrame:
        """One row per team member of ``draw_ids``: entity ``"<draw_id>|<uscc>"`` and badge, normalised."""
        entities: list[npt.NDArray[np.object_]] = []
        badges: list[object] = []
        for rows in self._draw_rows(draw_ids):
            selected = self.payloads[rows.draw_id].get("selected", [])
            entities.append(np.repeat(rows.entities, [len(chosen.get("team", [])) for chosen in selected]))
            badges.extend(badge for chosen in selected for badge in chosen.get("team", []))
        entity = pd.Series(np.concatenate(entities) if entities else [], dtype=object)
        return pd.DataFrame({"entity": entity, "badge": normalize_key(pd.Series(badges, dtype=object))})

    def team_sets(self, draw_ids: Iterable[str]) -> dict[str, set[str]]:
        """Entity ``"<draw_id>|<uscc>"`` → its team's badges, normalised (``teams`` as sets)."""
        draws = self._draw_rows(draw_ids)
        selected = [self.payloads[rows.draw_id].get("selected", []) for rows in draws]
        badges = [badge for chosen in selected for member in chosen for badge in member.get("team", [])]
        keys = normalize_key(pd.Series(badges, dtype=object)).tolist()
        out: dict[str, set[str]] = {}
        at = 0
        for rows, chosen in zip(draws, selected, strict=True):
            for entity, member in zip(rows.entities, chosen, strict=True):
                size = len(member.get("team", []))
                out.setdefault(entity, set()).update(keys[at : at + size])
                at += size
        return out

    def with_results(self, fresh: pd.DataFrame) -> LedgerView:
        """The same view with ``fresh`` result rows added (as just recorded)."""
        return replace(
            self, results=pd.concat([self.results, fresh[self.results.columns]], ignore_index=True)
        )

    def _draw_rows(self, draw_ids: Iterable[str]) -> list[_DrawRows]:
        """The known draws among ``draw_ids``, in first-seen order; new ones normalised in one batch."""
        wanted = [d for d in dict.fromkeys(draw_ids) if d in self.payloads]
        missing = [d for d in wanted if d not in self._expected]
        if missing:
            self._expected.update(zip(missing, _draw_rows([self.payloads[d] for d in missing]), strict=True))
        return [self._expected[d] for d in wanted]


@dataclass(frozen=True)
class _DrawRows:
    """A draw's selected entities and items, normalised once; ``expected`` repeats them per item."""

    draw_id: str
    plan: str
    task: int
    usccs: npt.NDArray[np.object_]  # normalised, in draw order
    names: npt.NDArray[np.object_]
    items: npt.NDArray[np.object_]  # item texts as drawn
    item_keys: npt.NDArray[np.object_]  # normalised item texts
    entities: npt.NDArray[np.object_]  # "<draw_id>|<uscc>" per entity
    keys: npt.NDArray[np.object_]  # "<draw_id>|<uscc>|<item number>" per entity × item

    @property
    def numbers(self) -> npt.NDArray[np.object_]:
        """Item numbers "1", "2", … as text."""
        return _numbers(len(self.items))


def _draw_rows(payloads: Sequence[Mapping[str, Any]]) -> list[_DrawRows]:
    """``_DrawRows`` of each payload; credit codes and items of all of them keyed in one call each."""
    selected = [payload.get("selected", []) for payload in payloads]
    items = [[str(i) for i in payload.get("items", [])] for payload in payloads]
    codes = _keyed([s["uscc"] for chosen in selected for s in chosen], [len(c) for c in selected])
    item_keys = _keyed([i for texts in items for i in texts], [len(texts) for texts in items])
    return [
        _with_keys(
            str(payload["draw_id"]),
            str(payload["plan"]),
            int(payload["task"]),
            usccs,
            np.array([str(s.get("name", "")) for s in chosen], dtype=object),
            np.array(texts, dtype=object),
            keys,
        )
        for payload, chosen, texts, usccs, keys in zip(
            payloads, selected, items, codes, item_keys, strict=True
        )
    ]


def _with_keys(
    draw_id: str,
    plan: str,
    task: int,
    usccs: npt.NDArray[np.object_],
    names: npt.NDArray[np.object_],
    items: npt.NDArray[np.object_],
    item_keys: npt.NDArray[np.object_],
) -> _DrawRows:
    """A ``_DrawRows`` with its entity and result keys joined once (missing where a code is)."""
    numbers = _numbers(len(items))
    # As join_keys would: an empty code (None) leaves its entity and keys missing.
    entities = np.array([f"{draw_id}|{u}" if isinstance(u, str) else np.nan for u in usccs], dtype=object)
    keys = np.array(
        [f"{e}|{n}" if isinstance(e, str) else np.nan for e in entities for n in numbers], dtype=object
    )
    return _DrawRows(draw_id, plan, task, usccs, names, items, item_keys, entities, keys)


def _numbers(count: int) -> npt.NDArray[np.object_]:
    return np.array([str(i) for i in range(1, count + 1)], dtype=object)


def _keyed(values: list[object], sizes: list[int]) -> list[npt.NDArray[np.object_]]:
    """``normalize_key`` of ``values`` in one call, split back into consecutive parts of ``sizes``."""
    keys = normalize_key(pd.Series(values, dtype=object)).to_numpy(dtype=object)
    return np.split(keys, np.cumsum(sizes)[:-1]) if sizes else []


def _key(value: object) -> str:
    return normalize_key_one(value) or ""


def _draw_table(records: Sequence[Any]) -> pd.DataFrame:
    replaced = {
        str(r.payload["supersedes"]): str(r.payload["draw_id"])
        for r in records
        if r.payload.get("supersedes")
    }
    rows = []
    for order, record in enumerate(records):
        p = record.payload
        start, end = p.get("period") or [None, None]
        draw_id = str(p["draw_id"])
        rows.append(
            {
                "draw_id": draw_id,
                "plan": str(p["plan"]),
                "task": int(p["task"]),
                "task_name": str(p.get("task_name", "")),
                "start": _iso(start),
                "end": _iso(end),
                "drawn_on": _iso(p.get("as_of")) or _iso(record.created_at[:10]),
                "n_items": len(p.get("items", [])),
                "standing": draw_id not in replaced,
                "superseded_by": replaced.get(draw_id),
                "order": order,
            }
        )
    columns = ["draw_id", "plan", "task", "task_name", "start", "end", "drawn_on", "n_items", "standing"]
    table = pd.DataFrame(rows, columns=[*columns, "superseded_by", "order"]).set_index("draw_id")
    table["standing"] = table["standing"].astype(bool)
    return table


def _iso(value: object) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _expected_frame(draws: Sequence[_DrawRows]) -> pd.DataFrame:
    """The entity × item rows of ``draws``, in draw order, entity order, item order."""
    counts = [(len(d.usccs), len(d.items)) for d in draws]
    sizes = [n * m for n, m in counts]

    def each(part: Callable[[_DrawRows, int, int], npt.NDArray[Any]]) -> npt.NDArray[Any]:
        return np.concatenate([part(d, n, m) for d, (n, m) in zip(draws, counts, strict=True)])

    frame = pd.DataFrame(
        {
            "draw_id": np.repeat(np.array([d.draw_id for d in draws], dtype=object), sizes),
            "plan": np.repeat(np.array([d.plan for d in draws], dtype=object), sizes),
            "task": np.repeat(np.array([d.task for d in draws], dtype=np.int64), sizes),
            "uscc": each(lambda d, n, m: np.repeat(d.usccs, m)),
            "name": each(lambda d, n, m: np.repeat(d.names, m)),
            "entity_order": each(lambda d, n, m: np.repeat(np.arange(n), m)),
            "item": each(lambda d, n, m: np.tile(d.numbers, n)),
            "item_text": each(lambda d, n, m: np.tile(d.items, n)),
        }
    )
    frame["item_key"] = each(lambda d, n, m: np.tile(d.item_keys, n))
    frame["entity"] = pd.Series(each(lambda d, n, m: np.repeat(d.entities, m)), dtype="str")
    frame["key"] = pd.Series(each(lambda d, n, m: d.keys), dtype="str")
    return frame


def _empty_expected() -> pd.DataFrame:
    columns = ["draw_id", "plan", "task", "uscc", "name", "entity_order", "item", "item_text", "item_key"]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in [*columns, "entity", "key"]})


RESULT_FIELDS = ["key", "draw_id", "entity", "uscc", "item", "result", "completed", "badges"]
ORIGINAL_FIELDS = ["result_original", "completed_original", "badges_original"]


def _result_table(stored: StoredResults) -> pd.DataFrame:
    """Current values as text (result 、-joined, badges 、-joined, date ISO) plus the originals.

    Plain results (no correction) are built column-wise, each distinct result or team text once; the
    others row by row. Rows keep ledger order.
    """
    columns = [*RESULT_FIELDS, *ORIGINAL_FIELDS, "corrections"]
    plain = _plain_rows(stored.plain)
    if not stored.others:
        return plain[columns]
    others = pd.DataFrame(
        [_decoded_row(stored.others[n]) for n in sorted(stored.others)],
        index=sorted(stored.others),
        columns=columns,
        dtype=object,
    )
    return pd.concat([plain[columns], others]).sort_index().reset_index(drop=True)


def _plain_rows(plain: Mapping[str, list[Any]]) -> pd.DataFrame:
    """The table rows of plain results, indexed by position: their originals are their values."""
    draw_id, uscc, item = (np.array(plain[name], dtype=object) for name in ("draw_id", "uscc", "item"))
    entities = list(map("|".join, zip(plain["draw_id"], plain["uscc"], strict=True)))  # all text here
    entity = np.array(entities, dtype=object)
    result, badges = (_joined(plain[name]) for name in ("result", "badges"))
    completed = np.array(plain["completed"], dtype=object)
    frame = pd.DataFrame(
        {
            "key": np.array(list(map("|".join, zip(entities, plain["item"], strict=True))), dtype=object),
            "draw_id": draw_id,
            "entity": entity,
            "uscc": uscc,
            "item": item,
            "result": result,
            "completed": completed,
            "badges": badges,
            "result_original": result,
            "completed_original": completed,
            "badges_original": badges,
            "corrections": [[] for _ in range(len(draw_id))],
        },
        index=plain["position"],
        dtype=object,
    )
    return frame


def _joined(arrays: list[str]) -> npt.NDArray[np.object_]:
    """``result_text`` of JSON arrays given as text, each distinct text decoded once."""
    text = {array: result_text(json.loads(array)) for array in set(arrays)}
    return np.array([text[array] for array in arrays], dtype=object)


def _decoded_row(r: Mapping[str, Any]) -> tuple[object, ...]:
    original = _original(r)
    uscc, draw_id, item = str(r["uscc"]), str(r["draw_id"]), str(r["item"])
    return (
        f"{draw_id}|{uscc}|{item}",
        draw_id,
        f"{draw_id}|{uscc}",
        uscc,
        item,
        result_text(r.get("result", [])),
        str(r.get("completed", "")),
        result_text(r.get("badges", [])),
        result_text(original.get("result", [])),
        str(original.get("completed", "")),
        result_text(original.get("badges", [])),
        r.get("corrections", []),
    )


def _original(current: Mapping[str, Any]) -> dict[str, Any]:
    """The values as first recorded: undo the corrections, newest first."""
    original = dict(current)
    for correction in reversed(current.get("corrections", [])):
        original.update(correction.get("old", {}))
    return original


def _publications(records: Sequence[Record]) -> tuple[pd.DataFrame, dict[str, int]]:
    keys: list[str] = []
    when: list[str] = []
    deadline: list[str] = []
    on_time: list[bool] = []
    backfilled: list[str | None] = []
    shown: dict[str, int] = {}
    for record in records:
        p = record.payload
        entries = p.get("published", [])
        keys += [str(entry["key"]) for entry in entries]
        when += [str(p["as_of"])] * len(entries) if entries else []
        backfilled += [recorded_on(p)] * len(entries)
        deadline += [str(entry["deadline"]) for entry in entries]
        on_time += [bool(entry["on_time"]) for entry in entries]
        for entry in p.get("corrections", []):
            key = str(entry["key"])
            shown[key] = max(shown.get(key, 0), int(entry["count"]))
    columns = {"key": keys, "published_on": when, "deadline": deadline, "recorded_on": backfilled}
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in columns.items()})
    frame["on_time"] = pd.Series(on_time, dtype=bool)
    return frame.drop_duplicates("key", keep="first").reset_index(drop=True), shown


FOLLOWUP_FIELDS = ["key", "action", "date", "done", "approved_by", "records"]


def _followup_table(records: Sequence[Record]) -> pd.DataFrame:
    """The newest follow-up record of each result key (a key's records stay in ledger order)."""
    newest: dict[str, dict[str, Any]] = {}
    for record in records:
        p = record.payload
        count = newest[record.key]["records"] + 1 if record.key in newest else 1
        newest[record.key] = {
            "key": record.key, "action": str(p.get("action", "")), "date": p.get("date"),
            "done": p.get("done"), "approved_by": p.get("approved_by"), "records": count,
        }  # fmt: skip
    return pd.DataFrame(list(newest.values()), columns=FOLLOWUP_FIELDS, dtype=object)


def plan_of(view: LedgerView, plan_id: str) -> Plan:
    draws = view.draws[view.draws["plan"] == plan_id].sort_values("order")
    hint = view.payloads[str(draws.index[-1])].get("plan_path") if len(draws) else None
    return find_plan(plan_id, str(hint) if hint else None)
