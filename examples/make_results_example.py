r"""Build ``examples/results-example.xlsx``: a filled results workbook for the example year.

Draws are reproducible, so anyone who repeats the two example draws below gets the very draw ids,
entities and teams this workbook refers to, and can publish it:

    jcdraw draw --plan joint --task 2 --seed 12345678901234567890 --as-of 2024-04-01 --new-ledger \
        --registry examples/registry.xlsx
    jcdraw draw --plan internal --task 2 --seed 12345678901234567890 --as-of 2024-04-01 \
        --registry examples/registry.xlsx
    jcdraw publish examples/results-example.xlsx --as-of 2024-11-15 --backfill-reason "示例年度"

The filling is deterministic (no clock, no random module): most inspections finish in early
November (published on time on 2024-11-15), a few in June (published late), every fifth entity is
still pending, and the team's first two members sign each row.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from jcdraw.draw.run import compute_draw, load_pool
from jcdraw.draw.workbook import result_sheet_columns
from jcdraw.io.xlsx_write import Sheet, write_workbook
from jcdraw.plans.load import load_plans
from jcdraw.records import RESULT_SHEET

HERE = Path(__file__).resolve().parent
SEED = "12345678901234567890"
DRAW_DAY = date(2024, 4, 1)
DRAWS = [("joint", 2), ("internal", 2)]
FINDINGS = ["未发现问题", "未发现问题", "未发现问题", "发现问题已责令改正", "未按规定公示应当公示的信息"]


def filled_rows(registry: Path) -> list[list[object]]:
    rows: list[list[object]] = []
    for kind, task_no in DRAWS:
        plan = load_plans(kind, 2024)[0]
        pool = load_pool(registry, plan, task_no, as_of=DRAW_DAY)
        payload = compute_draw(pool, seed=SEED, round_no=1, history=set())
        draw_id = f"{plan.id}-T{task_no}-R1-1"  # the first draw of a task and round in a fresh ledger
        for n, chosen in enumerate(payload["selected"]):
            for item_no, item in enumerate(payload["items"], 1):
                filled = _result(n, chosen)
                rows.append([draw_id, task_no, chosen["uscc"], chosen["name"], item_no, item, *filled])
    return rows


def _result(n: int, chosen: dict[str, object]) -> list[object]:
    if n % 5 == 4:
        return [None, None, None, None]  # pending: not yet inspected
    finished = date(2024, 6, 3 + n % 20) if n % 7 == 3 else date(2024, 11, 1 + n % 5)
    team = chosen["team"]
    assert isinstance(team, list)
    return [FINDINGS[n % len(FINDINGS)], finished, "、".join(team[:2]), None]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results-example.xlsx")
    parser.add_argument("--registry", type=Path, default=HERE / "registry.xlsx")
    args = parser.parse_args(argv)
    rows = filled_rows(args.registry)
    with tempfile.TemporaryDirectory() as scratch:
        temp = Path(scratch) / "results.xlsx"
        write_workbook(temp, [Sheet(RESULT_SHEET, result_sheet_columns(), rows)])
        args.out.write_bytes(temp.read_bytes())
    print(args.out)


if __name__ == "__main__":
    main()
