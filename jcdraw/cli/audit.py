"""``audit``: recompute the ledger's chain, and check it against heads printed on pages (anchors).

``--expect-head HEX`` (repeatable) and ``--against FILE…`` (repeatable, and further files may follow it
as arguments: any workbook, page or document jcdraw wrote) say whether what was printed is still in the
chain (``jcdraw.ledger.anchor_check``).
Exit 0 when the chain is whole and every head fits, 1 otherwise, 2 for an unusable invocation.
``--json`` prints ``{"ok", "ledger_id", "records", "head"}`` (the ledger's anchor now), with
``first_broken_seq`` and ``reason`` for a broken chain and ``expected_heads`` / ``against`` when asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jcdraw import messages
from jcdraw.cli import render
from jcdraw.cli.options import LEDGER_DEFAULT, JsonOption, LedgerOption
from jcdraw.errors import BadInvocation

if TYPE_CHECKING:
    from jcdraw.ledger import Anchor, AuditReport
    from jcdraw.ledger.anchor_check import FileCheck

HeadCheck = tuple[str, int | None, str | None]  # head, its seq (None: not in the chain), the problem


def audit_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="文件",
            help="同 --against：要核对的 jcdraw 生成的文件（jcdraw audit --against a.xlsx b.html 也可以）。",
            show_default=False,
        ),
    ] = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    json_output: JsonOption = False,
    expect_head: Annotated[
        list[str] | None,
        typer.Option(
            "--expect-head",
            metavar="<校验值>",
            help="印在页面上的台账校验值（64 位）：核对它仍在本台账的校验链中；可重复。",
        ),
    ] = None,
    against: Annotated[
        list[Path] | None,
        typer.Option(
            "--against",
            metavar="<文件>",
            help="jcdraw 生成的工作簿、网页或文书：读出其中印的台账编号和校验值逐一核对；可重复。",
        ),
    ] = None,
) -> None:
    """重新计算台账的校验链，报告第一处被改动的记录（有问题时退出码为 1）。

    --against 读出 jcdraw 生成的工作簿、网页、文书上印的台账编号和校验值，--expect-head 直接给出校验值，
    核对它们仍在本台账中：台账被换成旧备份（回退）或被改写时即可发现。
    """
    from jcdraw.ledger import Ledger
    from jcdraw.ledger.anchor_check import check_file, head_problem
    from jcdraw.results.backfill import backfills

    heads = [_head_value(value) for value in expect_head or []]
    files = [*(against or []), *(files or [])]
    for path in files:
        if not path.is_file():
            raise BadInvocation(messages.AUDIT_NO_FILE.format(path=path))
    with Ledger.open(ledger, readonly=True) as book:
        result = book.audit()
        anchor = book.anchor()
        head_checks = [(head, book.seq_of(head), head_problem(book, head)) for head in heads]
        file_checks = [check_file(book, path) for path in files]
        backfilled = backfills(book)
    ok = result.ok and all(p is None for *_, p in head_checks) and all(f.ok for f in file_checks)
    if json_output:
        found = _audit_json(ok, result, anchor, head_checks, file_checks, asked=(bool(heads), bool(files)))
        if backfilled:
            found["backfilled"] = [entry.to_dict() for entry in backfilled]
        render.print_json(found)
    else:
        _audit_report(result, anchor, head_checks, file_checks)
        for entry in backfilled:  # dated back: shown with the day they were really recorded
            render.console().print(entry.text(), style="yellow", markup=False, soft_wrap=True)
    raise typer.Exit(0 if ok else 1)


def _head_value(value: str) -> str:
    """A head as typed (spaces and capitals allowed, as copied from paper); refused unless 64 hex digits."""
    head = "".join(value.split()).lower()
    if len(head) != 64 or any(ch not in "0123456789abcdef" for ch in head):
        raise BadInvocation(messages.AUDIT_BAD_HEAD.format(value=value))
    return head


def _audit_json(
    ok: bool, result: AuditReport, anchor: Anchor, heads: list[HeadCheck], files: list[FileCheck],
    *, asked: tuple[bool, bool],
) -> dict[str, Any]:  # fmt: skip
    found: dict[str, Any] = {
        "ok": ok,
        "ledger_id": anchor.ledger_id,
        "records": anchor.records,
        "head": anchor.head,
    }
    if not result.ok:
        found.update(first_broken_seq=result.first_broken_seq, reason=result.reason)
    if asked[0]:
        found["expected_heads"] = [{"head": h, "seq": seq, "problem": problem} for h, seq, problem in heads]
    if asked[1]:
        found["against"] = [
            {
                "file": str(f.path),
                "ok": f.ok,
                "anchors": [
                    {"ledger_id": a.ledger_id, "records": a.records, "head": a.head} for a in f.anchors
                ],
                "problems": f.problems,
            }
            for f in files
        ]
    return found


def _audit_report(
    result: AuditReport, anchor: Anchor, heads: list[HeadCheck], files: list[FileCheck]
) -> None:
    console = render.console()
    if result.ok:
        console.print(messages.LEDGER_AUDIT_OK.format(checked=result.checked), markup=False)
        console.print(messages.AUDIT_LAST_HASH.format(anchor=anchor.text()), markup=False, soft_wrap=True)
    else:
        text = messages.AUDIT_BROKEN.format(checked=result.checked, reason=result.reason or "")
        console.print(text, style="bold red", markup=False)
    for head, seq, problem in heads:
        if problem is None:
            console.print(messages.AUDIT_HEAD_FOUND.format(head=head, seq=seq), markup=False, soft_wrap=True)
        else:
            line = messages.AUDIT_PROBLEM.format(where="--expect-head", problem=problem)
            console.print(line, style="bold red", markup=False, soft_wrap=True)
    for checked in files:
        if checked.ok:
            line = messages.AUDIT_FILE_OK.format(path=checked.path, count=len(checked.anchors))
            console.print(line, markup=False, soft_wrap=True)
        for problem in checked.problems:
            line = messages.AUDIT_PROBLEM.format(where=checked.path, problem=problem)
            console.print(line, style="bold red", markup=False, soft_wrap=True)
