"""The assignment workbook a draw produces, and reading its sheets back.

The workbook is built only from the ledger's draw record and the draw's place in the chain, so it
can be written again at any time (``jcdraw export``). Sheets: ``抽取结果`` (drawn entities and teams),
``检查人员`` (loads), ``抽取记录`` (the record in words, its anchor and signature lines, plus one
machine-readable row; ``jcdraw.draw.record_sheet``), ``检查结果`` (the results-entry sheet),
``对象池`` (every eligible entity's code, class and ticket, continued past Excel's row cap, so the
selection can be redone with a SHA-256 tool and a sort) and, when earlier draws shaped the teams,
``历史配对``. Every printed page carries the ledger anchor in its footer.

A rehearsal (``practice``) names every sheet ``演练-…`` and titles it as a rehearsal, so it can be
neither mistaken for nor published as a real draw. A statement that a round had no eligible entity
has the 抽取记录 sheet alone.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from jcdraw import messages
from jcdraw.draw.record_sheet import RECORD_SHEET, RECORD_TEXT_WIDTH, record_rows
from jcdraw.draw.tickets import SEPARATOR, tickets_for
from jcdraw.io.xlsx_print import NOT_FOR_PRINT, PrintSetup
from jcdraw.io.xlsx_write import Column, ColumnKind, Sheet, write_workbook
from jcdraw.ledger import Anchor
from jcdraw.plans.categories import load_result_categories
from jcdraw.records import RESULT_COLUMNS, RESULT_SHEET, DrawRecord

SELECTED_SHEET = "抽取结果"
INSPECTOR_SHEET = "检查人员"
HISTORY_SHEET = "历史配对"
POOL_SHEET = "对象池"
POOL_COLUMNS = ["统一社会信用代码", "信用风险分类", "号码（SHA-256）"]
PRACTICE_PREFIX = "演练-"


def write_assignment(
    path: Path, payload: DrawRecord, *, anchor: Anchor | None, force: bool = False, practice: bool = False
) -> None:
    """Write the workbook of a recorded draw (``anchor``: its place in the ledger) or a rehearsal."""
    write_workbook(path, assignment_sheets(payload, anchor, practice=practice), force=force)


def assignment_sheets(payload: DrawRecord, anchor: Anchor | None, *, practice: bool = False) -> list[Sheet]:
    # Wrapped within portrait A4's width: the record prints on one page, signature lines included.
    columns = [Column("项目", width=18), Column("内容", width=RECORD_TEXT_WIDTH, wrap=True)]
    record = Sheet(RECORD_SHEET, columns, list(record_rows(payload, anchor, practice=practice)))
    if payload.get("empty"):
        sheets = [record]
    else:
        sheets = [_selected_sheet(payload), _inspector_sheet(payload), record, _results_sheet(payload)]
        if "pool" in payload:
            sheets.append(_pool_sheet(payload))
        if payload.get("history_pairs"):
            columns = [Column("执法证号"), Column("统一社会信用代码", width=22)]
            sheets.append(Sheet(HISTORY_SHEET, columns, [list(pair) for pair in payload["history_pairs"]]))
    return [_printed(sheet, payload, anchor, practice) for sheet in sheets]


def _printed(sheet: Sheet, payload: DrawRecord, anchor: Anchor | None, practice: bool) -> Sheet:
    """The sheet with its page setup: plan, task and round in every header, the anchor in every footer;
    a rehearsal marked on every sheet. The 抽取记录 prints on one portrait page with its signatures."""
    footer = messages.PRACTICE_FOOTER if practice else (anchor.text() if anchor else "")
    header = messages.PRINT_HEADER_DRAW.format(
        plan_name=payload.get("plan_name", payload["plan"]), task=payload["task"],
        task_name=payload.get("task_name", ""), round=payload["round"], sheet=sheet.name,
    )  # fmt: skip
    setup = PrintSetup(header=header, footer_right=footer)
    if sheet.name == RECORD_SHEET:
        setup = replace(setup, orientation="portrait", fit_one_page=True)
    if sheet.name in (POOL_SHEET, HISTORY_SHEET):
        setup = NOT_FOR_PRINT
    if not practice:
        return replace(sheet, print_setup=setup)
    title = messages.PRACTICE_TITLE.format(sheet=sheet.name)
    if setup.for_print:
        setup = replace(setup, header=title)
    return replace(sheet, name=f"{PRACTICE_PREFIX}{sheet.name}", title=title, print_setup=setup)


def _member(payload: DrawRecord, badge: str) -> str:
    info = payload["inspectors"].get(badge)
    return f"{info['name'] if info else ''}（{badge}）"


def _selected_sheet(payload: DrawRecord) -> Sheet:
    items = "；".join(f"{i}. {text}" for i, text in enumerate(payload["items"], 1))
    columns = [
        Column("序号", kind="number", width=6),
        Column("统一社会信用代码", width=22),
        Column("名称", width=36),
        Column("区域"),
        Column("信用风险分类", width=12),
        Column("检查组", width=10),
        Column("检查人员", width=48),
        Column("检查事项", width=60),
    ]
    rows = (
        [
            n,
            s["uscc"],
            s["name"],
            s["region"],
            s["risk_class"],
            messages.TEAM_LABEL.format(n=n),
            "、".join(_member(payload, b) for b in s["team"]),
            items,
        ]
        for n, s in enumerate(payload["selected"], 1)
    )
    return Sheet(SELECTED_SHEET, columns, rows)


def _inspector_sheet(payload: DrawRecord) -> Sheet:
    columns = [
        Column("执法证号", width=16),
        Column("姓名"),
        Column("部门", width=28),
        Column("分配数量", kind="number"),
    ]
    loads = payload.get("loads", {})
    order = sorted(payload["inspectors"], key=lambda b: (payload["inspectors"][b]["department"], b))
    rows = (
        [b, payload["inspectors"][b]["name"], payload["inspectors"][b]["department"], loads.get(b, 0)]
        for b in order
    )
    return Sheet(INSPECTOR_SHEET, columns, rows)


def result_sheet_columns() -> list[Column]:
    """The results-entry sheet's columns (a contract shared with publish and visits)."""
    categories = list(load_result_categories().categories)
    widths = {
        "统一社会信用代码": 22,
        "名称": 30,
        "检查事项": 50,
        "检查结果": 30,
        "检查人员执法证号": 30,
        "备注": 30,
    }
    kinds: dict[str, ColumnKind] = {"检查日期": "date", "任务编号": "number", "检查事项序号": "number"}
    columns = [Column(h, width=widths.get(h), kind=kinds.get(h, "text")) for h in RESULT_COLUMNS]
    results = columns[RESULT_COLUMNS.index("检查结果")]
    results.choices, results.free_entry = categories, True  # several results join with 、
    return columns


def _pool_sheet(payload: DrawRecord) -> Sheet:
    """Every eligible entity in code order with its ticket: the draw redone needs nothing else."""
    lines = payload.get("pool", [])
    codes = [line.split(SEPARATOR, 1)[0] for line in lines]
    tickets = tickets_for(payload["seed"], payload["plan"], payload["task"], payload["round"], codes)
    columns = [
        Column(POOL_COLUMNS[0], width=22),
        Column(POOL_COLUMNS[1], width=12),
        Column(POOL_COLUMNS[2], width=66),
    ]
    rows = (
        [code, line.split(SEPARATOR, 1)[1], t] for code, line, t in zip(codes, lines, tickets, strict=True)
    )
    return Sheet(POOL_SHEET, columns, rows, title=messages.POOL_SHEET_TITLE.format(**_pool_title(payload)))


def _pool_title(payload: DrawRecord) -> dict[str, object]:
    return {"count": payload["pool_size"], "pool": payload["pool_sha256"], "seed": payload["seed"],
            "plan": payload["plan"], "task": payload["task"], "round": payload["round"]}  # fmt: skip


def _results_sheet(payload: DrawRecord) -> Sheet:
    rows = (
        [payload["draw_id"], payload["task"], s["uscc"], s["name"], i, text, None, None, None, None]
        for s in payload["selected"]
        for i, text in enumerate(payload["items"], 1)
    )
    return Sheet(RESULT_SHEET, result_sheet_columns(), rows)
