"""What a plan decides, and how two versions of a plan differ, field by field.

A plan's *content* is what decides who is drawn and by whom. Per task: its items, category, scope,
ratio, credit rule (the rule as resolved — kind, weights or class ratios, rounds a year — whether it is
written on the task, on the plan, or in a version-1 plan as class multipliers), risk classes (codes,
labels and aliases: they classify the registry), period, lead and partner departments, team rule,
sampling and target; per plan, which tasks exist and the areas file. Changing content needs a new
``version`` with a line in ``changes``: draws record the version, so "version 2" must mean one thing.

Everything else is *informational* — names, the notice's wording (``*_text``), document number,
approver, publicity deadline, platform ids, paperwork fields, and ``changes`` itself — and may change
without a new version. Content is a fixed list here, so a field added to the model later is
informational and never blocks a draw.

A plan is compared as a ``Snapshot``: (task number or ``None`` for the plan, field) → ``Leaf``, the
value compared exactly and the text shown. Values are compared as meant, not as written: ``0.3`` and
``30%`` are one ratio, a rule stated on the plan or on the task is one rule. Empty values (``""``,
``[]``, ``None``) are absent, so adding an empty field changes nothing. A draw record keeps part of the
content of its task; ``record_snapshot`` reads it, ``recorded_snapshot`` gives a plan's task the same
shape, so a plan can be compared with a draw whose plan file is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from pydantic import BaseModel

from jcdraw import messages
from jcdraw.plans.credit import percent, rule_from_record, rule_record, rule_text
from jcdraw.plans.model import Plan, RiskPolicy, Task


@dataclass(frozen=True)
class Leaf:
    value: object  # compared exactly
    text: str  # shown to people


Snapshot = dict[tuple[int | None, str], Leaf]


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: ``task`` ``None`` is the plan itself; ``old``/``new`` ``None``: absent."""

    task: int | None
    field: str  # as in the YAML: "ratio", "items.3", "contact.phone"; "task" for a task added or removed
    old: str | None
    new: str | None
    content: bool  # decides who is drawn and by whom (needs a new version)

    @property
    def label(self) -> str:
        """The field for people: its Chinese name with the YAML name, e.g. ``抽查比例（ratio）``."""
        return field_label(self.field)

    def describe(self) -> str:
        """``任务 2 抽查比例（ratio）：30% → 50%``."""
        where = (
            messages.CHANGES_WHERE_TASK.format(task=self.task) if self.task else messages.CHANGES_WHERE_PLAN
        )
        return messages.CHANGES_FIELD_LINE.format(
            where=where, field=self.label, old=_shown(self.old), new=_shown(self.new)
        )


def _shown(text: str | None) -> str:
    return messages.CHANGES_ABSENT if text is None else text


def field_label(field: str) -> str:
    """A field's Chinese name and YAML name; an item keeps its number.

    Example:
        >>> field_label("ratio"), field_label("items.3"), field_label("contact.phone")
        ('抽查比例（ratio）', '检查事项 3（items.3）', '联系人（contact.phone）')
        >>> field_label("comment")
        'comment'
    """
    base, _, rest = field.partition(".")
    label = messages.PLAN_FIELD_LABELS.get(base)
    if label is None:
        return field
    if base == "items" and rest:
        label = f"{label} {rest}"
    return f"{label}（{field}）"


# --- what a plan decides -----------------------------------------------------------------------

# Task fields whose content is read through another leaf (the resolved rule, the class list).
_TASK_CONTENT = {
    "number", "items", "category", "scope", "ratio", "frequency", "credit_rule", "risk_policy", "period",
    "lead_departments", "partner_departments", "team", "sampling", "target",
}  # fmt: skip
_PLAN_CONTENT = {"risk_policy", "credit_rule", "areas", "tasks"}
_PLAN_NOT_COMPARED = {"id", "version", "changes", "path", "sha256", "area_data"}


def content_snapshot(plan: Plan) -> Snapshot:
    """The content of ``plan``: what decides who is drawn and by whom."""
    leaves: Snapshot = {(None, "areas"): Leaf(plan.areas, plan.areas)}
    for task in plan.tasks:
        leaves.update(((task.number, name), leaf) for name, leaf in _task_content(plan, task))
    return leaves


def _task_content(plan: Plan, task: Task) -> Iterator[tuple[str, Leaf]]:
    yield "task", Leaf(True, task.name)
    yield from _items(task.items)
    yield "category", Leaf(task.category, task.category)
    scope = plan.geography.resolve_scope(task.scope) or list(task.scope)
    yield "scope", Leaf(frozenset(scope), "、".join(task.scope))
    yield "ratio", Leaf(task.ratio, ratio_text(task.ratio))
    rule = plan.rule_for(task)
    yield "credit_rule", Leaf(_canonical(rule_record(rule)), rule_text(rule))
    yield "risk_policy", _policy_leaf(plan.policy_for(task))
    start, end = task.period.start, task.period.end
    yield "period", Leaf((start, end), messages.CHANGES_PERIOD.format(start=start, end=end))
    for name in ("lead_departments", "partner_departments"):
        departments = tuple(getattr(task, name))
        if departments:
            yield name, Leaf(departments, "、".join(departments))
    per_department = sorted(task.per_department().items())
    team = "、".join(f"{d} {n} 人" for d, n in per_department)
    yield (
        "team",
        Leaf(
            (task.team.min_size, tuple(per_department)),
            messages.CHANGES_TEAM.format(size=task.team.min_size, departments=team),
        ),
    )
    yield "sampling", Leaf(task.sampling, task.sampling)
    if task.target is not None:
        yield "target", _target_leaf(task.target.risk_classes, task.target.registry_flags)


def _items(items: Iterable[str]) -> Iterator[tuple[str, Leaf]]:
    for number, text in enumerate(items, 1):
        yield f"items.{number}", Leaf(text, text)


def _policy_leaf(policy: RiskPolicy) -> Leaf:
    classes = tuple((c.code, c.label, tuple(c.aliases)) for c in policy.classes)
    text = "；".join(f"{c.code} {c.label}（{'、'.join(c.aliases)}）" if c.aliases else f"{c.code} {c.label}"
                     for c in policy.classes)  # fmt: skip
    return Leaf(
        (policy.default_class, classes),
        messages.CHANGES_POLICY.format(classes=text, default=policy.default_class),
    )


def _target_leaf(classes: Iterable[str], flags: Mapping[str, str]) -> Leaf:
    classes, pairs = tuple(classes), tuple(sorted(flags.items()))
    parts = [messages.SAMPLING_TARGET_CLASSES.format(classes="、".join(classes))] if classes else []
    parts += [messages.SAMPLING_TARGET_FLAG.format(column=k, value=v) for k, v in pairs]
    return Leaf((classes, pairs), "且".join(parts))


def ratio_text(value: Fraction) -> str:
    """A plan ratio as written, exact: ``30%``; a ratio percentages cannot hold keeps its fraction.

    Example:
        >>> ratio_text(Fraction(3, 10)), ratio_text(Fraction(1, 3))
        ('30%', '1/3（33.33%）')
    """
    shown = percent(value)
    return shown if Fraction(shown[:-1]) / 100 == value else f"{value}（{shown}）"


def _canonical(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


# --- what a plan only says ----------------------------------------------------------------------


def info_snapshot(plan: Plan) -> Snapshot:
    """Every informational field of ``plan`` and its tasks, nested ones by their dotted YAML name."""
    leaves: Snapshot = {}
    skip = _PLAN_CONTENT | _PLAN_NOT_COMPARED
    for name in type(plan).model_fields:
        if name not in skip:
            leaves.update(((None, field), leaf) for field, leaf in _flatten(name, getattr(plan, name)))
    for task in plan.tasks:
        for name in type(task).model_fields:
            if name not in _TASK_CONTENT:
                found = _flatten(name, getattr(task, name))
                leaves.update(((task.number, field), leaf) for field, leaf in found)
    return leaves


def _flatten(name: str, value: object) -> Iterator[tuple[str, Leaf]]:
    """Leaves of one field: mappings and models by their keys, everything else as one leaf."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="python", by_alias=True)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _flatten(f"{name}.{key}", inner)
        return
    if value is None or value == "" or (isinstance(value, list | tuple) and not value):
        return
    yield name, Leaf(_canonical(_plain(value)), value_text(value))


def _plain(value: object) -> object:
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(mode="python", by_alias=True))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | Fraction):
        return str(value)
    return value


def value_text(value: object) -> str:
    """An informational value for people: lists joined by 、, dates ISO, yes/no for booleans.

    Example:
        >>> value_text(["营业执照", "备案证明"]), value_text(date(2024, 1, 31)), value_text(True)
        ('营业执照、备案证明', '2024-01-31', '是')
    """
    if isinstance(value, bool):
        return messages.CHANGES_YES if value else messages.CHANGES_NO
    if isinstance(value, Fraction):
        return ratio_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value)
    if isinstance(value, BaseModel | Mapping):
        return _canonical(_plain(value))
    return str(value)


# --- what a draw record keeps of its task ------------------------------------------------------


def record_snapshot(payload: Mapping[str, object]) -> Snapshot:
    """The content a draw record keeps of its task (older records lack some of it)."""
    task = int(str(payload["task"]))
    leaves: dict[str, Leaf] = dict(_items(str(i) for i in payload.get("items", []) or []))  # type: ignore[attr-defined]
    if payload.get("category"):
        leaves["category"] = Leaf(str(payload["category"]), str(payload["category"]))
    if payload.get("nominal_ratio"):
        ratio = Fraction(str(payload["nominal_ratio"]))
        leaves["ratio"] = Leaf(ratio, ratio_text(ratio))
    rule = payload.get("credit_rule")
    if isinstance(rule, Mapping):
        leaves["credit_rule"] = Leaf(_canonical(rule), rule_text(rule_from_record(rule)))
    period = payload.get("period")
    if isinstance(period, list) and len(period) == 2:
        start, end = (date.fromisoformat(str(day)) for day in period)
        leaves["period"] = Leaf((start, end), messages.CHANGES_PERIOD.format(start=start, end=end))
    departments = tuple(str(d) for d in payload.get("departments", []) or [])  # type: ignore[attr-defined]
    if departments:
        leaves["departments"] = Leaf(departments, "、".join(departments))
    if payload.get("sampling"):
        leaves["sampling"] = Leaf(str(payload["sampling"]), str(payload["sampling"]))
    target = payload.get("target")
    if isinstance(target, Mapping):
        leaves["target"] = _target_leaf(target.get("risk_classes", []), target.get("registry_flags", {}))
    return {(task, name): leaf for name, leaf in leaves.items()}


def recorded_snapshot(plan: Plan, task: Task) -> Snapshot:
    """What a draw of ``task`` under ``plan`` would record of it, as ``record_snapshot`` reads it."""
    payload: dict[str, object] = {
        "task": task.number,
        "items": list(task.items),
        "category": task.category,
        "nominal_ratio": str(task.ratio),
        "credit_rule": rule_record(plan.rule_for(task)),
        "period": [task.period.start.isoformat(), task.period.end.isoformat()],
        "departments": task.departments,
        "sampling": task.sampling,
    }
    if task.target is not None:
        payload["target"] = {
            "risk_classes": list(task.target.risk_classes),
            "registry_flags": dict(task.target.registry_flags),
        }
    return record_snapshot(payload)


# --- comparing ---------------------------------------------------------------------------------


def compare(old: Snapshot, new: Snapshot, *, content: bool, common_only: bool = False) -> list[FieldChange]:
    """The leaves that differ, plan first, then by task; a task added or removed is one change.

    ``common_only``: compare only the leaves both sides have (a draw record keeps part of a task).
    """
    keys = old.keys() & new.keys() if common_only else old.keys() | new.keys()
    whole = {task for task, field in keys if field == "task" and (task, field) not in old.keys() & new.keys()}
    changes = []
    for task, field in sorted(keys, key=lambda k: (k[0] or 0, _field_order(k[1]))):
        if task in whole and field != "task":
            continue
        before, after = old.get((task, field)), new.get((task, field))
        if before is not None and after is not None and before.value == after.value:
            continue
        changes.append(
            FieldChange(task, field, before.text if before else None, after.text if after else None, content)
        )
    return changes


def _field_order(field: str) -> tuple[int, str, int]:
    base, _, rest = field.partition(".")
    rank = list(messages.PLAN_FIELD_LABELS).index(base) if base in messages.PLAN_FIELD_LABELS else 999
    return rank, base, int(rest) if rest.isdigit() else 0


def content_changes(old: Plan, new: Plan) -> list[FieldChange]:
    """What changed between two versions of a plan that decides who is drawn and by whom."""
    return compare(content_snapshot(old), content_snapshot(new), content=True)


def all_changes(old: Plan, new: Plan) -> list[FieldChange]:
    """Every field that changed: content first, then informational fields."""
    return content_changes(old, new) + compare(info_snapshot(old), info_snapshot(new), content=False)
