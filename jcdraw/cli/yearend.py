"""The year-end commands: ``followup`` (后续处置 of findings) and ``report`` (the year report).

Each parses its options, calls one core function (``jcdraw.results.followup.record_followup``,
``jcdraw.results.year_report.year_report``), renders what comes back and picks the exit code. The core
is imported inside the commands (measured lazy imports: ``jcdraw --help`` loads no pandas).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from jcdraw import messages
from jcdraw.cli import render
from jcdraw.cli.options import (
    LEDGER_DEFAULT,
    AsOfOption,
    CalendarOption,
    ForceOption,
    LedgerOption,
    as_of_date,
    refuse_same_file,
    writing_ledger,
)

if TYPE_CHECKING:
    from jcdraw.results.year_report import YearReport


def register(app: typer.Typer) -> None:
    app.command("followup")(followup_command)
    app.command("report")(report_command)


# --- followup ----------------------------------------------------------------------------------


def followup_command(
    draw_id: Annotated[str, typer.Option("--draw", help="抽取编号，如 2024-joint-T2-R1-1。")],
    uscc: Annotated[str, typer.Option("--uscc", help="检查对象的统一社会信用代码。")],
    item: Annotated[int, typer.Option("--item", help="检查事项序号（从 1 开始）。")],
    action: Annotated[
        str, typer.Option("--action", help="采取的处置措施，如“责令限期改正”“已复查，整改到位”。")
    ],
    on: Annotated[str, typer.Option("--date", metavar="<日期>", help="处置日期，格式 2024-11-20。")],
    done: Annotated[
        str | None,
        typer.Option("--done", metavar="<日期>", help="办结日期：处置已完成时填写，此后不再列为待处置。"),
    ] = None,
    approved_by: Annotated[
        str | None, typer.Option("--approved-by", help="批准处置或办结的负责人姓名（可选）。")
    ] = None,
    as_of: AsOfOption = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
) -> None:
    """登记对发现问题的后续处置（责令改正、复查等）及办结日期；未办结的由 jcdraw status 列出。"""
    from jcdraw.results.followup import record_followup

    with writing_ledger(ledger, new_ledger=None, command="jcdraw followup") as book:
        done_ = record_followup(
            book, draw_id=draw_id, uscc=uscc, item=item, action=action, on=as_of_date(on, "--date"),
            done=None if done is None else as_of_date(done, "--done"), approved_by=approved_by,
            as_of=as_of_date(as_of),
        )  # fmt: skip
    console = render.console()
    line = messages.FOLLOWUP_RECORDED.format(
        draw_id=done_.draw_id, uscc=done_.uscc, item=done_.item, result=done_.result, date=done_.on,
        action=done_.action,
    )  # fmt: skip
    console.print(line, markup=False)
    if done_.done is None:
        console.print(messages.FOLLOWUP_OPEN_NOTE.format(age=done_.age_days), markup=False)
    else:
        console.print(messages.FOLLOWUP_DONE_NOTE.format(done=done_.done, age=done_.age_days), markup=False)


# --- report ------------------------------------------------------------------------------------


def report_command(
    year: Annotated[int, typer.Option("--year", help="报告年度，如 2024。")],
    as_of: AsOfOption = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="年度报告文件名，默认“年度报告-年度.xlsx”（已有同名文件时依次编号）。"),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="以 JSON 输出全部数字（供脚本使用）；不写报告文件，除非同时给出 --out。"),
    ] = False,
    platform: Annotated[
        Path | None,
        typer.Option("--platform", help="同时把该年度已公示的全部结果按省级平台的导入格式写入此文件。"),
    ] = None,
    calendar: CalendarOption = None,
    force: ForceOption = False,
) -> None:
    """年度报告：各任务完成情况（含未抽取的任务）、各部门和执法人员的检查量、检查结果类别、问题发现率（按任务、检查事项、信用风险分类）、结果更正、后续处置和抽中未检查的对象。"""
    from jcdraw.errors import BadInvocation
    from jcdraw.io.atomic import check_output, numbered_if_taken
    from jcdraw.ledger import Ledger
    from jcdraw.plans.calendar import WorkdayCalendar
    from jcdraw.publicity.platform import export_platform
    from jcdraw.results.year_report import year_report
    from jcdraw.results.year_report_workbook import default_output, write_year_report

    day = as_of_date(as_of)
    target = out or numbered_if_taken(default_output(year))
    workbook = out is not None or not json_output
    if workbook:
        check_output(target, force=force, suffix=".xlsx", inputs=[ledger, *(calendar or [])])
    if platform is not None:
        refuse_same_file("--platform", platform, [target if workbook else None])  # inputs: check_output
        check_output(platform, force=force, suffix=".xlsx", inputs=[ledger, *(calendar or [])])
    cal = WorkdayCalendar.load(calendar or [])
    with Ledger.open(ledger, readonly=True) as book:
        found = year_report(book, year=year, as_of=day, calendar=cal)
        if found.tasks.empty:
            raise BadInvocation(messages.REPORT_NO_YEAR.format(year=year))
        anchor = book.anchor().text()
        exported = export_platform(book, platform, year=year, as_of=day, force=force) if platform else None
    if workbook:
        write_year_report(target, found, anchor, force=force)
    if json_output:
        render.print_json(found.to_dict())
    else:
        _report_summary(found)
    notes = render.console(stderr=json_output)
    if workbook:
        notes.print(messages.YEAR_REPORT_WRITTEN.format(path=target), markup=False)
    if exported is not None:
        nothing = messages.PLATFORM_NO_PUBLISHED.format(year=year, path=platform)
        render.platform_notes(notes, exported, nothing)


def _report_summary(found: YearReport) -> None:
    console = render.console()
    totals = dict(found.totals)
    totals["rate"] = render.rate_text(totals["rate"])
    console.print(messages.REPORT_SUMMARY.format(year=found.year, **totals), markup=False)
    tasks = Table(title=messages.REPORT_SCREEN_TASKS)
    for header in [*messages.REPORT_TASKS_HEADERS[1:7], *messages.REPORT_TASKS_HEADERS[10:]]:
        tasks.add_column(header, overflow="fold")
    for t in found.tasks.itertuples():
        state = (
            (messages.STATUS_UNDRAWN_ENDED if t.period_ended else messages.STATUS_UNDRAWN)
            if t.undrawn
            else ""
        )
        cells = [t.plan, t.task, t.task_name, t.drawn, t.inspected, t.published]
        cells += [render.rate_text(t.publication_rate), render.rate_text(t.completion_rate), state]
        render.add_row(tasks, *(str(c) for c in cells))
    console.print(tasks)
    risk = Table(title=messages.REPORT_SCREEN_RISK)
    for header in messages.REPORT_RISK_HEADERS:
        risk.add_column(header)
    for r in found.detection["by_risk_class"].itertuples():
        render.add_row(
            risk, str(r.risk_class), str(r.drawn), str(r.n), str(r.found), render.rate_text(r.rate)
        )
    console.print(risk)
