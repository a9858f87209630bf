"""The written account of plan adjustments (§三: "对需要调整、增减的计划，及时以书面形式报…"): every
change between the plan versions the ledger's draws of a year were made under, field by field.

For each plan, the files its draws used (by SHA-256) are taken in order of first use; each file after
the first is one adjustment of the one before. Both files are found by hash in the plan folders and
their ``archive``; the fields that differ are listed (``jcdraw.plans.content``), what decides the draw
first, then informational fields. The date and wording of the adjustment come from the newer file's
``changes`` entry for its version. A change concerns the draws of its task (all tasks for a field of
the plan) made under the newer file: those are the draws it affected. A plan file that cannot be found
is said so, and the adjustment is compared on what the draws recorded of their tasks instead.
Nothing is written to the ledger.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jcdraw import messages
from jcdraw.draw.plan_versions import EarlierFile, changes_from_records, files_used, recorded_task
from jcdraw.errors import LedgerError
from jcdraw.ledger import DrawUse, Ledger
from jcdraw.plans.content import FieldChange, all_changes, compare
from jcdraw.plans.model import Plan


@dataclass
class VersionUsed:
    """One plan file the year's draws used, and the file itself when it is found."""

    file: EarlierFile
    plan: Plan | None

    @property
    def version(self) -> int | None:
        return self.file.version

    @property
    def first_draw(self) -> str:
        return self.file.draws[0].drawn_on

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.file.plan,
            "version": self.version,
            "sha256": self.file.sha256,
            "path": self.file.path,
            "found": self.plan is not None,
            "draws": [use.draw_id for use in self.file.draws],
        }


@dataclass
class ChangeRow:
    """Changes of one field alike on several tasks, with the draws made under the newer file."""

    tasks: list[int]  # empty: a field of the plan itself
    change: FieldChange
    draws_after: list[str]
    draws_before: list[str]

    def to_dict(self) -> dict[str, Any]:
        c = self.change
        return {
            "tasks": self.tasks, "field": c.field, "label": c.label, "old": c.old, "new": c.new,
            "content": c.content, "draws_after": self.draws_after, "draws_before": self.draws_before,
        }  # fmt: skip


@dataclass
class Adjustment:
    """The step from one plan file to the next one used by draws."""

    plan_id: str
    plan_name: str
    old: VersionUsed
    new: VersionUsed
    changed_on: str | None  # the newer file's changes entry for its version
    text: str | None
    by_records: bool  # a file is missing: compared on what the draws recorded
    rows: list[ChangeRow] = field(default_factory=list)

    @property
    def unversioned(self) -> bool:
        """Content changed while the version number stayed."""
        return self.old.version == self.new.version and any(r.change.content for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan_id, "old_version": self.old.version, "new_version": self.new.version,
            "old_sha256": self.old.file.sha256, "new_sha256": self.new.file.sha256,
            "changed_on": self.changed_on, "text": self.text, "by_records": self.by_records,
            "unversioned": self.unversioned, "changes": [row.to_dict() for row in self.rows],
        }  # fmt: skip


@dataclass
class PlanChangesReport:
    year: int
    plans: dict[str, list[VersionUsed]]  # plan id → versions used, in order of first use
    adjustments: list[Adjustment]

    @property
    def content_count(self) -> int:
        return sum(row.change.content for a in self.adjustments for row in a.rows)

    @property
    def info_count(self) -> int:
        return sum(not row.change.content for a in self.adjustments for row in a.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "versions": [v.to_dict() for used in self.plans.values() for v in used],
            "adjustments": [a.to_dict() for a in self.adjustments],
        }


def plan_changes(ledger: Ledger, year: int | None = None) -> PlanChangesReport:
    """The adjustments between plan versions used by the draws of ``year`` (default: the newest)."""
    uses = ledger.draw_uses()
    if not uses:
        raise LedgerError(messages.CHANGES_NO_DRAWS_AT_ALL.format(ledger=ledger.path))
    wanted = year if year is not None else max(u.year for u in uses if u.year is not None)
    mine = [u for u in uses if u.year == wanted]
    if not mine:
        raise LedgerError(messages.CHANGES_NO_DRAWS.format(ledger=ledger.path, year=wanted))
    per_plan: dict[str, list[DrawUse]] = {}
    for use in mine:
        per_plan.setdefault(use.plan, []).append(use)
    plans = {plan: [VersionUsed(f, f.found()) for f in files_used(group)] for plan, group in per_plan.items()}
    adjustments = [
        _adjustment(ledger, old, new)
        for used in plans.values()
        for old, new in itertools.pairwise(used)
    ]
    return PlanChangesReport(wanted, plans, adjustments)


def _adjustment(ledger: Ledger, old: VersionUsed, new: VersionUsed) -> Adjustment:
    if old.plan is not None and new.plan is not None:
        changes, by_records = all_changes(old.plan, new.plan), False
    elif new.plan is not None:
        changes, by_records = changes_from_records(ledger, old.file, new.plan), True
    else:
        changes, by_records = _records_only(ledger, old.file, new.file), True
    entry = _entry(old, new)
    latest = new.plan or old.plan
    adjustment = Adjustment(
        plan_id=old.file.plan,
        plan_name=latest.name if latest is not None else "",
        old=old,
        new=new,
        changed_on=entry[0] if entry else None,
        text=entry[1] if entry else None,
        by_records=by_records,
    )
    adjustment.rows = list(_grouped(changes, old.file.draws, new.file.draws))
    return adjustment


def _records_only(ledger: Ledger, old: EarlierFile, new: EarlierFile) -> list[FieldChange]:
    """The newer file is not at hand: compare what each side's draws recorded of their tasks."""
    changes: list[FieldChange] = []
    for task in dict.fromkeys(u.task for u in new.draws):
        before, after = recorded_task(ledger, old, task), recorded_task(ledger, new, task)
        if before is not None and after is not None:
            changes += compare(before, after, content=True, common_only=True)
    return changes


def _entry(old: VersionUsed, used: VersionUsed) -> tuple[str | None, str] | None:
    """(date, text) of the ``changes`` entry that made this file's version; none for a file changed
    under the same version (its entry is the earlier adjustment's)."""
    if used.plan is None or old.version == used.version:
        return None
    for change in reversed(used.plan.changes):
        if change.version == used.plan.version:
            return (change.changed_on.isoformat() if change.changed_on else None), change.text
    return None


def _grouped(
    changes: list[FieldChange], before: tuple[DrawUse, ...], after: tuple[DrawUse, ...]
) -> Iterator[ChangeRow]:
    """One row per (field, old, new): the same change on several tasks is said once."""
    groups: dict[tuple[str, str | None, str | None, bool, bool], list[FieldChange]] = {}
    for change in changes:
        key = (change.field, change.old, change.new, change.content, change.task is None)
        groups.setdefault(key, []).append(change)
    for same in groups.values():
        tasks = sorted({c.task for c in same if c.task is not None})
        yield ChangeRow(
            tasks,
            same[0],
            [u.draw_id for u in after if not tasks or u.task in tasks],
            [u.draw_id for u in before if not tasks or u.task in tasks],
        )
