"""``verify``: redo a draw from its assignment workbook and the registry, without the ledger.

``verify`` checks what a reader sees, not only the machine record:

1. every readable 抽取记录 row it relies on (抽取编号, plan, task, round, 随机种子, the witnesses'
   digits, the hashes, the anchor rows) against the machine-readable record of the same sheet;
2. the registry's pools (entities, inspectors and binding recusals, by their fingerprints) and the plan
   against what the record says the draw used; a registry file that changed only elsewhere is noted
   ("名录库已更新，对象池与人员池一致"), not counted as a difference;
3. the draw recomputed from the seed against the readable sheets: every code, name, team member's
   name and badge in 抽取结果, every row of 检查人员 and every code, class and ticket of 对象池.

It lists each difference, and reports the seed, the commitments, the refused attempts and the
ledger anchors it found, so the reader can check them against the 抽取公告 and the ledger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jcdraw import messages
from jcdraw.draw.commitment import planned_strata
from jcdraw.draw.pool import Pool, load_pool
from jcdraw.draw.readback import Listing, read_listing
from jcdraw.draw.record_sheet import anchor_rows, read_record_sheet, witness_text
from jcdraw.draw.run import compute_draw
from jcdraw.draw.tickets import SEPARATOR, tickets_for
from jcdraw.errors import BadPlan
from jcdraw.ledger import Anchor, anchors_in
from jcdraw.plans.load import find_plan, load_plan
from jcdraw.records import DrawRecord, PreparedRecord, RefusedRecord, WitnessRecord

# Labelled rows compared with the machine record (RECORD_LABELS keys the machine record holds).
READABLE_FIELDS = [
    "draw_id", "plan", "plan_version", "plan_sha256", "task", "round", "seed", "registry_sha256",
    "pool_sha256", "pool_size", "as_of", "supersedes", "redraw_reason",
]  # fmt: skip
SHOWN_CODES = 5


@dataclass
class Verification:
    workbook: Path
    registry: Path
    draw_id: str
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # a hidden sheet read, a registry updated elsewhere
    seed: str = ""
    witnesses: list[WitnessRecord] = field(default_factory=list)
    commitments: list[PreparedRecord] = field(default_factory=list)
    refused: list[RefusedRecord] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    empty: bool = False

    @property
    def ok(self) -> bool:
        return not self.differences


def verify(workbook: Path, registry_path: Path, plan_path: Path | None = None) -> Verification:
    """Redo the draw recorded in ``workbook`` from ``registry_path`` and list the differences."""
    notes: list[str] = []
    record, labelled = read_record_sheet(workbook, notes)
    result = Verification(workbook, registry_path, str(record.get("draw_id", "")), seed=str(record["seed"]))
    result.notes = notes
    result.witnesses = list(record.get("witnesses", []))
    result.commitments = list(record.get("commitments", []))
    result.refused = list(record.get("refused", []))
    result.empty = bool(record.get("empty"))
    result.anchors = anchors_in("\n".join(value for _, value in labelled))
    _check_readable(record, labelled, result)
    plan = (
        load_plan(plan_path)
        if plan_path
        else find_plan(str(record["plan"]), sha256=record.get("plan_sha256"))
    )
    if plan.id != record["plan"]:
        raise BadPlan(messages.PLAN_OF_DRAW_NOT_FOUND.format(plan=record["plan"], path=plan_path))
    if plan.sha256 != record.get("plan_sha256"):
        result.differences.append(messages.VERIFY_PLAN_CHANGED.format(plan=plan.id, path=plan.path))
    as_of = date.fromisoformat(record["as_of"]) if record.get("as_of") else date.today()
    pool = load_pool(registry_path, plan, int(record["task"]), as_of=as_of)
    if result.empty:
        _check_inputs(record, pool, registry_path, result)
        planned = sum(s["size"] for s in planned_strata(pool, int(record["round"])))
        if planned:
            result.differences.append(
                messages.VERIFY_EMPTY_NOT_EMPTY.format(path=registry_path, count=planned)
            )
        return result
    listing = read_listing(workbook, result.notes)
    result.differences.extend(messages.VERIFY_DUPLICATE.format(uscc=code) for code in listing.duplicates)
    history = {(str(b), str(u)) for b, u in record.get("history_pairs", [])}
    redo = compute_draw(pool, seed=result.seed, round_no=int(record["round"]), history=history)
    _check_inputs(record, pool, registry_path, result, listing, redo)
    _compare_selected(redo, listing, result.differences)
    _compare_pool_sheet(record, pool, listing, result.differences)
    return result


# --- 1. readable rows against the machine record ------------------------------------------------


def _check_readable(record: dict[str, Any], labelled: list[tuple[str, str]], result: Verification) -> None:
    first: dict[str, str] = {}
    for label, value in labelled:
        first.setdefault(label, value)
    out = result.differences
    for key in READABLE_FIELDS:
        label = messages.RECORD_LABELS[key]
        recorded = record.get(key)
        expected = "" if recorded is None else str(recorded)
        shown = first.get(label)
        if shown is None and expected:
            out.append(messages.VERIFY_CELL_MISSING.format(label=label, recorded=expected))
        elif shown is not None and shown != expected:
            out.append(messages.VERIFY_CELL.format(label=label, shown=shown, recorded=expected or "—"))
    witnesses = [w for w in result.witnesses if w["name"]]
    shown_witnesses = [v for k, v in labelled if _is_witness_label(k)]
    expected_witnesses = [witness_text(w) for w in result.witnesses] if witnesses else []
    if shown_witnesses != expected_witnesses:
        out.append(
            messages.VERIFY_WITNESSES.format(
                shown="；".join(shown_witnesses) or "—", recorded="；".join(expected_witnesses) or "—"
            )
        )
    _check_anchor_rows(first, result)


def _is_witness_label(label: str) -> bool:
    prefix = messages.RECORD_WITNESS_LABEL.format(n="")
    return label.startswith(prefix) and label[len(prefix) :].isdigit()


def _check_anchor_rows(first: dict[str, str], result: Verification) -> None:
    """台账编号, 记录校验值 and 台账校验值 must say what the printed anchor line says."""
    shown = [first.get(label) for label, _ in _anchor_labels()]
    if all(value is None for value in shown):
        return  # a workbook written before anchors, or a rehearsal
    if len(result.anchors) != 1:
        result.differences.append(messages.VERIFY_ANCHOR_MISMATCH)
        return
    expected = [value for _, value in _anchor_labels(result.anchors[0])]
    if shown != expected[: len(shown)]:
        result.differences.append(messages.VERIFY_ANCHOR_MISMATCH)


def _anchor_labels(anchor: Anchor | None = None) -> list[tuple[str, str]]:
    """(label, value) of the anchor rows but the last (the anchor line itself)."""
    rows = list(anchor_rows(anchor or Anchor("", 0, "")))[:-1]
    return [(str(label), str(value)) for label, value in rows]


# --- 2. the registry's pools against what the draw used -----------------------------------------


def _check_inputs(
    record: dict[str, Any],
    pool: Pool,
    registry_path: Path,
    result: Verification,
    listing: Listing | None = None,
    redo: DrawRecord | None = None,
) -> None:
    changed: list[str] = []
    if pool.sha256 != record.get("pool_sha256"):
        changed.append(messages.VERIFY_POOL_CHANGED)
    if record.get("inspectors_sha256", pool.inspectors_sha256) != pool.inspectors_sha256:
        changed.append(messages.VERIFY_INSPECTORS_CHANGED)
    if record.get("recusals_sha256", pool.recusals_sha256) != pool.recusals_sha256:
        changed.append(messages.VERIFY_RECUSALS_CHANGED)
    if listing is not None and redo is not None:
        changed += _inspector_rows(redo, listing)
    result.differences.extend(changed)
    if pool.registry.sha256 == record.get("registry_sha256"):
        return
    if changed:
        result.differences.append(messages.VERIFY_REGISTRY_CHANGED.format(path=registry_path))
    else:
        result.notes.append(messages.VERIFY_REGISTRY_UPDATED)


def _inspector_rows(redo: DrawRecord, listing: Listing) -> list[str]:
    """The 检查人员 sheet against the recomputed inspector pool and loads."""
    if listing.inspectors is None:
        return []
    out: list[str] = []
    shown = listing.inspectors
    for badge, info in redo["inspectors"].items():
        if badge not in shown:
            out.append(messages.VERIFY_INSPECTOR_MISSING.format(badge=badge))
            continue
        expected = (info["name"], info["department"], str(redo["loads"].get(badge, 0)))
        for label, listed, wanted in zip(
            messages.VERIFY_INSPECTOR_FIELDS, shown[badge], expected, strict=True
        ):
            if listed != wanted:
                out.append(
                    messages.VERIFY_INSPECTOR_ROW.format(
                        badge=badge, field=label, listed=listed, expected=wanted
                    )
                )
    out += [
        messages.VERIFY_INSPECTOR_EXTRA.format(badge=b) for b in sorted(set(shown) - set(redo["inspectors"]))
    ]
    return out


# --- 3. the recomputed draw against the readable sheets -----------------------------------------


def _compare_selected(redo: DrawRecord, listing: Listing, out: list[str]) -> None:
    expected = {s["uscc"]: s for s in redo["selected"]}
    listed = listing.selected
    for code in sorted(set(expected) - set(listed)):
        out.append(messages.VERIFY_MISSING.format(uscc=code))
    for code in sorted(set(listed) - set(expected)):
        out.append(messages.VERIFY_EXTRA.format(uscc=code))
    names = {badge: info["name"] for badge, info in redo["inspectors"].items()}
    for code in sorted(set(expected) & set(listed)):
        want, shown = expected[code], listed[code]
        if shown.name != want["name"]:
            out.append(messages.VERIFY_NAME.format(uscc=code, listed=shown.name, expected=want["name"]))
        if shown.badges != want["team"]:
            out.append(
                messages.VERIFY_TEAM.format(
                    uscc=code, listed="、".join(shown.badges), expected="、".join(want["team"])
                )
            )
            continue
        for member, badge in shown.team:
            if member != names.get(badge, ""):
                out.append(
                    messages.VERIFY_MEMBER_NAME.format(
                        uscc=code, badge=badge, listed=member, expected=names.get(badge, "")
                    )
                )


def _compare_pool_sheet(record: dict[str, Any], pool: Pool, listing: Listing, out: list[str]) -> None:
    """对象池: every eligible code with its class and its ticket from the seed, nothing else."""
    if listing.pool is None:
        if "inspectors_sha256" in record:  # written since the sheet exists: it must be there
            out.append(messages.VERIFY_POOL_SHEET_MISSING)
        return
    lines = pool.entity_lines
    codes = [line.split(SEPARATOR, 1)[0] for line in lines]
    tickets = tickets_for(
        str(record["seed"]), str(record["plan"]), int(record["task"]), int(record["round"]), codes
    )
    expected = {c: (line.split(SEPARATOR, 1)[1], t) for c, line, t in zip(codes, lines, tickets, strict=True)}
    shown = {code: (cls, t) for code, cls, t in listing.pool}
    repeated = Counter(code for code, _, _ in listing.pool)
    wrong = sorted(
        c for c in set(expected) | set(shown) if expected.get(c) != shown.get(c) or repeated[c] > 1
    )
    if wrong:
        out.append(messages.VERIFY_POOL_SHEET.format(count=len(wrong), codes=_few(wrong)))


def _few(codes: Iterable[str]) -> str:
    listed = list(codes)
    return "、".join(listed[:SHOWN_CODES]) + ("…" if len(listed) > SHOWN_CODES else "")
