"""Which version of each plan file the ledger's draws were made under.

Every draw records the SHA-256 of the plan file's bytes, the plan's ``version`` and its path. A plan
edited between two draws of a task (a corrected period, a renamed task) therefore shows up here.
``plan_history(ledger, year)`` lists, per (plan, task) and per plan-file SHA-256 in order of first
use, the draws made under it: all of them, superseded ones included and marked with the draw that
replaced them. ``changed`` is true for every entry of a (plan, task) drawn under more than one file.
Nothing is written to the ledger.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jcdraw.ledger import Ledger, Record


@dataclass(frozen=True)
class HistoryDraw:
    draw_id: str
    round: int
    created_at: str  # as stored: UTC, e.g. 2024-05-01T08:00:00Z
    superseded_by: str | None

    @property
    def standing(self) -> bool:
        return self.superseded_by is None


@dataclass
class PlanVersionUse:
    """Draws of one (plan, task) made under one plan file (identified by its SHA-256)."""

    plan: str
    task: int
    task_name: str
    plan_version: int | None
    plan_sha256: str
    plan_path: str
    draws: list[HistoryDraw] = field(default_factory=list)
    changed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "task": self.task,
            "task_name": self.task_name,
            "plan_version": self.plan_version,
            "plan_sha256": self.plan_sha256,
            "plan_path": self.plan_path,
            "changed": self.changed,
            "draws": [
                {
                    "draw_id": d.draw_id,
                    "round": d.round,
                    "created_at": d.created_at,
                    "standing": d.standing,
                    "superseded_by": d.superseded_by,
                }
                for d in self.draws
            ],
        }


def plan_history(ledger: Ledger, year: int | None = None) -> list[PlanVersionUse]:
    """Plan versions per (plan, task) that the ledger's draws (of ``year``, or all) were made under."""
    records = ledger.draws(standing_only=False, year=year)
    replaced_by = {
        str(r.payload["supersedes"]): str(r.payload["draw_id"])
        for r in records
        if r.payload.get("supersedes")
    }
    entries: dict[tuple[str, int, str], PlanVersionUse] = {}
    for record in records:
        entry = entries.setdefault(_entry_key(record), _new_entry(record))
        draw_id = str(record.payload["draw_id"])
        entry.draws.append(
            HistoryDraw(
                draw_id, int(record.payload.get("round", 1)), record.created_at, replaced_by.get(draw_id)
            )
        )
    found = list(entries.values())  # insertion order is first use, as records come in ledger order
    files_per_task = Counter((e.plan, e.task) for e in found)
    for entry in found:
        entry.changed = files_per_task[(entry.plan, entry.task)] > 1
    return sorted(found, key=lambda e: (e.plan, e.task))  # stable: versions stay in order of first use


def _entry_key(record: Record) -> tuple[str, int, str]:
    payload = record.payload
    return str(payload["plan"]), int(payload["task"]), str(payload.get("plan_sha256", ""))


def _new_entry(record: Record) -> PlanVersionUse:
    payload = record.payload
    version = payload.get("plan_version")
    return PlanVersionUse(
        plan=str(payload["plan"]),
        task=int(payload["task"]),
        task_name=str(payload.get("task_name", "")),
        plan_version=None if version is None else int(version),
        plan_sha256=str(payload.get("plan_sha256", "")),
        plan_path=str(payload.get("plan_path", "")),
    )
