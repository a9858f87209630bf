"""Blank workbooks and workspaces for staff: the registry template and ``jcdraw init``.

The template carries the exact sheet and column names the loader expects, a 说明 sheet, and dropdowns
for every value that comes from a list (区域, 信用风险分类, 经营状态, 部门, 在岗状态), taken from the
plans so a changed plan changes the dropdowns.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from jcdraw import messages
from jcdraw.errors import InputProblems, LedgerError, OutputError, UnreadableInput
from jcdraw.io.xlsx_read import open_workbook
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook
from jcdraw.ledger import Ledger
from jcdraw.ledger.store import DEFAULT_FILE_NAME as LEDGER_FILE_NAME
from jcdraw.ledger.store import ID_KIND
from jcdraw.plans.folders import builtin_plans_dir
from jcdraw.plans.model import Plan
from jcdraw.registry import DEFAULT_FILE_NAME as REGISTRY_FILE_NAME
from jcdraw.registry.load import ENTITY_SHEET, INSPECTOR_SHEET, RECUSAL_SHEET

TEMPLATE_ROWS = 2000
ACTIVE_CHOICES = ["存续", "在业", "开业", "注销", "吊销", "撤销", "迁出"]
DUTY_CHOICES = ["在岗", "离岗", "退休", "调离"]


def registry_sheets(plans: list[Plan]) -> list[Sheet]:
    areas = plans[0].geography
    policy = plans[0].risk_policy
    categories = sorted({t.category for p in plans for t in p.tasks})
    risk_choices = [*policy.codes, *(c.aliases[0] for c in policy.classes if c.aliases)]
    entities = [
        Column("统一社会信用代码", width=22, comment=messages.TEMPLATE_USCC_COMMENT),
        Column("名称", width=36),
        Column("区域", choices=areas.region_names),
        Column(
            "监管类别",
            width=28,
            comment=messages.TEMPLATE_CATEGORY_COMMENT.format(choices="、".join(categories)),
        ),
        Column("信用风险分类", choices=risk_choices),
        Column("经营状态", choices=ACTIVE_CHOICES),
        Column("地址", width=36),
        Column("法定代表人"),
        Column("联系电话", width=16),
    ]
    inspectors = [
        Column("执法证号", width=16),
        Column("姓名"),
        Column("部门", width=28, choices=areas.department_names),
        Column("执法证有效期至", kind="date", width=16),
        Column("在岗状态", choices=DUTY_CHOICES),
        Column("可检查类别", width=28),
        Column("回避对象", width=40),
        Column("联系电话", width=16),
    ]
    recusals = [
        Column("执法证号", width=16),
        Column("统一社会信用代码", width=22),
        Column("回避原因", width=30),
    ]
    guide = [Column("说明", width=100)]
    return [
        Sheet(ENTITY_SHEET, entities, [], dropdown_rows=TEMPLATE_ROWS),
        Sheet(INSPECTOR_SHEET, inspectors, [], dropdown_rows=TEMPLATE_ROWS),
        Sheet(RECUSAL_SHEET, recusals, [], dropdown_rows=TEMPLATE_ROWS),
        Sheet(
            "说明",
            guide,
            [
                [line]
                for line in messages.TEMPLATE_GUIDE.format(categories="、".join(categories)).splitlines()
            ],
        ),
    ]


def write_registry_template(path: Path, plans: list[Plan], *, force: bool = False) -> None:
    write_workbook(path, registry_sheets(plans), force=force)


def init_workspace(folder: Path, plans: list[Plan], *, force: bool = False) -> list[Path]:
    """Create a ready workspace: plans copy, registry template, staff README. Returns files written.

    ``force`` rewrites them, but never in a workspace in use: a registry with any filled row, or a
    ledger holding more than its id record, refuses the run (``InputProblems``, nothing written) — the
    data is the user's to move. A ledger is never touched here, in use or not.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(messages.INIT_NOT_A_FOLDER.format(path=folder))
    if force:
        _refuse_live_workspace(folder)
    plans_dir = folder / "plans"
    plans_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for source in sorted(builtin_plans_dir().glob("*.yaml")):
        target = plans_dir / source.name
        if target.exists() and not force:
            continue
        shutil.copyfile(source, target)
        written.append(target)
    registry = folder / REGISTRY_FILE_NAME
    if force or not registry.exists():
        write_registry_template(registry, plans, force=force)
        written.append(registry)
    readme = folder / "使用说明.txt"
    if force or not readme.exists():
        readme.write_text(messages.WORKSPACE_README, encoding="utf-8")
        written.append(readme)
    return written


def _refuse_live_workspace(folder: Path) -> None:
    """``init --force`` stops short of a workspace in use (see ``init_workspace``)."""
    ledger = folder / LEDGER_FILE_NAME
    if ledger.exists() and _in_use(ledger):
        raise InputProblems(messages.INIT_FORCE_LEDGER.format(path=ledger))
    registry = folder / REGISTRY_FILE_NAME
    if registry.exists() and _has_data(registry):
        raise InputProblems(messages.INIT_FORCE_FILLED.format(path=registry))


def _in_use(ledger: Path) -> bool:
    """Whether ``ledger`` records anything but its id (what ``init`` writes); unreadable counts."""
    try:
        with Ledger.open(ledger, create=False, readonly=True) as book:
            newest = book.newest_seq()
            return newest > 1 or (newest == 1 and book.records()[0].kind != ID_KIND)
    except (LedgerError, UnreadableInput):  # not ours to judge, so not ours to replace
        return True


def _has_data(registry: Path) -> bool:
    """Whether a registry sheet has a filled row under its header; a file that cannot be read counts."""
    try:
        book = open_workbook(registry)
    except UnreadableInput:  # not ours to judge, so not ours to replace
        return True
    try:
        for names in (ENTITY_SHEET, INSPECTOR_SHEET, RECUSAL_SHEET):
            sheet = book.find_sheet([names])
            rows = book.rows(sheet) if sheet is not None else []
            if sum(any(str(cell).strip() for cell in row) for row in rows) > 1:
                return True
        return False
    except UnreadableInput:
        return True
    finally:
        book.close()
