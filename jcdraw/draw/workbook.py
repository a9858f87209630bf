"""The assignment workbook a draw produces, and reading its machine record back.

The workbook is built only from the ledger's draw record, so it can be written again at any time
(``jcdraw export``). Sheets: ``抽取结果`` (drawn entities and teams), ``检查人员`` (loads), ``抽取记录``
(the audit record in words plus one machine-readable row), ``检查结果`` (the results-entry sheet) and,
when earlier draws shaped the teams, ``历史配对``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from jcdraw import messages
from jcdraw.errors import UnreadableInput
from jcdraw.io.normalize import normalize_key
from jcdraw.io.xlsx_read import Workbook, open_workbook, read_table
from jcdraw.io.xlsx_write import Column, ColumnKind, Sheet, write_workbook
from jcdraw.plans.categories import load_result_categories
from jcdraw.plans.credit import percent, percent_text, rule_from_record, rule_text
from jcdraw.problems import ProblemList
from jcdraw.records import RESULT_COLUMNS, RESULT_SHEET, DrawRecord, StratumRecord

RECORD_SHEET = "抽取记录"
SELECTED_SHEET = "抽取结果"
INSPECTOR_SHEET = "检查人员"
HISTORY_SHEET = "历史配对"
MACHINE_KEY = "机读记录"
# Fields of the draw record that verify needs; the rest of the record is for people.
MACHINE_FIELDS = [
    "draw_id", "plan", "plan_sha256", "plan_version", "year", "task", "round", "seed", "registry_sha256",
    "pool_sha256", "pool_size", "as_of", "tool_version", "history_pairs", "supersedes", "redraw_reason",
]  # fmt: skip


def write_assignment(path: Path, payload: DrawRecord, *, force: bool = False) -> None:
    write_workbook(path, assignment_sheets(payload), force=force)


def assignment_sheets(payload: DrawRecord) -> list[Sheet]:
    sheets = [
        _selected_sheet(payload),
        _inspector_sheet(payload),
        _record_sheet(payload),
        _results_sheet(payload),
    ]
    if payload.get("history_pairs"):
        columns = [Column("执法证号"), Column("统一社会信用代码", width=22)]
        sheets.append(Sheet(HISTORY_SHEET, columns, [list(pair) for pair in payload["history_pairs"]]))
    return sheets


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


def _record_sheet(payload: DrawRecord) -> Sheet:
    columns = [Column("项目", width=18), Column("内容", width=100)]
    return Sheet(RECORD_SHEET, columns, list(_record_rows(payload)))


def _record_rows(payload: DrawRecord) -> Iterator[list[object]]:
    labels = messages.RECORD_LABELS
    fields: Mapping[str, object] = payload  # the labelled fields are looked up by name
    for key in labels:
        value = fields.get(key)
        if value not in (None, ""):
            yield [labels[key], "、".join(value) if isinstance(value, list) else value]
    yield [messages.RECORD_RULE_LABEL, messages.RECORD_RULE.format(**payload)]
    yield from _strata_rows(payload) if "rule" in payload else _legacy_strata_rows(payload)
    machine = {k: fields[k] for k in MACHINE_FIELDS if k in fields}
    yield [MACHINE_KEY, json.dumps(machine, ensure_ascii=False, sort_keys=True, separators=(",", ":"))]


def _strata_rows(payload: DrawRecord) -> Iterator[list[object]]:
    """The credit rule, the plan's ratio, each class and the total, exact and as percentages."""
    rule = rule_from_record(payload["credit_rule"])
    yield [messages.RECORD_SAMPLING_LABEL, sampling_text(payload)]
    yield [messages.RECORD_CREDIT_RULE_LABEL, rule_text(rule)]
    nominal = Fraction(payload["nominal_ratio"])
    yield [messages.RECORD_NOMINAL_LABEL, f"{percent(nominal)}（{nominal}）"]
    for s in payload["strata"]:
        yield [messages.RECORD_STRATUM_LABEL.format(cls=s["class"]), class_text(s)]
    total = messages.RECORD_ROUND_TOTAL.format(
        eligible=payload["eligible_total"], pool=payload["pool_size"], drawn=payload["drawn_total"],
        effective=exact_and_percent(payload["effective_ratio"]),
    )  # fmt: skip
    yield [messages.RECORD_TOTAL_LABEL, total]


def class_text(s: StratumRecord) -> str:
    """One class of a draw in words: eligible, weight or ratio with its quota, drawn, effective ratio."""
    if not s["in_round"]:
        return messages.RECORD_CLASS_OUT.format(eligible=s["eligible"], frequency=s["frequency"])
    share = ""
    if s.get("weight") is not None:
        share = messages.RECORD_CLASS_WEIGHT.format(weight=s.get("weight"), quota=s.get("quota"))
    elif s.get("class_ratio") is not None:
        share = messages.RECORD_CLASS_RATIO.format(ratio=percent(Fraction(str(s.get("class_ratio")))))
    return messages.RECORD_CLASS.format(
        eligible=s["eligible"], share=share, drawn=s["drawn"], effective=exact_and_percent(s["ratio"])
    )


def exact_and_percent(value: str | None) -> str:
    """``"7/25"`` as ``7/25（28.0%）``; no ratio (no eligible entity) as "—"."""
    if value is None:
        return "—"
    return f"{value}（{percent_text(Fraction(value))}）"


def sampling_text(payload: DrawRecord) -> str:
    """不定向抽查, or 定向抽查 with the conditions it drew among."""
    target = payload.get("target")
    if not target:
        return payload.get("sampling", "不定向") + "抽查"
    conditions = []
    if target.get("risk_classes"):
        conditions.append(messages.SAMPLING_TARGET_CLASSES.format(classes="、".join(target["risk_classes"])))
    for column, value in target.get("registry_flags", {}).items():
        conditions.append(messages.SAMPLING_TARGET_FLAG.format(column=column, value=value))
    return messages.SAMPLING_TARGETED.format(conditions="且".join(conditions))


def _legacy_strata_rows(payload: DrawRecord) -> Iterator[list[object]]:
    """Records made before credit rules (plan version 1): each class's applied ratio."""
    for s in payload["strata"]:
        yield [messages.RECORD_STRATUM_LABEL.format(cls=s["class"]), messages.RECORD_STRATUM.format(**s)]
    yield [
        messages.RECORD_TOTAL_LABEL,
        messages.RECORD_TOTAL.format(drawn=len(payload["selected"]), pool=payload["pool_size"]),
    ]


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


def _results_sheet(payload: DrawRecord) -> Sheet:
    rows = (
        [payload["draw_id"], payload["task"], s["uscc"], s["name"], i, text, None, None, None, None]
        for s in payload["selected"]
        for i, text in enumerate(payload["items"], 1)
    )
    return Sheet(RESULT_SHEET, result_sheet_columns(), rows)


def read_record(path: Path, notes: list[str] | None = None) -> dict[str, Any]:
    """The machine-readable draw record in a workbook's 抽取记录 sheet (a hidden sheet noted in ``notes``)."""
    book = open_workbook(path)
    sheet = book.find_sheet([RECORD_SHEET])
    if sheet is None:
        raise UnreadableInput(messages.VERIFY_NO_RECORD.format(path=path))
    _note_hidden(book, sheet, notes)
    for row in book.rows(sheet):
        if len(row) >= 2 and str(row[0]).strip() == MACHINE_KEY:
            try:
                record = json.loads(str(row[1]))
            except json.JSONDecodeError:
                break
            if _well_formed(record):
                return dict(record)
    raise UnreadableInput(messages.VERIFY_NO_RECORD.format(path=path))


def _well_formed(record: object) -> bool:
    """A machine record we can recompute from: right keys and types (the workbook is untrusted)."""
    if not isinstance(record, dict):
        return False
    pairs = record.get("history_pairs", [])
    as_of = record.get("as_of")
    return (
        isinstance(record.get("plan"), str)
        and isinstance(record.get("seed"), str)
        and record["seed"].isdigit()
        and all(isinstance(record.get(k), int) and record[k] >= 1 for k in ("task", "round"))
        and (as_of is None or _is_iso_date(as_of))
        and isinstance(pairs, list)
        and all(isinstance(p, list) and len(p) == 2 for p in pairs)
    )


def _is_iso_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _note_hidden(book: Workbook, sheet: str, notes: list[str] | None) -> None:
    state = book.hidden_state(sheet)
    if state is not None and notes is not None:
        notes.append(messages.VERIFY_HIDDEN_SHEET.format(path=book.path, sheet=sheet, state=state))


def read_selected(path: Path, duplicates: list[str], notes: list[str] | None = None) -> dict[str, list[str]]:
    """uscc → team badges, as listed in the workbook's 抽取结果 sheet; repeated codes go to ``duplicates``."""
    book = open_workbook(path)
    sheet = book.find_sheet([SELECTED_SHEET])
    if sheet is not None:
        _note_hidden(book, sheet, notes)
    problems = ProblemList()
    table = (
        read_table(
            book, sheet, {"统一社会信用代码": [], "检查人员": []}, ["统一社会信用代码", "检查人员"], problems
        )
        if sheet
        else None
    )
    if table is None:
        raise UnreadableInput(messages.VERIFY_NO_RECORD.format(path=path))
    codes = normalize_key(table.frame["统一社会信用代码"])
    teams = table.frame["检查人员"].fillna("").astype(str).str.findall(r"（([^（）]+)）")
    listed: dict[str, list[str]] = {}
    for code, team in zip(codes, teams, strict=True):
        if code in listed:
            duplicates.append(str(code))
        elif code:
            listed[str(code)] = [str(b) for b in team]
    return listed
