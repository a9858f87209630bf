"""``verify``: redo a draw from its assignment workbook and the registry, without the ledger.

``verify`` reads ``抽取记录`` and ``抽取结果``, recomputes the draw from the registry with the same
algorithm (no ledger needed: the earlier pairings are in the workbook) and lists every difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jcdraw import messages
from jcdraw.draw.run import compute_draw, load_pool
from jcdraw.draw.workbook import read_record, read_selected
from jcdraw.errors import BadPlan
from jcdraw.plans.load import find_plan, load_plan


@dataclass
class Verification:
    workbook: Path
    registry: Path
    draw_id: str
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a sheet read although hidden

    @property
    def ok(self) -> bool:
        return not self.differences


def verify(workbook: Path, registry_path: Path, plan_path: Path | None = None) -> Verification:
    """Redo the draw recorded in ``workbook`` from ``registry_path`` and list the differences."""
    notes: list[str] = []
    record = read_record(workbook, notes)
    duplicates: list[str] = []
    listed = read_selected(workbook, duplicates, notes)
    result = Verification(workbook, registry_path, str(record.get("draw_id", "")), notes=notes)
    result.differences.extend(messages.VERIFY_DUPLICATE.format(uscc=code) for code in duplicates)
    recorded_sha = record.get("plan_sha256")
    plan = load_plan(plan_path) if plan_path else find_plan(str(record["plan"]), sha256=recorded_sha)
    if plan.id != record["plan"]:
        raise BadPlan(messages.PLAN_OF_DRAW_NOT_FOUND.format(plan=record["plan"], path=plan_path))
    if plan.sha256 != record.get("plan_sha256"):
        result.differences.append(messages.VERIFY_PLAN_CHANGED.format(plan=plan.id, path=plan.path))
    as_of = date.fromisoformat(record["as_of"]) if record.get("as_of") else date.today()
    pool = load_pool(registry_path, plan, int(record["task"]), as_of=as_of)
    if pool.registry.sha256 != record.get("registry_sha256"):
        result.differences.append(messages.VERIFY_REGISTRY_CHANGED.format(path=registry_path))
    if pool.sha256 != record.get("pool_sha256"):
        result.differences.append(messages.VERIFY_POOL_CHANGED)
    history = {(str(b), str(u)) for b, u in record.get("history_pairs", [])}
    redo = compute_draw(pool, seed=str(record["seed"]), round_no=int(record["round"]), history=history)
    expected = {s["uscc"]: s["team"] for s in redo["selected"]}
    _compare(expected, listed, result.differences)
    return result


def _compare(expected: dict[str, list[str]], listed: dict[str, list[str]], out: list[str]) -> None:
    for code in sorted(set(expected) - set(listed)):
        out.append(messages.VERIFY_MISSING.format(uscc=code))
    for code in sorted(set(listed) - set(expected)):
        out.append(messages.VERIFY_EXTRA.format(uscc=code))
    for code in sorted(set(expected) & set(listed)):
        if expected[code] != listed[code]:
            out.append(
                messages.VERIFY_TEAM.format(
                    uscc=code, listed="、".join(listed[code]), expected="、".join(expected[code])
                )
            )
