"""The shape of the house: one-way imports between stages, no cycles, lazy imports only where measured.

The rules are checked on jcdraw itself and, to show the checker can fail, on tiny fake packages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from importgraph import Graph, backward, build, cycles

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jcdraw"
STAGES = ["cli", "publicity", "results", "draw", "registry", "plans", "ledger", "io"]
MAX_LINES = 600
LONG_ALLOWED = {"jcdraw/messages.py"}  # the message catalogue: one reviewed list of every user text


@pytest.fixture(scope="module")
def jcdraw_graph() -> Graph:
    return build(PACKAGE, "jcdraw")


def test_no_import_cycles(jcdraw_graph: Graph) -> None:
    assert cycles(jcdraw_graph) == []


def test_imports_follow_the_stage_order(jcdraw_graph: Graph) -> None:
    assert backward(jcdraw_graph, STAGES) == []


def test_imports_inside_functions_only_in_the_cli(jcdraw_graph: Graph) -> None:
    """The CLI imports the core lazily so --help stays fast (measured by test_startup_*); nothing else may."""
    inside = {m: lines for m, lines in jcdraw_graph.function_imports.items() if lines}
    assert {m for m in inside if not m.startswith("jcdraw.cli")} == set()


def test_every_stage_is_a_subpackage() -> None:
    assert all((PACKAGE / stage / "__init__.py").is_file() for stage in STAGES)
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "errors.py", "messages.py", "problems.py", "records.py"]


def test_no_module_over_600_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert {k: v for k, v in long.items() if k not in LONG_ALLOWED} == {}


def _fake(tmp_path: Path, files: dict[str, str]) -> Graph:
    root = tmp_path / "fake"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return build(root, "fake")


FAKE_BASE = {
    "__init__.py": "",
    "messages.py": "",
    "io/__init__.py": "",
    "io/files.py": "from fake import messages\n",
    "draw/__init__.py": "",
    "draw/run.py": "from fake.io.files import x\n",
    "results/__init__.py": "",
    "results/status.py": "from fake.draw.run import y\n",
}


def test_checker_accepts_a_clean_fake_package(tmp_path: Path) -> None:
    graph = _fake(tmp_path, FAKE_BASE)
    assert cycles(graph) == [] and backward(graph, STAGES) == []
    assert graph.edges["fake.results.status"] == {"fake.draw.run"}


def test_checker_finds_a_cycle(tmp_path: Path) -> None:
    graph = _fake(tmp_path, {**FAKE_BASE, "draw/run.py": "from fake.draw.teams import t\n",
                             "draw/teams.py": "def f():\n    from fake.draw.run import r\n"})  # fmt: skip
    assert cycles(graph) == [["fake.draw.run", "fake.draw.teams"]]
    assert graph.function_imports["fake.draw.teams"] == [(2, "fake.draw.run")]


def test_checker_finds_a_backward_import(tmp_path: Path) -> None:
    graph = _fake(tmp_path, {**FAKE_BASE, "io/files.py": "from fake.results import status\n"})
    # The module and, because importing it runs it, its package's __init__.
    expected = [("fake.io.files", "fake.results"), ("fake.io.files", "fake.results.status")]
    assert backward(graph, STAGES) == expected


def test_checker_ignores_type_checking_imports(tmp_path: Path) -> None:
    text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fake.results.status import s\n"
    graph = _fake(tmp_path, {**FAKE_BASE, "io/files.py": text})
    assert backward(graph, STAGES) == [] and cycles(graph) == []


def test_own_package_init_is_not_a_cycle(tmp_path: Path) -> None:
    files = {**FAKE_BASE, "draw/__init__.py": "from fake.draw.run import y\n",
             "draw/run.py": "from fake.draw import teams\n", "draw/teams.py": ""}  # fmt: skip
    assert cycles(_fake(tmp_path, files)) == []


def test_reexporting_init_that_imports_back_across_stages_is_a_cycle(tmp_path: Path) -> None:
    files = {**FAKE_BASE, "draw/__init__.py": "from fake.draw.run import y\n",
             "draw/run.py": "from fake.results.status import s\n"}  # fmt: skip
    graph = _fake(tmp_path, files)
    assert cycles(graph) == [["fake.draw", "fake.draw.run", "fake.results.status"]]
    assert ("fake.draw.run", "fake.results.status") in backward(graph, STAGES)


@pytest.mark.parametrize("argv", [["--help"], ["draw", "--help"], ["publish", "--help"], ["plans"]])
def test_startup_loads_no_pandas_numpy_or_calamine(argv: list[str], tmp_path: Path) -> None:
    """``jcdraw --help``, a command's help and ``jcdraw plans`` stay fast: the heavy libraries stay out."""
    code = (
        "import sys\n"
        f"sys.argv = ['jcdraw', *{argv!r}]\n"
        "from jcdraw.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'numpy', 'python_calamine'})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert "HEAVY []" in done.stderr, done.stderr
