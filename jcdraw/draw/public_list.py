"""The public 抽查名单 of one draw (``jcdraw export --draw ID --public``): what may be published when a
task is drawn — the plan, the task and its items, and the drawn entities' names, credit codes and
regions — and nothing else.

The assignment workbook carries each entity's risk class and its team (inspectors' names, badges and
departments): neither may be published, so the list is built from the draw record field by field, never
by dropping columns from the assignment. The order is the draw's (the order of the entities' tickets),
the 序号 of the assignment workbook, which says nothing about risk classes: a ticket is a hash of the
seed and the credit code. Two sheets, both printable on A4 with the plan and task in the page header:
``抽查任务`` (the task as published, and the ledger anchor as the list was written) and ``抽查名单``
(the entities).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

from jcdraw import messages
from jcdraw.io.xlsx_print import PrintSetup
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook
from jcdraw.plans.content import ratio_text
from jcdraw.records import DrawRecord

TASK_SHEET = "抽查任务"
LIST_SHEET = "抽查名单"


def default_output(draw_id: str) -> Path:
    return Path(messages.PUBLIC_LIST_DEFAULT_OUT.format(draw_id=draw_id))


def public_list_sheets(payload: DrawRecord, anchor: str) -> list[Sheet]:
    """The two sheets of a draw's public list; ``anchor`` is the ledger anchor printed in the footer."""
    m = messages
    title = m.PUBLIC_LIST_TITLE.format(task=payload["task"], task_name=payload["task_name"])
    # The plan's name and the task head every page; the anchor is in every footer and, where it wraps
    # whole, in the task sheet.
    header = f"{payload['plan_name']} · {title}"
    setup = PrintSetup(header=header, footer_left=payload.get("draw_id", ""), footer_right=anchor)
    task = Sheet(
        TASK_SHEET,
        [
            Column(m.PUBLIC_LIST_TASK_HEADERS[0], width=16, wrap=True),
            Column(m.PUBLIC_LIST_TASK_HEADERS[1], width=76, wrap=True),
        ],
        [*_task_rows(payload), [m.PUBLIC_LIST_LABELS["anchor"], anchor]],
        title=title,
        print_setup=setup,
    )
    columns = [
        Column(m.PUBLIC_LIST_HEADERS[0], kind="number", width=6),
        Column(m.PUBLIC_LIST_HEADERS[1], width=40, wrap=True),
        Column(m.PUBLIC_LIST_HEADERS[2], width=22),
        Column(m.PUBLIC_LIST_HEADERS[3], width=12),
    ]
    rows = ([n, s["name"], s["uscc"], s["region"]] for n, s in enumerate(payload["selected"], 1))
    entities = Sheet(LIST_SHEET, columns, rows, title=title, print_setup=setup)
    return [task, entities]


def _task_rows(payload: DrawRecord) -> Iterator[list[object]]:
    labels = messages.PUBLIC_LIST_LABELS
    start, end = payload["period"]
    items = "\n".join(f"{n}. {text}" for n, text in enumerate(payload["items"], 1))
    ratio = payload.get("nominal_ratio")
    yield [labels["plan"], payload["plan_name"]]
    yield [labels["document_number"], payload["document_number"]]
    yield [labels["task"], f"{payload['task']}. {payload['task_name']}"]
    yield [labels["sampling"], payload.get("sampling", "不定向") + "抽查"]
    yield [labels["items"], items]
    if ratio:  # records made before credit rules keep the ratio per class only
        yield [labels["ratio"], ratio_text(Fraction(ratio))]
    yield [labels["period"], messages.CHANGES_PERIOD.format(start=start, end=end)]
    yield [labels["departments"], "、".join(payload["departments"])]
    yield [labels["draw_id"], payload.get("draw_id", "")]
    yield [labels["round"], messages.PUBLIC_LIST_ROUND.format(round=payload["round"])]
    yield [labels["drawn_on"], payload.get("as_of", "")]
    yield [labels["count"], messages.PUBLIC_LIST_COUNT.format(count=len(payload["selected"]))]


def write_public_list(path: Path, payload: DrawRecord, anchor: str, *, force: bool = False) -> None:
    write_workbook(path, public_list_sheets(payload, anchor), force=force)
