"""``publish``: check a filled results workbook, record its new results, publish, write the outputs.

Recording
    New rows become ledger ``result`` records keyed ``"<draw_id>|<uscc>|<item number>"`` with payload
    ``draw_id, uscc, item, item_text, plan, task, result (categories in list order), completed (ISO
    date), badges (sorted), note``. Re-publishing the same workbook records nothing new. Rows dated
    outside the task period or before the draw are recorded like any other, with a warning
    (``PublishReport.out_of_period`` counts their entities); errors alone stop a run.

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
    The publicity workbook (``jcdraw.publicity.workbook``) and, on request, an HTML page
    (``jcdraw.publicity.html``, with the draws' 抽查名单 when ``with_lists``) hold the cumulative
    public record (``jcdraw.publicity.model``). On request the results this run publishes (and the
    corrections it shows) are also written as the provincial platform imports them
    (``jcdraw.publicity.platform``), and listed among the publication's output files.
    ``PublishReport.recorded`` / ``published`` count the entities newly recorded / published by one run.

Unchanged outputs
    A run that records and publishes nothing new leaves an output file as it is, instead of
    rendering it again, when the file already holds what this run would write. That is known
    without rendering when all of these hold:

    * the ledger's newest record is a publication (so the ledger holds exactly what that
      publication's run rendered from), written by this tool version, for the same plans in the
      same order;
    * the file's SHA-256 is the one that publication recorded for a file of this name;
    * every plan file is the one all of the plan's draws recorded (``plan_sha256``), so the plan
      names, tasks and departments shown are those the draws used;
    * for the HTML page, which shows the publication date, that publication has the same date, and
      it showed the draws' lists (``html_with_lists`` in its record) exactly when this run asks for them.

    The page would come out byte for byte the same. The workbook would differ only in the creation
    time xlsxwriter writes into ``docProps/core.xml``; the kept file keeps the time of the run that
    wrote it, and so still matches the SHA-256 the ledger recorded for it. Anything else renders
    and writes the outputs as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import __version__, messages
from jcdraw import problems as P
from jcdraw.io.atomic import check_output, write_text_atomic
from jcdraw.io.files import file_sha256, gc_paused
from jcdraw.io.normalize import map_distinct
from jcdraw.io.xlsx_write import write_workbook
from jcdraw.ledger import ABSENT, Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.plans.categories import CategoryParser, ResultCategories, load_result_categories, result_text
from jcdraw.plans.platform import load_platform_mapping
from jcdraw.publicity.html import render_html
from jcdraw.publicity.model import build_publicity, is_public
from jcdraw.publicity.platform import PlatformExport, write_platform
from jcdraw.publicity.workbook import publicity_sheets
from jcdraw.results.check import check_results
from jcdraw.results.period import outside_plan
from jcdraw.results.sheet import read_results
from jcdraw.results.view import LedgerView, plan_of


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
    platform: PlatformExport | None = None  # the platform import file, when asked for
    # Newly recorded entities inspected outside the task period or before the draw (超出计划期限).
    out_of_period: int = 0
    # Plan → its publication deadline in working days, for the plans of results published late.
    late_workdays: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        found = {
            "recorded": self.recorded,
            "published": self.published,
            "on_time": self.on_time,
            "late": self.late,
            "problems": [p.to_dict() for p in self.problems],
        }
        if self.platform is not None:
            found["platform"] = self.platform.to_dict()
        return found


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
    with_lists: bool = False,
    platform: Path | None = None,
) -> PublishReport:
    """Check ``results_path``, record its new results, publish, and write the publicity outputs.

    Returns a report with ``problems`` (and nothing written) when any filled row fails a check.
    Raises OutputError before any work when an output exists (without ``force``), CalendarMissing
    when a deadline needs an unknown year, LedgerError/UnreadableInput for unusable inputs, BadPlan
    for a ``plans/platform.yaml`` that cannot be used. ``with_lists``: the page also shows each
    draw's 抽查名单. ``platform``: write the results this run publishes (and corrections it shows) as
    the provincial platform imports them (``jcdraw.publicity.platform``).
    """
    targets = [path for path in (out, html, platform) if path is not None]
    for target in targets:  # before any work: a refusal must cost nothing
        check_output(target, force=force)
    mapping = load_platform_mapping() if platform is not None else None
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
        fresh = checked.rows[~checked.rows["key"].isin(view.results["key"])]
        with gc_paused():
            ledger.record_result_columns(_result_columns(fresh))
        if not fresh.empty:
            view = view.with_results(_fresh_table(fresh))
        release = _release(view, checked.plans, as_of, calendar)
        view = release.view
        nothing_new = fresh.empty and not release.anything_new
        kept = (
            _unchanged_outputs(ledger, view, checked.plans, as_of, (out, html), with_lists)
            if nothing_new
            else {}
        )
        written = _write_outputs(view, checked.plans, as_of, (out, html), with_lists, force=force, kept=kept)
        exported = None
        if platform is not None and mapping is not None:
            keys = [*release.keys["key"], *release.corrections]
            exported = write_platform(
                platform, view, checked.plans, as_of, keys=keys, mapping=mapping, force=force
            )
            written.append((platform, file_sha256(platform)))
        if release.anything_new:
            with gc_paused():
                payload = release.record(results_path, written, checked.plans)
                if html is not None and with_lists:
                    payload["html_with_lists"] = True
                ledger.record_publication(payload, key=as_of.isoformat())
    newly = release.entities()
    odd = outside_plan(fresh["draw_id"], fresh["completed"], view.draws)
    return PublishReport(
        recorded=int(fresh["entity"].nunique()),
        published=len(newly),
        on_time=int((~newly).sum()),
        late=int(newly.sum()),
        problems=problems.finished(),
        pending=checked.pending_entities,
        rows_recorded=len(fresh),
        outputs=[path for path, _ in written],
        platform=exported,
        out_of_period=int(fresh.loc[odd, "entity"].nunique()),
        late_workdays=release.late_workdays(),
    )


def default_output(as_of: date) -> Path:
    return Path(messages.PUBLISH_DEFAULT_OUT.format(as_of=as_of.isoformat()))


def _result_columns(rows: pd.DataFrame) -> dict[str, list[Any]]:
    """The result payloads (module doc, Recording) as columns for ``Ledger.record_result_columns``.

    Plain object arrays: iterating pandas' str columns costs a Python call per cell. Results and
    teams repeat on many rows, so each distinct one is turned into its stored form once; tuples
    are stored as JSON arrays, as lists are.
    """
    names = ["draw_id", "uscc", "item", "item_text", "plan", "completed"]
    columns: dict[str, list[Any]] = {name: rows[name].to_numpy(dtype=object).tolist() for name in names}
    columns["task"] = rows["task_no"].astype(int).tolist()
    columns["result"] = list(map(tuple, rows["result"].to_numpy(dtype=object)))
    teams = _Teams()
    columns["badges"] = [teams[tuple(cell)] for cell in rows["badges"].to_numpy(dtype=object)]
    notes = rows["note"].to_numpy(dtype=object)
    columns["note"] = [note if isinstance(note, str) else ABSENT for note in notes]
    return columns


class _Teams(dict[tuple[str, ...], tuple[str, ...]]):
    """A 检查人员执法证号 list as typed → its distinct badges, sorted (worked out once per list)."""

    def __missing__(self, cell: tuple[str, ...]) -> tuple[str, ...]:
        self[cell] = team = tuple(sorted(set(cell)))
        return team


@gc_paused()  # 100,000 empty correction lists set off 140 collections: 0.19 CPU s of a 5 s publish
def _fresh_table(rows: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "key": rows["key"],
            "draw_id": rows["draw_id"],
            "entity": rows["entity"],
            "uscc": rows["uscc"],
            "item": rows["item"],
            "result": map_distinct(rows["result"], result_text),
            "completed": rows["completed"],
            "badges": map_distinct(rows["badges"].map(tuple), lambda b: result_text(sorted(set(b)))),
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

    def late_workdays(self) -> dict[str, int]:
        """Plan → its deadline in working days, for the plans of the keys published late (plan order)."""
        late = set(self.keys.loc[~self.keys["on_time"].astype(bool), "plan"])
        return {plan: n for plan, n in self.workdays.items() if plan in late}

    def record(self, source: Path, outputs: list[tuple[Path, str]], plans: list[str]) -> dict[str, Any]:
        late = self.entities()
        return {
            "as_of": self.as_of.isoformat(),
            "plans": plans,
            "source": {"file": source.name, "sha256": file_sha256(source)},
            "deadline_workdays": self.workdays,
            "published": [
                {"key": k, "completed": c, "deadline": d, "on_time": bool(o)}
                for k, c, d, o in zip(
                    *(
                        self.keys[name].to_numpy(dtype=object)
                        for name in ("key", "completed", "deadline", "on_time")
                    ),
                    strict=True,
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
    fresh = results[~results["key"].isin(view.published["key"])].copy()
    workdays = {plan: plan_of(view, plan).publicity_deadline_workdays for plan in plans}
    deadline = np.full(len(fresh), np.datetime64("NaT"), dtype="datetime64[D]")
    # Completion dates and deadlines repeat (a few weeks of work): each is converted once.
    day_codes, days = pd.factorize(fresh["completed"].to_numpy(dtype=object), use_na_sentinel=False)
    completed = np.array(list(days), dtype="datetime64[D]")[day_codes]
    for plan, n in workdays.items():
        mine = (fresh["plan"] == plan).to_numpy()
        if mine.any():
            deadline[mine] = calendar.deadlines(completed[mine], n)
    distinct, at = np.unique(deadline, return_inverse=True)
    fresh["deadline"] = distinct.astype(str)[at.reshape(-1)]
    fresh["on_time"] = np.datetime64(as_of, "D") <= deadline
    published = pd.concat(
        [view.published, fresh.assign(published_on=as_of.isoformat())[view.published.columns]],
        ignore_index=True,
    )
    shown = dict(view.shown_corrections)
    # Every result of the plans is public now (published before, or fresh). Shown counts are never
    # below 0, so only corrected keys can show more corrections than before. A count covers every
    # correction of the key so far, but only a public one (result or date, not inspectors) is news.
    public = results[results["corrections"].map(len).gt(0)]
    corrections = {
        key: len(c)
        for key, c in zip(public["key"], public["corrections"], strict=True)
        if any(is_public(one) for one in c[shown.get(key, 0) :])
    }
    shown.update(corrections)
    new_view = replace(view, published=published, shown_corrections=shown)
    keys = fresh[["key", "entity", "plan", "completed", "deadline", "on_time"]].reset_index(drop=True)
    return _Release(new_view, keys, corrections, as_of, workdays)


def _unchanged_outputs(
    ledger: Ledger,
    view: LedgerView,
    plans: list[str],
    as_of: date,
    targets: tuple[Path, Path | None],
    with_lists: bool,
) -> dict[Path, str]:
    """Output → SHA-256 of the outputs that already hold this run's rendering (see Unchanged outputs)."""
    newest = view.latest_publication
    if newest is None or ledger.newest_seq() != newest.seq:  # something was recorded after it
        return {}
    last = newest.payload
    if last.get("tool_version") != __version__ or last.get("plans") != plans:
        return {}
    if not all(_plan_as_drawn(view, plan) for plan in plans):
        return {}
    recorded = {
        (entry.get("file"), entry.get("sha256"))
        for entry in last.get("outputs", [])
        if isinstance(entry, dict)
    }
    out, html = targets
    # The page shows the publication date, and the lists only when asked: it is kept only if both agree.
    page_same = last.get("as_of") == as_of.isoformat() and bool(last.get("html_with_lists")) == with_lists
    kept: dict[Path, str] = {}
    for target, dated in ((out, False), (html, True)):
        if target is None or not target.is_file() or (dated and not page_same):
            continue
        digest = file_sha256(target)
        if (target.name, digest) in recorded:
            kept[target] = digest
    return kept


def _plan_as_drawn(view: LedgerView, plan_id: str) -> bool:
    """Whether the plan file found now is the one every draw of the plan recorded."""
    digest = plan_of(view, plan_id).sha256
    draws = view.draws.index[view.draws["plan"] == plan_id]
    return all(view.payloads[str(d)].get("plan_sha256") == digest for d in draws)


def _write_outputs(
    view: LedgerView,
    plans: list[str],
    as_of: date,
    targets: tuple[Path, Path | None],
    with_lists: bool,
    *,
    force: bool,
    kept: dict[Path, str],
) -> list[tuple[Path, str]]:
    """Write the outputs not in ``kept`` (rendering only if one is needed); every output and its SHA-256."""
    out, html = targets
    rewrite = [target for target in (out, html) if target is not None and target not in kept]
    lists = with_lists and html in rewrite
    publicity = build_publicity(view, plans, as_of, with_lists=lists) if rewrite else None
    if publicity is not None and out in rewrite:
        write_workbook(out, publicity_sheets(publicity), force=force)
    written = [(out, kept.get(out) or file_sha256(out))]
    if html is not None:
        if publicity is not None and html in rewrite:
            write_text_atomic(html, render_html(publicity), force=force)
        written.append((html, kept.get(html) or file_sha256(html)))
    return written
