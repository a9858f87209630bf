"""The 抽取记录 sheet: the draw in words, label in column A and value in column B, and read back.

Rows, in order: the labelled fields of the record (抽取编号 … 随机种子 …), each witness and the
digits they gave, the rule and the strata, every commitment (抽取前公告, or 未事先公告) and every
refused attempt of the task and round, the ledger anchor (台账编号, 记录校验值 — this draw's record
hash —, 台账校验值 — the chain head right after it — and the printed anchor line that
``jcdraw.ledger.anchors_in`` reads), the machine-readable record, and the signature lines with the
date. A rehearsal says 演练 instead of an anchor; a "no eligible entity" statement says so.
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
from jcdraw.io.clock import beijing_minute
from jcdraw.io.xlsx_read import Workbook, open_workbook
from jcdraw.ledger import Anchor
from jcdraw.plans.credit import percent, percent_text, rule_from_record, rule_text
from jcdraw.records import DrawRecord, PreparedRecord, StratumRecord, WitnessRecord

RECORD_SHEET = "抽取记录"
MACHINE_KEY = "机读记录"
# Fields of the draw record that verify needs; the rest of the record is for people.
MACHINE_FIELDS = [
    "draw_id", "plan", "plan_sha256", "plan_version", "year", "task", "round", "seed", "registry_sha256",
    "pool_sha256", "pool_size", "as_of", "tool_version", "history_pairs", "supersedes", "redraw_reason",
    "witnesses", "inspectors_sha256", "recusals_sha256", "commitments", "refused", "empty",
]  # fmt: skip
SIGNATURE_LINE = "＿" * 12
# The text column of label/text sheets: with the label column (18) just inside portrait A4 at 100 %.
RECORD_TEXT_WIDTH = 82
DIGIT_GROUP = 4


def record_rows(
    payload: DrawRecord, anchor: Anchor | None, *, practice: bool = False
) -> Iterator[list[object]]:
    """The rows of the 抽取记录 sheet (see the module docstring)."""
    labels = messages.RECORD_LABELS
    fields: Mapping[str, object] = payload  # the labelled fields are looked up by name
    if practice:
        yield [messages.RECORD_PRACTICE_LABEL, messages.RECORD_PRACTICE]
    if payload.get("empty"):
        yield [messages.RECORD_EMPTY_LABEL, empty_text(payload)]
    for key in labels:
        value = fields.get(key)
        if value not in (None, ""):
            yield [labels[key], "、".join(value) if isinstance(value, list) else value]
    yield from _witness_rows(payload)
    if not payload.get("empty"):
        yield [messages.RECORD_RULE_LABEL, messages.RECORD_RULE.format(**payload)]
    yield from _strata_rows(payload) if "rule" in payload else _legacy_strata_rows(payload)
    yield from _commitment_rows(payload)
    yield from _refused_rows(payload)
    if anchor is not None:
        yield from anchor_rows(anchor)
    machine = {k: fields[k] for k in MACHINE_FIELDS if k in fields}
    yield [MACHINE_KEY, json.dumps(machine, ensure_ascii=False, sort_keys=True, separators=(",", ":"))]
    yield from _signature_rows(payload)


def empty_text(payload: DrawRecord) -> str:
    return messages.RECORD_EMPTY.format(
        plan=payload["plan"], task=payload["task"], round=payload["round"], as_of=payload.get("as_of", ""),
        pool=payload["pool_size"], eligible=payload.get("eligible_total", 0),
    )  # fmt: skip


def grouped(digits: str) -> str:
    """Digits in groups of four, as people read them out.

    Example:
        >>> grouped("314159265358")
        '3141 5926 5358'
    """
    return " ".join(digits[i : i + DIGIT_GROUP] for i in range(0, len(digits), DIGIT_GROUP))


def _witness_rows(payload: DrawRecord) -> Iterator[list[object]]:
    witnesses = payload.get("witnesses")
    if witnesses is None or payload.get("empty"):
        return  # a record made before witnessed seeds: it says nothing about them
    named = [w for w in witnesses if w["name"]]
    if not named:
        yield [messages.RECORD_SEED_SOURCE_LABEL, messages.RECORD_SEED_PLAIN]
        return
    source = messages.RECORD_SEED_WITNESSED.format(count=len(named), digits=len(payload["seed"]))
    yield [messages.RECORD_SEED_SOURCE_LABEL, source]
    for n, witness in enumerate(witnesses, 1):
        yield [messages.RECORD_WITNESS_LABEL.format(n=n), witness_text(witness)]


def witness_text(witness: WitnessRecord) -> str:
    return messages.RECORD_WITNESS.format(name=witness["name"], digits=grouped(witness["digits"]))


def _commitment_rows(payload: DrawRecord) -> Iterator[list[object]]:
    listed = payload.get("commitments")
    if listed is None:  # records before every commitment was listed: the one honoured, if any
        listed = [payload["prepared"]] if "prepared" in payload else []
    if not listed:
        yield [messages.RECORD_NO_COMMITMENT_LABEL, messages.RECORD_NO_COMMITMENT]
    for n, commitment in enumerate(listed, 1):
        yield [messages.RECORD_COMMITMENT_LABEL.format(n=n), commitment_text(commitment)]


def commitment_text(commitment: PreparedRecord) -> str:
    """One commitment in words: when, where in the chain, and the hashes it fixed."""
    if "seq" not in commitment:
        return messages.RECORD_COMMITMENT_OLD.format(
            pool=commitment["pool_sha256"], registry=commitment["registry_sha256"]
        )
    reason = commitment.get("reason")
    return messages.RECORD_COMMITMENT.format(
        when=beijing_minute(commitment.get("created_at", "")), seq=commitment["seq"],
        hash=commitment.get("hash", ""), pool=commitment["pool_sha256"],
        inspectors=commitment.get("inspectors_sha256", "—"), recusals=commitment.get("recusals_sha256", "—"),
        reason=messages.RECORD_COMMITMENT_REASON.format(reason=reason) if reason else "",
    )  # fmt: skip


def _refused_rows(payload: DrawRecord) -> Iterator[list[object]]:
    for n, refused in enumerate(payload.get("refused", []), 1):
        named = "、".join(witness_text(w) for w in refused["witnesses"] if w["name"])
        text = messages.RECORD_REFUSED.format(
            when=beijing_minute(refused["created_at"]), seed=refused["seed"], seq=refused["seq"],
            witnesses=messages.RECORD_REFUSED_WITNESSES.format(witnesses=named) if named else "",
            details=refused["details"],
        )  # fmt: skip
        yield [messages.RECORD_REFUSED_LABEL.format(n=n), text]


def anchor_rows(anchor: Anchor) -> Iterator[list[object]]:
    """台账编号, 记录校验值, 台账校验值 and the printed anchor line (read back by ``anchors_in``)."""
    yield [messages.RECORD_LEDGER_ID_LABEL, anchor.ledger_id]
    yield [messages.RECORD_RECORD_HASH_LABEL, anchor.head]
    yield [messages.RECORD_HEAD_LABEL, anchor.head]
    yield [messages.RECORD_ANCHOR_LABEL, messages.RECORD_ANCHOR_NOTE.format(anchor=anchor.text())]


def _signature_rows(payload: DrawRecord) -> Iterator[list[object]]:
    yield [messages.RECORD_SIGN_DRAWER, SIGNATURE_LINE]
    yield [messages.RECORD_SIGN_SUPERVISOR, SIGNATURE_LINE]
    named = [w["name"] for w in payload.get("witnesses", []) if w["name"]]
    for name in named or [""]:
        yield [messages.RECORD_SIGN_WITNESS, f"{name}　{SIGNATURE_LINE}" if name else SIGNATURE_LINE]
    yield [messages.RECORD_SIGN_DATE, date_text(payload.get("as_of"))]


def date_text(iso: str | None) -> str:
    """``2024-04-01`` as ``2024 年 4 月 1 日``; no date as blanks to fill in by hand."""
    if not iso:
        return messages.RECORD_DATE_BLANK
    day = date.fromisoformat(iso)
    return messages.RECORD_DATE.format(year=day.year, month=day.month, day=day.day)


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


# --- reading back ------------------------------------------------------------------------------


def read_record_sheet(
    path: Path, notes: list[str] | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The machine-readable record and every labelled row (label, value as text) of the 抽取记录 sheet.

    A hidden 抽取记录 sheet is read all the same and noted in ``notes``.
    """
    book = open_workbook(path)
    sheet = book.find_sheet([RECORD_SHEET])
    if sheet is None:
        raise UnreadableInput(messages.VERIFY_NO_RECORD.format(path=path))
    note_hidden(book, sheet, notes)
    labelled: list[tuple[str, str]] = []
    machine: dict[str, Any] | None = None
    for row in book.rows(sheet):
        if len(row) < 2:
            continue
        label, value = str(row[0]).strip(), cell_text(row[1])
        if label == MACHINE_KEY and machine is None:
            machine = _machine(value)
        elif label:
            labelled.append((label, value))
    if machine is None:
        raise UnreadableInput(messages.VERIFY_NO_RECORD.format(path=path))
    return machine, labelled


def read_record(path: Path, notes: list[str] | None = None) -> dict[str, Any]:
    """The machine-readable draw record in a workbook's 抽取记录 sheet."""
    return read_record_sheet(path, notes)[0]


def note_hidden(book: Workbook, sheet: str, notes: list[str] | None) -> None:
    """A sheet a reader does not see is still read; say so."""
    state = book.hidden_state(sheet)
    if state is not None and notes is not None:
        notes.append(messages.VERIFY_HIDDEN_SHEET.format(path=book.path, sheet=sheet, state=state))


def cell_text(value: object) -> str:
    """A cell as the text a reader sees: whole numbers without ".0", everything stripped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _machine(text: str) -> dict[str, Any] | None:
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return None
    return dict(record) if _well_formed(record) else None


def _well_formed(record: object) -> bool:
    """A machine record we can recompute from: right keys and types (the workbook is untrusted)."""
    if not isinstance(record, dict):
        return False
    pairs = record.get("history_pairs", [])
    as_of = record.get("as_of")
    seed = record.get("seed")
    return (
        isinstance(record.get("plan"), str)
        and isinstance(seed, str)
        and (seed.isdigit() or (seed == "" and record.get("empty") is True))
        and all(isinstance(record.get(k), int) and record[k] >= 1 for k in ("task", "round"))
        and (as_of is None or _is_iso_date(as_of))
        and isinstance(pairs, list)
        and all(isinstance(p, list) and len(p) == 2 for p in pairs)
        and isinstance(record.get("witnesses", []), list)
        and all(_is_witness(w) for w in record.get("witnesses", []))
    )


def _is_witness(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and isinstance(value.get("digits"), str)
    )


def _is_iso_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True
