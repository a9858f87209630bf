"""Benchmark ``jcdraw publish`` on 100,000 result rows against merely reading the workbook.

Usage::

    .venv/bin/python bench/publish.py [--rows 100000] [--per-draw 1000] [--repeat 3] [--keep DIR] [--profile]

Builds, in a temporary folder, a ledger whose draws (task 1 of the 2024 joint plan, four items,
one draw per round) cover ``--rows`` entity × item rows, and a results workbook with every row
filled (deflated at zlib's default level, as Excel saves it). Then, in the same run, it times

* ``pandas.read_excel(engine="calamine")`` of the ``检查结果`` sheet (the floor: reading the data),
* checking alone (``read_results`` + ``check_results``, no ledger writes),
* the whole ``publish`` (checks, recording in the ledger, the publicity workbook and HTML page), and
* publishing the same workbook again (nothing new: recorded and published already),

and prints wall and CPU seconds and their ratios to the plain read (compare CPU ratios when the
shared machine is busy). CPU seconds are ``os.times()`` user + system of this process *and its
children*, so work moved into a subprocess still counts. The four measurements run in turn, ``--repeat``
rounds (3), so the read a ratio divides by is taken next to what it is compared with (on a shared
machine the speed drifts over a minute); the fastest wall and the fastest CPU time of each are kept:
other work on the machine only ever slows a run down. Every publish run starts from a copy of the
same freshly built ledger; each re-publish runs on the ledger the publish before it left.
``--profile`` afterwards runs one publish and one re-publish under cProfile and writes the top
functions by cumulative time to ``bench/out/profile-{publish,republish}-ROWS.txt``. Deterministic:
no randomness anywhere.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from jcdraw import problems as P
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook
from jcdraw.ledger import Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.plans.categories import CategoryParser, load_result_categories
from jcdraw.plans.load import load_plan
from jcdraw.publicity.publish import publish
from jcdraw.registry.uscc import make_uscc
from jcdraw.results.check import check_results
from jcdraw.results.sheet import read_results
from jcdraw.results.view import LedgerView

ROOT = Path(__file__).resolve().parents[1]
PLAN = load_plan(ROOT / "plans" / "2024_joint.yaml")
TASK = PLAN.task(1)
HEADER = ["抽取编号", "任务编号", "统一社会信用代码", "名称", "检查事项序号", "检查事项",
          "检查结果", "检查日期", "检查人员执法证号", "备注"]  # fmt: skip
AS_OF = date(2024, 10, 31)
OUT_DIR = ROOT / "bench" / "out"


def payload(round_no: int, per_draw: int) -> dict[str, Any]:
    selected = [
        {
            "uscc": make_uscc(f"91140525{round_no:03d}{n:06d}"),
            "name": f"基准测试企业{round_no}-{n}",
            "region": "泽州县",
            "risk_class": "B",
            "ticket": f"{n:064x}",
            "team": [f"B{round_no:03d}{n % 50:03d}1", f"B{round_no:03d}{n % 50:03d}2"],
        }
        for n in range(per_draw)
    ]
    return {
        "plan": PLAN.id, "plan_name": PLAN.name, "document_number": PLAN.document_number,
        "plan_path": str(PLAN.path), "plan_sha256": PLAN.sha256, "plan_version": PLAN.version, "year": 2024,
        "task": TASK.number, "task_name": TASK.name, "category": TASK.category, "items": list(TASK.items),
        "period": [TASK.period.start.isoformat(), TASK.period.end.isoformat()], "round": round_no,
        "seed": "0" * 20, "registry_sha256": "0" * 64, "pool_sha256": "0" * 64, "strata": [],
        "selected": selected, "inspectors": {}, "as_of": "2024-04-01", "tool_version": "bench",
        "departments": TASK.departments,
    }  # fmt: skip


def build(folder: Path, rows: int, per_draw: int) -> tuple[Path, Path]:
    ledger_path, workbook = folder / "jcdraw.sqlite3", folder / "results.xlsx"
    items = list(TASK.items)
    draws = -(-rows // (per_draw * len(items)))
    sheet_rows: list[list[object]] = []
    with Ledger.open(ledger_path) as ledger:
        for round_no in range(1, draws + 1):
            body = payload(round_no, per_draw)
            draw_id = ledger.record_draw(PLAN.id, TASK.number, round_no, body)
            for n, chosen in enumerate(body["selected"]):
                done = date(2024, 9, 2) + timedelta(days=n % 20)
                team = "、".join(chosen["team"])
                for i, text in enumerate(items, 1):
                    result = "未发现问题" if (n + i) % 7 else "未按规定公示应当公示的信息、发现问题已责令改正"
                    sheet_rows.append([draw_id, TASK.number, chosen["uscc"], chosen["name"], i, text,
                                       result, done, team, None])  # fmt: skip
    columns = [Column(h) for h in HEADER]
    columns[HEADER.index("检查日期")].kind = "date"
    write_workbook(workbook, [Sheet("检查结果", columns, sheet_rows[:rows])])
    deflate_as_excel(workbook)
    return ledger_path, workbook


def deflate_as_excel(path: Path) -> None:
    """Re-deflate ``path`` at zlib's default level, as Excel and WPS save a workbook.

    jcdraw writes its own workbooks at a faster, lighter level (``jcdraw.io._xlsx_rows.ZIP_LEVEL``),
    which also inflates more slowly; the workbook read here stands for one the bureau filled in.
    """
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measured(action: Callable[[], object]) -> tuple[float, float]:
    """Run ``action`` once; its (wall, CPU) seconds."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    action()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def best(label: str, runs: list[tuple[float, float]]) -> tuple[float, float]:
    """Print and return the fastest wall and the fastest CPU time of ``runs``."""
    wall, cpu = min(w for w, _ in runs), min(c for _, c in runs)
    print(f"{label:<44} {wall:8.2f} s wall {cpu:8.2f} s CPU")
    return wall, cpu


def ratio(label: str, measured: tuple[float, float], base: tuple[float, float]) -> None:
    print(f"{label:<44} {measured[0] / base[0]:8.2f}   wall {measured[1] / base[1]:8.2f}   CPU")


def profiled(name: str, action: Callable[[], object]) -> Path:
    """Run ``action`` once under cProfile; write the top functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.runcall(action)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"profile-{name}.txt"
    out.write_text(text.getvalue(), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--per-draw", type=int, default=1000, help="entities per draw")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument(
        "--profile", action="store_true", help="also write cProfiles of publish and re-publish"
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="jcdraw-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        built, workbook = build(folder, args.rows, args.per_draw)
        print(f"built {args.rows:,} rows in {time.perf_counter() - start:.1f} s ({folder})")
        pristine = folder / "pristine.sqlite3"
        shutil.copyfile(built, pristine)
        ledger_path = folder / "publish.sqlite3"
        calendar = WorkdayCalendar.load()
        parser_ = CategoryParser(load_result_categories())

        def fresh_ledger() -> None:
            for leftover in (ledger_path, Path(f"{ledger_path}-wal"), Path(f"{ledger_path}-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(pristine, ledger_path)

        def read() -> None:
            pd.read_excel(workbook, sheet_name="检查结果", engine="calamine")

        def check_only() -> None:
            problems = P.ProblemList()
            with Ledger.open(pristine, readonly=True) as ledger:
                view = LedgerView.load(ledger)
            found = read_results(workbook, problems)
            assert found is not None
            check_results(found, view, as_of=AS_OF, parser=parser_, problems=problems)
            assert not problems.has_errors, problems.finished()[:3]

        def publish_all(expected: int) -> None:
            with Ledger.open(ledger_path) as ledger:
                report = publish(workbook, ledger, as_of=AS_OF, calendar=calendar, out=folder / "公示.xlsx",
                                 html=folder / "公示.html", force=True,
                                 backfill_reason="bench: 2024 replayed")  # fmt: skip
            assert report.ok and report.rows_recorded == expected, report.problems[:3]

        runs: dict[str, list[tuple[float, float]]] = {"read": [], "check": [], "publish": [], "again": []}
        for _ in range(max(1, args.repeat)):
            runs["read"].append(measured(read))
            runs["check"].append(measured(check_only))
            fresh_ledger()
            runs["publish"].append(measured(lambda: publish_all(args.rows)))
            # The ledger now holds this publication: publishing again finds nothing new.
            runs["again"].append(measured(lambda: publish_all(0)))
        read_best = best("pandas.read_excel(engine='calamine')", runs["read"])
        check = best("read + check (no ledger writes)", runs["check"])
        full = best("publish (check, record, workbook, html)", runs["publish"])
        again = best("publish the same workbook again", runs["again"])
        print(
            f"best of {max(1, args.repeat)} runs; CPU = os.times() user + system, this process and children"
        )
        ratio("ratio read + check / read", check, read_best)
        ratio("ratio publish / read", full, read_best)
        ratio("ratio re-publish / read", again, read_best)
        for name, label in (("publish", "publish"), ("again", "re-publish")):
            each = (f"{c / r:.2f}" for (_, c), (_, r) in zip(runs[name], runs["read"], strict=True))
            print(f"each round, CPU {label} / read: {' '.join(each)}")
        if args.profile:
            fresh_ledger()
            print(f"profile: {profiled(f'publish-{args.rows}', lambda: publish_all(args.rows))}")
            print(f"profile: {profiled(f'republish-{args.rows}', lambda: publish_all(0))}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
