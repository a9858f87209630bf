"""Typed shapes that every stage shares: the draw record and the results sheet's columns.

The draw record is the JSON payload a draw writes to the ledger (``kind = "draw"``). It is built by
``jcdraw.draw.run`` and read by the ledger, the assignment workbook, verify, visits, publicity and the
plan history; they all use these names instead of their own string keys. The JSON bytes written to
the ledger are exactly the dict below, so a field may be added but never renamed: old ledgers must keep
reading and auditing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict, cast

# --- the results sheet (a contract with the people who fill it and with other tools) -------------

RESULT_SHEET = "检查结果"
RESULT_COLUMNS = [
    "抽取编号", "任务编号", "统一社会信用代码", "名称", "检查事项序号", "检查事项",
    "检查结果", "检查日期", "检查人员执法证号", "备注",
]  # fmt: skip
DRAW_ID, TASK, USCC, NAME, ITEM, ITEM_TEXT, RESULT, DATE, BADGES, NOTE = RESULT_COLUMNS
RESULT_REQUIRED = [DRAW_ID, TASK, USCC, ITEM, ITEM_TEXT, RESULT, DATE, BADGES]

# At least two law-enforcement officers take part in every inspection (行政执法人员不少于两人).
MIN_OFFICERS = 2


# --- the draw record ----------------------------------------------------------------------------


# One risk class of one draw (functional form: "class" is a Python keyword). Since the credit rules
# (plan version 2) ``ratio`` is the effective ratio drawn ÷ eligible; in records without ``rule`` it
# was the ratio applied to the class. Exact numbers are text ("3/10").
StratumRecord = TypedDict(
    "StratumRecord",
    {
        "class": str,
        "eligible": int,
        "ratio": str | None,
        "ratio_percent": float | None,
        "drawn": int,
        "frequency": int,
        "in_round": bool,
        "weight": NotRequired[str | None],  # weighted rule
        "class_ratio": NotRequired[str | None],  # ratios rule
        "quota": NotRequired[str | None],  # exact share before rounding
    },
)


class TargetRecord(TypedDict):
    risk_classes: list[str]
    registry_flags: dict[str, str]


class SelectedRecord(TypedDict):
    """One drawn entity and its team (badges in rule order)."""

    uscc: str
    name: str
    region: str
    risk_class: str
    ticket: str
    team: list[str]


class InspectorRecord(TypedDict):
    name: str
    department: str


class WitnessRecord(TypedDict):
    """One witness of a seed and the digits they gave ("" name: a plain ``--seed DIGITS``)."""

    name: str
    digits: str


class PreparedRecord(TypedDict):
    """A commitment as a draw lists it: the ``prepare`` record's place in the chain and its hashes.

    Records before witnessed seeds hold only the two hashes.
    """

    pool_sha256: str
    registry_sha256: str
    seq: NotRequired[int]
    hash: NotRequired[str]
    created_at: NotRequired[str]
    as_of: NotRequired[str]
    plan_sha256: NotRequired[str]
    inspectors_sha256: NotRequired[str]
    recusals_sha256: NotRequired[str]
    reason: NotRequired[str]


class PlannedStratum(TypedDict):
    """What a round will draw from a stratum, known before the seed (the 抽取公告 states it)."""

    stratum: str  # a class code, or "*" for a flat rule's one stratum
    eligible: int
    size: int
    in_round: bool


class PrepareRecord(TypedDict):
    """What ``draw --prepare`` commits to before the seed exists (ledger ``kind = "prepare"``)."""

    plan: str
    task: int
    round: int
    registry_sha256: str
    pool_sha256: str
    pool_size: int
    class_counts: dict[str, int]
    plan_sha256: str
    as_of: str
    tool_version: str
    pool: NotRequired[list[str]]  # "code|class" lines, sorted, for pools small enough to list
    # Since witnessed seeds: the inspectors and recusals, the plan of the round, the ledger, the notice.
    registry_file: NotRequired[str]
    inspectors: NotRequired[list[str]]  # "badge|department" lines, sorted
    inspectors_sha256: NotRequired[str]
    recusals: NotRequired[list[str]]  # "badge|code" lines, sorted
    recusals_sha256: NotRequired[str]
    planned: NotRequired[list[PlannedStratum]]
    planned_total: NotRequired[int]
    ledger_id: NotRequired[str]
    ledger_records: NotRequired[int]  # the ledger as it stood before this record
    ledger_head: NotRequired[str]
    reason: NotRequired[str]  # why a second (third …) commitment was made
    draw_time: NotRequired[str]  # when and where the draw will be held, who will witness it
    place: NotRequired[str]
    witnesses: NotRequired[list[str]]


class RefusalRecord(TypedDict):
    """A draw refused after its seed was given (ledger ``kind = "refused"``): the seed is public now."""

    plan: str
    task: int
    round: int
    seed: str
    witnesses: list[WitnessRecord]
    as_of: str
    details: str  # the refusal as the operator saw it
    pool_sha256: str
    inspectors_sha256: str
    recusals_sha256: str
    registry_sha256: str
    plan_sha256: str
    tool_version: str


class RefusedRecord(TypedDict):
    """A refused attempt as a later draw lists it."""

    seq: int
    hash: str
    created_at: str
    seed: str
    witnesses: list[WitnessRecord]
    details: str


class DrawRecord(TypedDict):
    """A draw as recorded in the ledger (``jcdraw.draw.run.compute_draw`` plus ledger fields)."""

    plan: str
    plan_name: str
    document_number: str
    plan_path: str
    plan_sha256: str
    plan_version: int
    year: int
    task: int
    task_name: str
    category: str
    items: list[str]
    period: list[str]  # [start, end], ISO dates
    departments: list[str]
    round: int
    seed: str
    registry_sha256: str
    registry_file: str
    pool_sha256: str
    pool_size: int
    strata: list[StratumRecord]
    # The credit rule (plan version 2 on; absent from older records).
    sampling: NotRequired[str]  # 不定向 / 定向
    rule: NotRequired[str]  # weighted | flat | ratios
    credit_rule: NotRequired[dict[str, Any]]
    nominal_ratio: NotRequired[str]  # the plan's ratio, exact ("3/10")
    eligible_total: NotRequired[int]  # entities of the classes drawn in this round
    drawn_total: NotRequired[int]
    effective_ratio: NotRequired[str | None]
    target: NotRequired[TargetRecord]  # a targeted task (定向抽查): whom it drew among
    selected: list[SelectedRecord]
    inspectors: dict[str, InspectorRecord]  # badge → name and department
    loads: dict[str, int]  # badge → entities given
    history_pairs: list[list[str]]  # [badge, uscc] pairs of earlier draws that shaped the teams
    tool_version: str
    as_of: NotRequired[str]
    drawn_at: NotRequired[str]
    prepared: NotRequired[PreparedRecord]  # the commitment honoured (the latest), if any
    # Since witnessed seeds (absent from older records).
    witnesses: NotRequired[list[WitnessRecord]]
    pool: NotRequired[list[str]]  # every eligible "code|class", sorted (the 对象池 sheet)
    inspectors_sha256: NotRequired[str]
    recusals: NotRequired[list[str]]  # binding "badge|code" recusals, sorted
    recusals_sha256: NotRequired[str]
    commitments: NotRequired[list[PreparedRecord]]  # every commitment for this task and round
    refused: NotRequired[list[RefusedRecord]]  # every refused attempt for this task and round
    empty: NotRequired[bool]  # a statement that the round had no eligible entity (--record-empty)
    # Filled in by the ledger when the draw is recorded.
    draw_id: NotRequired[str]
    supersedes: NotRequired[str]
    redraw_reason: NotRequired[str]


def as_draw_record(payload: Mapping[str, Any]) -> DrawRecord:
    """A ledger payload of kind ``draw`` read as the typed record (old ledgers lack only optional fields)."""
    return cast(DrawRecord, payload)


def as_prepare_record(payload: Mapping[str, Any]) -> PrepareRecord:
    """A ledger payload of kind ``prepare`` read as the typed record."""
    return cast(PrepareRecord, payload)


def as_refusal_record(payload: Mapping[str, Any]) -> RefusalRecord:
    """A ledger payload of kind ``refused`` read as the typed record."""
    return cast(RefusalRecord, payload)
