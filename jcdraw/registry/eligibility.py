"""Who may be drawn for a task: the eligibility rules, column-wise over the registry.

Entities: active, in the task's scope, and carrying the task's category. Inspectors: on duty, in a
department that takes part in the task, holding a credential valid through the task's end date, and
qualified for the category when their 可检查类别 is filled. Recusals are applied per entity by the
team assignment, not here.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from jcdraw.io.text import normalize_key_one
from jcdraw.plans.model import Plan, Task
from jcdraw.registry import uscc as U
from jcdraw.registry.load import Registry


def category_key(task: Task) -> str:
    return f"|{normalize_key_one(task.category)}|"


def eligible_entities(registry: Registry, plan: Plan, task: Task) -> pd.DataFrame:
    """Entity rows that the task may draw (valid code, active, in scope, right category)."""
    e = registry.entities
    if e.empty:
        return e
    mask = (
        e["active"].astype(bool)
        & e["region"].isin(plan.scope_of(task))
        & e["categories_key"].str.contains(category_key(task), regex=False).eq(True)
        & (e["uscc_ok"].astype(bool) if "uscc_ok" in e else U.classify(e["uscc"]) == "ok")
    )
    return e[mask]


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
