"""Time ``jcdraw notices`` on a year of about 350 visits (or the README's example year).

.venv/bin/python bench/notices.py [--example] [--extra N] [--keep DIR]

The year is made with the real CLI from ``examples/registry.xlsx``: every task of both 2024 plans, and
the second rounds that have anyone to draw (C and D firms twice a year), seed 12345678901234567890, as
of 2024-04-01. That gives 325 visits (5 of them merged); ``--extra N`` (default 50) first adds N 拍卖
firms in 高平市 to a copy of the registry, and joint task 6 (50 %) draws half of them: 350 visits.
``--example`` makes the README's example year instead (joint task 2 and internal task 2: 70 visits).

Printed: visits, documents, wall seconds of ``jcdraw notices`` (one process, start-up included) and the
combined files' sizes. The drawing itself is not timed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from jcdraw.registry.uscc import make_uscc

ROOT = Path(__file__).resolve().parents[1]
JCDRAW = Path(sys.executable).with_name("jcdraw")
SEED = "12345678901234567890"
EXAMPLE = [("joint", 2, 1), ("internal", 2, 1)]
FULL = [*(("joint", t, 1) for t in range(1, 7)), ("internal", 1, 1), ("internal", 2, 1)]
FULL += [("joint", t, 2) for t in range(1, 7)] + [("internal", 1, 2)]


def registry_with_auctions(target: Path, extra: int) -> Path:
    """The example registry plus ``extra`` valid 拍卖 firms in 高平市 (division 140581)."""
    book = openpyxl.load_workbook(ROOT / "examples" / "registry.xlsx")
    sheet = book["检查对象"]
    header = [c.value for c in sheet[2]]  # row 1 is the title
    for n in range(extra):
        row = dict.fromkeys(header, None)
        row.update({
            "统一社会信用代码": make_uscc(f"91140581MA{9_000_000 + n:07d}"),
            "名称": f"高平市测试拍卖有限公司{n + 1}",
            "区域": "高平市", "监管类别": "拍卖", "信用风险分类": "一般风险", "经营状态": "存续",
            "地址": f"高平市测试路{n + 1}号", "法定代表人": f"测试{n + 1}", "联系电话": f"1390000{n:04d}",
        })  # fmt: skip
        sheet.append([row[h] for h in header])
    book.save(target)
    return target


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(JCDRAW), *map(str, args)], cwd=cwd, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"jcdraw {' '.join(map(str, args))} failed:\n{done.stderr}")
    return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--example", action="store_true")
    parser.add_argument("--extra", type=int, default=50)
    parser.add_argument("--keep", type=Path)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jcdraw-bench-notices-"))
    try:
        if options.example:
            registry, draws = folder / "registry.xlsx", EXAMPLE
            shutil.copy(ROOT / "examples" / "registry.xlsx", registry)
        else:
            registry, draws = registry_with_auctions(folder / "registry.xlsx", options.extra), FULL
        for plan, task, round_no in draws:
            run("draw", "--plan", plan, "--task", task, "--round", round_no, "--seed", SEED,
                "--as-of", "2024-04-01", "--registry", registry, cwd=folder)  # fmt: skip
        started = time.perf_counter()
        done = run("notices", "--registry", registry, "--json", cwd=folder)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        out = folder / "检查文书-2024"
        visits = len(list(out.glob("*_检查通知书.docx")))
        sizes = {p.name: f"{p.stat().st_size / 1e6:.2f} MB" for p in sorted(out.glob("全部*.docx"))}
        print(f"{visits} visits, {2 * visits} documents + 2 combined in {wall:.1f} s wall "
              f"({wall / (2 * visits) * 1000:.0f} ms a document); combined: {sizes}")  # fmt: skip
        if options.keep:
            shutil.copytree(folder, options.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
