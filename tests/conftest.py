"""Shared fixtures: small registry workbooks written with openpyxl, the 2024 plans, and ``run_cli``.

``run_cli(argv, cwd)`` runs ``jcdraw.cli.main`` in-process and returns its exit code and output. Every
call also checks two promises that hold for every command: no traceback reaches the user, and no input
file named on the command line is modified (its SHA-256 is the same before and after).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jcdraw.plans.folders import builtin_plans_dir
from jcdraw.plans.load import load_plan
from jcdraw.plans.model import Plan
from jcdraw.registry.uscc import make_uscc
from jcdraw.results.backfill import BACKFILL_DAYS as REAL_BACKFILL_DAYS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PLANS_DIR = builtin_plans_dir()

# Inside the 2024 plans' period; the credentials written below are valid through 2026-12-31.
AS_OF = date(2024, 5, 20)
VALID_UNTIL = date(2026, 12, 31)

ENTITY_HEADER = ["统一社会信用代码", "名称", "区域", "监管类别", "信用风险分类", "经营状态"]
INSPECTOR_HEADER = ["执法证号", "姓名", "部门", "执法证有效期至", "在岗状态", "可检查类别", "回避对象"]
RECUSAL_HEADER = ["执法证号", "统一社会信用代码", "回避原因"]

DIVISIONS = {
    "城区": "140502",
    "沁水县": "140521",
    "阳城县": "140522",
    "陵川县": "140524",
    "泽州县": "140525",
    "高平市": "140581",
    "晋城开发区": "140500",
}
DEPARTMENTS = [
    "晋城市商务局",
    "晋城市公安局",
    "晋城市公安分局",
    "晋城市市场监督管理局",
    "国家税务总局晋城市税务局",
]

# (category, region): every task of the 2024 plans gets entities of every risk class.
TASK_TARGETS = [
    ("报废机动车回收拆解", "泽州县"),
    ("汽车销售", "阳城县"),
    ("外商投资", "晋城开发区"),
    ("单用途商业预付卡", "泽州县"),
    ("二手车交易市场", "城区"),
    ("拍卖", "高平市"),
    ("对外劳务合作", "沁水县"),
    ("商业特许经营", "陵川县"),
]


def uscc(region: str, serial: int, lead: str = "91") -> str:
    """A valid credit code whose division matches ``region``.

    Example:
        >>> uscc("泽州县", 1)[:8]
        '91140525'
    """
    return make_uscc(f"{lead}{DIVISIONS[region]}MA{serial:07d}")


def clean_entities() -> list[list[Any]]:
    """Header plus 4 entities (classes A-D) per task target: 32 rows, all valid."""
    rows: list[list[Any]] = [list(ENTITY_HEADER)]
    serial = 0
    for category, region in TASK_TARGETS:
        for risk in "ABCD":
            serial += 1
            rows.append(
                [uscc(region, serial), f"{region}{category}公司{serial}", region, category, risk, "存续"]
            )
    return rows


def clean_inspectors() -> list[list[Any]]:
    """Header plus 2 on-duty inspectors with valid credentials per department."""
    rows: list[list[Any]] = [list(INSPECTOR_HEADER)]
    for d, department in enumerate(DEPARTMENTS):
        for k in range(2):
            badge = f"1405{d}{k:04d}"
            rows.append([badge, f"执法员{d}{k}", department, VALID_UNTIL, "在岗", None, None])
    return rows


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """Write ``sheets`` (name → rows, header included) as typed by openpyxl: str, numbers, dates."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def write_registry(
    path: Path,
    entities: Sequence[Sequence[Any]] | None = None,
    inspectors: Sequence[Sequence[Any]] | None = None,
    recusals: Sequence[Sequence[Any]] | None = None,
) -> Path:
    """A registry workbook; omitted sheets get the clean defaults (``recusals``: no sheet)."""
    sheets: dict[str, Sequence[Sequence[Any]]] = {
        "检查对象": clean_entities() if entities is None else entities,
        "执法人员": clean_inspectors() if inspectors is None else inspectors,
    }
    if recusals is not None:
        sheets["回避关系"] = recusals
    return write_xlsx(path, sheets)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session", autouse=True)
def wide_backfill_window() -> Iterator[None]:
    """Most tests replay 2024 with ``--as-of`` on a later computer, which is not what they test: for
    them the 7-day backfill window is opened wide (for module fixtures too, hence the session scope).
    Tests marked ``real_backfill_window`` (the backfill rules and the README's example year, in
    test_anchors.py) get the real one back (``real_backfill_window`` below)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("jcdraw.results.backfill.BACKFILL_DAYS", 10**6)
        yield


@pytest.fixture(autouse=True)
def real_backfill_window(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_backfill_window") is not None:
        monkeypatch.setattr("jcdraw.results.backfill.BACKFILL_DAYS", REAL_BACKFILL_DAYS)


@pytest.fixture(scope="session")
def plans_2024() -> list[Plan]:
    """The shipped 2024 joint and internal plans."""
    return [load_plan(PLANS_DIR / "2024_joint.yaml"), load_plan(PLANS_DIR / "2024_internal.yaml")]


@pytest.fixture
def registry_path(tmp_path: Path) -> Callable[..., Path]:
    """``registry_path(entities=…, inspectors=…, recusals=…, name=…)`` → a written registry workbook."""

    def build(name: str = "registry.xlsx", **sheets: Any) -> Path:
        return write_registry(tmp_path / name, **sheets)

    return build


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err

    @property
    def flat(self) -> str:
        """stdout + stderr without line breaks: long messages are wrapped when not on a terminal."""
        return self.output.replace("\n", "")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``run_cli(argv, cwd=None, outputs=())`` runs ``jcdraw.cli.main(argv)`` in ``cwd`` and asserts that no
    traceback was printed and that every file named in ``argv`` (except ``outputs``) is unchanged."""
    from jcdraw.cli import main

    def run(
        argv: Sequence[str | Path], cwd: Path | None = None, outputs: Sequence[str | Path] = ()
    ) -> CliResult:
        """``outputs``: files named in ``argv`` that the command may legitimately replace (``--force``)."""
        if cwd is not None:
            monkeypatch.chdir(cwd)
        args = [str(a) for a in argv]
        writable = {Path(o).resolve() for o in outputs}
        inputs = {
            path: sha256(path) for a in args if (path := Path(a)).is_file() and path.resolve() not in writable
        }
        capsys.readouterr()
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err, out + err
        for path, digest in inputs.items():
            assert sha256(path) == digest, f"{path} was modified by jcdraw {' '.join(args)}"
        return CliResult(code, out, err)

    yield run
