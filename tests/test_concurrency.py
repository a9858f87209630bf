"""Two people running jcdraw at the same moment on the same ledger.

The installed console script is started twice with ``subprocess.Popen`` (different ``--out`` files,
same ledger, same task and round). Exactly one draw may be recorded; the other process must stop with
a clear Chinese refusal (exit 1 "already drawn", or exit 2 "ledger busy"), write no workbook, and the
ledger must pass its audit. Once publish exists, two simultaneous publications must not record any
result twice.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AS_OF, sha256, write_registry, write_xlsx
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


# Until cli.py wires the publish commands in, register them the way the brief of cli_publish says.
PUBLISH_COMMAND = [
    sys.executable,
    "-c",
    "from jcdraw import cli, cli_publish\n"
    "if 'publish' not in [c.name for c in cli.app.registered_commands]: cli_publish.register(cli.app)\n"
    "cli.main()",
]


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
        *jcdraw_command(), "draw", "--plan", "joint", "--task", "2", "--seed", SEED, "--registry", str(registry),
        "--ledger", str(ledger), "--as-of", AS_OF.isoformat(), "--out", str(out),
    ]  # fmt: skip


@pytest.mark.parametrize("ledger_exists", [False, True], ids=["new-ledger", "existing-ledger"])
def test_simultaneous_draws_record_exactly_one(tmp_path: Path, ledger_exists: bool) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    before = sha256(registry)
    ledger = tmp_path / "台账.sqlite3"
    if ledger_exists:
        Ledger.open(ledger).close()
    outs = [tmp_path / f"结果{n}.xlsx" for n in range(3)]
    results = run_together([draw_argv(registry, ledger, out) for out in outs], tmp_path)
    for code, output in results:
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


def test_simultaneous_publications_record_no_result_twice(tmp_path: Path) -> None:
    pytest.importorskip("jcdraw.cli_publish")
    from jcdraw.assignment_book import RESULT_SHEET

    registry = write_registry(tmp_path / "registry.xlsx")
    ledger = tmp_path / "台账.sqlite3"
    first = tmp_path / "结果.xlsx"
    code, output = run_together([draw_argv(registry, ledger, first)], tmp_path)[0]
    assert code == 0, output
    # Fill the results sheet of the drawn workbook: every row done on one day by the first two members.
    import openpyxl

    book = openpyxl.load_workbook(first)
    sheet = book[RESULT_SHEET]
    header = [c.value for c in sheet[1]]
    with Ledger.open(ledger, readonly=True) as ledger_book:
        draw = ledger_book.records("draw")[0].payload
    teams = {s["uscc"]: s["team"] for s in draw["selected"]}
    rows = [header]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        values = list(row)
        uscc = values[header.index("统一社会信用代码")]
        values[header.index("检查结果")] = "未发现问题"
        values[header.index("检查日期")] = AS_OF
        values[header.index("检查人员执法证号")] = "、".join(teams[uscc][:2])
        rows.append(values)
    filled = [write_xlsx(tmp_path / f"填报{n}.xlsx", {RESULT_SHEET: rows}) for n in range(2)]
    argvs = [[*PUBLISH_COMMAND, "publish", str(path), "--ledger", str(ledger), "--as-of", "2024-06-03"] for path in filled]
    results = run_together(argvs, tmp_path)
    for code, output in results:
        assert "Traceback" not in output and INTERNAL not in output, output
        assert code in {0, 1, 2}, output
    with Ledger.open(ledger, readonly=True) as ledger_book:
        assert ledger_book.audit().ok
        keys = [r.key for r in ledger_book.records("result")]
    assert keys and len(keys) == len(set(keys)) == len(rows) - 1
