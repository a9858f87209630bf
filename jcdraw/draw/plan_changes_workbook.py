"""The plan-changes workbook (``jcdraw plans --changes``), printable for the written report (§三).

Sheets: ``计划调整`` — one row per changed field (the same change on several tasks once), with the
adjustment's versions, date and wording, whether it affects the draw, and the draws made after and
before it; a plan used under one version only gets one row saying so — and ``计划版本``, the plan
files the year's draws used. Both print on A4 landscape, header repeated, the ledger anchor in the
footer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from jcdraw import messages
from jcdraw.draw.plan_changes import Adjustment, ChangeRow, PlanChangesReport
from jcdraw.io.xlsx_print import PrintSetup
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook

WIDTHS = [11, 22, 12, 12, 36, 10, 16, 34, 34, 8, 20, 20]


def default_output(year: int) -> Path:
    return Path(messages.CHANGES_DEFAULT_OUT.format(year=year))


def plan_changes_sheets(report: PlanChangesReport, anchor: str) -> list[Sheet]:
    m = messages
    setup = PrintSetup(orientation="landscape", footer_right=anchor)
    columns = [Column(h, width=w, wrap=True) for h, w in zip(m.CHANGES_HEADERS, WIDTHS, strict=True)]
    changes = Sheet(
        m.CHANGES_SHEET,
        columns,
        list(_change_rows(report)),
        title=m.CHANGES_TITLE.format(year=report.year),
        print_setup=setup,
    )
    version_columns = [Column(h, wrap=True) for h in m.CHANGES_VERSIONS_HEADERS]
    version_columns[1].kind = version_columns[5].kind = "number"
    version_columns[3].width = 66
    version_columns[6].width = 40
    versions = Sheet(
        m.CHANGES_VERSIONS_SHEET,
        version_columns,
        [
            [
                used.file.plan,
                used.version,
                used.file.path,
                used.file.sha256,
                used.first_draw,
                len(used.file.draws),
                "、".join(u.draw_id for u in used.file.draws),
                m.CHANGES_FILE_FOUND if used.plan is not None else m.CHANGES_FILE_MISSING,
            ]
            for versions_used in report.plans.values()
            for used in versions_used
        ],
        title=m.CHANGES_VERSIONS_TITLE.format(year=report.year),
        print_setup=setup,
    )
    return [changes, versions]


def _change_rows(report: PlanChangesReport) -> Iterator[list[object]]:
    adjusted = {a.plan_id for a in report.adjustments}
    for plan_id, used in report.plans.items():
        if plan_id not in adjusted:
            name = used[-1].plan.name if used[-1].plan is not None else ""
            yield [plan_id, name, messages.CHANGES_UNCHANGED, *[None] * 9]
    for adjustment in report.adjustments:
        head = _head(adjustment)
        if not adjustment.rows:
            yield [*head, None, messages.CHANGES_NO_FIELDS, *[None] * 5]
        for n, row in enumerate(adjustment.rows):
            # The name, date and wording of an adjustment are printed once, on its first row.
            yield [*(head if n == 0 else [head[0], None, head[2], None, None]), *_row(row)]


def _head(a: Adjustment) -> list[object]:
    m = messages
    if a.old.version == a.new.version:
        step = m.CHANGES_STEP_SAME.format(version=a.new.version)
        if a.unversioned:
            step = f"{step}\n{m.CHANGES_UNVERSIONED_MARK}"
    else:
        step = m.CHANGES_STEP.format(old=a.old.version, new=a.new.version)
    when = a.changed_on or m.CHANGES_DATE_MISSING.format(first=a.new.first_draw)
    text = a.text if a.text is not None else m.CHANGES_TEXT_MISSING.format(version=a.new.version)
    if a.by_records:
        text = f"{text}\n{m.CHANGES_BY_RECORDS}"
    return [a.plan_id, a.plan_name, step, when, text]


def _row(row: ChangeRow) -> list[object]:
    m = messages
    tasks = m.CHANGES_TASKS.format(tasks="、".join(map(str, row.tasks))) if row.tasks else m.CHANGES_ALL_TASKS
    change = row.change
    return [
        tasks,
        change.label,
        change.old if change.old is not None else m.CHANGES_ABSENT,
        change.new if change.new is not None else m.CHANGES_ABSENT,
        m.CHANGES_AFFECTS if change.content else m.CHANGES_INFO_ONLY,
        "、".join(row.draws_after),
        "、".join(row.draws_before),
    ]


def write_plan_changes(path: Path, report: PlanChangesReport, anchor: str, *, force: bool = False) -> None:
    write_workbook(path, plan_changes_sheets(report, anchor), force=force)
