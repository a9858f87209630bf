"""``validate``: check a registry workbook and tell, per task, what a draw would find.

Returns a ``ValidationReport`` (never raises for bad data): every problem found while loading the
registry, plus a per-task summary — eligible entities per risk class, the draw size the policy implies
in round 1, and whether every participating department has enough eligible inspectors. A task that
cannot be staffed is an error. Unreadable files raise ``UnreadableInput`` (exit 2) from the loader.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jcdraw import messages
from jcdraw import problems as P
from jcdraw.draw.allocation import round_quotas
from jcdraw.draw.teams import TeamRule, recusal_shortfalls
from jcdraw.plans.load import with_year_plans
from jcdraw.plans.model import Plan, Task
from jcdraw.registry.eligibility import concerning, eligible_entities, eligible_inspectors, flag_column
from jcdraw.registry.load import ENTITY_SHEET, INSPECTOR_SHEET, Progress, Registry, load_registry


@dataclass
class DepartmentStaffing:
    department: str
    required: int
    eligible: int

    @property
    def enough(self) -> bool:
        return self.eligible >= self.required


@dataclass
class TaskSummary:
    plan: str
    task: int
    name: str
    category: str
    scope: list[str]
    nominal_ratio: float
    rule: str  # the credit rule: weighted | flat | ratios
    eligible: dict[str, int]  # risk class → eligible entities
    ratios: dict[str, float]  # stratum → the share of its entities round 1 draws
    draw_size: dict[str, int]  # stratum (a risk class, or "*" under a flat rule) → drawn in round 1
    min_team: int
    departments: list[DepartmentStaffing]
    inspectors: int

    @property
    def staffed(self) -> bool:
        return all(d.enough for d in self.departments) and self.inspectors >= self.min_team

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["eligible_total"] = sum(self.eligible.values())
        data["draw_total"] = sum(self.draw_size.values())
        data["staffed"] = self.staffed
        return data


@dataclass
class ValidationReport:
    path: Path
    registry: Registry | None
    problems: list[P.Problem]
    tasks: list[TaskSummary] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def counts(self) -> dict[str, int]:
        result = {"error": 0, "warning": 0, "info": 0}
        for p in self.problems:
            result[p.severity] += 1
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "file": str(self.path),
            "counts": self.counts(),
            "problems": [p.to_dict() for p in self.problems],
            "tasks": [t.to_dict() for t in self.tasks],
        }


def validate(
    path: Path, plans: list[Plan], *, as_of: date | None = None, progress: Progress | None = None
) -> ValidationReport:
    """Load and check ``path`` against ``plans``; summarise every task.

    The registry is checked against every plan of the plans' years (its categories are theirs too),
    but only the warnings about rows these plans' tasks could use are reported.
    """
    everything = with_year_plans(plans)
    registry = load_registry(path, everything, as_of=as_of, **({"progress": progress} if progress else {}))
    if registry.structural:  # root cause first: every task summary would only restate the missing part
        return ValidationReport(path, registry, registry.problems.finished())
    if len(everything) > len(plans):
        registry.problems = only_concerning(registry, [(plan, plan.tasks) for plan in plans])
    if progress:
        progress(messages.PROGRESS_TASKS)
    summaries = []
    for plan in plans:
        for task in plan.tasks:
            summary = summarise_task(registry, plan, task)
            summaries.append(summary)
            _staffing_problems(summary, registry.problems)
            _target_problems(registry, plan, task)
            if summary.staffed:
                _recusal_problems(registry, plan, task)
            if not any(summary.eligible.values()):
                registry.problems.add(
                    P.make(
                        "task-no-entities",
                        task=f"{plan.id}/{task.number}",
                        task_name=task.name,
                        category=task.category,
                        scope="、".join(summary.scope),
                    )
                )
    _lapsing_credentials(registry, plans, as_of or date.today())
    return ValidationReport(path, registry, registry.problems.finished(), summaries)


def summarise_task(registry: Registry, plan: Plan, task: Task) -> TaskSummary:
    """What round 1 of the task would draw from this registry, and whether it can be staffed."""
    policy = plan.policy_for(task)
    entities = eligible_entities(registry, plan, task)
    counts = entities["risk_class"].value_counts().to_dict() if not entities.empty else {}
    eligible = {code: int(counts.get(code, 0)) for code in policy.codes}
    rule = plan.rule_for(task)
    strata = round_quotas(rule, eligible, task.ratio, 1)
    # Under a flat rule the split among classes depends on the tickets: only its total is known.
    draw_size = {s.name: s.size for s in strata}
    ratios = {s.name: s.size / s.eligible if s.eligible else 0.0 for s in strata}
    inspectors = eligible_inspectors(registry, task)
    per_dept = inspectors["department"].value_counts().to_dict() if not inspectors.empty else {}
    departments = [
        DepartmentStaffing(dept, need, int(per_dept.get(dept, 0)))
        for dept, need in task.per_department().items()
    ]
    return TaskSummary(
        plan=plan.id,
        task=task.number,
        name=task.name,
        category=task.category,
        scope=plan.scope_of(task),
        nominal_ratio=float(task.ratio),
        rule=rule.kind,
        eligible=eligible,
        ratios=ratios,
        draw_size=draw_size,
        min_team=task.team.min_size,
        departments=departments,
        inspectors=len(inspectors),
    )


def _lapsing_credentials(registry: Registry, plans: list[Plan], as_of: date) -> None:
    """Tell who holds a valid credential today but not through some task's end (so is not counted)."""
    lapsing: dict[int, tuple[object, list[str]]] = {}
    for plan in plans:
        for task in plan.tasks:
            if as_of >= task.period.end:
                continue
            valid_now = eligible_inspectors(registry, task, valid_through=as_of)
            counted = set(eligible_inspectors(registry, task)["badge"])
            for row, expires, badge in zip(
                valid_now["row"], valid_now["expires"], valid_now["badge"], strict=True
            ):
                if badge not in counted:
                    lapsing.setdefault(int(row), (expires, []))[1].append(f"{plan.id}/{task.number}")
    for row, (expires, tasks) in sorted(lapsing.items()):
        registry.problems.add(
            P.make(
                "credential-lapses-in-task",
                sheet="执法人员",
                row=row,
                column="执法证有效期至",
                value=expires,
                tasks="、".join(tasks),
            )
        )


def _staffing_problems(summary: TaskSummary, problems: P.ProblemList) -> None:
    label = f"{summary.plan}/{summary.task}"
    for dept in summary.departments:
        if not dept.enough:
            problems.add(
                P.make(
                    "task-understaffed",
                    task=label,
                    task_name=summary.name,
                    department=dept.department,
                    available=dept.eligible,
                    required=dept.required,
                )
            )
    if summary.inspectors < summary.min_team:
        problems.add(
            P.make(
                "task-team-too-small",
                task=label,
                task_name=summary.name,
                available=summary.inspectors,
                required=summary.min_team,
            )
        )


def only_concerning(registry: Registry, tasks: list[tuple[Plan, list[Task]]]) -> P.ProblemList:
    """The registry's problems less the warnings about rows none of ``tasks`` could use."""
    entity_rows: set[int] = set()
    inspector_rows: set[int] = set()
    for plan, plan_tasks in tasks:
        entities, inspectors = concerning(registry, plan, plan_tasks)
        entity_rows |= entities
        inspector_rows |= inspectors
    rows_of = {ENTITY_SHEET: entity_rows, INSPECTOR_SHEET: inspector_rows}
    kept = P.ProblemList()
    for problem in registry.problems.finished():
        rows = rows_of.get(problem.sheet or "")
        if problem.severity == "error" or problem.row is None or rows is None or problem.row in rows:
            kept.add(problem)
    return kept


def _target_problems(registry: Registry, plan: Plan, task: Task) -> None:
    """A targeted task naming a registry column the registry lacks would draw nobody, silently."""
    if task.target is None or registry.entities.empty:
        return
    for column in task.target.registry_flags:
        if flag_column(registry.entities, column) is None:
            registry.problems.add(
                P.make("target-column-missing", sheet=ENTITY_SHEET, column=column, flag=column,
                       task=f"{plan.id}/{task.number}", task_name=task.name)
            )  # fmt: skip


def _recusal_problems(registry: Registry, plan: Plan, task: Task) -> None:
    """Entities whose recusals leave a department short: the draw would refuse them (same check)."""
    entities = eligible_entities(registry, plan, task).drop_duplicates("uscc")
    # A repeated badge is an error of its own; the check looks at each inspector once.
    inspectors = eligible_inspectors(registry, task).drop_duplicates("badge")
    if entities.empty or inspectors.empty:
        return
    rule = TeamRule(min_size=task.team.min_size, per_department=task.per_department())
    names = dict(zip(entities["uscc"], entities["name"], strict=True))
    rows = dict(zip(entities["uscc"], entities["row"], strict=True))
    codes = entities["uscc"].tolist()
    for err in recusal_shortfalls(codes, inspectors, rule=rule, recusals=registry.recusals):
        registry.problems.add(
            P.make(
                "entity-unstaffable", sheet=ENTITY_SHEET, row=int(rows[err.uscc]), column="统一社会信用代码",
                value=err.uscc, task=f"{plan.id}/{task.number}", task_name=task.name,
                entity=names.get(err.uscc) or err.uscc, department=err.department or "—", reason=err.reason,
            )
        )  # fmt: skip
