"""Benchmark: a draw over a huge pool, excluding loading, as a ratio to loading the pool.

Usage::

    .venv/bin/python bench/draw.py [--rows N] [--profile]

Writes (or reuses, from ``bench/out/``) a registry whose ``N`` entities (default 1,000,000) all carry
拍卖, so joint task 6 (拍卖, 全市, 50 %) has nearly all of them eligible, with 300 inspectors (150 + 120
in the task's two departments). In one fresh interpreter it then times, one after the other:

- ``load_pool``: ``jcdraw.drawing.load_pool`` — read, validate, compute the pool (the baseline);
- ``compute_draw``: tickets, strata, selection and team assignment, plus what ``run_draw`` adds from
  the pool (its sorted lines, the binding recusals, their fingerprints);
- ``write_assignment``: the assignment workbook (``bench/out/draw-N.xlsx``), its 对象池 sheet included;
- ``ledger``: recording the draw in a fresh SQLite ledger (for information; not in the target).

Peak memory is the process's peak so far after each phase. Target (issue): compute_draw ≤ 0.5 ×
load_pool, reported with and without writing the workbook. ``--profile`` writes the cProfile of
compute_draw + write_assignment to ``bench/out/profile-draw-N.txt``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import _data

PLAN = "joint"
TASK = 6
SEED = "31415926535897932384"
AS_OF = date(2024, 5, 20)
TIME_TARGET = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="entity rows (default 1,000,000)")
    parser.add_argument("--profile", action="store_true", help="also write a cProfile of the draw")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, path = args.worker
        print(json.dumps(draw_worker(Path(path), profile=kind == "profile")))
        return 0

    path = _data.ensure_registry(args.rows, "draw")
    _data.warm_page_cache(path)
    r = _data.run_worker(Path(__file__).resolve(), "profile" if args.profile else "draw", str(path))
    load, load_cpu = r["load_s"], r["load_cpu"]
    both, both_cpu = r["draw_s"] + r["write_s"], r["draw_cpu"] + r["write_cpu"]
    rows = [
        (f"load_pool ({int(r['pool']):,} eligible)", load, load_cpu, r["load_gb"], 1.0),
        (
            f"compute_draw ({int(r['selected']):,} drawn)",
            r["draw_s"],
            r["draw_cpu"],
            r["draw_gb"],
            r["draw_s"] / load,
        ),
        ("write_assignment", r["write_s"], r["write_cpu"], r["write_gb"], r["write_s"] / load),
        ("compute_draw + write_assignment", both, both_cpu, r["write_gb"], both / load),
        (
            "ledger record_draw (info, not in target)",
            r["ledger_s"],
            r["ledger_cpu"],
            r["ledger_gb"],
            r["ledger_s"] / load,
        ),
    ]
    title = f"draw benchmark: {path.name}, task {PLAN}/{TASK}" + (" (under cProfile)" if args.profile else "")
    _data.print_table(title, rows)
    draw_ratio, both_ratio = r["draw_s"] / load, both / load
    print(
        f"\ntarget: draw ≤ {TIME_TARGET} × load → without workbook {draw_ratio:.2f} "
        f"(CPU {r['draw_cpu'] / load_cpu:.2f}, {_verdict(draw_ratio)}), "
        f"with workbook {both_ratio:.2f} (CPU {both_cpu / load_cpu:.2f}, {_verdict(both_ratio)})"
    )
    if args.profile:
        print(f"profile: {_data.OUT_DIR / f'profile-draw-{path.stem}.txt'}")
    return 0


def _verdict(ratio: float) -> str:
    return "met" if ratio <= TIME_TARGET else "NOT met"


def draw_worker(path: Path, *, profile: bool) -> dict[str, float]:
    """Load, draw, write and record in one interpreter, timing each phase."""
    import tempfile

    from jcdraw.draw.pool import load_pool
    from jcdraw.draw.run import as_witnessed, compute_draw, provenance
    from jcdraw.draw.workbook import write_assignment
    from jcdraw.ledger import Anchor, Ledger
    from jcdraw.plans.load import load_plan, resolve_plan_path

    plan = load_plan(resolve_plan_path(PLAN))
    result: dict[str, float] = {}
    with _data.Stopwatch() as clock:
        pool = load_pool(path, plan, TASK, as_of=AS_OF)
    result.update(load_s=clock.wall, load_cpu=clock.cpu, load_gb=_data.peak_gb(), pool=len(pool.entities))

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with _data.Stopwatch() as clock:
        payload = compute_draw(pool, seed=SEED, round_no=1, history=set())
        # What run_draw adds from the pool: its lines, the binding recusals and their fingerprints.
        payload.update(provenance(pool, as_witnessed(SEED), AS_OF, False))
    result.update(
        draw_s=clock.wall, draw_cpu=clock.cpu, draw_gb=_data.peak_gb(), selected=len(payload["selected"])
    )

    # What the ledger adds before the workbook is written: the id, and the draw's place in the chain.
    record = {**payload, "draw_id": f"{plan.id}-T{TASK}-R1-1", "commitments": [], "refused": []}
    anchor = Anchor("0" * 32, 1, "0" * 64)
    with _data.Stopwatch() as clock:
        write_assignment(_data.OUT_DIR / f"draw-{path.stem}.xlsx", record, anchor=anchor, force=True)
    result.update(write_s=clock.wall, write_cpu=clock.cpu, write_gb=_data.peak_gb())
    if profiler is not None:
        profiler.disable()
        _write_profile(profiler, _data.OUT_DIR / f"profile-draw-{path.stem}.txt")

    with (
        tempfile.TemporaryDirectory(dir=_data.OUT_DIR) as scratch,
        _data.Stopwatch() as clock,
        Ledger.open(Path(scratch) / "ledger.sqlite3") as ledger,
    ):
        ledger.record_draw(plan.id, TASK, 1, payload)
    result.update(ledger_s=clock.wall, ledger_cpu=clock.cpu, ledger_gb=_data.peak_gb())
    return result


def _write_profile(profiler: object, out: Path) -> None:
    import io
    import pstats

    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)  # type: ignore[arg-type]
    out.write_text(text.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
