"""The 抽取公告: the printable notice a bureau posts before the seed exists (``draw --prepare``).

One sheet, label in column A and value in column B, on one A4 page with lines for the seal and the
date: what will be drawn (plan, task, items, scope, departments, round), how many from how many
(by risk class, from the commitment's planned strata), the rule, how the seed will be made, when and
where the draw will be held and who will witness it (blank lines to fill in by hand when not given),
the commitment's hashes, and the ledger anchor as of the commitment record. Risk classes of single
entities and inspectors' names are not posted: the public sees counts and fingerprints, and the full
lists stay in the ledger for anyone entitled to check them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

from jcdraw import messages
from jcdraw.draw.commitment import Prepared
from jcdraw.draw.record_sheet import (
    RECORD_TEXT_WIDTH,
    SIGNATURE_LINE,
    anchor_rows,
    date_text,
    sampling_text,
)
from jcdraw.io.xlsx_print import PrintSetup
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook
from jcdraw.plans.credit import percent, rule_text
from jcdraw.plans.model import Plan, Task
from jcdraw.records import DrawRecord, PrepareRecord, as_draw_record

NOTICE_SHEET = "抽取公告"


def notice_output(plan_id: str, task: int, round_no: int, number: int) -> Path:
    """``抽取公告-{plan}-task{N}-round{R}.xlsx``; a second commitment's notice adds ``-2`` and so on."""
    suffix = "" if number == 1 else f"-{number}"
    return Path(f"{NOTICE_SHEET}-{plan_id}-task{task}-round{round_no}{suffix}.xlsx")


def write_notice(path: Path, prepared: Prepared, plan: Plan, *, force: bool = False) -> None:
    write_workbook(path, [notice_sheet(prepared, plan)], force=force)


def notice_sheet(prepared: Prepared, plan: Plan) -> Sheet:
    payload = prepared.payload
    task = plan.task(payload["task"])
    title = messages.NOTICE_TITLE.format(
        plan_name=plan.name, document_number=plan.document_number, task=task.number,
        task_name=task.name, round=payload["round"],
    )  # fmt: skip
    # Portrait, like the letters it is posted with; the texts wrap within the page's width.
    setup = PrintSetup(orientation="portrait", fit_one_page=True, footer_right=prepared.anchor.text())
    columns = [Column("项目", width=18), Column("内容", width=RECORD_TEXT_WIDTH, wrap=True)]
    return Sheet(NOTICE_SHEET, columns, list(_rows(prepared, plan, task)), title=title, print_setup=setup)


def _rows(prepared: Prepared, plan: Plan, task: Task) -> Iterator[list[object]]:
    payload = prepared.payload
    labels = messages.NOTICE_LABELS
    yield [labels["number"], messages.NOTICE_NUMBER.format(
        plan=plan.id, task=task.number, round=payload["round"], n=prepared.number)]  # fmt: skip
    if payload.get("reason"):
        yield [labels["reason"], payload.get("reason")]
    described = {"name": plan.name, "document_number": plan.document_number, "version": plan.version}
    yield [labels["plan"], messages.NOTICE_PLAN.format(plan=plan.id, **described)]
    yield [labels["task"], messages.NOTICE_TASK.format(task=task.number, name=task.name)]
    yield [labels["sampling"], sampling_text(_sampling(task))]
    yield [labels["category"], task.category]
    yield [labels["items"], "；".join(f"{i}. {text}" for i, text in enumerate(task.items, 1))]
    yield [labels["scope"], "、".join(plan.scope_of(task))]
    yield [labels["departments"], "、".join(task.departments)]
    yield [labels["period"], f"{task.period.start} 至 {task.period.end}"]
    yield [labels["round"], messages.NOTICE_ROUND.format(round=payload["round"])]
    yield [
        labels["rule"],
        f"{rule_text(plan.rule_for(task))}；{messages.NOTICE_RATIO.format(ratio=percent(Fraction(task.ratio)))}",
    ]
    yield [labels["pool"], _counts(payload["pool_size"], payload["class_counts"])]
    yield [labels["planned"], _planned(payload)]
    yield [labels["inspectors"], _inspectors(payload, task)]
    yield [labels["recusals"], messages.NOTICE_RECUSALS.format(count=len(payload.get("recusals", [])))]
    seed = messages.NOTICE_SEED_PLACEHOLDER
    rule = messages.RECORD_RULE.format(seed=seed, plan=plan.id, task=task.number, round=payload["round"])
    yield [labels["ticket_rule"], rule]
    yield [labels["seed_rule"], messages.NOTICE_SEED_RULE]
    yield [labels["draw_time"], payload.get("draw_time") or SIGNATURE_LINE]
    yield [labels["place"], payload.get("place") or SIGNATURE_LINE]
    yield [labels["witnesses"], "、".join(payload.get("witnesses", [])) or SIGNATURE_LINE]
    yield from _hash_rows(payload)
    yield from anchor_rows(prepared.anchor)
    yield [labels["note"], messages.NOTICE_NOTE]
    yield [labels["date"], date_text(payload["as_of"])]
    yield [labels["seal"], SIGNATURE_LINE]


def _sampling(task: Task) -> DrawRecord:
    fields: dict[str, object] = {"sampling": task.sampling}
    if task.target is not None:
        fields["target"] = {
            "risk_classes": task.target.risk_classes,
            "registry_flags": task.target.registry_flags,
        }
    return as_draw_record(fields)


def _counts(total: int, by_class: dict[str, int]) -> str:
    parts = "、".join(messages.NOTICE_CLASS_COUNT.format(cls=c, count=n) for c, n in by_class.items())
    return messages.NOTICE_POOL.format(count=total, classes=parts or "—")


def _planned(payload: PrepareRecord) -> str:
    planned = payload.get("planned", [])
    parts = "、".join(
        messages.NOTICE_CLASS_COUNT.format(
            cls=s["stratum"] if s["stratum"] != "*" else messages.NOTICE_ALL, count=s["size"]
        )
        for s in planned
        if s["in_round"]
    )
    return messages.NOTICE_PLANNED.format(count=payload.get("planned_total", 0), classes=parts or "—")


def _inspectors(payload: PrepareRecord, task: Task) -> str:
    lines = payload.get("inspectors", [])
    by_department = Counter(line.split("|", 1)[1] for line in lines)
    departments = "、".join(
        messages.NOTICE_DEPARTMENT_COUNT.format(department=d, count=by_department.get(d, 0))
        for d in task.departments
    )
    rule = "、".join(
        messages.NOTICE_DEPARTMENT_COUNT.format(department=d, count=n)
        for d, n in task.per_department().items()
    )
    return messages.NOTICE_INSPECTORS.format(
        count=len(lines), departments=departments, min_size=task.team.min_size, rule=rule
    )


def _hash_rows(payload: PrepareRecord) -> Iterator[list[object]]:
    labels = messages.NOTICE_LABELS
    yield [labels["pool_sha256"], payload["pool_sha256"]]
    yield [labels["inspectors_sha256"], payload.get("inspectors_sha256", "—")]
    yield [labels["recusals_sha256"], payload.get("recusals_sha256", "—")]
    registry = payload.get("registry_file")
    yield [
        labels["registry_sha256"],
        f"{payload['registry_sha256']}（{registry}）" if registry else payload["registry_sha256"],
    ]
    yield [labels["plan_sha256"], payload["plan_sha256"]]
