"""``notices``, ``template notice`` and ``template record``: the paperwork of a year's visits.

The core (and docxtpl, ~250 ms to import) is loaded inside the commands, so ``jcdraw --help`` stays
fast (``tests/test_architecture.py`` checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jcdraw import messages
from jcdraw.cli import render
from jcdraw.cli.options import (
    LEDGER_DEFAULT,
    REGISTRY_DEFAULT,
    ForceOption,
    JsonOption,
    LedgerOption,
    RegistryOption,
    as_of_date,
)
from jcdraw.errors import BadInvocation

if TYPE_CHECKING:
    from jcdraw.registry.contacts import FirmBook
    from jcdraw.results.notices import Paperwork
    from jcdraw.results.paperwork import Template as PaperworkTemplate


def notices_command(
    year: Annotated[int | None, typer.Option("--year", help="年度，默认台账中最新的抽取年度。")] = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    registry: RegistryOption = REGISTRY_DEFAULT,
    visits: Annotated[
        Path | None,
        typer.Option(
            "--visits",
            metavar="<检查安排表>",
            help="jcdraw visits 生成的检查安排表（可删减行、调整检查人员和时间）：只为表中的检查制作文书；"
            "默认按台账为本年度全部检查制作。",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="<文件夹>", help="保存文书的文件夹，默认“检查文书-年度”。")
    ] = None,
    notice_template: Annotated[
        Path | None,
        typer.Option(
            "--notice-template",
            metavar="<模板>",
            help="检查通知书模板（.docx，可先用 jcdraw template notice 生成，再在 Word 中修改），"
            "默认用内置模板。",
        ),
    ] = None,
    record_template: Annotated[
        Path | None,
        typer.Option(
            "--record-template",
            metavar="<模板>",
            help="检查记录表模板（.docx，可先用 jcdraw template record 生成），默认用内置模板。",
        ),
    ] = None,
    template: Annotated[
        list[Path] | None,
        typer.Option(
            "--template",
            metavar="<模板>",
            help="检查通知书或检查记录表的模板（.docx，可给两次）：按文档开头的标题“检查通知书”“检查记录表”"
            "认出是哪一种。",
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="<日期>", help="通知书落款日期，格式 2024-05-20；默认留空，手工填写。"
        ),
    ] = None,
    duplex: Annotated[
        bool, typer.Option("--duplex", help="双面打印：合并文件中每次检查都从新的一张纸开始。")
    ] = False,
    json_output: JsonOption = False,
    force: ForceOption = False,
) -> None:
    """为每次检查生成检查通知书和检查记录表（Word 文档），另生成打印用的合并文件。

    每次检查即 jcdraw visits 安排的一次上门：一业一查合并的多个任务，或只被一个任务抽中的对象。
    """
    from jcdraw.ledger import Ledger
    from jcdraw.registry.contacts import read_firm_details
    from jcdraw.results.notices import notice_contexts
    from jcdraw.results.paperwork import (
        KINDS,
        TITLES,
        check_outputs,
        default_output,
        planned_files,
        write_paperwork,
    )
    from jcdraw.results.schedule import apply_schedule, read_schedule, schedule_year
    from jcdraw.results.visits import plan_visits

    issued_on = as_of_date(date, "--date") if date is not None else None
    chosen = _templates_by_kind(template or [], {"notice": notice_template, "record": record_template})
    templates = [_template(kind, chosen[kind], TITLES[kind]) for kind in KINDS]
    rows = read_schedule(visits) if visits is not None else None
    if year is None and rows:
        year = schedule_year(rows)
    with Ledger.open(ledger, readonly=True) as book:
        plan = plan_visits(book, year)
        if rows is not None and visits is not None:
            plan = apply_schedule(plan, rows, visits)
        firms = read_firm_details(registry)
        paperwork = notice_contexts(book, plan, firms, issued_on=issued_on)
    if not paperwork.contexts:  # every visit of the year is inspected and recorded
        render.console(stderr=json_output).print(
            messages.NOTICES_NOTHING.format(year=plan.year), markup=False, soft_wrap=True
        )
        if json_output:
            render.print_json({"year": plan.year, "visits": 0, "files": [], "combined": []})
        return
    folder = out or default_output(plan.year)
    files = planned_files(folder, paperwork.contexts)
    inputs = [ledger, registry, *(p for p in (visits, *chosen.values()) if p is not None)]
    check_outputs(folder, files, inputs, force=force)
    with render.progress(enabled=not json_output) as stage:
        written = write_paperwork(
            folder, paperwork.contexts, templates, force=force, duplex=duplex, progress=stage
        )
    notes = _notes(firms, paperwork, plan.year)
    anchor = paperwork.contexts[0]["anchor"]
    if json_output:
        render.print_json(
            {
                "year": plan.year, "visits": len(paperwork.contexts), "folder": str(folder),
                "files": [str(p) for p in written.single], "combined": [str(p) for p in written.combined],
                "ledger_id": anchor["ledger_id"], "head": anchor["head"], "notes": notes,
            }
        )  # fmt: skip
        return
    err = render.console(stderr=True)
    for note in notes:
        err.print(note, style="yellow", markup=False, soft_wrap=True)
    done = messages.NOTICES_DONE.format(
        year=plan.year, visits=len(paperwork.contexts), single=len(written.single), folder=folder,
        notice=written.combined[0].name, record=written.combined[1].name,
    )  # fmt: skip
    console = render.console()
    console.print(done, markup=False, soft_wrap=True)
    console.print(messages.NOTICES_ANCHOR.format(**anchor), markup=False, soft_wrap=True)


def _templates_by_kind(given: list[Path], named: dict[str, Path | None]) -> dict[str, Path | None]:
    """``--template`` files sorted by the title they carry, beside the ones named by kind."""
    from jcdraw.results.docx_render import load_template, template_kind
    from jcdraw.results.paperwork import TITLES

    chosen = dict(named)
    for path in given:
        kind = template_kind(load_template(path), TITLES)
        if kind is None:
            raise BadInvocation(messages.DOCX_TEMPLATE_KIND_UNKNOWN.format(path=path))
        first = chosen[kind]
        if first is not None:
            twice = messages.DOCX_TEMPLATE_KIND_TWICE
            raise BadInvocation(twice.format(title=TITLES[kind], first=first, second=path))
        chosen[kind] = path
    return chosen


def _template(kind: str, path: Path | None, title: str) -> PaperworkTemplate:
    from jcdraw.results.docx_render import default_template, load_template
    from jcdraw.results.paperwork import Template

    if path is None:
        return Template(kind, default_template(kind), messages.DOCX_TEMPLATE_BUILTIN.format(title=title))
    return Template(kind, load_template(path), str(path))


def _notes(firms: FirmBook, paperwork: Paperwork, year: int) -> list[str]:
    """What the documents leave blank to fill by hand, and counts worth a look: once each."""
    notes = []
    if firms.problem == "no-file":
        notes.append(messages.NOTICES_REGISTRY_MISSING.format(path=firms.path))
    elif firms.problem == "unreadable":
        notes.append(messages.NOTICES_REGISTRY_UNREADABLE.format(path=firms.path, detail=firms.detail))
    elif firms.problem == "no-sheet":
        notes.append(messages.NOTICES_REGISTRY_NO_SHEET.format(path=firms.path))
    elif firms.missing:
        columns = "、".join(firms.missing)
        notes.append(messages.NOTICES_REGISTRY_COLUMNS.format(path=firms.path, columns=columns))
    if paperwork.no_prefix:
        notes.append(messages.NOTICES_NO_PREFIX.format(year=year))
    if paperwork.no_contact:
        notes.append(messages.NOTICES_NO_CONTACT)
    if paperwork.over_cap:
        over = paperwork.over_cap
        notes.append(messages.NOTICES_OVER_CAP.format(count=len(over), visit_id=over[0]))
    return notes


def template_command(kind: str, out: Path, force: bool) -> None:
    from jcdraw.errors import OutputError
    from jcdraw.io.atomic import check_output, write_bytes_atomic
    from jcdraw.results.docx_render import default_template
    from jcdraw.results.paperwork import TITLES

    if out.suffix.lower() != ".docx":
        raise OutputError(messages.DOCX_TEMPLATE_NOT_DOCX_SUFFIX.format(path=out))
    check_output(out, force=force)
    write_bytes_atomic(out, default_template(kind), force=force)
    text = messages.DOCX_TEMPLATE_WRITTEN.format(title=TITLES[kind], path=out, option=f"--{kind}-template")
    render.console().print(text, markup=False, soft_wrap=True)


def template_notice_command(
    out: Annotated[Path, typer.Argument(metavar="模板文件", help="要生成的文件，如 检查通知书模板.docx。")],
    force: ForceOption = False,
) -> None:
    """生成检查通知书默认模板（Word 文档），可在 Word 中修改后用于 jcdraw notices。"""
    template_command("notice", out, force)


def template_record_command(
    out: Annotated[Path, typer.Argument(metavar="模板文件", help="要生成的文件，如 检查记录表模板.docx。")],
    force: ForceOption = False,
) -> None:
    """生成检查记录表默认模板（Word 文档），可在 Word 中修改后用于 jcdraw notices。"""
    template_command("record", out, force)


def register(app: typer.Typer, template_app: typer.Typer) -> None:
    """Add ``notices`` to the root app and ``notice``/``record`` to its ``template`` group."""
    app.command("notices")(notices_command)
    template_app.command("notice")(template_notice_command)
    template_app.command("record")(template_record_command)
