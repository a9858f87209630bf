"""The ``publish``, ``correct``, ``status`` and ``audit`` commands.

Each command parses its options, calls one core function (``jcdraw.publish``, ``jcdraw.status``,
``Ledger.audit``), renders what comes back and picks the exit code: 0 done, 1 refused or something
needs attention (problems, overdue results, a broken ledger chain), 2 unusable invocation or input
(raised as ``JcdrawError`` and reported by ``jcdraw.cli.main``). ``register(app)`` adds them to the
main Typer app.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jcdraw import messages
from jcdraw.cli import render
from jcdraw.cli.audit import audit_command
from jcdraw.cli.options import (
    LEDGER_DEFAULT,
    AsOfOption,
    BackfillReasonOption,
    CalendarOption,
    ForceOption,
    JsonOption,
    LedgerOption,
    NewLedgerOption,
    YearOption,
    as_of_date,
    refuse_same_file,
    writing_ledger,
)
from jcdraw.errors import BadInvocation

if TYPE_CHECKING:
    pass


def register(app: typer.Typer) -> None:
    """Add the four commands to ``app``."""
    app.command("publish")(publish_command)
    app.command("correct")(correct_command)
    app.command("status")(status_command)
    app.command("audit")(audit_command)  # in jcdraw.cli.audit, with the anchors' checks
    app.command("visits")(visits_command)


def _day(value: str | None) -> date:
    return as_of_date(value)


# --- publish -----------------------------------------------------------------------------------


def publish_command(
    results: Annotated[
        Path,
        typer.Argument(metavar="检查结果表", help="填好检查结果的工作簿（jcdraw draw 生成的抽取结果表）。"),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="公示表文件名，默认“公示-公示日期.xlsx”（已有同名文件时依次编号）。"),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="同时生成可发布到网站的公示网页（.html）。")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="<日期>", help="公示日期（默认今天），格式 2024-10-23。")
    ] = None,
    with_lists: Annotated[
        bool,
        typer.Option(
            "--with-lists",
            help="公示网页中同时列出各次抽取的抽查名单（企业名称、代码、区域；与 --html 同用）。",
        ),
    ] = False,
    platform: Annotated[
        Path | None,
        typer.Option(
            "--platform", help="把本次新公示的结果按省级平台的导入格式（plans/platform.yaml）写入此文件。"
        ),
    ] = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    calendar: CalendarOption = None,
    json_output: JsonOption = False,
    force: ForceOption = False,
    new_ledger: NewLedgerOption = False,
    backfill_reason: BackfillReasonOption = None,
) -> None:
    """校验检查结果并登记到台账，生成公示表（及公示网页、平台导入表）；有任何错误时不登记、不公示。"""
    from jcdraw.io.atomic import numbered_if_taken
    from jcdraw.plans.calendar import WorkdayCalendar
    from jcdraw.publicity.publish import default_output, publish

    day = _day(as_of)
    target = out or numbered_if_taken(default_output(day))
    if with_lists and html is None:
        raise BadInvocation(messages.PUBLISH_LISTS_NEED_HTML)
    if html is not None:
        refuse_same_file("--html", html, [target])
    if platform is not None:
        refuse_same_file("--platform", platform, [results, target, html, ledger])
    cal = WorkdayCalendar.load(calendar or [])
    with writing_ledger(ledger, new_ledger=new_ledger, command="jcdraw publish") as book:
        report = publish(
            results, book, as_of=day, calendar=cal, out=target, html=html, force=force,
            with_lists=with_lists, platform=platform, inputs=calendar or [],
            backfill_reason=backfill_reason,
        )  # fmt: skip
    if json_output:
        render.print_json(report.to_dict())
        if report.platform is not None:
            render.platform_notes(
                render.console(stderr=True), report.platform, _nothing(report.platform.path)
            )
        raise typer.Exit(0 if report.ok else 1)
    console = render.console()
    if not report.ok:
        console.print(render.problem_table(report.problems))
        errors = sum(p.severity == "error" for p in report.problems)
        console.print(messages.PUBLISH_REFUSED.format(path=results, count=errors), markup=False)
        raise typer.Exit(1)
    if report.problems:  # warnings (a hidden sheet, badges typed as numbers, dates outside the period)
        console.print(render.problem_table(report.problems))
    counts = {"recorded": report.recorded, "published": report.published, "on_time": report.on_time}
    console.print(
        messages.PUBLISH_DONE.format(**counts, late=report.late, pending=report.pending), markup=False
    )
    if report.out_of_period:
        note = messages.PUBLISH_OUT_OF_PERIOD_NOTE.format(count=report.out_of_period)
        console.print(note, style="yellow", markup=False)
    if report.late:
        note = messages.PUBLISH_LATE_NOTE.format(late=report.late, workdays=_workdays(report.late_workdays))
        console.print(note, style="yellow", markup=False)
    if not report.recorded and not report.published:
        console.print(messages.PUBLISH_NOTHING_NEW, markup=False)
    console.print(messages.PUBLISH_WRITTEN.format(path=target), markup=False)
    if html is not None:
        console.print(messages.PUBLISH_HTML_WRITTEN.format(path=html), markup=False)
    if report.platform is not None:
        render.platform_notes(console, report.platform, _nothing(report.platform.path))


def _nothing(path: Path) -> str:
    return messages.PLATFORM_NOTHING.format(path=path)


def _workdays(per_plan: dict[str, int]) -> str:
    """The plans' publication deadlines in working days: "20", or each plan's when they differ."""
    if len(set(per_plan.values())) == 1:
        return str(next(iter(per_plan.values())))
    return "、".join(messages.PUBLISH_WORKDAYS_OF_PLAN.format(days=n, plan=p) for p, n in per_plan.items())


# --- correct -----------------------------------------------------------------------------------


def correct_command(
    draw_id: Annotated[str, typer.Option("--draw", help="抽取编号，如 2024-joint-T1-R1-1。")],
    uscc: Annotated[str, typer.Option("--uscc", help="检查对象的统一社会信用代码。")],
    item: Annotated[int, typer.Option("--item", help="检查事项序号（从 1 开始）。")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="批准更正的单位主要负责人姓名。")],
    approval_ref: Annotated[str, typer.Option("--approval-ref", help="审批文号，如 晋市商〔2024〕12号。")],
    reason: Annotated[str, typer.Option("--reason", help="更正原因。")],
    result: Annotated[
        str | None, typer.Option("--result", help="更正后的检查结果，多个用顿号“、”分隔。")
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help="更正后的检查日期，如 2024-05-20。")] = None,
    inspectors: Annotated[
        str | None, typer.Option("--inspectors", help="更正后的检查人员执法证号（至少两人，用顿号分隔）。")
    ] = None,
    approval_file: Annotated[
        Path | None, typer.Option("--approval-file", help="审批文件（扫描件等），将记录其 SHA-256。")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="更正日期（默认今天），格式 2024-10-23。")
    ] = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    backfill_reason: BackfillReasonOption = None,
) -> None:
    """经单位负责人批准，更正已登记的检查结果、检查日期或检查人员（原值保留在台账中，下次公示时附更正说明；须由单位主要负责人批准）。"""
    from jcdraw.results.correct import correct

    # No --new-ledger: a new ledger holds no result to correct, so a missing one is always refused.
    with writing_ledger(ledger, new_ledger=None, command="jcdraw correct") as book:
        done = correct(
            book,
            draw_id=draw_id,
            uscc=uscc,
            item=item,
            result=result,
            completed=date,
            inspectors=inspectors,
            approved_by=approved_by,
            approval_ref=approval_ref,
            reason=reason,
            approval_file=approval_file,
            today=as_of_date(as_of) if as_of else None,
            backfill_reason=backfill_reason,
        )
    if done.fields == ("result",):
        template = messages.CORRECT_DONE
    elif done.fields == ("badges",):
        template = messages.CORRECT_DONE_PRIVATE
    else:
        template = messages.CORRECT_DONE_FIELDS
    text = template.format(
        draw_id=done.draw_id, uscc=done.uscc, item=done.item, old=done.old, new=done.new,
        approver=done.approved_by, ref=done.approval_ref,
    )  # fmt: skip
    render.console().print(text, markup=False)


# --- status ------------------------------------------------------------------------------------


def status_command(
    results: Annotated[
        list[Path] | None,
        typer.Option(
            "--results", help="填写中的检查结果工作簿（只读取，不登记），用于找出已完成未公示的检查；可重复。"
        ),
    ] = None,
    as_of: AsOfOption = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    calendar: CalendarOption = None,
    json_output: JsonOption = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="把进度表、进度图、待公示和期满未检查的清单写入此 Excel 文件。"),
    ] = None,
    year: YearOption = None,
    force: ForceOption = False,
) -> None:
    """按任务统计抽取、登记、公示进度（含本年度计划中尚未抽取的任务）。

    有逾期未公示、任务期满仍有未检查对象或未抽取时退出码为 1，供定时任务使用。
    """
    from jcdraw.io.atomic import check_output
    from jcdraw.ledger import Ledger
    from jcdraw.plans.calendar import WorkdayCalendar
    from jcdraw.results.backfill import backfills
    from jcdraw.results.status import plans_to_show, status
    from jcdraw.results.status_report import write_status_report

    if report is not None:  # before any work: a refusal must cost nothing
        check_output(report, force=force, inputs=[ledger, *(results or []), *(calendar or [])])
    day = _day(as_of)
    cal = WorkdayCalendar.load(calendar or [])
    with Ledger.open(ledger, readonly=True) as book:
        plans = plans_to_show(book, year, day)
        found = status(book, as_of=day, calendar=cal, results=results or [], plans=plans)
        anchor = book.anchor().text()
        backfilled = backfills(book)
    if report is not None:
        write_status_report(report, found, force=force, anchor=anchor)
    if json_output:
        render.print_json({**found.to_dict(), "backfilled": [b.to_dict() for b in backfilled]})
    else:
        console = render.console()
        render.status_report(console, found, report)
        for entry in backfilled:  # a publication or correction dated back is never shown as timely unseen
            console.print(entry.text(), style="yellow", markup=False, soft_wrap=True)
    raise typer.Exit(1 if found.needs_attention else 0)


# --- visits ------------------------------------------------------------------------------------


def visits_command(
    year: Annotated[int | None, typer.Option("--year", help="年度，默认台账中最新的抽取年度。")] = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="检查安排表文件名，默认 visits-年度.xlsx（已有同名文件时依次编号）。"),
    ] = None,
    json_output: JsonOption = False,
    force: ForceOption = False,
) -> None:
    """把同一对象在本年度被多个任务抽中的检查合并为一次（进一次门，查多事项），生成检查安排表。"""
    from jcdraw.io.atomic import check_output, numbered_if_taken
    from jcdraw.ledger import Ledger
    from jcdraw.results.visits import default_output, plan_visits, write_visits

    with Ledger.open(ledger, readonly=True) as book:
        plan = plan_visits(book, year)
        anchor = book.anchor().text()
    target = out or numbered_if_taken(default_output(plan.year))
    check_output(target, force=force, suffix=".xlsx", inputs=[ledger])
    write_visits(target, plan, force=force, anchor=anchor)
    if json_output:
        render.print_json(plan.to_dict())
        render.console(stderr=True).print(render.visits_done(plan, target), markup=False, soft_wrap=True)
    else:
        render.visits_summary(render.console(), plan, target)
