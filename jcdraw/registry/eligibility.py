"""Who may be drawn for a task: the eligibility rules, column-wise over the registry.

Entities: active, in the task's scope, and carrying the task's category. Inspectors: on duty, in a
department that takes part in the task, holding a credential valid through the task's end date, and
qualified for the category when their 可检查类别 is filled. Recusals are applied per entity by the
team assignment, not here.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from jcdraw.io.normalize import normalize_key
from jcdraw.io.text import normalize_key_one
from jcdraw.plans.model import Plan, Task
from jcdraw.registry import uscc as U
from jcdraw.registry.load import Registry


def category_key(task: Task) -> str:
    return f"|{normalize_key_one(task.category)}|"


def eligible_entities(registry: Registry, plan: Plan, task: Task) -> pd.DataFrame:
    """Entity rows that the task may draw (valid code, active, in scope, right category, on target)."""
    e = registry.entities
    if e.empty:
        return e
    mask = (
        e["active"].astype(bool)
        & _in_task(e, plan, task)
        & (e["uscc_ok"].astype(bool) if "uscc_ok" in e else U.classify(e["uscc"]) == "ok")
        & _on_target(e, task)
    )
    return e[mask]


def _in_task(entities: pd.DataFrame, plan: Plan, task: Task) -> pd.Series:
    """In the task's scope and category, whatever their status."""
    in_category = entities["categories_key"].str.contains(category_key(task), regex=False).eq(True)
    return entities["region"].isin(plan.scope_of(task)) & in_category


# Ways people mark "yes" in a flag column (compared after normalize_key_one).
YES = frozenset({"是", "Y", "YES", "TRUE", "1", "√", "✓", "✔", "重点", "有"})


def _on_target(entities: pd.DataFrame, task: Task) -> pd.Series:
    """A targeted task (定向抽查) keeps only entities of its risk classes carrying its flags."""
    keep = pd.Series(True, index=entities.index)
    if task.target is None:
        return keep
    if task.target.risk_classes:
        keep &= entities["risk_class"].isin(task.target.risk_classes)
    for column, wanted in task.target.registry_flags.items():
        found = flag_column(entities, column)
        if found is None:
            return pd.Series(False, index=entities.index)  # validate reports the missing column
        keep &= flag_values(entities[found]).eq(flag_value(wanted) or "")
    return keep


def flag_column(entities: pd.DataFrame, name: str) -> str | None:
    """The registry column a target names (headers compared as keys), or None."""
    wanted = normalize_key_one(name)
    return next((str(c) for c in entities.columns if normalize_key_one(str(c)) == wanted), None)


def flag_value(value: object) -> str | None:
    """A flag cell as compared: its key, with every way of writing "yes" folded into "是"."""
    key = normalize_key_one(value)
    return "是" if key in YES else key


def flag_values(column: pd.Series) -> pd.Series:
    return normalize_key(column).map(lambda k: "是" if k in YES else k)


def concerning(registry: Registry, plan: Plan, tasks: list[Task]) -> tuple[set[int], set[int]]:
    """Excel rows of entities in the tasks' scope and category and of inspectors of their departments.

    A registry warning about another row concerns another task (another plan's category, say), so
    ``draw`` and ``validate --plan`` leave it out.
    """
    e, i = registry.entities, registry.inspectors
    entity_rows: set[int] = set()
    inspector_rows: set[int] = set()
    for task in tasks:
        if not e.empty:
            entity_rows.update(int(r) for r in e.loc[_in_task(e, plan, task), "row"])
        if not i.empty:
            inspector_rows.update(int(r) for r in i.loc[i["department"].isin(task.departments), "row"])
    return entity_rows, inspector_rows


def eligible_inspectors(registry: Registry, task: Task, *, valid_through: date | None = None) -> pd.DataFrame:
    """Inspector rows that may serve on the task's teams."""
    i = registry.inspectors
    if i.empty:
        return i
    through = valid_through or task.period.end
    expires = i["expires"]
    valid = expires.map(lambda d: isinstance(d, date) and d >= through).astype(bool)
    quals = i["qualifications_key"]
    qualified = quals.isna() | quals.str.contains(category_key(task), regex=False).eq(True)
    mask = (
        i["badge"].notna()
        & i["on_duty"].astype(bool)
        & i["department"].isin(task.departments)
        & valid
        & qualified
    )
    return i[mask]
