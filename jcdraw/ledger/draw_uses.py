"""Which plan file each draw used, read from the ledger without decoding the drawn entities.

``DRAW_USES_SQL`` picks the fields with ``json_extract``, so listing every draw's plan stays cheap at any
ledger size (``Ledger.draw_uses``; ``jcdraw plans --history`` and ``--changes``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DrawUse:
    """Which plan file one draw was made under, read without decoding the draw's payload."""

    draw_id: str
    plan: str
    task: int
    round: int
    year: int | None
    plan_version: int | None  # None in records made before plans had versions
    plan_sha256: str
    plan_path: str
    drawn_on: str  # the draw's as_of, else the day it was recorded (UTC)
    created_at: str
    supersedes: str | None


# The fields of every draw that say which plan file it used, in ledger order, by json_extract.
DRAW_USE_FIELDS = ("draw_id", "plan", "task", "round", "year", "plan_version", "plan_sha256", "plan_path",
                    "as_of", "supersedes")  # fmt: skip
DRAW_USES_SQL = (
    "SELECT "
    + ", ".join(f"json_extract(payload, '$.{name}')" for name in DRAW_USE_FIELDS)
    + ", created_at, key FROM records WHERE kind = 'draw'"
)


def draw_use(row: Sequence[Any]) -> DrawUse:
    draw_id, plan, task, round_no, year, version, sha, path, as_of, supersedes, created_at, key = row
    if year is None:  # as _draw_year: records made before the year was kept name it in the key
        match = re.match(r"(\d{4})", str(key))
        year = int(match.group(1)) if match else None
    return DrawUse(
        draw_id=str(draw_id), plan=str(plan), task=int(task), round=int(round_no or 1),
        year=None if year is None else int(year), plan_version=None if version is None else int(version),
        plan_sha256=str(sha or ""), plan_path=str(path or ""),
        drawn_on=str(as_of or created_at)[:10], created_at=str(created_at),
        supersedes=None if supersedes is None else str(supersedes),
    )  # fmt: skip
