"""The provincial platform's import workbook: published results in the shape ``plans/platform.yaml`` says.

``platform_rows`` gives one row per published result (entity × item) with every field a column of the
mapping can take (``messages.PLATFORM_FIELDS``): the values the publicity shows (corrected results and
dates, the 更正说明) plus the ids the platform needs. ``platform_sheet`` applies the mapping: columns in
its order under its headers, a field's value rewritten through ``values``, a constant for ``value``.

The platform's own plan and task numbers come from the plan file as found now, ``./plans`` first
(``platform_plan_id``, ``platform_task_id``; informational fields, which may be filled in after the
draws). Where one is blank
and the mapping uses it, the cell carries jcdraw's own id marked ``（待补平台编号）`` — an import then
fails visibly instead of filing results under a wrong number — and a warning names the plan file and
the tasks to fill in.

``write_platform`` writes the results of some plans (all published, or only given keys: ``publish
--platform`` writes what that run published); ``export_platform`` those of a year (``export
--platform``, and the year report). The workbook has one sheet, the header in its first row, as import
tools expect; it is a machine sheet (not for printing).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from jcdraw import messages
from jcdraw.errors import BadPlan, LedgerError
from jcdraw.io.atomic import OutputBatch
from jcdraw.io.normalize import map_distinct
from jcdraw.io.xlsx_print import NOT_FOR_PRINT
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook
from jcdraw.ledger import Ledger
from jcdraw.plans.load import find_plan
from jcdraw.plans.model import Plan
from jcdraw.plans.platform import PlatformMapping, load_platform_mapping
from jcdraw.publicity.model import Publicity, build_publicity
from jcdraw.results.view import LedgerView, plan_of


@dataclass
class PlatformExport:
    """What was written: the file, its data rows, and the warnings about missing platform numbers."""

    path: Path
    rows: int
    mapping: Path | None
    warnings: list[str] = field(default_factory=list)
    year: int | None = None  # the year exported (export_platform)

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "rows": self.rows, "warnings": self.warnings}


def platform_rows(pub: Publicity, view: LedgerView, plans: dict[str, Plan]) -> pd.DataFrame:
    """Every published result of ``pub`` with every field of ``messages.PLATFORM_FIELDS`` (its keys)."""
    rows = pub.results.copy()
    if rows.empty:
        return pd.DataFrame({key: pd.Series([], dtype=object) for key in [*messages.PLATFORM_FIELDS, "key"]})
    published = view.published.drop_duplicates("key").set_index("key")["published_on"]
    rows["published_on"] = rows["key"].map(published)
    rows["item"] = rows["item"].astype(int)
    tasks = pub.tasks.set_index(["plan", "task"])
    pairs = list(zip(rows["plan"], rows["task"], strict=True))
    by_task = tasks["authority"].to_dict()
    rows["authority"] = [by_task.get(pair, "") for pair in pairs]
    rows["document_number"] = rows["plan"].map(pub.plans.set_index("plan")["document_number"])
    rows["platform_plan_id"] = rows["plan"].map({p: _plan_number(plan) for p, plan in plans.items()})
    numbers = {(p, t.number): _task_number(plan, t.number) for p, plan in plans.items() for t in plan.tasks}
    rows["platform_task_id"] = [numbers.get(pair, "") for pair in pairs]
    return rows[[*messages.PLATFORM_FIELDS, "key"]].reset_index(drop=True)


def _plan_number(plan: Plan) -> str:
    return plan.platform_plan_id.strip() or messages.PLATFORM_OWN_ID.format(id=plan.id)


def _task_number(plan: Plan, number: int) -> str:
    own = plan.task(number).platform_task_id.strip()
    return own or messages.PLATFORM_OWN_ID.format(id=f"{plan.id}-T{number}")


def platform_sheet(rows: pd.DataFrame, mapping: PlatformMapping) -> Sheet:
    """The import sheet: ``mapping``'s columns over ``rows`` (as ``platform_rows`` gives them)."""
    columns = [Column(c.header, kind=_kind(c.source, mapping)) for c in mapping.columns]
    cells = [_cells(rows, c.source, c.value, c.values, mapping.dates_as_text) for c in mapping.columns]
    return Sheet(mapping.sheet, columns, zip(*cells, strict=True), print_setup=NOT_FOR_PRINT)


def _kind(source: str | None, mapping: PlatformMapping) -> Any:
    if source == "completed" and not mapping.dates_as_text:
        return "date"
    return "number" if source in ("task", "item") else "text"


def _cells(
    rows: pd.DataFrame, source: str | None, value: str | None, values: dict[str, str], dates_as_text: bool
) -> list[object]:
    """One column's cells. Each distinct value is converted once (names, dates and results repeat)."""
    if source is None:
        return [value] * len(rows)
    if source in ("task", "item"):
        return [int(number) for number in rows[source].tolist()]
    convert: Callable[[Any], object]
    if source == "completed":
        convert = _date_text if dates_as_text else _same
    else:
        convert = functools.partial(_rewritten, values=values)
    found = rows[source]
    return map_distinct(found, convert, skip_na=True).astype(object).where(found.notna(), None).tolist()


def _date_text(day: object) -> object:
    return day.isoformat() if isinstance(day, date) else day


def _same(value: object) -> object:
    return value


def _rewritten(text: object, values: dict[str, str]) -> object:
    """jcdraw's wording in the platform's (``values`` of the column), else as it is, as text."""
    return values.get(str(text), str(text))


def missing_numbers(rows: pd.DataFrame, plans: dict[str, Plan], mapping: PlatformMapping) -> list[str]:
    """Warnings for the platform numbers the export had to stand in for (only those the mapping uses)."""
    warnings = []
    headers = {c.source: c.header for c in mapping.columns}
    for plan_id in dict.fromkeys(rows["plan"]):
        plan = plans[plan_id]
        if mapping.uses("platform_plan_id") and not plan.platform_plan_id.strip():
            warnings.append(
                messages.PLATFORM_NO_PLAN_ID.format(
                    plan=plan_id, path=plan.path, header=headers["platform_plan_id"]
                )
            )
        tasks = sorted({int(t) for t in rows.loc[rows["plan"] == plan_id, "task"]})
        blank = [t for t in tasks if not plan.task(t).platform_task_id.strip()]
        if mapping.uses("platform_task_id") and blank:
            warnings.append(
                messages.PLATFORM_NO_TASK_ID.format(
                    plan=plan_id, tasks="、".join(map(str, blank)), header=headers["platform_task_id"]
                )
            )
    return warnings


def write_platform(
    path: Path,
    view: LedgerView,
    plans: list[str],
    as_of: date,
    *,
    keys: Iterable[str] | None = None,
    publicity: Publicity | None = None,
    mapping: PlatformMapping | None = None,
    force: bool = False,
    batch: OutputBatch | None = None,
) -> PlatformExport:
    """Write the published results of ``plans`` (only ``keys``, if given) as the platform imports them.

    ``batch``: write into that ``OutputBatch`` (renamed into place with the others), the workbook
    dated ``as_of`` so that the same rows give the same bytes.
    """
    mapping = mapping or load_platform_mapping()
    pub = publicity or build_publicity(view, plans, as_of)
    current = {plan_id: current_plan(view, plan_id) for plan_id in plans}
    rows = platform_rows(pub, view, current)
    if keys is not None:
        rows = rows[rows["key"].isin(set(keys))].reset_index(drop=True)
    created = datetime(as_of.year, as_of.month, as_of.day)
    write_workbook(path, [platform_sheet(rows, mapping)], force=force, batch=batch, created=created)
    return PlatformExport(path, len(rows), mapping.path, missing_numbers(rows, current, mapping))


def current_plan(view: LedgerView, plan_id: str) -> Plan:
    """The plan file as the working folder has it now (``./plans`` first): platform numbers are filled
    in there after the draws; the file the draws recorded is the fallback (a plan kept elsewhere)."""
    try:
        return find_plan(plan_id)
    except BadPlan:
        return plan_of(view, plan_id)


def export_platform(
    ledger: Ledger,
    out: Path,
    *,
    year: int | None = None,
    as_of: date | None = None,
    force: bool = False,
    mapping: PlatformMapping | None = None,
) -> PlatformExport:
    """Every published result of the plans drawn in ``year`` (default: the newest), for the platform."""
    mapping = mapping or load_platform_mapping()  # a broken mapping is said before the ledger is read
    view = LedgerView.load(ledger)
    wanted, plans = year_plans(view, year, ledger.path)
    exported = write_platform(out, view, plans, as_of or date.today(), mapping=mapping, force=force)
    exported.year = wanted
    return exported


def year_plans(view: LedgerView, year: int | None, ledger_path: object) -> tuple[int, list[str]]:
    """The year (default: the newest drawn) and the plans drawn in it, in order of first draw."""
    years = {draw_id: _year(payload) for draw_id, payload in view.payloads.items()}
    if not years:
        raise LedgerError(messages.PLATFORM_NO_DRAWS.format(ledger=ledger_path))
    wanted = year if year is not None else max(y for y in years.values() if y is not None)
    ordered = view.draws.sort_values("order")
    plans = [
        str(p) for d, p in zip(ordered.index, ordered["plan"], strict=True) if years.get(str(d)) == wanted
    ]
    if not plans:
        raise LedgerError(messages.PLATFORM_NO_YEAR.format(ledger=ledger_path, year=wanted))
    return wanted, list(dict.fromkeys(plans))


def _year(payload: dict[str, Any]) -> int | None:
    if "year" in payload:
        return int(payload["year"])
    head = str(payload.get("plan", ""))[:4]
    return int(head) if head.isdigit() else None
