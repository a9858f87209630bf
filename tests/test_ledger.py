"""The ledger: hash chain, tamper detection, draws and redraws, results and corrections, safe opening."""

from __future__ import annotations

import doctest
import hashlib
import json
import multiprocessing
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jcdraw import ledger as ledger_module
from jcdraw import messages
from jcdraw.errors import LedgerError
from jcdraw.ledger import DrawExists, Ledger, ResultConflict
from jcdraw.ledger import book as ledger_book
from jcdraw.ledger import chain as ledger_chain
from jcdraw.ledger import store as ledger_store

PLAN = "2024-joint"
USCC = "91140500MA0K1234X1"
NOON = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)  # 16:00 in Beijing


def fixed_clock() -> datetime:
    return NOON


def open_ledger(path: Path, **kwargs: Any) -> Ledger:
    return Ledger.open(path, clock=fixed_clock, **kwargs)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "台账.sqlite3"


@pytest.fixture
def ledger(path: Path) -> Iterator[Ledger]:
    opened = open_ledger(path)
    yield opened
    opened.close()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fill(ledger: Ledger, count: int = 5) -> None:
    with ledger.writing() as w:
        for n in range(1, count + 1):
            w.append("note", f"k{n}", {"n": n, "文字": "检查"})


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection with the append-only triggers dropped, as a determined tamperer would."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("DROP TRIGGER records_no_delete")
    return conn


def file_state(path: Path) -> tuple[bytes, list[str]]:
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


# --- the chain ---------------------------------------------------------------------------------


def test_chain_matches_the_documented_formula(ledger: Ledger) -> None:
    fill(ledger, 3)
    records = ledger.records()
    prev = "0" * 64
    for expected_seq, record in enumerate(records, start=1):
        payload = json.dumps(record.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        text = f"{record.seq}|{record.kind}|{record.key}|{record.created_at}|{payload}|{prev}"
        assert (record.seq, record.prev_hash, record.hash) == (expected_seq, prev, sha256_text(text))
        prev = record.hash
    assert records[0].created_at == "2024-05-01T08:00:00Z"
    assert records[2].payload == {"n": 3, "文字": "检查"}
    assert ledger.last_hash() == records[-1].hash
    assert ledger.audit() == ledger_module.AuditReport(True, 3, None, None)


def test_empty_ledger_audits_ok_and_has_genesis_hash(ledger: Ledger) -> None:
    assert ledger.last_hash() == "0" * 64
    assert ledger.audit().ok
    assert len(ledger.ledger_id) == 32


def test_stored_file_is_marked_as_jcdraw(ledger: Ledger, path: Path) -> None:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == ledger_store.APPLICATION_ID
    assert dict(conn.execute("SELECT name, value FROM meta"))["schema_version"] == "1"
    conn.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=20, deadline=None)
@given(payloads=st.lists(st.dictionaries(st.text(max_size=6), json_values, max_size=4), max_size=6))
def test_any_json_payloads_round_trip_and_audit_ok(payloads: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder, Ledger.open(Path(folder) / "l.sqlite3") as ledger:
        with ledger.writing() as w:
            for payload in payloads:
                w.append("note", "键|x", payload)
        assert [r.payload for r in ledger.records()] == payloads
        assert ledger.audit() == ledger_module.AuditReport(True, len(payloads), None, None)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), json_values))
def test_canonical_json_is_the_documented_dumps(payload: dict[str, Any]) -> None:
    documented = json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    assert ledger_module.canonical_json(payload) == documented


column_values = st.one_of(
    st.sampled_from(
        [ledger_module.ABSENT, None, True, False, 0, 1, -0.0, 0.0, 1.0, "1", "", "检查", ("1",), (1,)]
    ),
    json_values,
    st.lists(st.text(max_size=4), max_size=3).map(tuple),
    st.floats(allow_nan=False, allow_infinity=False),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.lists(column_values, min_size=3, max_size=3), max_size=5))
def test_canonical_json_rows_equal_each_row_encoded_alone(columns: dict[str, list[Any]]) -> None:
    """Built a column at a time, with each distinct value encoded once, every row is its canonical_json:
    values that are equal but encode differently (True, 1, 1.0; 0.0, -0.0) never share a text."""
    rows = [
        {name: values[n] for name, values in columns.items() if values[n] is not ledger_module.ABSENT}
        for n in range(3)
    ]
    expected = [ledger_module.canonical_json(row) for row in rows] if columns else []
    assert ledger_module.canonical_json_rows(columns) == expected


def test_result_columns_store_what_result_rows_store(tmp_path: Path) -> None:
    """Recording columns and recording the same rows one by one leave identical payload texts."""
    texts = []
    for name, by_columns in (("rows", False), ("columns", True)):
        with Ledger.open(tmp_path / f"{name}.sqlite3") as ledger:
            draw_id = ledger.record_draw(PLAN, 1, 1, {})
            rows = [published_row(draw_id, n, note="备注") for n in range(3)] + [published_row(draw_id, 3)]
            rows[1]["uscc"] = " ９１１４０５００ma0000001x\u200b"
            rows[2]["item"] = " 3 "
            if by_columns:
                columns = {key: [row.get(key, ledger_module.ABSENT) for row in rows] for key in rows[0]}
                assert ledger.record_result_columns(columns) == 4
            else:
                assert ledger.record_results(rows) == 4
            texts.append(
                [
                    (r[0], r[1])
                    for r in ledger._query("SELECT key, payload FROM records WHERE kind = 'result'")
                ]
            )
    assert texts[0] == texts[1]
    assert texts[0][1][0] == f"{PLAN}-T1-R1-1|91140500MA0000001X|2"
    assert '"note"' not in texts[0][3][1] and '"note":"备注"' in texts[0][0][1]


def test_dates_are_stored_as_iso_text_and_nan_is_refused(ledger: Ledger) -> None:
    with ledger.writing() as w:
        record = w.append("note", "", {"day": date(2024, 5, 1)})
    assert record.payload == {"day": "2024-05-01"}
    with pytest.raises(ValueError), ledger.writing() as w:
        w.append("note", "", {"x": float("nan")})
    assert len(ledger.records()) == 1


def test_module_doctests_pass() -> None:
    assert doctest.testmod(ledger_chain).failed == 0


# --- tamper detection --------------------------------------------------------------------------


def tampered_audit(path: Path, *statements: str) -> ledger_module.AuditReport:
    with open_ledger(path) as ledger:
        fill(ledger, 5)
    conn = raw(path)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    with open_ledger(path, readonly=True) as ledger:
        return ledger.audit()


def test_audit_detects_an_updated_payload(path: Path) -> None:
    report = tampered_audit(path, """UPDATE records SET payload = '{"n":33,"文字":"检查"}' WHERE seq = 3""")
    assert (report.ok, report.checked, report.first_broken_seq) == (False, 2, 3)
    assert report.reason == "第 3 条记录的内容与其校验值不符，记录可能被改动。"


def test_audit_detects_a_deleted_middle_row(path: Path) -> None:
    report = tampered_audit(path, "DELETE FROM records WHERE seq = 3")
    assert (report.ok, report.first_broken_seq) == (False, 3)
    assert report.reason == "第 3 条记录缺失（之后是第 4 条），记录可能被删除。"


def test_audit_detects_a_deleted_first_row(path: Path) -> None:
    report = tampered_audit(path, "DELETE FROM records WHERE seq = 1")
    assert (report.ok, report.first_broken_seq) == (False, 1)


def test_audit_detects_a_changed_hash_column(path: Path) -> None:
    report = tampered_audit(path, f"UPDATE records SET hash = '{'a' * 64}' WHERE seq = 3")
    assert (report.ok, report.first_broken_seq) == (False, 3)


def test_audit_detects_a_changed_timestamp(path: Path) -> None:
    report = tampered_audit(path, "UPDATE records SET created_at = '2024-04-30T08:00:00Z' WHERE seq = 4")
    assert (report.ok, report.first_broken_seq) == (False, 4)


def test_audit_detects_a_rehashed_record_by_the_next_link(path: Path) -> None:
    # The forger recomputes record 3's own hash, but record 4 still points at the old one.
    with open_ledger(path) as ledger:
        fill(ledger, 5)
        third = ledger.records()[2]
    forged = '{"n":99,"文字":"检查"}'
    new_hash = sha256_text(f"3|note|k3|{third.created_at}|{forged}|{third.prev_hash}")
    conn = raw(path)
    conn.execute("UPDATE records SET payload = ?, hash = ? WHERE seq = 3", (forged, new_hash))
    conn.close()
    with open_ledger(path) as ledger:
        report = ledger.audit()
    assert (report.ok, report.first_broken_seq) == (False, 4)
    assert report.reason == "第 4 条记录登记的前一条校验值与第 3 条记录不符，记录可能被删除、插入或改动。"


def test_audit_detects_an_inserted_row_with_a_valid_looking_chain(path: Path) -> None:
    with open_ledger(path) as ledger:
        fill(ledger, 5)
        last = ledger.records()[-1]
    payload = '{"n":6}'
    forged_hash = sha256_text(f"6|note|k6|{last.created_at}|{payload}|{last.hash}")
    conn = raw(path)
    conn.execute(
        "INSERT INTO records VALUES (6, 'note', 'k6', ?, ?, ?, ?)",
        (last.created_at, payload, last.hash, forged_hash),
    )
    conn.close()
    with open_ledger(path) as ledger:
        report = ledger.audit()
        assert (report.ok, report.checked, report.first_broken_seq) == (False, 6, 6)
        assert report.reason is not None and "末尾的记录可能被删除或添加" in report.reason
        with pytest.raises(LedgerError, match="可能被改动过，已拒绝写入"):
            ledger.record_publication({"x": 1})


def test_audit_detects_an_inserted_row_with_a_wrong_hash(path: Path) -> None:
    report = tampered_audit(
        path, "INSERT INTO records VALUES (6, 'note', 'k6', '2024-05-01T08:00:00Z', '{}', 'x', 'y')"
    )
    assert (report.ok, report.first_broken_seq) == (False, 6)


def test_deleted_last_row_is_detected_and_writing_refused(path: Path) -> None:
    report = tampered_audit(path, "DELETE FROM records WHERE seq = 5")
    assert (report.ok, report.checked, report.first_broken_seq) == (False, 4, 5)
    with open_ledger(path) as ledger, pytest.raises(LedgerError, match="已拒绝写入"):
        ledger.record_draw(PLAN, 1, 1, {})
    with open_ledger(path) as ledger:
        assert len(ledger.records()) == 4


def test_non_canonical_payload_is_reported(path: Path) -> None:
    report = tampered_audit(path, """UPDATE records SET payload = '{"文字": "检查", "n": 2}' WHERE seq = 2""")
    assert (report.first_broken_seq, report.reason) == (
        2,
        "第 2 条记录的内容格式不规范（不是标准 JSON），记录可能被手工改动。",
    )


STORABLE = st.text(st.characters(exclude_categories=["Cs"]))  # SQLite text is valid UTF-8: no lone surrogates


@settings(max_examples=60, deadline=None)
@given(STORABLE, STORABLE, STORABLE)
def test_hashing_stored_bytes_equals_the_documented_formula(key: str, payload: str, prev: str) -> None:
    hashed = ledger_chain.record_hash_of_bytes(
        7, "result", key, "2024-05-01T08:00:00Z", payload.encode(), prev
    )
    assert hashed == ledger_chain.record_hash(7, "result", key, "2024-05-01T08:00:00Z", payload, prev)


def test_a_ledger_stored_as_utf16_still_chains_and_audits(path: Path) -> None:
    with sqlite3.connect(path) as conn:  # a blank database that happens to store text as UTF-16
        conn.execute('PRAGMA encoding = "UTF-16le"')
        conn.execute("CREATE TABLE x (y)")
        conn.execute("DROP TABLE x")
    with open_ledger(path) as ledger:
        ledger.record_draw(PLAN, 1, 1, {"名称": "检查"})
        ledger.record_draw(PLAN, 2, 1, {"名称": "抽查"})  # re-hashes the newest record first
        assert ledger.audit().ok
        assert raw(path).execute("PRAGMA encoding").fetchone()[0] == "UTF-16le"


def test_triggers_refuse_casual_edits(ledger: Ledger, path: Path) -> None:
    fill(ledger, 2)
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE records SET payload = '{}' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM records")
    conn.close()
    assert ledger.audit().ok


# --- writing -----------------------------------------------------------------------------------


def test_writing_rolls_back_everything_on_error(ledger: Ledger) -> None:
    fill(ledger, 1)
    with pytest.raises(RuntimeError), ledger.writing() as w:
        w.append("note", "a", {"n": 1})
        ledger.record_publication({"nested": True})  # joins the outer transaction
        raise RuntimeError("boom")
    assert [r.key for r in ledger.records()] == ["k1"]
    fill(ledger, 1)  # the chain continues from the committed head
    assert ledger.audit() == ledger_module.AuditReport(True, 2, None, None)


def test_nested_domain_calls_share_one_transaction(ledger: Ledger) -> None:
    with ledger.writing():
        draw_id = ledger.record_draw(PLAN, 1, 1, {})
        ledger.record_results([{"draw_id": draw_id, "uscc": USCC, "item": "资质", "result": "合格"}])
        ledger.record_publication({"draw_id": draw_id}, key=draw_id)
    assert [r.kind for r in ledger.records()] == ["draw", "result", "publication"]
    assert ledger.audit().ok


# --- draws -------------------------------------------------------------------------------------


def test_prepare_records_are_kept_and_latest_is_returned(ledger: Ledger) -> None:
    assert ledger.latest_prepare(PLAN, 1, 1) is None
    ledger.record_prepare(PLAN, 1, 1, {"seed": "a"})
    second = ledger.record_prepare(PLAN, 1, 1, {"seed": "b"})
    ledger.record_prepare(PLAN, 2, 1, {"seed": "c"})
    assert ledger.latest_prepare(PLAN, 1, 1) == second
    assert second.key == "2024-joint|1|1"


def test_redraw_needs_a_reason_and_keeps_both_draws(ledger: Ledger) -> None:
    first = ledger.record_draw(PLAN, 1, 1, {"year": 2024, "selected": []})
    assert first == "2024-joint-T1-R1-1"
    with pytest.raises(DrawExists) as refused:
        ledger.record_draw(PLAN, 1, 1, {"selected": []})
    assert refused.value.draw_id == first
    assert str(refused.value) == (
        "计划“2024-joint”任务 1 第 1 轮已于 2024-05-01 16:00（北京时间）抽取过，抽取编号 2024-joint-T1-R1-1，"
        "不能重复抽取。确需重新抽取，请加 --redraw --reason 原因（原因会记入台账）。"
    )
    with pytest.raises(LedgerError, match="必须写明原因"):
        ledger.record_draw(PLAN, 1, 1, {}, redraw_reason="  ")
    second = ledger.record_draw(PLAN, 1, 1, {"selected": []}, redraw_reason=" 名录库有误 ")
    assert second == "2024-joint-T1-R1-2"
    new = ledger.get_draw(second)
    assert new is not None
    assert (new.payload["supersedes"], new.payload["redraw_reason"]) == (first, "名录库有误")
    assert ledger.standing_draw(PLAN, 1, 1) == new
    assert (ledger.is_standing(first), ledger.is_standing(second)) == (False, True)
    assert ledger.superseded_by(first) == second
    assert [r.payload["draw_id"] for r in ledger.draws()] == [second]
    assert [r.payload["draw_id"] for r in ledger.draws(standing_only=False)] == [first, second]
    assert ledger.audit() == ledger_module.AuditReport(True, 2, None, None)


def test_redraw_without_a_draw_is_refused(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="还没有抽取记录"):
        ledger.record_draw(PLAN, 1, 1, {}, redraw_reason="原因")
    assert ledger.records() == []


def test_draw_payload_may_not_set_ledger_fields(ledger: Ledger) -> None:
    with pytest.raises(ValueError):
        ledger.record_draw(PLAN, 1, 1, {"draw_id": "mine"})


def test_draw_ids_are_unique_per_task_and_round(ledger: Ledger) -> None:
    ids = [ledger.record_draw(PLAN, task, rnd, {}) for task in (1, 2) for rnd in (1, 2)]
    assert ids == ["2024-joint-T1-R1-1", "2024-joint-T1-R2-1", "2024-joint-T2-R1-1", "2024-joint-T2-R2-1"]
    assert ledger.get_draw("nope") is None


def test_draws_by_year_and_pairings(ledger: Ledger) -> None:
    ledger.record_draw(
        PLAN, 1, 1, {"selected": [{"uscc": "９１１４０５００ma0k1234x1", "team": ["J1", "J2"]}]}
    )
    ledger.record_draw("2025-joint", 1, 1, {"selected": [{"uscc": USCC, "team": ["J3"]}]})
    ledger.record_draw("special", 1, 1, {"year": 2025, "selected": []})
    old = ledger.record_draw("2025-internal", 1, 1, {"selected": [{"uscc": USCC, "team": ["J9"]}]})
    ledger.record_draw("2025-internal", 1, 1, {"selected": []}, redraw_reason="错")
    assert [r.key for r in ledger.draws(year=2024)] == ["2024-joint|1|1"]
    assert [r.key for r in ledger.draws(year=2025)] == ["2025-joint|1|1", "special|1|1", "2025-internal|1|1"]
    assert old in [r.payload["draw_id"] for r in ledger.draws(standing_only=False, year=2025)]
    assert ledger.pairings() == {("J1", USCC), ("J2", USCC), ("J3", USCC)}


def _race_worker(path: str, barrier: Any, queue: Any) -> None:
    """One of two processes drawing the same task at the same moment."""
    original = ledger_module.Ledger.records

    def slow_records(self: Ledger, kind: str | None = None, key: str | None = None) -> list[Any]:
        found = original(self, kind, key)
        if kind == "draw":
            time.sleep(0.3)  # widen the gap between "is there a draw?" and the append
        return found

    ledger_module.Ledger.records = slow_records  # type: ignore[method-assign]
    with Ledger.open(Path(path)) as ledger:
        barrier.wait()
        try:
            queue.put(("drawn", ledger.record_draw(PLAN, 1, 1, {"pid": os.getpid()})))
        except DrawExists as err:
            queue.put(("refused", err.draw_id))
        except Exception as err:  # reported to the parent rather than lost in the child
            queue.put(("error", repr(err)))


def test_two_processes_drawing_at_once_exactly_one_wins(path: Path) -> None:
    Ledger.open(path).close()
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_race_worker, args=(str(path), barrier, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    outcomes = sorted(queue.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert outcomes == [("drawn", "2024-joint-T1-R1-1"), ("refused", "2024-joint-T1-R1-1")]
    with Ledger.open(path, readonly=True) as ledger:
        assert len(ledger.records("draw")) == 1
        assert ledger.audit().ok


# --- opening safely ----------------------------------------------------------------------------


@pytest.mark.parametrize("options", [{}, {"readonly": True}, {"create": False}])
def test_a_non_sqlite_file_is_refused_untouched(path: Path, options: dict[str, Any]) -> None:
    path.write_bytes(b"hello")
    before = file_state(path)
    with pytest.raises(LedgerError) as refused:
        Ledger.open(path, **options)
    assert str(refused.value) == messages.LEDGER_NOT_SQLITE.format(path=path)
    assert "不是 jcdraw 台账文件" in str(refused.value)
    assert file_state(path) == before


@pytest.mark.parametrize("options", [{}, {"readonly": True}])
def test_another_programs_database_is_refused_untouched(path: Path, options: dict[str, Any]) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.execute("INSERT INTO users VALUES ('张三')")
    conn.commit()
    conn.close()
    before = file_state(path)
    with pytest.raises(LedgerError, match="其他程序的 SQLite 数据库"):
        Ledger.open(path, **options)
    assert file_state(path) == before


def test_a_newer_schema_is_refused_untouched(path: Path) -> None:
    Ledger.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerError) as refused:
        Ledger.open(path)
    assert str(refused.value) == messages.LEDGER_NEWER_SCHEMA.format(path=path, found="99", supported=1)
    # Reading any WAL-mode database leaves SQLite's -wal/-shm side files; the file itself is unchanged.
    assert path.read_bytes() == before


def test_missing_file_is_created_only_when_allowed(path: Path) -> None:
    all_options: list[dict[str, Any]] = [{"create": False}, {"readonly": True}]
    for options in all_options:
        with pytest.raises(LedgerError) as refused:
            Ledger.open(path, **options)
        assert str(refused.value) == messages.LEDGER_MISSING.format(path=path)
        assert not path.exists()
    Ledger.open(path).close()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    Ledger.open(path, create=False).close()


def test_missing_folder_and_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match=r"文件夹.*不存在"):
        Ledger.open(tmp_path / "nowhere" / "l.sqlite3")
    with pytest.raises(LedgerError, match="是一个文件夹"):
        Ledger.open(tmp_path)


def test_an_empty_file_becomes_a_ledger_only_when_creating(path: Path) -> None:
    path.write_bytes(b"")
    with pytest.raises(LedgerError, match="是空的"):
        Ledger.open(path, readonly=True)
    with Ledger.open(path) as ledger:
        fill(ledger, 1)
    with Ledger.open(path, readonly=True) as ledger:
        assert ledger.audit().checked == 1


def test_readonly_ledger_reads_but_cannot_write(ledger: Ledger, path: Path) -> None:
    fill(ledger, 2)  # the writer stays open: readers coexist with it
    with Ledger.open(path, readonly=True) as reader:
        assert [r.key for r in reader.records()] == ["k1", "k2"]
        assert reader.audit().ok
        with pytest.raises(RuntimeError), reader.writing():
            pass
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader._conn.execute("INSERT INTO meta VALUES ('x', 'y')")


def test_readonly_ledger_in_a_read_only_folder_leaves_no_side_files(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open(path) as ledger:
        fill(ledger, 2)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: real_access(p, mode) and Path(p) != path.parent)
    before = file_state(path)
    with Ledger.open(path, readonly=True) as reader:
        assert reader.audit() == ledger_module.AuditReport(True, 2, None, None)
    assert file_state(path) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_is_refused_for_writing(path: Path) -> None:
    Ledger.open(path).close()
    path.chmod(0o444)
    with pytest.raises(LedgerError) as refused:
        Ledger.open(path)
    assert str(refused.value) == messages.LEDGER_READONLY_FILE.format(path=path)
    with Ledger.open(path, readonly=True) as reader:
        assert reader.audit().ok


@pytest.mark.parametrize("blocked", ["file", "folder"])
def test_read_only_file_or_folder_is_refused_simulated(
    path: Path, blocked: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root in CI, where chmod stops nothing: simulate what os.access would say."""
    Ledger.open(path).close()
    target = path if blocked == "file" else path.parent
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: real_access(p, mode) and Path(p) != target)
    before = file_state(path)
    with pytest.raises(LedgerError) as refused:
        Ledger.open(path)
    expected = (
        messages.LEDGER_READONLY_FILE.format(path=path)
        if blocked == "file"
        else messages.LEDGER_READONLY_FOLDER.format(path=path, folder=path.parent)
    )
    assert str(refused.value) == expected
    assert "复制" in expected
    assert file_state(path) == before


def test_locked_ledger_reports_busy(path: Path) -> None:
    Ledger.open(path).close()
    blocker = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with Ledger.open(path, busy_timeout=0.2) as ledger:
            started = time.perf_counter()
            with pytest.raises(LedgerError) as refused:
                ledger.record_draw(PLAN, 1, 1, {})
            assert time.perf_counter() - started < 3
            assert str(refused.value) == messages.LEDGER_LOCKED.format(path=path)
            assert "正被另一个程序使用，请稍后重试" in str(refused.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with Ledger.open(path) as ledger:
        assert ledger.record_draw(PLAN, 1, 1, {}) == "2024-joint-T1-R1-1"


# --- results and corrections -------------------------------------------------------------------


def result(draw_id: str, uscc: str = USCC, item: str = "经营资质", outcome: str = "合格") -> dict[str, Any]:
    return {"draw_id": draw_id, "uscc": uscc, "item": item, "result": outcome}


def approval(**fields: Any) -> dict[str, Any]:
    return {"approved_by": "李四", "approval_ref": "晋市商更〔2024〕3号", "reason": "录入错误", **fields}


def test_results_are_idempotent_and_normalised(ledger: Ledger) -> None:
    draw_id = ledger.record_draw(PLAN, 1, 1, {})
    rows = [result(draw_id, uscc=" ９１１４０５００ma0k1234x1\u200b"), result(draw_id, item="价格公示")]
    assert ledger.record_results(rows) == 2
    assert ledger.record_results([*rows, rows[0]]) == 0
    assert ledger.result_for(draw_id, USCC, "经营资质") == result(draw_id)
    assert ledger.records("result")[0].key == f"{draw_id}|{USCC}|经营资质"
    assert ledger.result_for(draw_id, USCC, "没有") is None


def test_conflicting_results_write_nothing(ledger: Ledger) -> None:
    draw_id = ledger.record_draw(PLAN, 1, 1, {})
    ledger.record_results([result(draw_id)])
    before = len(ledger.records())
    batch = [result(draw_id, outcome="不合格"), result(draw_id, item="新事项")]
    with pytest.raises(ResultConflict) as refused:
        ledger.record_results(batch)
    assert refused.value.keys == [f"{draw_id}|{USCC}|经营资质"]
    assert "1 条结果与台账中已登记的结果不同" in str(refused.value)
    assert len(ledger.records()) == before
    with pytest.raises(ResultConflict):  # two different rows for one key in the same batch
        ledger.record_results([result(draw_id, item="甲"), result(draw_id, item="甲", outcome="不合格")])
    assert len(ledger.records()) == before


def test_results_need_a_known_standing_draw(ledger: Ledger) -> None:
    with pytest.raises(LedgerError) as refused:
        ledger.record_results([result("2024-joint-T9-R1-1")])
    assert str(refused.value) == "台账中没有抽取编号“2024-joint-T9-R1-1”。请核对结果表中的抽取编号。"
    old = ledger.record_draw(PLAN, 1, 1, {})
    new = ledger.record_draw(PLAN, 1, 1, {}, redraw_reason="重抽")
    with pytest.raises(LedgerError, match=f"新编号 {new}"):
        ledger.record_results([result(old)])
    with pytest.raises(ValueError):
        ledger.record_results([{"draw_id": new, "uscc": USCC}])


def test_results_of_one_draw_do_not_leak_into_a_similar_id(ledger: Ledger) -> None:
    ids = [ledger.record_draw(PLAN, 1, rnd, {}) for rnd in (1, 10)]
    ids.append(ledger.record_draw(PLAN, 1, 1, {}, redraw_reason="再抽"))  # 2024-joint-T1-R1-2
    ledger.record_results([result(ids[1]), result(ids[2])])
    assert [r["draw_id"] for r in ledger.results(ids[2])] == [ids[2]]
    assert [r["draw_id"] for r in ledger.results("2024-joint-T1-R1")] == []
    assert len(ledger.results()) == 2


def test_correction_flow(ledger: Ledger) -> None:
    draw_id = ledger.record_draw(PLAN, 1, 1, {})
    with pytest.raises(LedgerError, match="无法更正"):
        ledger.record_correction(draw_id, USCC, "经营资质", approval(new={"result": "不合格"}))
    ledger.record_results([result(draw_id)])
    with pytest.raises(LedgerError, match="审批人"):
        ledger.record_correction(draw_id, USCC, "经营资质", {"new": {"result": "不合格"}, "reason": "x"})
    with pytest.raises(LedgerError, match="原值与台账不一致"):
        ledger.record_correction(
            draw_id, USCC, "经营资质", approval(new={"result": "不合格"}, old={"result": "基本合格"})
        )
    with pytest.raises(LedgerError, match="无需更正"):
        ledger.record_correction(draw_id, USCC, "经营资质", approval(new={"result": "合格"}))
    with pytest.raises(ValueError):
        ledger.record_correction(draw_id, USCC, "经营资质", approval(new={"uscc": "X"}))

    first = ledger.record_correction(
        draw_id, USCC, "经营资质", approval(new={"result": "不合格"}, old={"result": "合格"})
    )
    assert first.payload["old"] == {"result": "合格"}
    assert ledger.result_for(draw_id, USCC, "经营资质") == result(draw_id, outcome="不合格")
    second = ledger.record_correction(
        draw_id,
        "９１１４０５００ma0k1234x1",
        "经营资质",
        approval(new={"result": "整改"}, approval_file_sha256="ab" * 32),
    )
    assert second.payload["old"] == {"result": "不合格"}
    assert second.key == first.key

    current = ledger.results(draw_id)
    assert len(current) == 1
    assert current[0]["result"] == "整改"
    assert [c["new"] for c in current[0]["corrections"]] == [{"result": "不合格"}, {"result": "整改"}]
    assert ledger.records("result")[0].payload["result"] == "合格"  # the original is never changed

    # Re-sending the original or the corrected row is a no-op; anything else is a conflict.
    assert ledger.record_results([result(draw_id)]) == 0
    assert ledger.record_results([result(draw_id, outcome="整改")]) == 0
    with pytest.raises(ResultConflict):
        ledger.record_results([result(draw_id, outcome="不合格")])
    assert ledger.audit().ok


def published_row(draw_id: str, n: int, **fields: Any) -> dict[str, Any]:
    """A result row of the shape publishing records (result and badges are lists)."""
    return {"draw_id": draw_id, "uscc": f"91140500MA{n:07d}X", "item": str(n % 4 + 1), "item_text": "事项",
            "plan": PLAN, "task": 1, "result": ["未发现问题"], "completed": "2024-09-02",
            "badges": ["1405000001", "1405000002"], **fields}  # fmt: skip


def stored_as_results(stored: ledger_book.StoredResults) -> list[dict[str, Any]]:
    """``stored_results()`` per ledger position, plain rows decoded as the docstring says."""
    out: list[dict[str, Any]] = [{} for _ in range(stored.count)]
    for n, position in enumerate(stored.plain["position"]):
        row = {name: stored.plain[name][n] for name in ledger_book.PLAIN_RESULT_FIELDS}
        out[position] = {**row, "result": json.loads(row["result"]), "badges": json.loads(row["badges"])}
    for position, current in stored.others.items():
        out[position] = current
    return out


def fields_of(current: dict[str, Any]) -> dict[str, Any]:
    return {name: current[name] for name in ledger_book.PLAIN_RESULT_FIELDS}


def test_stored_results_equal_decoding_with_corrections_and_irregular_payloads(ledger: Ledger) -> None:
    draw_id = ledger.record_draw(PLAN, 1, 1, {})
    odd = ['引号"与\\反斜杠', "控制\x01符\t", "\u2028行分隔", "😀𠀀", "\ufeff", "\\u0041"]
    rows = [published_row(draw_id, n) for n in range(6)]
    rows += [
        published_row(draw_id, 10, badges=odd, note="备注"),  # plain: any text survives json_extract
        published_row(draw_id, 11, result="合格"),  # text, not a list
        published_row(draw_id, 12, item="经营\x00资质"),  # SQLite would cut this text at the NUL
        {k: v for k, v in published_row(draw_id, 13).items() if k != "completed"},
        published_row(draw_id, 14, completed=None),
        published_row(draw_id, 15, badges=[]),
    ]
    ledger.record_results(rows)
    for n, new in ((1, ["发现问题已责令改正"]), (1, ["已注销"]), (4, ["发现问题已责令改正"])):
        ledger.record_correction(draw_id, rows[n]["uscc"], rows[n]["item"], approval(new={"result": new}))
    stored = ledger.stored_results()
    decoded = ledger.results()
    assert stored.count == len(decoded) == len(rows)
    assert sorted(stored.others) == [1, 4, 7, 8, 9, 10]  # corrected, or not of the recording contract
    assert stored.others == {n: decoded[n] for n in stored.others}
    plain = stored.plain["position"]
    got = stored_as_results(stored)
    assert [fields_of(got[n]) for n in plain] == [fields_of(decoded[n]) for n in plain]
    assert stored.others[1]["result"] == ["已注销"] and len(stored.others[1]["corrections"]) == 2


def test_stored_results_of_an_empty_ledger(ledger: Ledger) -> None:
    stored = ledger.stored_results()
    assert (stored.count, stored.others) == (0, {})
    assert stored.plain == {name: [] for name in (*ledger_book.PLAIN_RESULT_FIELDS, "position")}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text(max_size=8), max_size=3), min_size=1, max_size=6), st.text(max_size=8))
def test_stored_results_equal_decoding_for_any_text(badges: list[list[str]], item: str) -> None:
    with tempfile.TemporaryDirectory() as folder, open_ledger(Path(folder) / "l.sqlite3") as ledger:
        draw_id = ledger.record_draw(PLAN, 1, 1, {})
        rows = [published_row(draw_id, n, badges=b, item=f"{item}{n}") for n, b in enumerate(badges)]
        ledger.record_results(rows)
        decoded = ledger.results()
        got = stored_as_results(ledger.stored_results())
    assert [fields_of(r) for r in got] == [fields_of(r) for r in decoded]


def test_publication_is_recorded(ledger: Ledger) -> None:
    record = ledger.record_publication({"file_sha256": "cd" * 32}, key="2024-joint-T1-R1-1")
    assert (record.kind, record.key, record.payload) == (
        "publication",
        "2024-joint-T1-R1-1",
        {"file_sha256": "cd" * 32},
    )


def test_newest_seq_is_read_without_the_payload(ledger: Ledger) -> None:
    assert ledger.newest_seq() == 0
    ledger.record_publication({"published": [{"key": "k"}] * 3}, key="2024-10-23")
    ledger.record_draw(PLAN, 1, 1, {})
    assert ledger.newest_seq() == 2 == ledger.records()[-1].seq


def test_bulk_results_in_one_transaction(ledger: Ledger) -> None:
    draw_id = ledger.record_draw(PLAN, 1, 1, {})
    rows = [result(draw_id, uscc=f"91140500MA{n:07d}X") for n in range(20_000)]
    assert ledger.record_results(rows) == 20_000
    assert ledger.record_results(rows) == 0
    assert len(ledger.results(draw_id)) == 20_000
    assert ledger.audit() == ledger_module.AuditReport(True, 20_001, None, None)
