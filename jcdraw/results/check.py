"""Every check of a filled results sheet, column by column, all or nothing.

Pending and filled rows
    A row whose 检查结果, 检查日期 and 检查人员执法证号 are all empty is *pending* (not inspected
    yet) and is never an error. Every other row is *filled* and must pass every check:

    * it belongs to a draw in the ledger: the 抽取编号 exists, the draw still stands (a superseded
      draw's results are refused), and 任务编号, 统一社会信用代码 (normalised), 检查事项序号 and
      检查事项 (compared ignoring spaces and full/half width) match the draw;
    * 检查结果 is one or more categories of ``result_categories.yaml`` separated by 、 and split by
      matching known categories longest first (one category itself contains 、); an ``exclusive``
      category (未发现问题) stands alone;
    * 检查日期 is a real date inside the task period, not after the publication date (``as_of``)
      and not before the draw date;
    * 检查人员执法证号 (split on 、，,;) names at least two distinct members of the team the draw
      assigned to that entity, and nobody else;
    * once any item of an entity is filled, all its items are (rows deleted from the sheet count as
      unfilled), and no item appears twice;
    * a row already recorded in the ledger equals what was recorded (or its approved correction).
      A different result must go through ``jcdraw correct``; a different date or team is refused.

    All or nothing: if any filled row fails, nothing is recorded or published and every problem is
    returned (sheet, Excel row, column, value, fix).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import problems as P
from jcdraw.plans.categories import CategoryParser, result_text
from jcdraw.records import (
    BADGES,
    DATE,
    DRAW_ID,
    ITEM,
    ITEM_TEXT,
    MIN_OFFICERS,
    RESULT,
    TASK,
    USCC,
)
from jcdraw.results.sheet import ResultRows
from jcdraw.results.swapped import flag_swapped_columns
from jcdraw.results.view import LedgerView


@dataclass
class CheckedRows:
    """Filled rows with everything recording needs; ``problems`` says whether they may be recorded."""

    rows: pd.DataFrame  # filled rows + plan, task_no, item_text (the draw's), result (tuple), completed
    pending_entities: int
    plans: list[str]  # plans of the draws the sheet refers to, in ledger order


def check_results(
    found: ResultRows, view: LedgerView, *, as_of: date, parser: CategoryParser, problems: P.ProblemList
) -> CheckedRows:
    """Apply every check of the module docstring to the filled rows, column by column."""
    flag_swapped_columns(found, parser, problems)  # first: it explains the row errors that follow
    flag = _Flagger(problems, found.sheet, found.raw, found.rows["row"])
    rows = found.filled.copy()
    info = view.draws.reindex(rows["draw_id"]).set_axis(rows.index)
    known = info["plan"].notna()
    standing = known & info["standing"].eq(True)
    flag("result-draw-missing", rows["draw_id"].isna(), DRAW_ID)
    flag("result-draw-unknown", rows["draw_id"].notna() & ~known, DRAW_ID)
    flag("result-draw-superseded", known & ~standing, DRAW_ID, by=info["superseded_by"])

    expected = view.expected(rows.loc[standing, "draw_id"])
    match = expected.set_index("key").reindex(rows["key"]).set_axis(rows.index)
    task_text = info["task"].map(lambda t: str(int(t)), na_action="ignore")
    flag(
        "result-task-mismatch",
        standing & rows["task"].ne(task_text),
        TASK,
        draw_id=rows["draw_id"],
        task=task_text,
    )
    drawn = standing & rows["entity"].isin(set(expected["entity"]))
    flag("result-entity-not-drawn", standing & ~drawn, USCC, draw_id=rows["draw_id"])
    located = match["item_text"].notna()
    count = info["n_items"].map(int, na_action="ignore")
    flag("result-item-unknown", drawn & ~located, ITEM, draw_id=rows["draw_id"], count=count)
    flag(
        "result-item-mismatch", located & rows["item_key"].ne(match["item_key"]), ITEM_TEXT,
        item=rows["item"], expected=match["item_text"],
    )  # fmt: skip

    rows["result"] = _check_result_cells(rows, parser, flag)
    rows["completed"] = _check_dates(rows, info, located, as_of, flag)
    _check_badges(rows, view, located, flag)
    _check_entities(found, rows, expected, located, flag)
    rows["plan"] = info["plan"]
    rows["task_no"] = info["task"]
    rows["item_text"] = match["item_text"]
    rows = rows[located]
    _check_against_ledger(rows, view, flag)
    return CheckedRows(rows, _pending_entities(found, set(expected["entity"])), _plans_of(found, view))


class _Flagger:
    """Adds one problem per flagged row; fields are per-row Series (by row label) or constants."""

    def __init__(self, problems: P.ProblemList, sheet: str, raw: pd.DataFrame, excel_rows: pd.Series) -> None:
        self.problems = problems
        self.sheet = sheet
        self.raw = raw
        self.excel_rows = excel_rows

    def __call__(
        self, code: str, mask: pd.Series, column: str, *, values: pd.Series | None = None, **fields: object
    ) -> None:
        mask = mask.fillna(False).astype(bool)
        index = mask.index[mask.to_numpy()]
        if index.empty:
            return
        shown = (values if values is not None else self.raw[column]).reindex(index)
        rows = self.excel_rows.reindex(index)
        for i in index[: P.PER_CODE_LIMIT]:
            per_row = {k: (v.get(i) if isinstance(v, pd.Series) else v) for k, v in fields.items()}
            self.problems.add(
                P.make(
                    code, sheet=self.sheet, row=int(rows[i]), column=column, value=_shown(shown[i]), **per_row
                )
            )
        rest = index[P.PER_CODE_LIMIT :]
        if len(rest):  # counted, not listed: ProblemList keeps only the first ones of each code
            self.problems.from_mask(
                code, sheet=self.sheet, rows=list(rows[rest]), column=column, values=list(shown[rest])
            )


def _shown(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _check_result_cells(rows: pd.DataFrame, parser: CategoryParser, flag: _Flagger) -> pd.Series:
    parsed = parser.parse_column(rows["result_key"])
    flag("result-missing", rows["result_key"].isna(), RESULT)
    unknown = parsed.map(lambda p: p.unknown[0] if p is not None and p.unknown else None)
    flag("result-unknown", unknown.notna(), RESULT, part=unknown, choices=parser.choices)
    clash = parsed.map(lambda p: p.clash if p is not None else None)
    flag("result-exclusive", clash.notna(), RESULT, exclusive=clash)
    return parsed.map(lambda p: p.categories if p is not None else (), na_action="ignore")


def _check_dates(
    rows: pd.DataFrame, info: pd.DataFrame, located: pd.Series, as_of: date, flag: _Flagger
) -> pd.Series:
    day = _days(rows["date"])
    start, end, drawn_on = (_days(info[c]) for c in ("start", "end", "drawn_on"))
    flag("result-date-missing", rows["date"].isna() & ~rows["date_bad"], DATE)
    flag("result-date-bad", rows["date_bad"], DATE)
    present = pd.Series(~np.isnat(day), index=rows.index)
    outside = located & present & pd.Series((day < start) | (day > end), index=rows.index)
    flag(
        "result-date-outside-period", outside, DATE, values=rows["date"], start=info["start"], end=info["end"]
    )
    before = located & ~outside & pd.Series(day < drawn_on, index=rows.index)
    flag("result-date-before-draw", before, DATE, values=rows["date"], drawn=info["drawn_on"])
    future = present & ~outside & pd.Series(day > np.datetime64(as_of, "D"), index=rows.index)
    flag("result-date-future", future, DATE, values=rows["date"], as_of=as_of)
    return rows["date"].map(lambda d: d.isoformat(), na_action="ignore")


def _days(dates: pd.Series) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    """``datetime.date`` cells (None/NaN for none) as ``datetime64[D]`` with NaT."""
    values = dates.astype(object).where(dates.notna(), None)
    return np.array(values.tolist(), dtype="datetime64[D]")


def _check_badges(rows: pd.DataFrame, view: LedgerView, located: pd.Series, flag: _Flagger) -> None:
    badges = rows["badges"].map(lambda b: list(dict.fromkeys(b)))
    count = badges.str.len()
    flag("result-badges-missing", count.eq(0), BADGES)
    flag("result-badges-too-few", count.between(1, MIN_OFFICERS - 1), BADGES, count=count)
    located_rows = rows[located]
    if located_rows.empty:
        return
    teams = view.teams(located_rows["draw_id"].unique())
    members = set(teams["entity"] + "|" + teams["badge"])
    each = badges[located].explode().dropna()
    strangers = each[~(located_rows["entity"].reindex(each.index) + "|" + each).isin(members)]
    if strangers.empty:
        return
    first = strangers[~strangers.index.duplicated()]  # one problem per row, naming its first stranger
    mask = pd.Series(False, index=rows.index)
    mask[first.index] = True
    team_text = _team_text(teams, rows["entity"].reindex(first.index))
    flag(
        "result-badge-not-in-team",
        mask,
        BADGES,
        values=first.reindex(rows.index),
        team=team_text.reindex(rows.index),
    )


def _team_text(teams: pd.DataFrame, entities: pd.Series) -> pd.Series:
    """Each entity's team as the user should have typed it (badges joined by 、)."""
    joined = teams[teams["entity"].isin(set(entities))].groupby("entity", sort=False)["badge"].agg("、".join)
    return entities.map(joined)


def _check_entities(
    found: ResultRows, rows: pd.DataFrame, expected: pd.DataFrame, located: pd.Series, flag: _Flagger
) -> None:
    """All items of an entity once any is filled; no item twice."""
    filled = rows[located]
    twice = filled["key"].duplicated(keep=False)
    if twice.any():
        rows_of = filled.loc[twice].groupby("key")["row"].agg(list)
        others = [
            "、".join(str(r) for r in rows_of[key] if r != own)
            for key, own in zip(filled.loc[twice, "key"], filled.loc[twice, "row"], strict=True)
        ]
        flag("result-duplicate-row", twice, ITEM, other_rows=pd.Series(others, index=filled.index[twice]))
    wanted = expected[expected["entity"].isin(set(filled["entity"]))]
    missing = wanted[~wanted["key"].isin(set(filled["key"]))]
    missing = missing[~_mistyped(missing, rows[~located])]
    if missing.empty:
        return
    blank = found.rows[~found.rows["filled"] & found.rows["key"].isin(set(missing["key"]))]
    blank = blank[~blank["key"].duplicated()]
    flag("result-entity-incomplete", pd.Series(True, index=blank.index), RESULT, item=blank["item"])
    absent = missing[~missing["key"].isin(set(blank["key"]))]
    if absent.empty:
        return
    items = absent.groupby("entity", sort=False)["item"].agg("、".join)
    first_row_of = pd.Series(filled.index, index=filled["entity"].to_numpy()).groupby(level=0).first()
    labels = first_row_of.reindex(items.index).to_numpy()
    usccs = [entity.split("|", 1)[1] for entity in items.index]
    flag(
        "result-entity-rows-absent", pd.Series(True, index=labels), USCC,
        uscc=pd.Series(usccs, index=labels), items=pd.Series(items.to_numpy(), index=labels),
    )  # fmt: skip


def _mistyped(missing: pd.DataFrame, unlocated: pd.DataFrame) -> pd.Series:
    """Missing keys that a wrongly identified row stands for (it differs in one of draw, code, item).

    That row is reported already; calling its key missing too would only send the user looking for a
    deleted row that is not deleted.
    """
    out = pd.Series(False, index=missing.index)
    for a, b in (("draw_id", "uscc"), ("draw_id", "item"), ("uscc", "item")):
        typed = set(unlocated[a].fillna("") + "|" + unlocated[b].fillna(""))
        out |= (missing[a] + "|" + missing[b]).isin(typed)
    return out


def _check_against_ledger(rows: pd.DataFrame, view: LedgerView, flag: _Flagger) -> None:
    recorded = view.results.set_index("key").reindex(rows["key"]).set_axis(rows.index)
    present = recorded["draw_id"].notna()
    if not present.any():
        return
    result = rows["result"].map(result_text)
    clean_result = rows["result"].str.len().gt(0)
    changed = present & clean_result & result.ne(recorded["result"]) & result.ne(recorded["result_original"])
    flag(
        "result-changed", changed, RESULT, values=result, recorded=recorded["result"],
        draw_id=rows["draw_id"], uscc=rows["uscc"], item=rows["item"],
    )  # fmt: skip
    completed = rows["completed"]
    moved = (
        present
        & completed.notna()
        & completed.ne(recorded["completed"])
        & completed.ne(recorded["completed_original"])
    )
    flag("result-record-changed", moved, DATE, values=completed, recorded=recorded["completed"], field=DATE)
    team = rows["badges"].map(lambda b: sorted(set(b)))
    badges = team.map(result_text)
    complete_team = team.str.len().ge(MIN_OFFICERS)  # smaller teams are reported already
    other_team = (
        present & complete_team & badges.ne(recorded["badges"]) & badges.ne(recorded["badges_original"])
    )
    flag(
        "result-record-changed", other_team, BADGES, values=badges, recorded=recorded["badges"], field=BADGES
    )


def _pending_entities(found: ResultRows, drawn_entities: set[str]) -> int:
    rows = found.rows
    touched = set(rows.loc[rows["filled"], "entity"])
    pending = rows.loc[~rows["filled"] & rows["entity"].isin(drawn_entities), "entity"]
    return int(pending[~pending.isin(touched)].nunique())


def _plans_of(found: ResultRows, view: LedgerView) -> list[str]:
    ids = set(found.rows["draw_id"].dropna())
    plans = view.draws.loc[view.draws.index.isin(ids)].sort_values("order")["plan"]
    return list(dict.fromkeys(plans))
