"""Issue 11, the ledger side: anchors printed on every output catch a rolled-back or rewritten ledger,
no ledger is created silently, a broken ledger is never written to, and backfilling is visible.

Each case under "Why" in the issue is reproduced with the real CLI and shown caught.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import EXAMPLES, ROOT, write_registry

from jcdraw import messages
from jcdraw.io.clock import beijing_today
from jcdraw.ledger import Ledger, canonical_json, open_for_writing, record_hash
from jcdraw.ledger.anchor_check import printed_anchors

AS_OF = "2024-05-20"
TASK_1 = ["--plan", "joint", "--task", "1", "--as-of", AS_OF]
SEED_A = "11111111112222222222"
SEED_B = "33333333334444444444"
OLD_LEDGER = ROOT / "tests" / "data" / "ledger-0.1.0.sqlite3"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("JCDRAW_LEDGER", raising=False)
    monkeypatch.delenv("JCDRAW_REGISTRY", raising=False)
    write_registry(tmp_path / "registry.xlsx")
    return tmp_path


def audit_json(run_cli: Any, work: Path, *extra: str | Path) -> tuple[int, dict[str, Any]]:
    result = run_cli(["audit", "--json", *extra], cwd=work)
    return result.code, json.loads(result.out)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- rollback re-roll and rewritten chains ------------------------------------------------------


def test_a_rolled_back_ledger_redrawn_is_caught_by_the_first_workbook(run_cli: Any, work: Path) -> None:
    prepared = run_cli(["draw", "--new-ledger", *TASK_1, "--prepare"], cwd=work)
    assert prepared.code == 0, prepared.output
    shutil.copy(work / "jcdraw.sqlite3", work / "备份.sqlite3")  # the outsider's copy
    first = run_cli(["draw", *TASK_1, "--seed", SEED_A, "--out", "a.xlsx"], cwd=work)
    assert first.code == 0, first.output
    code, before = audit_json(run_cli, work)
    assert code == 0 and set(before) == {"ok", "ledger_id", "records", "head"}
    head_a = before["head"]

    shutil.copy(work / "备份.sqlite3", work / "jcdraw.sqlite3")  # roll back, draw again
    second = run_cli(["draw", *TASK_1, "--seed", SEED_B, "--out", "b.xlsx"], cwd=work)
    assert second.code == 0, second.output
    assert run_cli(["audit"], cwd=work).code == 0  # the chain alone looks whole

    code, found = audit_json(run_cli, work, "--expect-head", head_a)
    assert code == 1 and found["ok"] is False
    assert found["expected_heads"] == [
        {"head": head_a, "seq": None, "problem": messages.ANCHOR_HEAD_MISSING.format(head=head_a)}
    ]
    against = run_cli(["audit", "--against", "a.xlsx"], cwd=work)
    assert against.code == 1
    line = messages.AUDIT_PROBLEM.format(
        where="a.xlsx", problem=messages.ANCHOR_HEAD_MISSING.format(head=head_a)
    )
    assert flat(line) in flat(against.out)
    # The second workbook belongs to the ledger as it is now, and a head typed from paper is accepted.
    assert run_cli(["audit", "--against", "b.xlsx"], cwd=work).code == 0
    both = run_cli(["audit", "--against", "b.xlsx", "a.xlsx"], cwd=work)  # more files may follow
    assert both.code == 1 and flat(line) in flat(both.out) and "b.xlsx" in both.out
    code, now = audit_json(
        run_cli, work, "--expect-head", " ".join(re.findall(".{8}", now_head(work).upper()))
    )
    assert code == 0 and now["expected_heads"][0]["seq"] == now["records"]


def now_head(work: Path) -> str:
    with Ledger.open(work / "jcdraw.sqlite3", readonly=True) as book:
        return book.anchor().head


def rewrite_chain(path: Path, seq: int, edit: Any) -> None:
    """Edit record ``seq``'s payload, then recompute every later hash and the head, as a forger would."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TRIGGER records_no_update")
        rows = conn.execute(
            "SELECT seq, kind, key, created_at, payload, prev_hash FROM records ORDER BY seq"
        ).fetchall()
        prev = rows[seq - 1][5]  # the edited record's link to the one before stays as it is
        for number, kind, key, created_at, payload, _ in rows[seq - 1 :]:
            if number == seq:
                payload = canonical_json(edit(json.loads(payload)))
            digest = record_hash(number, kind, key, created_at, payload, prev)
            conn.execute("UPDATE records SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                         (payload, prev, digest, number))  # fmt: skip
            prev = digest
        conn.execute("UPDATE meta SET value = ? WHERE name = 'head_hash'", (prev,))


def test_a_rewritten_chain_passes_audit_but_not_the_printed_anchors(run_cli: Any, work: Path) -> None:
    drawn = run_cli(["draw", "--new-ledger", *TASK_1, "--seed", SEED_A, "--out", "a.xlsx"], cwd=work)
    assert drawn.code == 0, drawn.output
    code, before = audit_json(run_cli, work)
    with Ledger.open(work / "jcdraw.sqlite3", readonly=True) as book:
        [draw] = book.records("draw")

    def swap_first_entity(payload: dict[str, Any]) -> dict[str, Any]:
        payload["selected"][0]["name"] = "换掉的公司"
        return payload

    rewrite_chain(work / "jcdraw.sqlite3", draw.seq, swap_first_entity)
    assert run_cli(["audit"], cwd=work).code == 0  # recomputed hashes: the chain alone cannot tell
    code, found = audit_json(run_cli, work, "--expect-head", before["head"])
    assert code == 1 and found["expected_heads"][0]["seq"] is None
    against = run_cli(["audit", "--against", "a.xlsx"], cwd=work)
    assert against.code == 1 and flat(messages.ANCHOR_HEAD_MISSING.format(head=draw.hash)) in flat(
        against.out
    )


# --- no silent second ledger --------------------------------------------------------------------


def test_a_second_ledger_needs_new_ledger_and_shows_another_id(run_cli: Any, work: Path) -> None:
    assert run_cli(["draw", "--new-ledger", *TASK_1, "--seed", SEED_A, "--out", "a.xlsx"], cwd=work).code == 0
    scratch = ["draw", *TASK_1, "--seed", SEED_B, "--ledger", "scratch.sqlite3", "--out", "b.xlsx"]
    refused = run_cli(scratch, cwd=work)
    assert refused.code == 2 and refused.err.strip() == messages.LEDGER_NEEDS_NEW.format(
        path="scratch.sqlite3"
    )
    assert not (work / "scratch.sqlite3").exists() and not (work / "b.xlsx").exists()

    made = run_cli([*scratch, "--new-ledger", "--json"], cwd=work)
    assert made.code == 0, made.output
    assert json.loads(made.out)["draw_id"] == "2024-joint-T1-R1-1"  # stdout is the JSON alone
    with Ledger.open(work / "scratch.sqlite3", readonly=True) as book:
        scratch_id = book.ledger_id
        assert [r.kind for r in book.records()] == ["ledger", "draw"]
    assert messages.LEDGER_CREATED.format(ledger_id=scratch_id, path="scratch.sqlite3") in made.err
    with Ledger.open(work / "jcdraw.sqlite3", readonly=True) as book:
        main_id = book.ledger_id
    assert main_id != scratch_id
    assert {a.ledger_id for a in printed_anchors(work / "b.xlsx")} == {scratch_id}
    against = run_cli(["audit", "--against", "b.xlsx"], cwd=work)
    problem = messages.ANCHOR_OTHER_LEDGER.format(found=scratch_id, ledger_id=main_id)
    assert against.code == 1 and flat(problem) in flat(against.out)


def test_publish_and_correct_refuse_a_missing_ledger(run_cli: Any, work: Path) -> None:
    shutil.copy(EXAMPLES / "results-example.xlsx", work / "结果.xlsx")
    publish = run_cli(["publish", "结果.xlsx", "--as-of", "2024-11-15"], cwd=work)
    assert publish.code == 2 and publish.err.strip() == messages.LEDGER_NEEDS_NEW.format(
        path="jcdraw.sqlite3"
    )
    correct = run_cli(["correct", "--draw", "x", "--uscc", "y", "--item", "1", "--result", "未发现问题",
                       "--approved-by", "局长", "--approval-ref", "文号", "--reason", "原因"],
                      cwd=work)  # fmt: skip
    assert correct.code == 2 and correct.err.strip() == messages.LEDGER_MISSING.format(path="jcdraw.sqlite3")
    practice = run_cli(["draw", *TASK_1, "--practice", "--seed", SEED_A, "--new-ledger"], cwd=work)
    assert practice.code == 0 and not (work / "jcdraw.sqlite3").exists()  # a rehearsal never makes one


def test_init_creates_the_ledger_and_never_touches_an_existing_one(run_cli: Any, tmp_path: Path) -> None:
    made = run_cli(["init", "工作"], cwd=tmp_path)
    assert made.code == 0, made.output
    with Ledger.open(tmp_path / "工作" / "jcdraw.sqlite3", readonly=True) as book:
        [record] = book.records()
        assert (record.seq, record.kind, record.payload["ledger_id"]) == (1, "ledger", book.ledger_id)
        assert (
            messages.LEDGER_CREATED.format(ledger_id=book.ledger_id, path=Path("工作") / "jcdraw.sqlite3")
            in made.err
        )
    before = (tmp_path / "工作" / "jcdraw.sqlite3").read_bytes()
    assert run_cli(["init", "工作", "--force"], cwd=tmp_path).code == 0
    assert (tmp_path / "工作" / "jcdraw.sqlite3").read_bytes() == before


# --- old ledgers and broken ledgers -------------------------------------------------------------


def test_an_old_ledger_gets_its_id_record_on_first_write_and_still_audits(
    run_cli: Any, tmp_path: Path
) -> None:
    old = Path(shutil.copy(OLD_LEDGER, tmp_path / "jcdraw.sqlite3"))
    with Ledger.open(old, readonly=True) as book:
        before = [(r.seq, r.hash) for r in book.records()]
        ledger_id = book.ledger_id
    assert run_cli(["audit", "--ledger", old], cwd=tmp_path).code == 0
    assert run_cli(["status", "--ledger", old, "--as-of", "2024-11-15"], cwd=tmp_path).code in (0, 1)
    with Ledger.open(old, readonly=True) as book:
        assert [(r.seq, r.hash) for r in book.records()] == before  # readers never write

    state = old.read_bytes()
    refused = run_cli(
        ["publish", "没有这个文件.xlsx", "--ledger", old, "--as-of", "2024-11-15"], cwd=tmp_path
    )
    assert refused.code == 2 and old.read_bytes() == state  # refused before writing: nothing chained

    book, created = open_for_writing(old, new_ledger=False, command="jcdraw publish")
    with book:
        assert created is False
        with book.writing() as w:  # the first write chains the id first, in the same transaction
            w.append("note", "k", {"n": 1})
        records = book.records()
    assert [(r.seq, r.hash) for r in records[:-2]] == before  # existing hashes never change
    ledger_record = records[-2]
    assert (ledger_record.seq, ledger_record.kind) == (len(before) + 1, "ledger")
    assert ledger_record.payload["ledger_id"] == ledger_id and records[-1].kind == "note"
    code, found = audit_json(run_cli, tmp_path, "--ledger", old, "--expect-head", before[-1][1])
    assert code == 0 and found["expected_heads"][0]["seq"] == len(before)
    again, _ = open_for_writing(old, new_ledger=False, command="jcdraw publish")
    with again:
        with again.writing() as w:
            w.append("note", "k", {"n": 2})
        assert len(again.records("ledger")) == 1  # chained once


def test_a_broken_ledger_refuses_every_writing_command(run_cli: Any, work: Path) -> None:
    assert run_cli(["draw", "--new-ledger", *TASK_1, "--seed", SEED_A, "--out", "a.xlsx"], cwd=work).code == 0
    with closing(sqlite3.connect(work / "jcdraw.sqlite3")) as conn, conn:
        conn.execute("DROP TRIGGER records_no_update")
        conn.execute("UPDATE records SET payload = replace(payload, '2024', '2023') WHERE seq = 2")
    state = (work / "jcdraw.sqlite3").read_bytes()
    shutil.copy(EXAMPLES / "results-example.xlsx", work / "结果.xlsx")
    commands = {
        "jcdraw draw": ["draw", "--plan", "joint", "--task", "2", "--as-of", AS_OF, "--seed", SEED_B],
        "jcdraw draw --prepare": ["draw", "--plan", "joint", "--task", "2", "--as-of", AS_OF, "--prepare"],
        "jcdraw publish": ["publish", "结果.xlsx", "--as-of", "2024-11-15"],
        "jcdraw correct": ["correct", "--draw", "2024-joint-T1-R1-1", "--uscc", "x", "--item", "1",
                           "--result", "未发现问题", "--approved-by", "局长", "--approval-ref", "文号",
                           "--reason", "原因"],
    }  # fmt: skip
    reason = messages.LEDGER_AUDIT_CONTENT.format(seq=2)
    for command, argv in commands.items():
        refused = run_cli(argv, cwd=work)
        expected = messages.LEDGER_BROKEN_REFUSED.format(
            command=command, path="jcdraw.sqlite3", reason=reason
        )
        assert (refused.code, flat(refused.err)) == (1, flat(expected)), command
        assert "jcdraw audit" in expected
    assert (work / "jcdraw.sqlite3").read_bytes() == state


# --- what every output prints -------------------------------------------------------------------


def test_every_output_prints_an_anchor_audit_reads_back(run_cli: Any, tmp_path: Path) -> None:
    """The example year: assignment, 抽取公告, publicity workbook and page, status report, visits, notices."""
    registry = EXAMPLES / "registry.xlsx"
    prepare = ["draw", "--new-ledger", "--plan", "joint", "--task", "2", "--as-of", "2024-04-01",
               "--registry", registry, "--prepare", "--out", "公告.xlsx"]  # fmt: skip
    assert run_cli(prepare, cwd=tmp_path).code == 0
    for plan in ("joint", "internal"):
        argv = ["draw", "--plan", plan, "--task", "2", "--seed", "12345678901234567890", "--as-of",
                "2024-04-01",
                "--registry", registry]  # fmt: skip
        assert run_cli(argv, cwd=tmp_path).code == 0
    results = EXAMPLES / "results-example.xlsx"
    publish = ["publish", results, "--as-of", "2024-11-15", "--html", "公示.html", "--out", "公示.xlsx"]
    assert run_cli(publish, cwd=tmp_path).code == 0
    assert run_cli(["status", "--as-of", "2024-11-15", "--report", "进度.xlsx"], cwd=tmp_path).code in (0, 1)
    assert run_cli(["visits", "--year", "2024", "--out", "安排.xlsx"], cwd=tmp_path).code == 0
    assert run_cli(["notices", "--year", "2024", "--registry", registry], cwd=tmp_path).code == 0
    notices = sorted((tmp_path / "检查文书-2024").glob("*.docx"))[:2]
    files = ["公告.xlsx", "draw-2024-joint-task2-round1.xlsx", "公示.xlsx", "公示.html", "进度.xlsx",
             "安排.xlsx",
             *notices]  # fmt: skip
    code, found = audit_json(run_cli, tmp_path, *[arg for f in files for arg in ("--against", f)])
    assert code == 0, found
    assert [entry["ok"] for entry in found["against"]] == [True] * len(files)
    with Ledger.open(tmp_path / "jcdraw.sqlite3", readonly=True) as book:
        by_seq = {r.seq: r for r in book.records()}
    for entry in found["against"]:
        for anchor in entry["anchors"]:
            assert anchor["ledger_id"] == found["ledger_id"]
            seq = anchor["records"] or next(s for s, r in by_seq.items() if r.hash == anchor["head"])
            assert by_seq[seq].hash == anchor["head"]
    # Each output's anchor stands where the ledger stood when it was written.
    kinds = {Path(e["file"]).name: by_seq[e["anchors"][0]["records"] or found["records"]].kind
             for e in found["against"]}  # fmt: skip
    assert kinds["公告.xlsx"] == "prepare" and kinds["draw-2024-joint-task2-round1.xlsx"] == "draw"
    assert kinds["公示.xlsx"] == kinds["公示.html"] == "result"  # the publication record names the files
    assert kinds["进度.xlsx"] == kinds["安排.xlsx"] == "publication"


def test_a_file_without_an_anchor_is_reported(run_cli: Any, work: Path) -> None:
    assert run_cli(["draw", "--new-ledger", *TASK_1, "--prepare"], cwd=work).code == 0
    result = run_cli(["audit", "--against", "registry.xlsx"], cwd=work)
    line = messages.AUDIT_PROBLEM.format(where="registry.xlsx", problem=messages.ANCHOR_NONE_IN_FILE)
    assert result.code == 1 and flat(line) in flat(result.out)
    assert run_cli(["audit", "--expect-head", "abc"], cwd=work).code == 2
    assert run_cli(["audit", "--against", "没有.xlsx"], cwd=work).code == 2


# --- backfilling and the README's example year --------------------------------------------------


def example_year_commands() -> list[list[str]]:
    """The README's 示例年度 block, word for word."""
    section = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("### 示例年度", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S)
    assert block is not None
    return [shlex.split(line)[1:] for line in block.group(1).splitlines() if line.startswith("jcdraw ")]


@pytest.mark.real_backfill_window
def test_the_readme_example_year_runs_as_written_and_shows_its_backfill(run_cli: Any, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    commands = example_year_commands()
    assert any("--new-ledger" in c for c in commands) and any("--backfill-reason" in c for c in commands)
    for argv in commands:
        if argv[0] == "publish":  # without its reason, the back-dated publication is refused first
            bare = argv[: argv.index("--backfill-reason")] + argv[argv.index("--backfill-reason") + 2 :]
            refused = run_cli(bare, cwd=tmp_path)
            assert refused.code == 2 and "--backfill-reason" in refused.err
        result = run_cli(argv, cwd=tmp_path)
        assert result.code in ((0, 1) if argv[0] == "status" else (0,)), (argv, result.output)
    today = beijing_today().isoformat()
    reason = commands[[c[0] for c in commands].index("publish")]
    reason_text = reason[reason.index("--backfill-reason") + 1]
    with Ledger.open(tmp_path / "jcdraw.sqlite3", readonly=True) as book:
        [publication] = book.records("publication")
    assert (publication.payload["as_of"], publication.payload["recorded_on"]) == ("2024-11-15", today)
    assert publication.payload["backfill_reason"] == reason_text
    sheet = openpyxl.load_workbook(tmp_path / "公示-2024-11-15.xlsx", read_only=True)["检查结果"]
    rows = list(sheet.iter_rows(values_only=True))
    remark = rows[0].index("备注")
    assert {row[remark] for row in rows[1:]} <= {
        messages.BACKFILL_REMARK.format(recorded_on=today),
        f"超出计划期限；{messages.BACKFILL_REMARK.format(recorded_on=today)}",
    }
    line = messages.BACKFILL_LINE.format(
        what=messages.BACKFILL_WHAT.format(kind="公示", seq=publication.seq), as_of="2024-11-15",
        recorded_on=today, reason=reason_text,
    )  # fmt: skip
    status = run_cli(["status", "--as-of", "2024-11-15"], cwd=tmp_path)
    assert flat(line) in flat(status.out)
    code, audited = audit_json(run_cli, tmp_path)
    assert code == 0 and audited["backfilled"] == [
        {"kind": "publication", "seq": publication.seq, "as_of": "2024-11-15", "recorded_on": today,
         "reason": reason_text}
    ]  # fmt: skip
    assert flat(line) in flat(run_cli(["audit"], cwd=tmp_path).out)


@pytest.mark.real_backfill_window
def test_a_backdated_correction_needs_a_reason_and_keeps_both_dates(run_cli: Any, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    for argv in example_year_commands()[:3]:  # the two draws and the publication
        assert run_cli(argv, cwd=tmp_path).code == 0
    first = next(openpyxl.load_workbook(EXAMPLES / "results-example.xlsx", read_only=True)["检查结果"]
                 .iter_rows(min_row=2, values_only=True))  # fmt: skip
    correct = ["correct", "--draw", str(first[0]), "--uscc", str(first[2]), "--item", "1", "--result",
               "发现问题待后续处理", "--approved-by", "局长", "--approval-ref", "晋市商〔2024〕99号",
               "--reason", "复核发现录入错误", "--as-of", "2024-11-20"]  # fmt: skip
    refused = run_cli(correct, cwd=tmp_path)
    assert refused.code == 2
    assert flat(refused.err) == flat(messages.BACKFILL_NEEDS_REASON.format(
        as_of=date(2024, 11, 20), today=beijing_today(), days=7))  # fmt: skip
    empty = run_cli([*correct, "--backfill-reason", "  "], cwd=tmp_path)
    assert empty.code == 2 and flat(empty.err) == flat(messages.BACKFILL_REASON_EMPTY)
    done = run_cli([*correct, "--backfill-reason", "纸质审批单事后录入"], cwd=tmp_path)
    assert done.code == 0, done.output
    with Ledger.open(tmp_path / "jcdraw.sqlite3", readonly=True) as book:
        [correction] = book.records("correction")
    payload = correction.payload
    assert (payload["corrected_on"], payload["recorded_on"], payload["backfill_reason"]) == (
        "2024-11-20",
        beijing_today().isoformat(),
        "纸质审批单事后录入",
    )
