"""Tests for jcdraw.drawing: the pool, the prepare commitment, compute_draw and run_draw's integrity rules."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from jcdraw import messages
from jcdraw.draw import commitment
from jcdraw.draw import record_sheet as assignment_book
from jcdraw.draw import run as drawing
from jcdraw.draw.algorithm import pool_sha256
from jcdraw.draw.commitment import PoolChanged, check_commitment, prepare
from jcdraw.draw.pool import Pool, RegistryHasErrors, class_counts, load_pool
from jcdraw.draw.run import compute_draw, default_output, earlier_pairings, run_draw
from jcdraw.draw.teams import TeamImpossible
from jcdraw.draw.tickets import ticket
from jcdraw.draw.verify import verify
from jcdraw.errors import OutputError
from jcdraw.ledger import DrawExists, Ledger
from jcdraw.plans.load import load_plan, resolve_plan_path
from jcdraw.plans.model import Plan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED = "31415926535897932384"
AS_OF = dt.date(2024, 4, 1)


@pytest.fixture(scope="module")
def joint() -> Plan:
    return load_plan(resolve_plan_path("joint"))


@pytest.fixture(scope="module")
def example_pool(joint: Plan) -> Pool:
    """Task 1 of the joint plan on the example registry (loaded once; copy before changing)."""
    return load_pool(EXAMPLES / "registry.xlsx", joint, 1, as_of=AS_OF)


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "registry.xlsx"
    shutil.copy(EXAMPLES / "registry.xlsx", path)
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "jcdraw.sqlite3") as opened:
        yield opened


def with_entities(pool: Pool, entities: object) -> Pool:
    """A copy of ``pool`` with other entities (and their fingerprint)."""
    frame = pool.entities if entities is None else entities
    return dataclasses.replace(pool, entities=frame, sha256=pool_sha256(frame))  # type: ignore[arg-type]


# --- load_pool ---------------------------------------------------------------------------------------


def test_pool_of_the_example_task(example_pool: Pool) -> None:
    entities = example_pool.entities
    assert list(entities.columns) == ["uscc", "risk_class", "name", "region"]
    assert len(entities) == 24 and entities["uscc"].is_unique
    assert set(entities["region"]) == {"泽州县"}  # 泽州 is an alias
    assert set(entities["risk_class"]) == {"A", "B", "C", "D"}
    assert example_pool.sha256 == pool_sha256(entities)
    badges = set(example_pool.inspectors["badge"])
    assert "14050019002" in badges  # 市商务局 is an alias of 晋城市商务局
    assert "14050019010" not in badges  # qualified only for other categories
    assert "14050021006" not in badges  # credential expires 2024-08-05, before the task ends
    assert "14050012002" not in badges  # 离岗
    assert "14050023003" not in badges  # 税务局 takes no part in task 1
    assert set(example_pool.inspectors["department"]) == set(example_pool.task.departments)
    assert ("14050021007", "91140525MA0BDX4X3F") in example_pool.registry.recusals


def test_registry_errors_stop_before_the_pool(joint: Plan) -> None:
    with pytest.raises(RegistryHasErrors) as caught:
        load_pool(EXAMPLES / "registry-broken.xlsx", joint, 1, as_of=AS_OF)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert errors and caught.value.exit_code == 1
    assert caught.value.message == messages.DRAW_REGISTRY_ERRORS.format(
        path=EXAMPLES / "registry-broken.xlsx", count=len(errors)
    )


# --- prepare and the commitment ----------------------------------------------------------------------


def test_commitment_holds_for_the_same_pool(example_pool: Pool, ledger: Ledger) -> None:
    assert check_commitment(example_pool, ledger, 1) is None
    payload = prepare(example_pool, ledger, round_no=1, as_of=AS_OF).payload
    assert payload["pool_sha256"] == example_pool.sha256 and payload["pool_size"] == 24
    assert payload["class_counts"] == {"A": 9, "B": 12, "C": 2, "D": 1}
    assert len(payload["pool"]) == 24
    assert payload["inspectors"] == sorted(
        f"{b}|{d}"
        for b, d in zip(example_pool.inspectors["badge"], example_pool.inspectors["department"], strict=True)
    )
    assert payload["recusals"] == ["14050021007|91140525MA0BDX4X3F"]
    committed = check_commitment(example_pool, ledger, 1)
    assert committed is not None and committed.payload["pool_sha256"] == example_pool.sha256
    assert check_commitment(example_pool, ledger, 2) is None  # another round: no commitment


def test_changed_pool_names_added_removed_and_reclassified(example_pool: Pool, ledger: Ledger) -> None:
    prepare(example_pool, ledger, round_no=1, as_of=AS_OF)
    entities = example_pool.entities.copy()
    removed = entities.loc[0, "uscc"]
    reclassed = entities.loc[1, "uscc"]
    new_class = "D" if entities.loc[1, "risk_class"] != "D" else "A"
    entities.loc[1, "risk_class"] = new_class
    entities.loc[0, "uscc"] = added = "91140525MA0JC0001X"
    with pytest.raises(PoolChanged) as caught:
        check_commitment(with_entities(example_pool, entities), ledger, 1)
    message = caught.value.message
    assert caught.value.exit_code == 1
    assert messages.POOL_ADDED.format(count=1, codes=added) in message
    assert messages.POOL_REMOVED.format(count=1, codes=removed) in message
    assert messages.POOL_RECLASSED.format(count=1, codes=reclassed) in message
    assert messages.POOL_REGISTRY_CHANGED not in message  # same registry file


def test_huge_pool_commitment_compares_class_counts(
    example_pool: Pool, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commitment, "POOL_LIST_LIMIT", 10)
    payload = prepare(example_pool, ledger, round_no=1, as_of=AS_OF).payload
    assert "pool" not in payload
    smaller = example_pool.entities.iloc[1:].reset_index(drop=True)
    with pytest.raises(PoolChanged) as caught:
        check_commitment(with_entities(example_pool, smaller), ledger, 1)
    before = {"A": 9, "B": 12, "C": 2, "D": 1}
    now = class_counts(smaller)
    assert messages.POOL_COUNTS.format(before=before, now=now) in caught.value.message


# --- compute_draw ------------------------------------------------------------------------------------


def test_compute_draw_payload(example_pool: Pool) -> None:
    payload = compute_draw(example_pool, seed=SEED, round_no=1, history=set())
    selected = payload["selected"]
    assert len(selected) == 24  # task 1 draws 100 %
    assert [s["ticket"] for s in selected] == sorted(s["ticket"] for s in selected)
    assert all(s["ticket"] == ticket(SEED, "2024-joint", 1, 1, s["uscc"]) for s in selected)
    assert sum(payload["loads"].values()) == sum(len(s["team"]) for s in selected)
    assert set(payload["inspectors"]) == set(example_pool.inspectors["badge"])
    assert payload["history_pairs"] == []
    assert compute_draw(example_pool, seed=SEED, round_no=1, history=set()) == payload


def test_history_is_kept_for_drawn_entities_only(example_pool: Pool) -> None:
    plain = compute_draw(example_pool, seed=SEED, round_no=1, history=set())
    first = plain["selected"][0]
    seen = {(badge, first["uscc"]) for badge in first["team"]}
    history = seen | {("14050019001", "911405000000000000")}
    payload = compute_draw(example_pool, seed=SEED, round_no=1, history=history)
    assert payload["history_pairs"] == sorted([b, u] for b, u in seen)
    # Every inspector has load 0 for the first entity, so nobody who saw it before is chosen again.
    assert not set(payload["selected"][0]["team"]) & set(first["team"])


def test_team_impossible_names_the_entity_by_name_and_code(example_pool: Pool) -> None:
    entities = example_pool.entities
    code, name = str(entities.loc[3, "uscc"]), str(entities.loc[3, "name"])
    inspectors = example_pool.inspectors
    branch = [str(b) for b in inspectors.loc[inspectors["department"] == "晋城市公安分局", "badge"]]
    registry = copy.copy(example_pool.registry)
    registry.recusals = example_pool.registry.recusals | {(b, code) for b in branch}
    with pytest.raises(TeamImpossible) as caught:
        compute_draw(
            dataclasses.replace(example_pool, registry=registry), seed=SEED, round_no=1, history=set()
        )
    assert caught.value.exit_code == 1
    assert caught.value.uscc == code and caught.value.department == "晋城市公安分局"
    assert caught.value.message == messages.DRAW_TEAM_IMPOSSIBLE_DEPARTMENT.format(
        entity=f"{name}（{code}）",
        department="晋城市公安分局",
        reason=messages.DRAW_TEAM_ALL_RECUSED.format(total=len(branch)),
    )


# --- run_draw ----------------------------------------------------------------------------------------


def test_default_output_name(joint: Plan) -> None:
    assert default_output(joint, 3, 2) == Path("draw-2024-joint-task3-round2.xlsx")


def test_run_draw_records_and_writes(registry: Path, joint: Plan, ledger: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    result = run_draw(registry, joint, 1, seed=SEED, ledger=ledger, as_of=AS_OF, out=out)
    assert result.draw_id == "2024-joint-T1-R1-1" and result.out == out and result.out_error is None
    record = ledger.get_draw(result.draw_id)
    assert record is not None and record.payload == result.payload
    assert result.payload["as_of"] == "2024-04-01" and "prepared" not in result.payload
    assert assignment_book.read_record(out)["seed"] == SEED
    assert verify(out, registry).ok


def test_repeat_is_refused_before_the_output_check(
    registry: Path, joint: Plan, ledger: Ledger, tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    run_draw(registry, joint, 1, seed=SEED, ledger=ledger, as_of=AS_OF, out=out)
    with pytest.raises(DrawExists) as caught:
        run_draw(registry, joint, 1, seed=SEED, ledger=ledger, as_of=AS_OF, out=out)  # out exists too
    assert caught.value.exit_code == 1 and caught.value.draw_id == "2024-joint-T1-R1-1"
    assert "--redraw" in caught.value.message
    with pytest.raises(OutputError):  # a redraw still keeps the existing workbook unless forced
        run_draw(registry, joint, 1, seed=SEED, ledger=ledger, as_of=AS_OF, out=out, redraw_reason="复核")
    assert len(ledger.records("draw")) == 1


def test_redraw_ignores_the_draw_it_replaces(
    registry: Path, joint: Plan, ledger: Ledger, tmp_path: Path
) -> None:
    first = run_draw(registry, joint, 1, seed=SEED, ledger=ledger, as_of=AS_OF, out=tmp_path / "1.xlsx")
    other_task = run_draw(registry, joint, 4, seed=SEED, ledger=ledger, as_of=AS_OF, out=tmp_path / "4.xlsx")
    pairs_4 = {(b, s["uscc"]) for s in other_task.payload["selected"] for b in s["team"]}
    assert earlier_pairings(ledger, "2024-joint", 1, 1) == pairs_4
    assert earlier_pairings(ledger, "2024-joint", 1, 2) >= {
        (b, s["uscc"]) for s in first.payload["selected"] for b in s["team"]
    }
    redo = run_draw(
        registry,
        joint,
        1,
        seed=SEED,
        ledger=ledger,
        as_of=AS_OF,
        out=tmp_path / "2.xlsx",
        redraw_reason="复核",
    )
    assert redo.draw_id == "2024-joint-T1-R1-2" and redo.payload["supersedes"] == first.draw_id
    assert redo.payload["selected"] == first.payload["selected"]
    assert verify(tmp_path / "2.xlsx", registry).ok


def test_unwritable_workbook_keeps_the_draw(
    registry: Path, joint: Plan, ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(path: Path, payload: object, **options: object) -> None:
        raise OutputError(messages.OUTPUT_DISK_FULL.format(path=path))

    monkeypatch.setattr(drawing, "write_assignment", disk_full)
    out = tmp_path / "out.xlsx"
    result = run_draw(registry, joint, 1, seed=SEED, ledger=ledger, as_of=AS_OF, out=out)
    assert result.out is None and result.out_error == messages.OUTPUT_DISK_FULL.format(path=out)
    assert not out.exists()
    assert ledger.standing_draw("2024-joint", 1, 1) is not None


def test_prepared_draw_records_the_commitment(
    registry: Path, joint: Plan, ledger: Ledger, tmp_path: Path
) -> None:
    pool = load_pool(registry, joint, 1, as_of=AS_OF)
    committed = prepare(pool, ledger, round_no=1, as_of=AS_OF)
    result = run_draw(registry, joint, 1, seed=SEED, ledger=ledger, as_of=AS_OF, out=tmp_path / "o.xlsx")
    honoured = result.payload["prepared"]
    assert (honoured["pool_sha256"], honoured["registry_sha256"], honoured["inspectors_sha256"]) == (
        committed.payload["pool_sha256"],
        committed.payload["registry_sha256"],
        committed.payload["inspectors_sha256"],
    )
    assert (honoured["seq"], honoured["hash"]) == (committed.anchor.records, committed.anchor.head)
    assert result.payload["commitments"] == [honoured] and result.payload["refused"] == []


def test_prepared_draw_with_a_changed_registry_file_but_same_pool_goes_ahead(
    registry: Path, joint: Plan, ledger: Ledger, tmp_path: Path
) -> None:
    prepare(load_pool(registry, joint, 1, as_of=AS_OF), ledger, round_no=1, as_of=AS_OF)
    book = openpyxl.load_workbook(registry)
    book["检查对象"]["G3"] = "新地址"  # an address: not part of the pool
    book.save(registry)
    result = run_draw(registry, joint, 1, seed=SEED, ledger=ledger, as_of=AS_OF, out=tmp_path / "o.xlsx")
    assert result.payload["prepared"]["registry_sha256"] != result.payload["registry_sha256"]
