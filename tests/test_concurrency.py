"""Two people running jcdraw at the same moment on the same ledger.

The installed console script is started twice with ``subprocess.Popen`` (different ``--out`` files,
same ledger, same task and round). Exactly one draw may be recorded; the other process must stop with
a clear Chinese refusal (exit 1 "already drawn", or exit 2 "ledger busy"), write no workbook, and the
ledger must pass its audit. Once publish exists, two simultaneous publications must not record any
result twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import AS_OF, PLANS_DIR, sha256, write_registry, write_xlsx

from jcdraw import messages
from jcdraw.ledger import Ledger

SEED = "16180339887498948482"
INTERNAL = messages.UNEXPECTED_ERROR.split("{detail}")[0]
ALREADY_DRAWN = "不能重复抽取"


def jcdraw_command() -> list[str]:
    script = Path(sys.executable).with_name("jcdraw.exe" if os.name == "nt" else "jcdraw")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from jcdraw.cli import main; main()"]


PUBLISH_COMMAND = [sys.executable, "-c", "from jcdraw.cli import main; main()"]


def run_together(argvs: list[list[str]], cwd: Path) -> list[tuple[int, str]]:
    env = {**os.environ, "COLUMNS": "400"}
    processes = [
        subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for argv in argvs
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    return [(p.returncode, out) for p, out in zip(processes, outputs, strict=True)]


def draw_argv(registry: Path, ledger: Path, out: Path) -> list[str]:
    return [
        *jcdraw_command(), "draw", "--new-ledger", "--plan", "joint", "--task", "2", "--seed", SEED,
        "--registry", str(registry), "--ledger", str(ledger), "--as-of", AS_OF.isoformat(), "--out", str(out),
    ]  # fmt: skip


@pytest.mark.parametrize("ledger_exists", [False, True], ids=["new-ledger", "existing-ledger"])
def test_simultaneous_draws_record_exactly_one(tmp_path: Path, ledger_exists: bool) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    before = sha256(registry)
    ledger = tmp_path / "台账.sqlite3"
    if ledger_exists:
        Ledger.open(ledger).close()
    outs = [tmp_path / f"结果{n}.xlsx" for n in range(2)]
    results = run_together([draw_argv(registry, ledger, out) for out in outs], tmp_path)
    for _, output in results:
        assert "Traceback" not in output and INTERNAL not in output, output
    winners = [n for n, (code, _) in enumerate(results) if code == 0]
    assert len(winners) == 1, results
    for n, (code, output) in enumerate(results):
        if n in winners:
            assert outs[n].is_file()
            continue
        assert code in {1, 2}, output
        assert ALREADY_DRAWN in output or messages.LEDGER_LOCKED.split("“")[0] in output, output
        assert not outs[n].exists()
    assert sha256(registry) == before
    with Ledger.open(ledger, readonly=True) as book:
        assert book.audit().ok
        draws = book.records("draw")
        assert len(draws) == 1
        assert draws[0].payload["draw_id"] == "2024-joint-T2-R1-1"


def filled_rows(drawn: Path, ledger: Path) -> list[list[object]]:
    """The drawn workbook's results sheet with every row done on one day by the first two team members."""
    import openpyxl

    from jcdraw.records import RESULT_SHEET

    sheet = openpyxl.load_workbook(drawn)[RESULT_SHEET]
    header = [c.value for c in sheet[1]]
    with Ledger.open(ledger, readonly=True) as ledger_book:
        draw = ledger_book.records("draw")[0].payload
    teams = {s["uscc"]: s["team"] for s in draw["selected"]}
    rows: list[list[object]] = [header]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        values = list(row)
        uscc = values[header.index("统一社会信用代码")]
        values[header.index("检查结果")] = "未发现问题"
        values[header.index("检查日期")] = AS_OF
        values[header.index("检查人员执法证号")] = "、".join(teams[uscc][:2])
        rows.append(values)
    return rows


def drawn_task_two(folder: Path) -> tuple[Path, Path]:
    """(drawn workbook, ledger) after an in-process draw of 2024-joint task 2."""
    from jcdraw.draw import run as drawing
    from jcdraw.plans.load import load_plan

    registry = write_registry(folder / "registry.xlsx")
    ledger = folder / "台账.sqlite3"
    drawn = folder / "结果.xlsx"
    with Ledger.open(ledger) as book:
        drawing.run_draw(
            registry,
            load_plan(PLANS_DIR / "2024_joint.yaml"),
            2,
            seed=SEED,
            ledger=book,
            as_of=AS_OF,
            out=drawn,
        )
    return drawn, ledger


def test_simultaneous_publications_record_no_result_twice(tmp_path: Path) -> None:
    from jcdraw.records import RESULT_SHEET

    first, ledger = drawn_task_two(tmp_path)
    rows = filled_rows(first, ledger)
    filled = [write_xlsx(tmp_path / f"填报{n}.xlsx", {RESULT_SHEET: rows}) for n in range(2)]
    argvs = [
        [
            *PUBLISH_COMMAND,
            "publish",
            str(path),
            "--ledger",
            str(ledger),
            "--as-of",
            "2024-06-03",
            "--backfill-reason",  # subprocesses keep the real 7-day window; 2024 is replayed later
            "测试：重放 2024 年",
            "--out",
            f"公示{n}.xlsx",
        ]
        for n, path in enumerate(filled)
    ]
    results = run_together(argvs, tmp_path)
    for code, output in results:
        assert "Traceback" not in output and INTERNAL not in output, output
        assert code in {0, 1, 2}, output
    with Ledger.open(ledger, readonly=True) as ledger_book:
        assert ledger_book.audit().ok
        keys = [r.key for r in ledger_book.records("result")]
    assert keys and len(keys) == len(set(keys)) == len(rows) - 1


def test_interleaved_publications_publish_each_result_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race above made deterministic: run B entirely while run A sits between its read and its write."""
    from jcdraw.plans.calendar import WorkdayCalendar
    from jcdraw.publicity import publish as publish_module
    from jcdraw.records import RESULT_SHEET

    drawn, ledger = drawn_task_two(tmp_path)
    filled = write_xlsx(tmp_path / "填报.xlsx", {RESULT_SHEET: filled_rows(drawn, ledger)})
    calendar = WorkdayCalendar.load(search_dirs=[])
    day = date(2024, 6, 3)
    real_read = publish_module.read_results
    reports = []

    def read_then_let_b_run(path: Path, problems: Any) -> Any:
        found = real_read(path, problems)
        if not reports:  # only A's read triggers B
            reports.append(None)
            with Ledger.open(ledger) as book_b:
                reports.append(
                    publish_module.publish(
                        filled, book_b, as_of=day, calendar=calendar, out=tmp_path / "b.xlsx"
                    )
                )
        return found

    monkeypatch.setattr(publish_module, "read_results", read_then_let_b_run)
    with Ledger.open(ledger) as book_a:
        report_a = publish_module.publish(
            filled, book_a, as_of=day, calendar=calendar, out=tmp_path / "a.xlsx"
        )
    report_b = reports[1]
    # Task 2 (30%, weighted) draws 2 of the registry's 4 汽车销售 entities: n = ⌈1.2⌉ = 2, C and D.
    assert report_b.recorded == 2 and report_b.published == 2
    with Ledger.open(ledger, readonly=True) as book:
        assert book.audit().ok
        keys = [r.key for r in book.records("result")]
        publications = [json.dumps(r.payload, ensure_ascii=False) for r in book.records("publication")]
    assert len(keys) == len(set(keys)) == 2
    for key in keys:
        assert sum(key in text for text in publications) == 1, f"{key} published {len(publications)} times"
    assert (report_a.recorded, report_a.published) == (0, 0)
