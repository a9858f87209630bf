"""A plan's version number means one content: a plan edited without a new version is refused.

Draws record the plan's ``version`` and the SHA-256 of its file. Before a draw (and before a
``--prepare``), every other file the ledger's draws of the same plan id and version were made under
is compared with the plan now: if what decides who is drawn and by whom differs
(``jcdraw.plans.content``), the draw is refused (exit 1) naming each field, old → new, so the
adjustment is made as the notice asks (§三: in writing, as a new version). Informational edits — a
comment, a name, a platform id, paperwork fields — change the file but not the content, and pass.

The earlier file is found by its hash (``find_plan`` looks in the plan folders and their ``archive``).
When it is gone (a plan edited in place), the plan is compared with what those draws recorded of their
tasks (items, category, ratio, credit rule, period, departments, sampling); if that agrees, the draw
goes ahead with a note saying so and that scope and team rule could not be checked. Tasks not drawn
yet cannot be compared then: keeping each version in ``plans/archive`` is what makes the check whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from jcdraw import messages
from jcdraw.errors import BadPlan, InputProblems
from jcdraw.ledger import DrawUse, Ledger
from jcdraw.plans.content import (
    FieldChange,
    Snapshot,
    compare,
    content_changes,
    record_snapshot,
    recorded_snapshot,
)
from jcdraw.plans.load import find_plan
from jcdraw.plans.model import Plan


class PlanChangedUnversioned(InputProblems):
    """The plan's content differs from the content earlier draws recorded under the same version."""

    def __init__(self, message: str, changes: list[FieldChange]) -> None:
        super().__init__(message)
        self.changes = changes


@dataclass(frozen=True)
class EarlierFile:
    """One plan file (by SHA-256) that draws of the plan were made under, and those draws in order."""

    plan: str
    version: int | None
    sha256: str
    path: str
    draws: tuple[DrawUse, ...]

    def found(self) -> Plan | None:
        """The file itself, found by its hash; ``None`` when no copy is left."""
        return plan_by_hash(self.plan, self.sha256, self.path)


def files_used(uses: list[DrawUse]) -> list[EarlierFile]:
    """The distinct plan files of ``uses`` (one plan's draws), in order of first use."""
    grouped: dict[str, list[DrawUse]] = {}
    for use in uses:
        grouped.setdefault(use.plan_sha256, []).append(use)
    return [
        EarlierFile(group[0].plan, group[0].plan_version, sha, group[0].plan_path, tuple(group))
        for sha, group in grouped.items()
    ]


def plan_by_hash(plan_id: str, sha256: str, hint: str | None = None) -> Plan | None:
    """The plan file with exactly this hash, or ``None`` (a broken candidate counts as not found)."""
    if not sha256:
        return None
    try:
        plan = find_plan(plan_id, hint or None, sha256)
    except BadPlan:
        return None
    return plan if plan.sha256 == sha256 else None


def check_plan_version(ledger: Ledger, plan: Plan) -> list[str]:
    """Refuse ``plan`` if its content changed under an already used version; notes for the operator.

    Raises:
        PlanChangedUnversioned: naming the fields that differ and the draws made under the old content.
    """
    notes: list[str] = []
    same_version = [
        u
        for u in ledger.draw_uses(plan.id)
        if u.plan_version == plan.version and u.plan_sha256 != plan.sha256
    ]
    for earlier in files_used(same_version):
        old = earlier.found()
        changes = content_changes(old, plan) if old else changes_from_records(ledger, earlier, plan)
        if changes:
            raise PlanChangedUnversioned(_refusal(plan, earlier, changes), changes)
        if old is None:
            where = {"draws": _draws_text(earlier.draws), "plan": plan.id, "version": plan.version}
            notes.append(messages.PLAN_EARLIER_FILE_MISSING.format(**where, sha=earlier.sha256[:16]))
    return notes


def changes_from_records(ledger: Ledger, earlier: EarlierFile, plan: Plan) -> list[FieldChange]:
    """What the draws of ``earlier`` recorded of their tasks, compared with ``plan``'s tasks now."""
    changes: list[FieldChange] = []
    for task in plan.tasks:
        before = recorded_task(ledger, earlier, task.number)
        if before is not None:  # a task taken out of the plan shows up where both files are found
            changes += compare(before, recorded_snapshot(plan, task), content=True, common_only=True)
    return changes


def recorded_task(ledger: Ledger, file: EarlierFile, task: int) -> Snapshot | None:
    """What the first draw of ``task`` under ``file`` recorded of the task; ``None`` if none was made."""
    use = next((u for u in file.draws if u.task == task), None)
    record = ledger.get_draw(use.draw_id) if use is not None else None
    return None if record is None else record_snapshot(record.payload)


def _refusal(plan: Plan, earlier: EarlierFile, changes: list[FieldChange]) -> str:
    lines = "\n".join(messages.PLAN_CHANGED_LINE.format(line=change.describe()) for change in changes)
    return messages.PLAN_CHANGED_UNVERSIONED.format(
        plan=plan.id,
        path=plan.path,
        version=plan.version,
        draws=_draws_text(earlier.draws),
        changes=lines,
        next_version=plan.version + 1,
    )


def _draws_text(draws: tuple[DrawUse, ...]) -> str:
    if len(draws) == 1:
        return messages.PLAN_CHANGED_DRAWS_ONE.format(first=draws[0].draw_id)
    return messages.PLAN_CHANGED_DRAWS_MANY.format(first=draws[0].draw_id, count=len(draws))
