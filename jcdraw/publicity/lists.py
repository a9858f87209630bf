"""The 抽查名单 of every standing draw of some plans, for the publicity page (``publish --with-lists``).

One row per drawn entity: plan, task, task name, round, draw id and date, the entity's place in the
draw, name, credit code and region — what ``jcdraw export --public`` publishes for one draw, taken from
the same draw records field by field. No risk class, no team, no inspector.
"""

from __future__ import annotations

import pandas as pd

from jcdraw.results.view import LedgerView

LIST_COLUMNS = ["plan", "task", "task_name", "round", "draw_id", "drawn_on", "n", "name", "uscc", "region"]


def drawn_lists(view: LedgerView, plans: list[str]) -> pd.DataFrame:
    """The lists of the standing draws of ``plans``, by plan (in the order given), task, round."""
    draws = view.draws[view.draws["standing"] & view.draws["plan"].isin(plans)]
    rank = draws["plan"].map({plan: i for i, plan in enumerate(plans)})
    ordered = draws.assign(rank=rank).sort_values(["rank", "task", "order"], kind="stable")
    rows = []
    for draw_id, drawn_on in zip(ordered.index, ordered["drawn_on"], strict=True):
        payload = view.payloads[str(draw_id)]
        head = [
            payload["plan"],
            int(payload["task"]),
            str(payload.get("task_name", "")),
            int(payload.get("round", 1)),
        ]
        for n, chosen in enumerate(payload.get("selected", []), 1):
            rows.append(
                [
                    *head,
                    str(draw_id),
                    drawn_on,
                    n,
                    chosen.get("name", ""),
                    chosen["uscc"],
                    chosen.get("region", ""),
                ]
            )
    return pd.DataFrame(rows, columns=LIST_COLUMNS)
