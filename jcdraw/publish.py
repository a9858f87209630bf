"""Checking filled results workbooks, recording results in the ledger, and publishing them.

Specification
-------------
Input
    The ``检查结果`` sheet of the assignment workbook ``jcdraw draw`` wrote (or of a ``jcdraw visits``
    workbook, which adds columns): ``抽取编号 | 任务编号 | 统一社会信用代码 | 名称 | 检查事项序号 |
    检查事项 | 检查结果 | 检查日期 | 检查人员执法证号 | 备注``, header in one of the first rows, extra
    columns ignored. One row is one drawn entity × one 检查事项; item numbers are 1-based positions
    in the draw's item list.

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

Recording
    New rows become ledger ``result`` records keyed ``"<draw_id>|<uscc>|<item number>"`` with payload
    ``draw_id, uscc, item, item_text, plan, task, result (categories in list order), completed (ISO
    date), badges (sorted), note``. Re-publishing the same workbook records nothing new.

Publishing
    The publication date is ``as_of``. A result's deadline is the n-th working day strictly after its
    检查日期 (n = the plan's ``publicity_deadline_workdays``, 20), from ``WorkdayCalendar``; a year the
    calendar does not know stops the run with ``CalendarMissing`` (we never guess). Every recorded but
    not yet published result of the plans involved is published now: on time when ``as_of <=
    deadline``, otherwise late but still published. Each run that publishes something new (or shows a
    new correction) appends one ``publication`` record listing, per result key, completion date,
    deadline and whether it was on time, plus the output files' SHA-256. The checks against the
    ledger, the results, the output files and the publication record happen in one ledger
    transaction: two runs at once cannot record or publish anything twice, and if an output cannot be
    written the ledger is left unchanged.

Outputs
    The publicity workbook (sheets ``抽查计划``, ``抽查任务``, ``检查结果``, ``公示统计``) and, on request,
    an HTML page (``jcdraw.publicity_html``) hold the cumulative public record: every result
    published so far for the plans involved, with approved corrections applied and explained in
    ``更正说明``. They never contain risk classes, inspectors' names, badge numbers or phones.

Counting (``公示统计``, ``jcdraw status``, ``--json``)
    The unit is the drawn *entity* of a standing draw (an entity drawn in two rounds counts twice).
    drawn = entities of standing draws; recorded = entities all of whose items have a recorded
    result; published = entities all of whose items are published; late = published entities with
    at least one item published after its deadline, on_time = the other published ones;
    publication_rate = published / recorded, 1.0 when nothing is recorded yet (nothing is owed).
    ``PublishReport.recorded`` / ``published`` count the entities newly recorded / published by one run.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import __version__, messages
from jcdraw import problems as P
from jcdraw.assignment_book import RESULT_COLUMNS, RESULT_SHEET
from jcdraw.errors import BadInvocation, BadPlan, LedgerError, OutputError, UnreadableInput
from jcdraw.files import file_sha256, gc_paused
from jcdraw.ledger import Ledger
from jcdraw.normalize import clean_text, normalize_key, normalize_key_one, parse_dates, split_multi
from jcdraw.plans import Plan, Task, available_plans, load_plan
from jcdraw.result_categories import ResultCategories, load_result_categories
from jcdraw.workdays import WorkdayCalendar
from jcdraw.xlsx_reader import open_workbook, read_table
from jcdraw.xlsx_writer import Column, Sheet, write_workbook

__all__ = [
    "CategoryParser",
    "CorrectionOutcome",
    "LedgerView",
    "Publicity",
    "PublishReport",
    "ResultRows",
    "correct",
    "entity_progress",
    "plan_of",
    "publish",
    "read_results",
    "task_counts",
]

BEIJING = timezone(timedelta(hours=8))
MIN_TEAM = 2
SEPARATORS = frozenset("、,;/")  # after NFKC, which has turned ，；／ into ,;/
DRAW_ID, TASK, USCC, NAME, ITEM, ITEM_TEXT, RESULT, DATE, BADGES, NOTE = RESULT_COLUMNS
REQUIRED = [DRAW_ID, TASK, USCC, ITEM, ITEM_TEXT, RESULT, DATE, BADGES]
SCHEMA: dict[str, list[str]] = {name: [] for name in RESULT_COLUMNS}


# --- result categories --------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedResult:
    categories: tuple[str, ...]  # known categories, in the configured order, each once
    unknown: tuple[str, ...]  # parts that are no category
    clash: str | None  # an exclusive category combined with others


class CategoryParser:
    """Splits result cells into configured categories, comparing normalised text (whitespace, width).

    Example:
        >>> p = CategoryParser(ResultCategories(("未发现问题", "公示信息隐瞒真实情况、弄虚作假", "已注销"),
        ...                                     frozenset({"未发现问题"})))
        >>> p.parse("已注销、公示信息隐瞒真实情况、弄虚作假")
        ParsedResult(categories=('公示信息隐瞒真实情况、弄虚作假', '已注销'), unknown=(), clash=None)
        >>> p.parse("未发现问题，已注销").clash
        '未发现问题'
    """

    def __init__(self, config: ResultCategories) -> None:
        self.config = config
        keys = normalize_key(pd.Series(list(config.categories), dtype=object))
        self._rank = {name: i for i, name in enumerate(config.categories)}
        self._by_length = sorted(zip(keys, config.categories, strict=True), key=lambda kv: -len(kv[0]))

    @property
    def choices(self) -> str:
        return "、".join(self.config.categories)

    def parse(self, text: str) -> ParsedResult:
        return self._parse_key(normalize_key_one(text) or "")

    def parse_column(self, keys: pd.Series) -> pd.Series:
        """ParsedResult (or None for empty) per normalised cell; each distinct text is parsed once."""
        parsed = {key: self._parse_key(key) for key in keys.dropna().unique()}
        return keys.map(parsed).astype(object).where(keys.notna(), None)

    def _parse_key(self, key: str) -> ParsedResult:
        found: list[str] = []
        unknown: list[str] = []
        i = 0
        while i < len(key):
            if key[i] in SEPARATORS:
                i += 1
                continue
            match = next((kv for kv in self._by_length if _starts_category(key, i, kv[0])), None)
            if match is None:
                end = next((j for j in range(i, len(key)) if key[j] in SEPARATORS), len(key))
                unknown.append(key[i:end])
                i = end
            else:
                found.append(match[1])
                i += len(match[0])
        ordered = tuple(sorted(set(found), key=self._rank.__getitem__))
        clash = next((c for c in ordered if c in self.config.exclusive), None)
        return ParsedResult(
            ordered, tuple(unknown), clash if len(ordered) > 1 or (clash and unknown) else None
        )


def _starts_category(key: str, at: int, category: str) -> bool:
    end = at + len(category)
    return key.startswith(category, at) and (end == len(key) or key[end] in SEPARATORS)


def result_text(categories: Iterable[str]) -> str:
    return "、".join(categories)


# --- plans behind the draws ---------------------------------------------------------------------


@cache
def _plan_by_path(path: str, mtime: float) -> Plan:
    return load_plan(Path(path))


def find_plan(plan_id: str, hint: str | None = None) -> Plan:
    """The plan a draw used: its recorded file if it still holds that plan, else any plan folder's."""
    candidates = [Path(hint)] if hint else []
    candidates += [path for path in available_plans().values() if not hint or path != Path(hint)]
    for path in candidates:
        if path.is_file():
            plan = _plan_by_path(str(path.resolve()), path.stat().st_mtime)
            if plan.id == plan_id:
                return plan
    raise BadPlan(messages.PUBLISH_PLAN_NOT_FOUND.format(plan=plan_id, path=hint or "—"))


# --- what the ledger knows ----------------------------------------------------------------------


@dataclass
class LedgerView:
    """Draws, results and publications of a ledger as frames, read once (no per-row queries).

    ``draws`` is indexed by draw id; ``results`` has one row per result key with the current and
    the originally recorded values as text; ``published`` one row per published key (its first
    publication); ``shown_corrections`` how many corrections of a key the public record shows.
    """

    draws: pd.DataFrame
    payloads: dict[str, dict[str, Any]]
    results: pd.DataFrame
    published: pd.DataFrame
    shown_corrections: dict[str, int]
    _expected: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def load(cls, ledger: Ledger) -> LedgerView:
        with gc_paused():
            records = ledger.draws(standing_only=False)
            payloads = {str(r.payload["draw_id"]): r.payload for r in records}
            published, shown = _publications(ledger)
            return cls(_draw_table(records), payloads, _result_table(ledger.results()), published, shown)

    def expected(self, draw_ids: Iterable[str]) -> pd.DataFrame:
        """One row per drawn entity × item of ``draw_ids`` (key, entity, item, texts, order)."""
        frames = [self._expected_one(d) for d in dict.fromkeys(draw_ids) if d in self.payloads]
        if not frames:
            return _empty_expected()
        return pd.concat(frames, ignore_index=True)

    def standing_ids(self, plans: Iterable[str] | None = None) -> list[str]:
        standing = self.draws[self.draws["standing"]]
        if plans is not None:
            standing = standing[standing["plan"].isin(list(plans))]
        return list(standing.index)

    def teams(self, draw_ids: Iterable[str]) -> pd.DataFrame:
        """One row per team member of ``draw_ids``: entity ``"<draw_id>|<uscc>"`` and badge, normalised."""
        draws: list[str] = []
        codes: list[object] = []
        badges: list[object] = []
        for draw_id in dict.fromkeys(draw_ids):
            for chosen in self.payloads.get(draw_id, {}).get("selected", []):
                team = chosen.get("team", [])
                draws.extend([draw_id] * len(team))
                codes.extend([chosen["uscc"]] * len(team))
                badges.extend(team)
        entity = pd.Series(draws, dtype=object) + "|" + normalize_key(pd.Series(codes, dtype=object))
        return pd.DataFrame({"entity": entity, "badge": normalize_key(pd.Series(badges, dtype=object))})

    def with_results(self, fresh: pd.DataFrame) -> LedgerView:
        """The same view with ``fresh`` result rows added (as just recorded)."""
        results = pd.concat([self.results, fresh[self.results.columns]], ignore_index=True)
        return LedgerView(
            self.draws, self.payloads, results, self.published, self.shown_corrections, self._expected
        )

    def _expected_one(self, draw_id: str) -> pd.DataFrame:
        if draw_id not in self._expected:
            self._expected[draw_id] = _expected_rows(self.payloads[draw_id])
        return self._expected[draw_id]


def _key(value: object) -> str:
    return normalize_key_one(value) or ""


def _draw_table(records: Sequence[Any]) -> pd.DataFrame:
    replaced = {
        str(r.payload["supersedes"]): str(r.payload["draw_id"])
        for r in records
        if r.payload.get("supersedes")
    }
    rows = []
    for order, record in enumerate(records):
        p = record.payload
        start, end = p.get("period") or [None, None]
        draw_id = str(p["draw_id"])
        rows.append(
            {
                "draw_id": draw_id,
                "plan": str(p["plan"]),
                "task": int(p["task"]),
                "task_name": str(p.get("task_name", "")),
                "start": _iso(start),
                "end": _iso(end),
                "drawn_on": _iso(p.get("as_of")) or _iso(record.created_at[:10]),
                "n_items": len(p.get("items", [])),
                "standing": draw_id not in replaced,
                "superseded_by": replaced.get(draw_id),
                "order": order,
            }
        )
    columns = ["draw_id", "plan", "task", "task_name", "start", "end", "drawn_on", "n_items", "standing"]
    table = pd.DataFrame(rows, columns=[*columns, "superseded_by", "order"]).set_index("draw_id")
    table["standing"] = table["standing"].astype(bool)
    return table


def _iso(value: object) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _expected_rows(payload: Mapping[str, Any]) -> pd.DataFrame:
    selected = payload.get("selected", [])
    items = [str(i) for i in payload.get("items", [])]
    n, m = len(selected), len(items)
    usccs = normalize_key(pd.Series([s["uscc"] for s in selected], dtype=object)).to_numpy(dtype=object)
    names = np.array([str(s.get("name", "")) for s in selected], dtype=object)
    numbers = np.array([str(i) for i in range(1, m + 1)], dtype=object)
    frame = pd.DataFrame(
        {
            "draw_id": str(payload["draw_id"]),
            "plan": str(payload["plan"]),
            "task": int(payload["task"]),
            "uscc": np.repeat(usccs, m),
            "name": np.repeat(names, m),
            "entity_order": np.repeat(np.arange(n), m),
            "item": np.tile(numbers, n),
            "item_text": np.tile(np.array(items, dtype=object), n),
        }
    )
    frame["item_key"] = np.tile(normalize_key(pd.Series(items, dtype=object)).to_numpy(dtype=object), n)
    frame["entity"] = frame["draw_id"] + "|" + frame["uscc"]
    frame["key"] = frame["entity"] + "|" + frame["item"]
    return frame


def _empty_expected() -> pd.DataFrame:
    columns = ["draw_id", "plan", "task", "uscc", "name", "entity_order", "item", "item_text", "item_key"]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in [*columns, "entity", "key"]})


RESULT_FIELDS = ["key", "draw_id", "entity", "uscc", "item", "result", "completed", "badges"]
ORIGINAL_FIELDS = ["result_original", "completed_original", "badges_original"]


def _result_table(results: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Current values as text (result 、-joined, badges 、-joined, date ISO) plus the originals."""
    rows = []
    for r in results:
        original = _original(r)
        uscc, draw_id, item = str(r["uscc"]), str(r["draw_id"]), str(r["item"])
        rows.append(
            (
                f"{draw_id}|{uscc}|{item}",
                draw_id,
                f"{draw_id}|{uscc}",
                uscc,
                item,
                result_text(r.get("result", [])),
                str(r.get("completed", "")),
                result_text(r.get("badges", [])),
                result_text(original.get("result", [])),
                str(original.get("completed", "")),
                result_text(original.get("badges", [])),
                r.get("corrections", []),
            )
        )
    return pd.DataFrame(rows, columns=[*RESULT_FIELDS, *ORIGINAL_FIELDS, "corrections"], dtype=object)


def _original(current: Mapping[str, Any]) -> dict[str, Any]:
    """The values as first recorded: undo the corrections, newest first."""
    original = dict(current)
    for correction in reversed(current.get("corrections", [])):
        original.update(correction.get("old", {}))
    return original


def _publications(ledger: Ledger) -> tuple[pd.DataFrame, dict[str, int]]:
    keys: list[str] = []
    when: list[str] = []
    deadline: list[str] = []
    on_time: list[bool] = []
    shown: dict[str, int] = {}
    for record in ledger.records("publication"):
        p = record.payload
        for entry in p.get("published", []):
            keys.append(str(entry["key"]))
            when.append(str(p["as_of"]))
            deadline.append(str(entry["deadline"]))
            on_time.append(bool(entry["on_time"]))
        for entry in p.get("corrections", []):
            key = str(entry["key"])
            shown[key] = max(shown.get(key, 0), int(entry["count"]))
    frame = pd.DataFrame({"key": keys, "published_on": when, "deadline": deadline, "on_time": on_time})
    frame = frame.astype({"key": object, "published_on": object, "deadline": object, "on_time": bool})
    return frame.drop_duplicates("key", keep="first").reset_index(drop=True), shown


# --- reading a results workbook -----------------------------------------------------------------


@dataclass
class ResultRows:
    """The non-empty rows of a ``检查结果`` sheet: raw cells plus normalised columns."""

    sheet: str
    raw: pd.DataFrame  # cells as read, canonical Chinese column names
    # row, draw_id, task, uscc, item, item_key, result_key, date, date_bad, badges, note, filled, entity, key
    rows: pd.DataFrame

    @property
    def filled(self) -> pd.DataFrame:
        return self.rows[self.rows["filled"]]


def read_results(path: Path, problems: P.ProblemList) -> ResultRows | None:
    """Read the ``检查结果`` sheet of ``path``; ``None`` (with problems) if it lacks the sheet or columns."""
    book = open_workbook(path)
    sheet = book.find_sheet([RESULT_SHEET])
    if sheet is None:
        existing = "、".join(book.sheet_names)
        problems.add(
            P.make("result-sheet-missing", sheet=RESULT_SHEET, sheet_name=RESULT_SHEET, existing=existing)
        )
        return None
    table = read_table(book, sheet, SCHEMA, REQUIRED, problems)
    if table is None:
        return None
    raw = table.frame
    if NOTE not in raw:
        raw[NOTE] = pd.Series([None] * len(raw), dtype=object)
    dates, date_bad = parse_dates(raw[DATE])
    rows = pd.DataFrame(
        {
            "row": table.excel_rows.astype(int),
            "draw_id": clean_text(raw[DRAW_ID]).map(_without_spaces, na_action="ignore"),
            "task": _number_text(normalize_key(raw[TASK])),
            "uscc": normalize_key(raw[USCC]),
            "item": _number_text(normalize_key(raw[ITEM])),
            "item_key": normalize_key(raw[ITEM_TEXT]),
            "result_key": normalize_key(raw[RESULT]),
            "date": dates,
            "date_bad": date_bad,
            "badges": split_multi(raw[BADGES]),
            "note": clean_text(raw[NOTE]),
        }
    )
    rows["filled"] = (
        rows["result_key"].notna() | rows["date"].notna() | rows["date_bad"] | (rows["badges"].str.len() > 0)
    )
    rows["entity"] = rows["draw_id"].fillna("") + "|" + rows["uscc"].fillna("")
    rows["key"] = rows["entity"] + "|" + rows["item"].fillna("")
    return ResultRows(sheet, raw, rows)


def _without_spaces(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _number_text(keys: pd.Series) -> pd.Series:
    """``"01"`` → ``"1"`` so typed numbers compare with the draw's; other text is left as is."""
    digits = keys.str.fullmatch(r"\d{1,9}").fillna(False).astype(bool)
    out = keys.copy()
    out[digits] = keys[digits].astype(int).astype(str)
    return out


# --- checking -----------------------------------------------------------------------------------


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
    flag("result-badges-too-few", count.between(1, MIN_TEAM - 1), BADGES, count=count)
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
    complete_team = team.str.len().ge(MIN_TEAM)  # smaller teams are reported already
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


# --- counting -----------------------------------------------------------------------------------


def entity_progress(view: LedgerView, plans: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per drawn entity of the standing draws (of ``plans``), indexed ``"<draw_id>|<uscc>"``.

    Columns: draw_id, plan, task, uscc, name, items (count), recorded (all items recorded),
    published (all items published), late (published, and some item after its deadline).
    """
    expected = view.expected(view.standing_ids(plans))
    on_time = view.published.set_index("key")["on_time"]
    flags = expected.assign(
        recorded=expected["key"].isin(set(view.results["key"])),
        published=expected["key"].isin(on_time.index),
        late=expected["key"].map(on_time).eq(False),
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
    recorded = counts["recorded"].to_numpy()
    rate = np.divide(counts["published"].to_numpy(), np.maximum(recorded, 1))
    counts["publication_rate"] = np.round(np.where(recorded > 0, rate, 1.0), 4)
    names = (
        view.draws.sort_values("order")
        .drop_duplicates(["plan", "task"])
        .set_index(["plan", "task"])["task_name"]
    )
    counts["task_name"] = [names.get((p, t), "") for p, t in zip(counts["plan"], counts["task"], strict=True)]
    plan_rank = {plan: i for i, plan in enumerate(dict.fromkeys(view.draws.sort_values("order")["plan"]))}
    counts = counts.sort_values(["plan", "task"], key=lambda s: s.map(plan_rank) if s.name == "plan" else s)
    return counts[columns].reset_index(drop=True)


# --- publishing ---------------------------------------------------------------------------------


@dataclass
class PublishReport:
    """What one ``publish`` run did, in entities (see Counting); ``problems`` when it refused."""

    recorded: int = 0
    published: int = 0
    on_time: int = 0
    late: int = 0
    problems: list[P.Problem] = field(default_factory=list)
    pending: int = 0
    rows_recorded: int = 0
    outputs: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "published": self.published,
            "on_time": self.on_time,
            "late": self.late,
            "problems": [p.to_dict() for p in self.problems],
        }


def publish(
    results_path: Path,
    ledger: Ledger,
    *,
    as_of: date,
    calendar: WorkdayCalendar,
    out: Path,
    html: Path | None = None,
    force: bool = False,
    categories: ResultCategories | None = None,
) -> PublishReport:
    """Check ``results_path``, record its new results, publish, and write the publicity outputs.

    Returns a report with ``problems`` (and nothing written) when any filled row fails a check.
    Raises OutputError before any work when an output exists (without ``force``), CalendarMissing
    when a deadline needs an unknown year, LedgerError/UnreadableInput for unusable inputs.
    """
    targets = [path for path in (out, html) if path is not None]
    _check_targets(targets, force=force)
    parser = CategoryParser(categories or load_result_categories())
    problems = P.ProblemList()
    found = read_results(results_path, problems)  # the slow read needs no lock
    if found is not None and found.rows.empty:
        problems.add(P.make("empty-sheet", sheet=found.sheet, sheet_name=found.sheet))
    if found is None or problems.has_errors:
        return PublishReport(problems=problems.finished())
    # Checks, results, outputs and the publication record all see one state of the ledger and stand
    # or fall together: a run that committed meanwhile is seen, so nothing is recorded or published twice.
    with ledger.writing():
        view = LedgerView.load(ledger)
        checked = check_results(found, view, as_of=as_of, parser=parser, problems=problems)
        if problems.has_errors:
            return PublishReport(problems=problems.finished(), pending=checked.pending_entities)
        fresh = checked.rows[~checked.rows["key"].isin(set(view.results["key"]))]
        with gc_paused():
            ledger.record_results(_result_payloads(fresh))
        view = view.with_results(_fresh_table(fresh))
        release = _release(view, checked.plans, as_of, calendar)
        view = release.view
        publicity = build_publicity(view, checked.plans, as_of)
        written = _write_outputs(publicity, out, html, force=force)
        if release.anything_new:
            with gc_paused():
                payload = release.record(results_path, written, checked.plans)
                ledger.record_publication(payload, key=as_of.isoformat())
    newly = release.entities()
    return PublishReport(
        recorded=int(fresh["entity"].nunique()),
        published=len(newly),
        on_time=int((~newly).sum()),
        late=int(newly.sum()),
        problems=problems.finished(),
        pending=checked.pending_entities,
        rows_recorded=len(fresh),
        outputs=[path for path, _ in written],
    )


def default_output(as_of: date) -> Path:
    return Path(messages.PUBLISH_DEFAULT_OUT.format(as_of=as_of.isoformat()))


def _check_targets(targets: Sequence[Path], *, force: bool) -> None:
    """Fail before touching the ledger when an output could not be written afterwards."""
    for path in targets:
        if path.is_dir():
            raise OutputError(messages.OUTPUT_IS_DIRECTORY.format(path=path))
        folder = path.absolute().parent
        if not folder.is_dir():
            raise OutputError(messages.OUTPUT_FOLDER_MISSING.format(folder=folder, path=path))
        if path.exists() and not force:
            raise OutputError(messages.OUTPUT_EXISTS.format(path=path))


def _result_payloads(rows: pd.DataFrame) -> list[dict[str, Any]]:
    payloads = []
    columns = [
        "draw_id",
        "uscc",
        "item",
        "item_text",
        "plan",
        "task_no",
        "result",
        "completed",
        "badges",
        "note",
    ]
    for draw_id, uscc, item, text, plan, task, result, completed, badges, note in rows[columns].itertuples(
        index=False, name=None
    ):
        payload = {
            "draw_id": draw_id,
            "uscc": uscc,
            "item": item,
            "item_text": text,
            "plan": plan,
            "task": int(task),
            "result": list(result),
            "completed": completed,
            "badges": sorted(set(badges)),
        }
        if isinstance(note, str):
            payload["note"] = note
        payloads.append(payload)
    return payloads


def _fresh_table(rows: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "key": rows["key"],
            "draw_id": rows["draw_id"],
            "entity": rows["entity"],
            "uscc": rows["uscc"],
            "item": rows["item"],
            "result": rows["result"].map(result_text),
            "completed": rows["completed"],
            "badges": rows["badges"].map(lambda b: result_text(sorted(set(b)))),
        },
        dtype=object,
    )
    for name in ("result", "completed", "badges"):
        table[f"{name}_original"] = table[name]
    table["corrections"] = [[] for _ in range(len(table))]
    return table


@dataclass
class _Release:
    """What a run publishes for the first time: result keys (with deadlines) and corrections."""

    view: LedgerView  # the view with these keys published
    keys: pd.DataFrame  # key, entity, plan, completed, deadline, on_time
    corrections: dict[str, int]
    as_of: date
    workdays: dict[str, int]

    @property
    def anything_new(self) -> bool:
        return bool(len(self.keys) or self.corrections)

    def entities(self) -> pd.Series:
        """Late flag per newly published entity."""
        return (~self.keys["on_time"].astype(bool)).groupby(self.keys["entity"], sort=False).any()

    def record(self, source: Path, outputs: list[tuple[Path, str]], plans: list[str]) -> dict[str, Any]:
        late = self.entities()
        return {
            "as_of": self.as_of.isoformat(),
            "plans": plans,
            "source": {"file": source.name, "sha256": file_sha256(source)},
            "deadline_workdays": self.workdays,
            "published": [
                {"key": k, "completed": c, "deadline": d, "on_time": bool(o)}
                for k, c, d, o in self.keys[["key", "completed", "deadline", "on_time"]].itertuples(
                    index=False, name=None
                )
            ],
            "corrections": [{"key": k, "count": n} for k, n in sorted(self.corrections.items())],
            "counts": {"entities": len(late), "on_time": int((~late).sum()), "late": int(late.sum())},
            "outputs": [{"file": path.name, "sha256": digest} for path, digest in outputs],
            "tool_version": __version__,
        }


def _release(view: LedgerView, plans: list[str], as_of: date, calendar: WorkdayCalendar) -> _Release:
    """Deadlines and on-time flags of every recorded, unpublished result of ``plans``."""
    results = view.results.assign(plan=view.results["draw_id"].map(view.draws["plan"]))
    results = results[results["plan"].isin(plans)]
    fresh = results[~results["key"].isin(set(view.published["key"]))].copy()
    workdays = {plan: plan_of(view, plan).publicity_deadline_workdays for plan in plans}
    deadline = np.full(len(fresh), np.datetime64("NaT"), dtype="datetime64[D]")
    completed = np.array(fresh["completed"].tolist(), dtype="datetime64[D]")
    for plan, n in workdays.items():
        mine = (fresh["plan"] == plan).to_numpy()
        if mine.any():
            deadline[mine] = calendar.deadlines(completed[mine], n)
    fresh["deadline"] = deadline.astype(str)
    fresh["on_time"] = np.datetime64(as_of, "D") <= deadline
    published = pd.concat(
        [view.published, fresh.assign(published_on=as_of.isoformat())[view.published.columns]],
        ignore_index=True,
    )
    shown = dict(view.shown_corrections)
    public = results[results["key"].isin(set(published["key"]))]
    corrections = {
        key: len(c)
        for key, c in zip(public["key"], public["corrections"], strict=True)
        if len(c) > shown.get(key, 0)
    }
    shown.update(corrections)
    new_view = LedgerView(view.draws, view.payloads, view.results, published, shown, view._expected)
    keys = fresh[["key", "entity", "plan", "completed", "deadline", "on_time"]].reset_index(drop=True)
    return _Release(new_view, keys, corrections, as_of, workdays)


def plan_of(view: LedgerView, plan_id: str) -> Plan:
    draws = view.draws[view.draws["plan"] == plan_id].sort_values("order")
    hint = view.payloads[str(draws.index[-1])].get("plan_path") if len(draws) else None
    return find_plan(plan_id, str(hint) if hint else None)


# --- the public record --------------------------------------------------------------------------


@dataclass
class Publicity:
    """Everything published so far for some plans, ready to render (no risk class, no inspector)."""

    as_of: date
    plans: pd.DataFrame  # plan, plan_name, authority, kind, document_number
    tasks: pd.DataFrame  # plan, task, task_name, inspection_type, authority, ratio, period, mode, departments
    results: (
        pd.DataFrame
    )  # plan, task, task_name, name, uscc, departments, completed, item_text, result, note
    stats: pd.DataFrame  # task_counts() of the plans


def build_publicity(view: LedgerView, plans: list[str], as_of: date) -> Publicity:
    plan_objects = {plan_id: plan_of(view, plan_id) for plan_id in plans}
    plan_rows = pd.DataFrame(
        [
            {
                "plan": p.id,
                "plan_name": p.name,
                "authority": p.issuing_authority,
                "kind": p.kind,
                "document_number": p.document_number,
            }
            for p in plan_objects.values()
        ],
        columns=["plan", "plan_name", "authority", "kind", "document_number"],
    )
    stats = task_counts(entity_progress(view, plans), view)
    task_rows = _task_rows(view, plan_objects)
    return Publicity(as_of, plan_rows, task_rows, _public_results(view, plans, task_rows), stats)


def _task_rows(view: LedgerView, plans: Mapping[str, Plan]) -> pd.DataFrame:
    columns = [
        "plan",
        "task",
        "task_name",
        "inspection_type",
        "authority",
        "ratio",
        "period",
        "mode",
        "departments",
    ]
    rows = []
    draws = view.draws[view.draws["plan"].isin(list(plans))]
    for plan_id, plan in plans.items():
        numbers = sorted(set(draws.loc[draws["plan"] == plan_id, "task"]))
        for number in numbers:
            task = plan.task(int(number))
            rows.append(_task_row(plan_id, task, _departments(view, plan_id, task)))
    return pd.DataFrame(rows, columns=columns)


def _task_row(plan_id: str, task: Task, departments: list[str]) -> dict[str, Any]:
    return {
        "plan": plan_id,
        "task": task.number,
        "task_name": task.name,
        "inspection_type": messages.PUBLICITY_INSPECTION_TYPE,
        "authority": "、".join(task.lead_departments),
        "ratio": f"{float(task.ratio):.0%}",
        "period": messages.PUBLICITY_PERIOD.format(start=task.period.start, end=task.period.end),
        "mode": task.mode or messages.PUBLICITY_NO_MODE,
        "departments": "、".join(departments),
    }


def _departments(view: LedgerView, plan_id: str, task: Task) -> list[str]:
    """The draw's recorded lead + partner departments, else the plan's."""
    draws = view.draws[(view.draws["plan"] == plan_id) & (view.draws["task"] == task.number)]
    for draw_id in reversed(list(draws.sort_values("order").index)):
        recorded = view.payloads[str(draw_id)].get("departments")
        if recorded:
            return [str(d) for d in recorded]
    return task.departments


def _public_results(view: LedgerView, plans: list[str], tasks: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "plan",
        "task",
        "task_name",
        "name",
        "uscc",
        "departments",
        "completed",
        "item_text",
        "result",
        "note",
    ]
    draw_ids = list(view.draws[view.draws["plan"].isin(plans)].sort_values("order").index)
    expected = view.expected(draw_ids)
    public = view.results[view.results["key"].isin(set(view.published["key"]))]
    rows = expected.merge(public[["key", "result", "completed", "corrections"]], on="key", how="inner")
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    order = pd.Series(range(len(draw_ids)), index=draw_ids)
    rows["draw_order"] = rows["draw_id"].map(order)
    rows["item_no"] = rows["item"].astype(int)
    plan_rank = {plan: i for i, plan in enumerate(plans)}
    rows["plan_rank"] = rows["plan"].map(plan_rank)
    rows = rows.sort_values(["plan_rank", "task", "draw_order", "entity_order", "item_no"], kind="stable")
    pairs = list(zip(rows["plan"], rows["task"], strict=True))
    for name in ("task_name", "departments"):
        by_task = dict(zip(zip(tasks["plan"], tasks["task"], strict=True), tasks[name], strict=True))
        rows[name] = [str(by_task.get(pair, "")) for pair in pairs]
    rows["completed"] = rows["completed"].map(date.fromisoformat)
    rows["note"] = rows["corrections"].map(correction_note)
    return rows[columns].reset_index(drop=True)


def correction_note(corrections: Sequence[Mapping[str, Any]]) -> str | None:
    """The 更正说明 of a result: one line per approved correction, oldest first.

    Example:
        >>> correction_note([{"corrected_on": "2024-10-08", "approved_by": "张三",
        ...                   "approval_ref": "晋市商〔2024〕12号", "old": {"result": ["未发现问题"]},
        ...                   "reason": "录入错误"}])
        '2024-10-08 经 张三 批准（晋市商〔2024〕12号）更正，原结果：未发现问题；原因：录入错误'
    """
    if not corrections:
        return None
    return "\n".join(
        messages.PUBLICITY_CORRECTION_NOTE.format(
            date=c.get("corrected_on", ""),
            approver=c.get("approved_by", ""),
            ref=c.get("approval_ref", ""),
            old=result_text(c.get("old", {}).get("result", [])),
            reason=c.get("reason", ""),
        )
        for c in corrections
    )


def publicity_sheets(pub: Publicity) -> list[Sheet]:
    """The four sheets of the publicity workbook."""
    m = messages
    plans = Sheet(
        m.PUBLICITY_SHEET_PLANS,
        [Column(h) for h in m.PUBLICITY_PLAN_HEADERS],
        pub.plans[["plan", "plan_name", "authority", "kind", "document_number"]].itertuples(
            index=False, name=None
        ),
    )
    task_columns = [Column(h) for h in m.PUBLICITY_TASK_HEADERS]
    task_columns[0].kind = "number"
    tasks = Sheet(
        m.PUBLICITY_SHEET_TASKS,
        task_columns,
        pub.tasks[
            ["task", "task_name", "inspection_type", "authority", "ratio", "period", "mode"]
        ].itertuples(index=False, name=None),
    )
    widths = {
        "企业名称": 36,
        "统一社会信用代码": 22,
        "检查实施机关": 40,
        "检查事项": 50,
        "检查结果": 30,
        "更正说明": 50,
    }
    result_columns = [Column(h, width=widths.get(h)) for h in m.PUBLICITY_RESULT_HEADERS]
    result_columns[0].kind = "number"
    result_columns[5].kind = "date"
    results = Sheet(
        m.PUBLICITY_SHEET_RESULTS,
        result_columns,
        pub.results[
            ["task", "task_name", "name", "uscc", "departments", "completed", "item_text", "result", "note"]
        ].itertuples(index=False, name=None),
    )
    stat_columns = [Column(h) for h in m.PUBLICITY_STATS_HEADERS]
    for column in stat_columns[3:8]:
        column.kind = "number"
    stat_columns[1].kind = "number"
    stat_columns[-1].kind = "percent"
    stats = Sheet(
        m.PUBLICITY_SHEET_STATS,
        stat_columns,
        pub.stats[COUNT_FIELDS].itertuples(index=False, name=None),
    )
    return [plans, tasks, results, stats]


def _write_outputs(pub: Publicity, out: Path, html: Path | None, *, force: bool) -> list[tuple[Path, str]]:
    from jcdraw.atomic import write_text_atomic
    from jcdraw.publicity_html import render_html

    write_workbook(out, publicity_sheets(pub), force=force)
    written = [(out, file_sha256(out))]
    if html is not None:
        write_text_atomic(html, render_html(pub), force=force)
        written.append((html, file_sha256(html)))
    return written


# --- corrections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectionOutcome:
    draw_id: str
    uscc: str
    item: int
    old: str
    new: str
    approved_by: str
    approval_ref: str


def correct(
    ledger: Ledger,
    *,
    draw_id: str,
    uscc: str,
    item: int,
    result: str,
    approved_by: str,
    approval_ref: str,
    reason: str,
    approval_file: Path | None = None,
    categories: ResultCategories | None = None,
    today: date | None = None,
) -> CorrectionOutcome:
    """Record an approved correction of one recorded result (old value kept; shown on next publish).

    Raises BadInvocation for an empty approver, reference or reason, an invalid new result or item
    number; LedgerError for an unknown draw, a key without a recorded result, or no change;
    UnreadableInput when the approval file cannot be read.
    """
    given = {"--approved-by": approved_by, "--approval-ref": approval_ref, "--reason": reason}
    for option, value in given.items():
        if not value or not value.strip():
            raise BadInvocation(messages.CORRECT_FIELD_EMPTY.format(option=option))
    parser = CategoryParser(categories or load_result_categories())
    new = _valid_result(parser, result)
    draw_id = draw_id.strip()
    draw = ledger.get_draw(draw_id)
    if draw is None:
        raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
    count = len(draw.payload.get("items", []))
    if not 1 <= item <= count:
        raise BadInvocation(messages.CORRECT_ITEM_RANGE.format(draw_id=draw_id, count=count, item=item))
    payload: dict[str, Any] = {
        "new": {"result": list(new)},
        "approved_by": approved_by.strip(),
        "approval_ref": approval_ref.strip(),
        "reason": reason.strip(),
        "corrected_on": (today or datetime.now(BEIJING).date()).isoformat(),
    }
    if approval_file is not None:
        payload["approval_file"] = approval_file.name
        payload["approval_file_sha256"] = _approval_file_sha256(approval_file)
    code = _key(uscc)
    record = ledger.record_correction(draw_id, code, str(item), payload)
    old = result_text(record.payload["old"].get("result", []))
    return CorrectionOutcome(
        draw_id, code, item, old, result_text(new), payload["approved_by"], payload["approval_ref"]
    )


def _valid_result(parser: CategoryParser, text: str) -> tuple[str, ...]:
    parsed = parser.parse(text)
    if parsed.unknown:
        detail = messages.CORRECT_UNKNOWN_PART.format(part=parsed.unknown[0])
    elif parsed.clash:
        detail = messages.CORRECT_EXCLUSIVE.format(exclusive=parsed.clash)
    elif not parsed.categories:
        detail = messages.CORRECT_EMPTY_RESULT
    else:
        return parsed.categories
    raise BadInvocation(messages.CORRECT_BAD_RESULT.format(value=text, detail=detail, choices=parser.choices))


def _approval_file_sha256(path: Path) -> str:
    try:
        if path.is_dir():
            raise UnreadableInput(messages.FILE_IS_DIRECTORY.format(path=path))
        return file_sha256(path)
    except FileNotFoundError:
        raise UnreadableInput(messages.FILE_NOT_FOUND.format(path=path)) from None
    except PermissionError:
        raise UnreadableInput(messages.FILE_PERMISSION.format(path=path)) from None
