"""The year report for the 双随机 office (``jcdraw report``): what a year of inspections came to.

Specification
-------------
Scope
    The standing draws of ``year`` (payload ``year``, else the plan id's prefix) and every task of
    the year's plans, drawn or not. Results are those recorded in the ledger (corrections applied);
    a results workbook not yet published counts for nothing here.
Tasks
    Exactly ``jcdraw status`` for the same ``as_of`` (``status --json``'s ``tasks``), restricted to the
    year's plans and draws: drawn, inspected, published, on time, late, uninspected, 公示率, 完成率,
    undrawn tasks included.
Unit
    An inspection is a drawn entity of a task whose results are recorded (status's unit; an entity
    drawn by two tasks is two inspections). It *found a problem* when any of its items has a
    category listed under ``findings`` in ``result_categories.yaml``. By item, the unit is one item
    of one inspected entity.
Detection rate (问题发现率)
    found ÷ n, per task, per item and per credit risk class (as drawn), with ``n`` always shown so
    that a rate over a handful of inspections is read as such; null where n is 0.
Inspectors and departments
    assigned = entities whose team the inspector was drawn into; inspected = recorded entities whose
    results name the inspector's badge (any item). Per department: its inspectors (drawn into some
    team), their assigned and inspected totals, and the fewest and most assigned to one of them
    (the load spread).
Result categories
    per category: how many recorded items and entities carry it (an item may carry several), and its
    share of recorded items.
Corrections, follow-ups, never inspected
    every approved correction of the year's results with its approval; every result needing
    follow-up (``jcdraw.results.followup``), open or done, with its age; every drawn entity with no
    recorded result, with its task period's end and whether that end has passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from jcdraw.io.text import normalize_key_one
from jcdraw.ledger import Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.plans.categories import CategoryParser, ResultCategories, load_result_categories
from jcdraw.results.correct import FIELD_LABELS, describe
from jcdraw.results.followup import FOLLOWUP_ROW_FIELDS, followup_rows
from jcdraw.results.progress import rates
from jcdraw.results.status import TASK_FIELDS, plain_records, plans_to_show, status
from jcdraw.results.view import LedgerView

INSPECTOR_FIELDS = ["badge", "name", "department", "assigned", "inspected"]
DEPARTMENT_FIELDS = ["department", "inspectors", "assigned", "inspected", "fewest", "most"]
CATEGORY_FIELDS = ["category", "items", "entities", "share"]
DETECTION_FIELDS = {
    "by_task": ["plan", "task", "task_name", "n", "found", "rate"],
    "by_item": ["plan", "task", "item", "item_text", "n", "found", "rate"],
    "by_risk_class": ["risk_class", "drawn", "n", "found", "rate"],
}
CORRECTION_FIELDS = [
    "draw_id", "uscc", "name", "item", "fields", "old", "new", "approved_by", "approval_ref", "reason",
    "corrected_on",
]  # fmt: skip
UNINSPECTED_FIELDS = ["plan", "task", "draw_id", "uscc", "name", "risk_class", "period_end", "period_ended"]
TOTAL_FIELDS = ["tasks", "undrawn", "drawn", "inspected", "published", "found", "rate", "corrections"]
TOTAL_FIELDS += ["followups_open", "followups_done", "uninspected"]
UNCLASSIFIED = "-"  # an entity drawn without a risk class (a flat draw's record may carry none)


@dataclass
class YearReport:
    """The numbers of one year (see the module docstring); every frame has its ``*_FIELDS``."""

    year: int
    as_of: date
    tasks: pd.DataFrame  # status TASK_FIELDS + task_name, period_end
    inspectors: pd.DataFrame
    departments: pd.DataFrame
    categories: pd.DataFrame
    detection: dict[str, pd.DataFrame]  # keys of DETECTION_FIELDS
    corrections: pd.DataFrame
    followups: pd.DataFrame  # FOLLOWUP_ROW_FIELDS
    uninspected: pd.DataFrame
    totals: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The same numbers for scripts; ``tasks`` as ``status --json`` has them."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "totals": self.totals,
            "tasks": plain_records(self.tasks, TASK_FIELDS),
            "detection": {k: plain_records(v, DETECTION_FIELDS[k]) for k, v in self.detection.items()},
            "categories": plain_records(self.categories, CATEGORY_FIELDS),
            "departments": plain_records(self.departments, DEPARTMENT_FIELDS),
            "inspectors": plain_records(self.inspectors, INSPECTOR_FIELDS),
            "corrections": plain_records(self.corrections, CORRECTION_FIELDS),
            "followups": plain_records(self.followups, FOLLOWUP_ROW_FIELDS),
            "uninspected": plain_records(_iso_days(self.uninspected), UNINSPECTED_FIELDS),
        }


def year_report(
    ledger: Ledger,
    *,
    year: int,
    as_of: date,
    calendar: WorkdayCalendar,
    categories: ResultCategories | None = None,
) -> YearReport:
    """Count the year's work as of ``as_of`` (see the module docstring)."""
    config = categories or load_result_categories()
    plans = plans_to_show(ledger, year, as_of)
    progress = status(ledger, as_of=as_of, calendar=calendar, plans=plans)
    view = LedgerView.load(ledger)
    ids = [d for d in view.standing_ids() if _year(view.payloads[d]) == year]
    plan_ids = {p.id for p in plans} | {str(view.payloads[d]["plan"]) for d in ids}
    tasks = progress.tasks[progress.tasks["plan"].isin(plan_ids)].reset_index(drop=True)
    items = _items(view, ids, config)
    entities = _entities(items)
    inspectors = _inspectors(view, ids, entities)
    followups = followup_rows(view, as_of, ids, config)
    detection = {
        "by_task": _detection(entities[entities["recorded"]], ["plan", "task", "task_name"]),
        "by_item": _detection(items[items["recorded"]], ["plan", "task", "item", "item_text"]),
        "by_risk_class": _by_risk(entities),
    }
    report = YearReport(
        year, as_of, tasks, inspectors, _departments(inspectors), _categories(items, config), detection,
        _corrections(view, ids, items), followups, _uninspected(entities, view, as_of), {},
    )  # fmt: skip
    report.totals = _totals(report, entities)
    return report


def _year(payload: dict[str, Any]) -> int | None:
    if "year" in payload:
        return int(payload["year"])
    head = str(payload.get("plan", ""))[:4]
    return int(head) if head.isdigit() else None


def _items(view: LedgerView, ids: Sequence[str], config: ResultCategories) -> pd.DataFrame:
    """Every drawn entity × item of ``ids`` with its recorded result (if any) and whether it found one."""
    expected = view.expected(ids)
    current = view.results[["key", "result", "badges", "corrections"]]
    items = expected.merge(current, on="key", how="left")
    items["recorded"] = items["result"].notna()
    items["found"] = config.any_of(items["result"], config.findings).to_numpy()
    items["item"] = items["item"].astype(int)
    names = view.draws["task_name"]
    items["task_name"] = items["draw_id"].map(names)
    risk = {
        f"{d}|{entity_code}": cls for d in ids for entity_code, cls in _risk_classes(view.payloads[d]).items()
    }
    items["risk_class"] = items["entity"].map(risk).fillna(UNCLASSIFIED)
    return items


def _risk_classes(payload: dict[str, Any]) -> dict[str, str]:
    """Credit code (normalised, as the view keys entities) → risk class as drawn."""
    return {
        normalize_key_one(s["uscc"]) or "": str(s.get("risk_class") or UNCLASSIFIED)
        for s in payload.get("selected", [])
    }


def _entities(items: pd.DataFrame) -> pd.DataFrame:
    """One row per drawn entity: recorded (every item), found (any item), its team's badges as recorded."""
    return items.groupby("entity", sort=False).agg(
        plan=("plan", "first"), task=("task", "first"), task_name=("task_name", "first"),
        draw_id=("draw_id", "first"), uscc=("uscc", "first"), name=("name", "first"),
        risk_class=("risk_class", "first"), recorded=("recorded", "all"), found=("found", "any"),
        badges=("badges", lambda b: sorted({x for text in b.dropna() for x in str(text).split("、") if x})),
    )  # fmt: skip


def _detection(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    fields = [*by, "n", "found", "rate"]
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in fields})
    counts = rows.groupby(by, sort=False).agg(n=("found", "size"), found=("found", "sum")).reset_index()
    counts["found"] = counts["found"].astype(int)
    counts["rate"] = pd.Series(rates(counts["found"], counts["n"]), dtype=object)
    return counts[fields]


def _by_risk(entities: pd.DataFrame) -> pd.DataFrame:
    """Per risk class (A, B, C, D as drawn; unclassified last): drawn, inspected (n), found, rate."""
    drawn = entities.groupby("risk_class").size()
    done = entities[entities["recorded"]]
    found = done.groupby("risk_class")["found"].agg(["size", "sum"])
    classes = sorted(drawn.index, key=lambda c: (c == UNCLASSIFIED, c))
    frame = pd.DataFrame({"risk_class": classes})
    frame["drawn"] = [int(drawn.get(c, 0)) for c in classes]
    frame["n"] = [int(found["size"].get(c, 0)) for c in classes]
    frame["found"] = [int(found["sum"].get(c, 0)) for c in classes]
    frame["rate"] = pd.Series(rates(frame["found"], frame["n"]), dtype=object)
    return frame[DETECTION_FIELDS["by_risk_class"]]


def _inspectors(view: LedgerView, ids: Sequence[str], entities: pd.DataFrame) -> pd.DataFrame:
    people: dict[str, dict[str, str]] = {}
    assigned: dict[str, int] = {}
    for draw_id in ids:
        payload = view.payloads[draw_id]
        for badge, who in (payload.get("inspectors") or {}).items():
            people.setdefault(str(badge), {k: str(who.get(k, "")) for k in ("name", "department")})
        for chosen in payload.get("selected", []):
            for badge in chosen.get("team", []):
                assigned[str(badge)] = assigned.get(str(badge), 0) + 1
    made: dict[str, int] = {}
    for badges in entities.loc[entities["recorded"], "badges"]:
        for badge in badges:
            made[badge] = made.get(badge, 0) + 1
    badges = sorted(set(assigned) | set(made), key=lambda b: (people.get(b, {}).get("department", ""), b))
    rows = [
        [b, people.get(b, {}).get("name", ""), people.get(b, {}).get("department", ""),
         assigned.get(b, 0), made.get(b, 0)]
        for b in badges
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=INSPECTOR_FIELDS)


def _departments(inspectors: pd.DataFrame) -> pd.DataFrame:
    if inspectors.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in DEPARTMENT_FIELDS})
    grouped = inspectors.groupby("department", sort=False).agg(
        inspectors=("badge", "size"), assigned=("assigned", "sum"), inspected=("inspected", "sum"),
        fewest=("assigned", "min"), most=("assigned", "max"),
    )  # fmt: skip
    return grouped.reset_index()[DEPARTMENT_FIELDS]


def _categories(items: pd.DataFrame, config: ResultCategories) -> pd.DataFrame:
    recorded = items[items["recorded"]]
    parser = CategoryParser(config)
    parsed = {text: parser.parse(text).categories for text in recorded["result"].unique()}
    rows = []
    for category in config.categories:
        mine = recorded[recorded["result"].map(lambda text, c=category: c in parsed[text]).astype(bool)]
        rows.append([category, len(mine), mine["entity"].nunique()])
    frame = pd.DataFrame(rows, columns=CATEGORY_FIELDS[:3])
    frame["share"] = pd.Series(rates(frame["items"], pd.Series([len(recorded)] * len(frame))), dtype=object)
    return frame[frame["items"] > 0].reset_index(drop=True)


def _corrections(view: LedgerView, ids: Sequence[str], items: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(items["key"], items["name"], strict=True))
    mine = view.results[view.results["draw_id"].isin(list(ids)) & view.results["corrections"].map(len).gt(0)]
    rows = []
    for key, uscc, item, corrections in zip(
        mine["key"], mine["uscc"], mine["item"], mine["corrections"], strict=True
    ):
        for c in corrections:
            fields = "、".join(FIELD_LABELS[f] for f in c.get("new", {}) if f in FIELD_LABELS)
            old, new = describe(c.get("old", {})), describe(c.get("new", {}))
            rows.append(
                [str(key).split("|")[0], uscc, names.get(key, ""), int(item), fields, old, new]
                + [c.get(name) for name in ("approved_by", "approval_ref", "reason", "corrected_on")]
            )
    return pd.DataFrame(rows, columns=CORRECTION_FIELDS)


def _uninspected(entities: pd.DataFrame, view: LedgerView, as_of: date) -> pd.DataFrame:
    never = entities[~entities["recorded"]].copy()
    never["period_end"] = never["draw_id"].map(view.draws["end"])
    never["period_ended"] = [end is not None and end < as_of for end in never["period_end"]]
    return never[UNINSPECTED_FIELDS].reset_index(drop=True)


def _iso_days(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(period_end=[d.isoformat() if isinstance(d, date) else d for d in frame["period_end"]])


def _totals(report: YearReport, entities: pd.DataFrame) -> dict[str, Any]:
    tasks = report.tasks
    inspected = int(entities["recorded"].sum())
    found = int(entities.loc[entities["recorded"], "found"].sum())
    is_open = report.followups["open"].astype(bool)
    values = [
        len(tasks), int(tasks["undrawn"].astype(bool).sum()), len(entities), inspected,
        int(tasks["published"].sum()), found, rates(pd.Series([found]), pd.Series([inspected]))[0],
        len(report.corrections), int(is_open.sum()), int((~is_open).sum()), len(report.uninspected),
    ]  # fmt: skip
    return dict(zip(TOTAL_FIELDS, values, strict=True))
