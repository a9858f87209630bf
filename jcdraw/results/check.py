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
    * 检查日期 is a real date, not after the publication date (``as_of``). A date outside the task
      period or before the draw is accepted: the rows this run records get a warning and are
      published flagged 超出计划期限 (``jcdraw.results.period``);
    * 检查人员执法证号 (split on 、，,;) names at least two distinct members of the team the draw
      assigned to that entity, and nobody else;
    * once any item of an entity is filled, all its items are (rows deleted from the sheet count as
      unfilled), and no item appears twice;
    * a row already recorded in the ledger equals what was recorded (or its approved correction).
      A different result must go through ``jcdraw correct``; a different date or team is refused.

    All or nothing: if any filled row fails, nothing is recorded or published and every problem is
    returned (sheet, Excel row, column, value, fix). Warnings never stop a run.

    A row is reported by ``jcdraw.io.flags.flag_rows`` (Excel row, column, the cell as typed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from jcdraw import problems as P
from jcdraw.io.files import gc_paused
from jcdraw.io.flags import flag_rows
from jcdraw.io.normalize import map_distinct
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
from jcdraw.results.period import days_of, draw_days
from jcdraw.results.sheet import ResultRows
from jcdraw.results.swapped import flag_swapped_columns
from jcdraw.results.view import LedgerView


@dataclass
class CheckedRows:
    """Filled rows with everything recording needs; ``problems`` says whether they may be recorded."""

    rows: pd.DataFrame  # filled rows + plan, task_no, item_text (the draw's), result (tuple), completed
    pending_entities: int
    plans: list[str]  # plans of the draws the sheet refers to, in ledger order


@gc_paused()  # checks build columns of tuples and lists per row; none of them is cyclic
def check_results(
    found: ResultRows, view: LedgerView, *, as_of: date, parser: CategoryParser, problems: P.ProblemList
) -> CheckedRows:
    """Apply every check of the module docstring to the filled rows, column by column."""
    flag_swapped_columns(found, parser, problems)  # first: it explains the row errors that follow
    flag = _flagger(found, problems)
    rows = found.filled.copy()
    info = view.draws.reindex(rows["draw_id"]).set_axis(rows.index)
    known = info["plan"].notna()
    standing = known & info["standing"].eq(True)
    flag("result-draw-missing", rows["draw_id"].isna(), DRAW_ID)
    flag("result-draw-unknown", rows["draw_id"].notna() & ~known, DRAW_ID)
    flag("result-draw-superseded", known & ~standing, DRAW_ID, by=info["superseded_by"])

    expected = view.expected(rows.loc[standing, "draw_id"].unique())
    match = expected.set_index("key").reindex(rows["key"]).set_axis(rows.index)
    task_text = map_distinct(info["task"], lambda t: str(int(t)), skip_na=True)
    flag(
        "result-task-mismatch",
        standing & rows["task"].ne(task_text),
        TASK,
        draw_id=rows["draw_id"],
        task=task_text,
    )
    drawn = standing & rows["entity"].isin(expected["entity"])
    flag("result-entity-not-drawn", standing & ~drawn, USCC, draw_id=rows["draw_id"])
    located = match["item_text"].notna()
    count = map_distinct(info["n_items"], int, skip_na=True)
    flag("result-item-unknown", drawn & ~located, ITEM, draw_id=rows["draw_id"], count=count)
    flag(
        "result-item-mismatch", located & rows["item_key"].ne(match["item_key"]), ITEM_TEXT,
        item=rows["item"], expected=match["item_text"],
    )  # fmt: skip

    rows["result"] = _check_result_cells(rows, parser, flag)
    fresh = ~rows["key"].isin(view.results["key"])
    rows["completed"] = _check_dates(rows, info, view.draws, located, fresh, as_of, flag)
    teams = _TeamCells.of(rows["badges"])
    _check_badges(rows, teams, view, located, flag)
    _check_entities(found, rows, expected, located, flag)
    rows["plan"] = info["plan"]
    rows["task_no"] = info["task"]
    rows["item_text"] = match["item_text"]
    rows = rows[located]
    _check_against_ledger(rows, teams, view, flag)
    return CheckedRows(rows, _pending_entities(found, view), _plans_of(found, view))


Flag = Callable[..., None]  # flag(code, mask, column, *, values=None, **fields): see ``_flagger``


def _flagger(found: ResultRows, problems: P.ProblemList) -> Flag:
    """``flag_rows`` bound to the results sheet: cells shown as typed (dates as ISO text) unless
    ``values`` gives others; masks and per-row fields are labelled like the sheet's rows."""
    excel_rows = found.rows["row"]

    def flag(
        code: str, mask: pd.Series, column: str, *, values: pd.Series | None = None, **fields: object
    ) -> None:
        shown = found.raw[column] if values is None else values
        flag_rows(
            problems, code, mask, sheet=found.sheet, excel_rows=excel_rows, column=column, values=shown,
            display=_shown, **fields,
        )  # fmt: skip

    return flag


def _shown(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _check_result_cells(rows: pd.DataFrame, parser: CategoryParser, flag: Flag) -> pd.Series:
    keys = rows["result_key"]
    flag("result-missing", keys.isna(), RESULT)
    # Each distinct cell is parsed once (parsing a key already normalised leaves it as it is).
    codes, distinct = pd.factorize(keys.to_numpy(dtype=object))
    parsed = [parser.parse(key) for key in distinct]

    def per_row(values: list[object]) -> pd.Series:
        """One value per distinct cell, spread over the rows (missing stays missing), typed as Series.map."""
        return pd.Series(pd.Series(values).array.take(codes, allow_fill=True), index=keys.index)

    unknown = per_row([next(iter(p.unknown), None) for p in parsed])
    flag("result-unknown", unknown.notna(), RESULT, part=unknown, choices=parser.choices)
    clash = per_row([p.clash for p in parsed])
    flag("result-exclusive", clash.notna(), RESULT, exclusive=clash)
    return per_row([p.categories for p in parsed])


def _check_dates(
    rows: pd.DataFrame,
    info: pd.DataFrame,
    draws: pd.DataFrame,
    located: pd.Series,
    fresh: pd.Series,
    as_of: date,
    flag: Flag,
) -> pd.Series:
    day = days_of(rows["date"])
    start, end, drawn_on = (draw_days(rows["draw_id"], draws, c) for c in ("start", "end", "drawn_on"))
    flag("result-date-missing", rows["date"].isna() & ~rows["date_bad"], DATE)
    flag("result-date-bad", rows["date_bad"], DATE)
    present = pd.Series(~np.isnat(day), index=rows.index)
    future = present & pd.Series(day > np.datetime64(as_of, "D"), index=rows.index)
    flag("result-date-future", future, DATE, values=rows["date"], as_of=as_of)
    # An inspection dated outside the task period or before the draw is recorded and published all
    # the same, flagged 超出计划期限 (jcdraw.results.period): a warning, once, for the rows this run
    # records, never a refusal.
    odd = located & fresh & present & ~future
    outside = odd & pd.Series((day < start) | (day > end), index=rows.index)
    flag(
        "result-date-outside-period", outside, DATE, values=rows["date"], start=info["start"], end=info["end"]
    )
    before = odd & ~outside & pd.Series(day < drawn_on, index=rows.index)
    flag("result-date-before-draw", before, DATE, values=rows["date"], drawn=info["drawn_on"])
    return map_distinct(rows["date"], date.isoformat, skip_na=True)


@dataclass
class _TeamCells:
    """The 检查人员执法证号 lists of the filled rows, each distinct list kept once.

    A team's badges repeat on every item row of its entities; checks work on the distinct lists.
    """

    codes: pd.Series  # per filled row (by row label): position in ``lists``
    lists: list[tuple[str, ...]]  # distinct lists as typed

    @classmethod
    def of(cls, badges: pd.Series) -> _TeamCells:
        codes, distinct = pd.factorize(badges.map(tuple).to_numpy(dtype=object))
        return cls(pd.Series(codes, index=badges.index), list(distinct))

    def per_row(self, values: Sequence[object], index: pd.Index) -> pd.Series:
        """``values`` (one per distinct list, typed as pandas infers them) for the rows of ``index``."""
        taken = pd.Series(list(values)).array.take(self.codes.loc[index].to_numpy())
        return pd.Series(taken, index=index)


def _check_badges(
    rows: pd.DataFrame, teams: _TeamCells, view: LedgerView, located: pd.Series, flag: Flag
) -> None:
    distinct = [list(dict.fromkeys(badges)) for badges in teams.lists]
    count = teams.per_row([len(badges) for badges in distinct], rows.index)
    flag("result-badges-missing", count.eq(0), BADGES)
    flag("result-badges-too-few", count.between(1, MIN_OFFICERS - 1), BADGES, count=count)
    located_rows = rows[located]
    if located_rows.empty:
        return
    draw_ids = located_rows["draw_id"].unique()
    codes = teams.codes.loc[located_rows.index].to_numpy()
    first = _first_strangers(located_rows["entity"], codes, distinct, view.team_sets(draw_ids))
    if first.empty:
        return
    mask = pd.Series(False, index=rows.index)
    mask[first.index] = True
    team_text = _team_text(view.teams(draw_ids), rows["entity"].reindex(first.index))
    flag(
        "result-badge-not-in-team",
        mask,
        BADGES,
        values=first.reindex(rows.index),
        team=team_text.reindex(rows.index),
    )


def _first_strangers(
    entities: pd.Series,
    codes: npt.NDArray[np.intp],
    distinct: list[list[str]],
    team_of: dict[str, set[str]],
) -> pd.Series:
    """Per row that names someone outside its entity's team, the first such badge (rows in order).

    Each distinct (entity, badge list) pair is looked at once: an entity's item rows repeat it.
    """
    entity_codes, entity_names = pd.factorize(entities.to_numpy(dtype=object))
    pair = entity_codes.astype(np.int64) * max(len(distinct), 1) + codes
    pairs, first_row, inverse = np.unique(pair, return_index=True, return_inverse=True)
    found = np.full(len(pairs), None, dtype=object)
    for n, row in enumerate(first_row):
        team, badges = team_of.get(entity_names[entity_codes[row]], set()), distinct[codes[row]]
        if not team.issuperset(badges):  # the usual case, everyone in the team, costs one C call
            found[n] = next(badge for badge in badges if badge not in team)
    per_row = found[inverse.reshape(-1)]
    hit = pd.notna(per_row)
    return pd.Series(per_row[hit], index=entities.index[hit], dtype=object)


def _team_text(teams: pd.DataFrame, entities: pd.Series) -> pd.Series:
    """Each entity's team as the user should have typed it (badges joined by 、)."""
    joined = teams[teams["entity"].isin(set(entities))].groupby("entity", sort=False)["badge"].agg("、".join)
    return entities.map(joined)


def _check_entities(
    found: ResultRows, rows: pd.DataFrame, expected: pd.DataFrame, located: pd.Series, flag: Flag
) -> None:
    """All items of an entity once any is filled; no item twice."""
    filled = rows.loc[located, ["row", "entity", "key"]]
    twice = filled["key"].duplicated(keep=False)
    if twice.any():
        rows_of = filled.loc[twice].groupby("key")["row"].agg(list)
        others = [
            "、".join(str(r) for r in rows_of[key] if r != own)
            for key, own in zip(filled.loc[twice, "key"], filled.loc[twice, "row"], strict=True)
        ]
        flag("result-duplicate-row", twice, ITEM, other_rows=pd.Series(others, index=filled.index[twice]))
    wanted = expected.loc[
        expected["entity"].isin(filled["entity"]), ["draw_id", "uscc", "item", "entity", "key"]
    ]
    missing = wanted[~wanted["key"].isin(filled["key"])]
    missing = missing[~_mistyped(missing, rows[~located])]
    if missing.empty:
        return
    blank = found.rows[~found.rows["filled"] & found.rows["key"].isin(missing["key"])]
    blank = blank[~blank["key"].duplicated()]
    flag("result-entity-incomplete", pd.Series(True, index=blank.index), RESULT, item=blank["item"])
    absent = missing[~missing["key"].isin(blank["key"])]
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


def _check_against_ledger(rows: pd.DataFrame, teams: _TeamCells, view: LedgerView, flag: Flag) -> None:
    columns = [
        "draw_id",
        *(f"{name}{kind}" for name in ("result", "completed", "badges") for kind in ("", "_original")),
    ]
    recorded = view.results.set_index("key")[columns].reindex(rows["key"]).set_axis(rows.index)
    present = recorded["draw_id"].notna()
    if not present.any():
        return

    def differs(values: pd.Series, name: str) -> pd.Series:
        """Neither the recorded nor the originally recorded value (``Series.ne`` both, per row)."""
        return _differs(values, recorded[name]) & _differs(values, recorded[f"{name}_original"])

    # A blank 检查结果 (missing here, reported as result-missing) is not a changed result: there is
    # nothing to compare, as for a row not filled in yet.
    result = map_distinct(rows["result"], result_text, skip_na=True)
    clean_result = map_distinct(rows["result"], len, skip_na=True).gt(0)
    changed = present & clean_result & differs(result, "result")
    flag(
        "result-changed", changed, RESULT, values=result, recorded=recorded["result"],
        draw_id=rows["draw_id"], uscc=rows["uscc"], item=rows["item"],
    )  # fmt: skip
    completed = rows["completed"]
    moved = present & completed.notna() & differs(completed, "completed")
    flag("result-record-changed", moved, DATE, values=completed, recorded=recorded["completed"], field=DATE)
    sorted_teams = [sorted(set(badges)) for badges in teams.lists]
    badges = teams.per_row([result_text(team) for team in sorted_teams], rows.index)
    complete_team = teams.per_row([len(team) >= MIN_OFFICERS for team in sorted_teams], rows.index)
    other_team = present & complete_team & differs(badges, "badges")
    flag(
        "result-record-changed", other_team, BADGES, values=badges, recorded=recorded["badges"], field=BADGES
    )


def _differs(left: pd.Series, right: pd.Series) -> pd.Series:
    """``left.ne(right)``: True where they differ or either is missing; ``right`` is recorded text.

    Compared as object arrays, without the per-element checks of pandas' ``str`` comparisons.
    ``right`` holds text, or NaN where a key is not recorded, and NaN differs from anything, so
    only ``left`` needs a missing-value test.
    """
    a, b = left.to_numpy(dtype=object), right.to_numpy(dtype=object)
    return pd.Series((a != b) | pd.isna(a), index=left.index)


def _pending_entities(found: ResultRows, view: LedgerView) -> int:
    """Drawn entities the sheet lists with every row blank and no result recorded yet.

    Any standing draw the sheet names counts, filled or not: a visits workbook (一业一查) holds
    several draws, some not started. The unit is the drawn entity (draw × credit code), as in
    every count: a firm two tasks drew is two entities. One whose result was recorded from
    another workbook is not pending, though its rows here are blank.
    """
    rows = found.rows
    blank = rows.loc[~rows["filled"], ["draw_id", "entity"]]
    standing = blank["draw_id"].isin(view.draws.index[view.draws["standing"].to_numpy(dtype=bool)])
    if not standing.any():
        return 0
    drawn = view.expected(blank.loc[standing, "draw_id"].unique())["entity"]
    pending = blank.loc[standing, "entity"]
    done = pd.concat([rows.loc[rows["filled"], "entity"], view.results["entity"]], ignore_index=True)
    return int(pending[pending.isin(drawn) & ~pending.isin(done)].nunique())


def _plans_of(found: ResultRows, view: LedgerView) -> list[str]:
    ids = found.rows["draw_id"].dropna().unique()
    plans = view.draws.loc[view.draws.index.isin(ids)].sort_values("order")["plan"]
    return list(dict.fromkeys(plans))
