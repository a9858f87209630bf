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
    transaction: two runs at once cannot record or publish anything twice.

Outputs and the ledger move together
    Every output (workbook, page, platform file) is first written in full to a temp file next to
    its target (``jcdraw.io.atomic.OutputBatch``), inside the ledger transaction; then the ledger
    commits; then the temp files are renamed onto their targets. A failure before the commit (an
    unwritable ``--html`` folder, a full disk) removes every temp file and records nothing, so no
    output exists that the ledger does not record. A kill after the commit leaves outputs the
    ledger records but that are not (all) in place yet: the missing ones wait as hidden temp files.
    No output may be an input (the results, the ledger, a calendar file) or another output, even
    with ``force``. ``jcdraw.io.atomic.kill_point`` marks ``before-commit`` and ``after-commit``
    here (and ``after-first-rename`` in the batch) for tests.

Completing an interrupted run
    The rule: rerun the same command. An existing output that holds exactly what the ledger's
    newest record, a publication, lists under its file name (SHA-256) is that publication's output:
    it is not refused as existing (no ``--force`` needed) and, the run having nothing new, it is kept
    as it is. A missing one whose leftover temp file ``.{name}.*.tmp`` holds the recorded SHA-256 is
    renamed into place. Nothing is recorded twice: the results and the publication are in the ledger
    already. Whatever is still missing is rendered anew; the workbooks carry the publication date as
    their creation time, so the same ledger state renders the same bytes.

Outputs
    The publicity workbook (``jcdraw.publicity.workbook``) and, on request, an HTML page
    (``jcdraw.publicity.html``, with the draws' 抽查名单 when ``with_lists``) hold the cumulative
    public record (``jcdraw.publicity.model``). On request the results this run publishes (and the
    corrections it shows) are also written as the provincial platform imports them
    (``jcdraw.publicity.platform``), and listed among the publication's output files.
    ``PublishReport.recorded`` / ``published`` count the entities newly recorded / published by one run.
    Both print the ledger anchor (``Anchor.text``) as of the newest record that is not a
    publication: this run's results included, but not the publication that names the outputs'
    SHA-256. A result published by a backfilled publication (``--as-of`` more than a week back,
    ``jcdraw.results.backfill``) shows 补录 and its real recording date in 备注.

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

    The page and the workbook (dated by the publication date) would come out byte for byte the same.
    The platform file, which holds only what a run publishes for the first time, is kept on the same
    terms: rewriting it would empty it. Anything else renders and writes the outputs as before.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import __version__, messages
from jcdraw import problems as P
from jcdraw.errors import OutputError
from jcdraw.io.atomic import OutputBatch, check_output, distinct_outputs, kill_point
from jcdraw.io.files import file_sha256, gc_paused
from jcdraw.io.normalize import map_distinct
from jcdraw.io.xlsx_write import write_workbook
from jcdraw.ledger import ABSENT, Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.plans.categories import CategoryParser, ResultCategories, load_result_categories, result_text
from jcdraw.plans.platform import PlatformMapping, load_platform_mapping
from jcdraw.publicity.html import write_html
from jcdraw.publicity.model import build_publicity, is_public
from jcdraw.publicity.platform import PlatformExport, write_platform
from jcdraw.publicity.workbook import publicity_sheets
from jcdraw.results.backfill import backfill_fields
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
    inputs: Sequence[Path] = (),
    backfill_reason: str | None = None,
) -> PublishReport:
    """Check ``results_path``, record its new results, publish, and write the publicity outputs.

    Returns a report with ``problems`` (and nothing written) when any filled row fails a check.
    Raises OutputError before any work when an output exists (without ``force``, and unless it is
    what the newest publication recorded: see Completing an interrupted run), is an input (the
    results, the ledger, ``inputs`` such as calendar files) or is another output; CalendarMissing
    when a deadline needs an unknown year, LedgerError/UnreadableInput for unusable inputs, BadPlan
    for a ``plans/platform.yaml`` that cannot be used. ``with_lists``: the page also shows each
    draw's 抽查名单. ``platform``: write the results this run publishes (and corrections it shows) as
    the provincial platform imports them (``jcdraw.publicity.platform``). ``backfill_reason``: why
    an ``as_of`` more than a week back is recorded now (needed then; ``jcdraw.results.backfill``).
    """
    backfill = backfill_fields(as_of, backfill_reason)
    targets = (out, html, platform)
    _check_targets(targets, ledger, force=force, inputs=[results_path, ledger.path, *inputs])
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
    with OutputBatch(force=force) as batch:
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
            release = _release(view, checked.plans, as_of, calendar, backfill.get("recorded_on"))
            view = release.view
            nothing_new = fresh.empty and not release.anything_new
            kept: dict[Path, str] = {}
            if nothing_new:
                _complete_interrupted(ledger, targets)
                kept = _unchanged_outputs(ledger, view, checked.plans, as_of, targets, with_lists)
            keys = [*release.keys["key"], *release.corrections]
            # The head after this run's results, but before any publication: a publication names the
            # outputs' SHA-256, and a rerun that adds nothing must render what the first run wrote.
            anchor = ledger.anchor(skipping="publication").text()
            shown = _Shown(checked.plans, as_of, with_lists, keys, mapping, anchor)
            written, exported = _write_outputs(view, shown, targets, batch=batch, kept=kept)
            if release.anything_new:
                with gc_paused():
                    payload = release.record(results_path, written, checked.plans)
                    if html is not None and with_lists:
                        payload["html_with_lists"] = True
                    payload.update(backfill)
                    ledger.record_publication(payload, key=as_of.isoformat())
            kill_point("before-commit")
        kill_point("after-commit")
        _release_outputs(batch, recorded=not nothing_new)
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


def _check_targets(
    targets: tuple[Path, Path | None, Path | None], ledger: Ledger, *, force: bool, inputs: list[Path]
) -> None:
    """Before any work: every output usable, none an input or another output, none replaced by surprise.

    An existing output is refused without ``force`` unless it holds what the newest publication
    recorded under its name: that is the output of a run being completed (see the module doc).
    """
    distinct_outputs(targets)
    recorded: dict[str, str] | None = None
    for target in (t for t in targets if t is not None):
        check_output(target, force=True, inputs=inputs)
        if force or not os.path.lexists(target):
            continue
        recorded = ledger.newest_outputs() if recorded is None else recorded
        if recorded.get(target.name) != file_sha256(target):
            raise OutputError(messages.OUTPUT_EXISTS.format(path=target))


def _complete_interrupted(ledger: Ledger, targets: tuple[Path, Path | None, Path | None]) -> None:
    """Rename into place the temp files a run killed after its commit left behind (module doc)."""
    recorded = ledger.newest_outputs()
    for target in (t for t in targets if t is not None and t.name in recorded):
        if os.path.lexists(target):
            continue
        for leftover in sorted(target.parent.glob(f".{glob.escape(target.name)}.*.tmp")):
            if leftover.is_symlink() or not leftover.is_file():
                continue  # only a regular file can be ours; a link is never followed
            if file_sha256(leftover) == recorded[target.name]:
                os.replace(leftover, target)
                break


def _release_outputs(batch: OutputBatch, *, recorded: bool) -> None:
    """Rename the outputs into place; after a commit, a failure says that a rerun completes them."""
    try:
        batch.release()
    except OutputError as err:
        if not recorded:
            raise
        raise OutputError(messages.PUBLISH_RELEASE_FAILED.format(detail=err.message)) from err


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


def _release(
    view: LedgerView, plans: list[str], as_of: date, calendar: WorkdayCalendar, recorded_on: str | None
) -> _Release:
    """Deadlines and on-time flags of every recorded, unpublished result of ``plans``.

    ``recorded_on``: the real recording date when this publication is a backfill (补录), else None.
    """
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
    fresh = fresh.assign(published_on=as_of.isoformat(), recorded_on=recorded_on)
    published = pd.concat(
        [view.published, fresh[view.published.columns]],
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
    targets: tuple[Path, Path | None, Path | None],
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
    out, html, platform = targets
    # The page shows the publication date, and the lists only when asked: it is kept only if both agree.
    page_same = last.get("as_of") == as_of.isoformat() and bool(last.get("html_with_lists")) == with_lists
    kept: dict[Path, str] = {}
    for target, dated in ((out, False), (html, True), (platform, False)):
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


@dataclass(frozen=True)
class _Shown:
    """What the outputs show: the plans as of a date, the page's lists, the platform file's keys."""

    plans: list[str]
    as_of: date
    with_lists: bool
    keys: list[str]  # the results (and corrections) this run publishes: the platform file's rows
    mapping: PlatformMapping | None
    anchor: str  # the ledger anchor in the outputs' footers (the head before any publication)


def _write_outputs(
    view: LedgerView,
    shown: _Shown,
    targets: tuple[Path, Path | None, Path | None],
    *,
    batch: OutputBatch,
    kept: dict[Path, str],
) -> tuple[list[tuple[Path, str]], PlatformExport | None]:
    """Write the outputs not in ``kept`` to ``batch`` (rendering only if one is needed); every output
    with its SHA-256, and the platform export when one was written."""
    out, html, platform = targets
    rewrite = [target for target in (out, html) if target is not None and target not in kept]
    lists = shown.with_lists and html in rewrite
    publicity = None
    if rewrite:
        publicity = build_publicity(view, shown.plans, shown.as_of, with_lists=lists, anchor=shown.anchor)
    if publicity is not None and out in rewrite:
        sheets = publicity_sheets(publicity)
        write_workbook(out, sheets, batch=batch, created=published_at(shown.as_of))
    if publicity is not None and html is not None and html in rewrite:
        with batch.output(html) as temp:
            write_html(publicity, temp)
    exported = None
    if platform is not None and platform not in kept:
        exported = write_platform(
            platform, view, shown.plans, shown.as_of, keys=shown.keys, mapping=shown.mapping, batch=batch
        )
    written = [target for target in targets if target is not None]
    return [(t, kept.get(t) or file_sha256(batch.temp_of(t))) for t in written], exported


def published_at(as_of: date) -> datetime:
    """The creation time stored in the workbooks: the publication date, so a rerun writes the same bytes."""
    return datetime(as_of.year, as_of.month, as_of.day)
