"""Counting progress per drawn entity and per task (``公示统计``, ``jcdraw status``, ``--json``).

The unit is the drawn *entity* of a standing draw (an entity drawn in two rounds counts twice).
drawn = entities of standing draws; recorded = entities all of whose items have a recorded
result; published = entities all of whose items are published; late = published entities with
at least one item published after its deadline, on_time = the other published ones;
publication_rate (公示率) = published / recorded, i.e. 已公示 ÷ (已公示 + 已检查未公示), null when
nothing is recorded (undefined, not 100%); completion_rate (完成率) = published / drawn.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from jcdraw.results.view import LedgerView


def entity_progress(view: LedgerView, plans: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per drawn entity of the standing draws (of ``plans``), indexed ``"<draw_id>|<uscc>"``.

    Columns: draw_id, plan, task, uscc, name, items (count), recorded (all items recorded),
    published (all items published), late (published, and some item after its deadline).
    """
    expected = view.expected(view.standing_ids(plans))
    # One look-up of every expected key among the published ones serves both flags.
    at = pd.Index(view.published["key"]).get_indexer(expected["key"])
    published = at >= 0
    on_time = view.published["on_time"].to_numpy(dtype=bool)
    flags = expected.assign(
        recorded=expected["key"].isin(view.results["key"]),
        published=published,
        late=published & ~on_time[np.where(published, at, 0)] if len(on_time) else published,
    )
    entities = flags.groupby("entity", sort=False).agg(
        draw_id=("draw_id", "first"),
        plan=("plan", "first"),
        task=("task", "first"),
        uscc=("uscc", "first"),
        name=("name", "first"),
        items=("item", "size"),
        recorded=("recorded", "all"),
        published=("published", "all"),
        late=("late", "any"),
    )
    entities["late"] = entities["late"].astype(bool) & entities["published"].astype(bool)
    return entities


COUNT_FIELDS = [
    "plan",
    "task",
    "task_name",
    "drawn",
    "recorded",
    "published",
    "on_time",
    "late",
    "publication_rate",
    "completion_rate",
]


def rates(numerator: pd.Series, denominator: pd.Series) -> list[float | None]:
    """numerator ÷ denominator to four places, None where the denominator is 0 (undefined, never 100%).

    Example:
        >>> rates(pd.Series([2, 0]), pd.Series([4, 0]))
        [0.5, None]
    """
    return [
        None if d == 0 else round(int(n) / int(d), 4) for n, d in zip(numerator, denominator, strict=True)
    ]


def task_counts(entities: pd.DataFrame, view: LedgerView) -> pd.DataFrame:
    """Per (plan, task), in ledger plan order then task number: the counts of the module docstring."""
    columns = COUNT_FIELDS
    if entities.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    counts = entities.groupby(["plan", "task"], sort=False).agg(
        drawn=("uscc", "size"),
        recorded=("recorded", "sum"),
        published=("published", "sum"),
        late=("late", "sum"),
    )
    counts = counts.astype(int).reset_index()
    counts["on_time"] = counts["published"] - counts["late"]
    counts["publication_rate"] = pd.Series(rates(counts["published"], counts["recorded"]), dtype=object)
    counts["completion_rate"] = pd.Series(rates(counts["published"], counts["drawn"]), dtype=object)
    names = (
        view.draws.sort_values("order")
        .drop_duplicates(["plan", "task"])
        .set_index(["plan", "task"])["task_name"]
    )
    counts["task_name"] = [names.get((p, t), "") for p, t in zip(counts["plan"], counts["task"], strict=True)]
    plan_rank = {plan: i for i, plan in enumerate(dict.fromkeys(view.draws.sort_values("order")["plan"]))}
    counts = counts.sort_values(["plan", "task"], key=lambda s: s.map(plan_rank) if s.name == "plan" else s)
    return counts[columns].reset_index(drop=True)
