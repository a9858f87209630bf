"""Options and option parsing shared by every command module (declared once, used everywhere)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jcdraw import messages
from jcdraw.cli.console import make_console
from jcdraw.cli.usage_errors import refuse_control_path
from jcdraw.errors import BadInvocation
from jcdraw.io.atomic import same_file
from jcdraw.io.text import parse_date_one
from jcdraw.ledger.store import DEFAULT_FILE_NAME as LEDGER_FILE_NAME
from jcdraw.registry import DEFAULT_FILE_NAME as REGISTRY_FILE_NAME

if TYPE_CHECKING:  # the ledger is imported when a command opens it (keeps --help light)
    from jcdraw.ledger import Ledger


def plan_selector(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """``--plan`` is text (``joint`` or a file path): refuse control characters as for any path."""
    if value is not None:
        refuse_control_path(value, param, ctx)
    return value


PlanOption = Annotated[
    str | None,
    typer.Option(
        "--plan",
        metavar="<计划>",
        callback=plan_selector,
        help="计划：joint（部门联合）、internal（内部）或 YAML 文件路径；默认本年度全部计划。",
    ),
]
YearOption = Annotated[int | None, typer.Option("--year", help="计划年度，默认最新年度。")]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出（供脚本使用）。")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", metavar="<日期>", help="按此日期判断（默认今天），格式 2024-05-20。")
]
ForceOption = Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件。")]
RegistryOption = Annotated[
    Path,
    typer.Option(
        "--registry", envvar="JCDRAW_REGISTRY", help="名录库 Excel 文件，默认当前文件夹的 registry.xlsx。"
    ),
]
LedgerOption = Annotated[
    Path, typer.Option("--ledger", envvar="JCDRAW_LEDGER", help="台账文件，默认当前文件夹的 jcdraw.sqlite3。")
]
NewLedgerOption = Annotated[
    bool,
    typer.Option(
        "--new-ledger",
        help="台账文件不存在时新建一本（第一次使用时）；不加时找不到台账即拒绝，以免在错误的文件夹里另起台账。",
    ),
]
BackfillReasonOption = Annotated[
    str | None,
    typer.Option(
        "--backfill-reason",
        metavar="<原因>",
        help="补录的原因：--as-of 比今天早 7 天以上时必须写明；台账同时记下实际登记日期，并标明“补录”。",
    ),
]
CalendarOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--calendar", help="补充节假日安排的日历文件（YAML），用于内置节假日数据尚未覆盖的年份；可重复。"
    ),
]
LEDGER_DEFAULT = Path(LEDGER_FILE_NAME)
REGISTRY_DEFAULT = Path(REGISTRY_FILE_NAME)


def as_of_date(value: str | None, option: str = "--as-of") -> date:
    if value is None:
        return date.today()
    try:
        parsed = parse_date_one(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadInvocation(messages.BAD_DATE_OPTION.format(option=option, value=value))
    return parsed


def refuse_same_file(option: str, path: Path, others: list[Path | None]) -> None:
    """An output named by ``option`` must not be another input or output of the same command
    (``jcdraw.io.atomic.same_file``: case, links and hard links included)."""
    if any(other is not None and same_file(path, other) for other in others):
        raise BadInvocation(messages.OPTION_SAME_FILE.format(option=option, path=path))


@contextmanager
def writing_ledger(path: Path, *, new_ledger: bool | None, command: str) -> Iterator[Ledger]:
    """The one way a writing command opens its ledger (``jcdraw.ledger.open_for_writing``).

    ``new_ledger`` None: the command may never create one (it has no ``--new-ledger``).
    A ledger created now is announced on stderr ("新建台账 …"), so ``--json`` stdout stays pure JSON.
    """
    from jcdraw.ledger import open_for_writing

    book, created = open_for_writing(path, new_ledger=new_ledger, command=command)
    with book:
        if created:
            note = messages.LEDGER_CREATED.format(ledger_id=book.ledger_id, path=path)
            make_console(stderr=True).print(note, markup=False, soft_wrap=True)
        yield book
