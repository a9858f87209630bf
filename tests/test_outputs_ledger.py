"""Outputs and the ledger move together (issue 11, item 10).

- ``publish`` killed with SIGKILL at each named point (``JCDRAW_TEST_KILL_AT``) leaves either no
  publicity file and nothing recorded, or a recorded publication whose outputs a plain rerun of the
  same command completes as an uninterrupted run writes them (byte for byte but for the ledger anchor
  in the footers, whose chain head covers the records' own timestamps), recording nothing twice.
- A failure while writing ``--html`` leaves no workbook and records nothing.
- No output may be an input of the command or its ledger, even with ``--force`` (case, symlinks and
  hard links included); ``--out`` and ``--html`` may not be one file.
- Temp files are created exclusively: a planted symlink at the temp name is never followed, and a
  temp file swapped for a link before the rename is not published.
- ``init --force`` never replaces a filled registry or a workspace's ledger.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import sha256, write_registry
from test_publish import World, write_results

from jcdraw import messages
from jcdraw.errors import OutputError
from jcdraw.io import atomic
from jcdraw.io.atomic import atomic_output, same_file, write_bytes_atomic
from jcdraw.ledger import Anchor, Ledger
from jcdraw.plans.calendar import WorkdayCalendar

Run = Callable[..., Any]
ROWS = 12  # the results workbook: 3 entities × 4 items, each a result record
AS_OF = "2024-10-23"
OUTPUTS = ("公示.xlsx", "公示.html", "平台.xlsx")
PUBLISH = ["publish", "结果.xlsx", "--as-of", AS_OF, "--out", OUTPUTS[0], "--html", OUTPUTS[1],
           "--platform", OUTPUTS[2], "--backfill-reason", "2024 年的数据今天补录"]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A working folder with a ledger holding one draw and a filled results workbook for it."""
    work = tmp_path / "work"
    work.mkdir()
    world = World(work, work / "jcdraw.sqlite3", WorkdayCalendar.load(search_dirs=[]))
    write_results(work / "结果.xlsx", world.draw().rows())
    return work


ANCHOR = re.compile(r"台账编号 [0-9a-f]+；记录 \d+ 条；台账校验值 [0-9a-f]{64}")


def shown(name: str, data: bytes) -> object:
    """What an output shows, its ledger anchor blanked: the anchor's head covers the records' times."""
    if name.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return {part: ANCHOR.sub("…", book.read(part).decode("utf-8")) for part in book.namelist()}
    return ANCHOR.sub("…", data.decode("utf-8"))


def printed_anchors(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as book:
        return {a for part in book.namelist() for a in ANCHOR.findall(book.read(part).decode("utf-8"))}


def counts(ledger: Path) -> tuple[int, int]:
    """(results, publications) recorded, after checking the chain."""
    with Ledger.open(ledger, readonly=True) as book:
        assert book.audit().ok
        return len(book.records("result")), len(book.records("publication"))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*.tmp"))


def jcdraw_in(folder: Path, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from jcdraw.cli import main; main()", *argv]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def reference(folder: Path, run_cli: Run, tmp_path: Path) -> dict[str, bytes]:
    """The outputs of an uninterrupted run on a copy of the same folder (same ledger, same results)."""
    copy = shutil.copytree(folder, tmp_path / "reference")
    done = run_cli(PUBLISH, copy)
    assert done.code == 0, done.output
    assert counts(copy / "jcdraw.sqlite3")[1] == 1
    return {name: (copy / name).read_bytes() for name in OUTPUTS}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
@pytest.mark.parametrize("point", ["before-commit", "after-commit", "after-first-rename"])
def test_publish_killed_at_any_point_never_leaves_an_unrecorded_output(
    folder: Path, reference: dict[str, bytes], run_cli: Run, point: str
) -> None:
    env = {**os.environ, atomic.KILL_AT_ENV: point}
    killed = jcdraw_in(folder, PUBLISH, env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    present = [name for name in OUTPUTS if (folder / name).exists()]
    results, publications = counts(folder / "jcdraw.sqlite3")
    if point == "before-commit":
        assert (present, results, publications) == ([], 0, 0)
    else:
        assert (results, publications) == (ROWS, 1)
        assert present == ([] if point == "after-commit" else [OUTPUTS[0]])
        assert leftovers(folder), "the recorded outputs wait as temp files"

    again = run_cli(PUBLISH, folder)  # the plain rerun: no --force
    assert again.code == 0, again.output
    assert {name: shown(name, (folder / name).read_bytes()) for name in OUTPUTS} == {
        name: shown(name, data) for name, data in reference.items()
    }
    assert counts(folder / "jcdraw.sqlite3") == (ROWS, 1)  # nothing recorded twice
    if point != "before-commit":  # the temp files were the outputs: renamed, none left
        assert leftovers(folder) == []
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book:
        publication = book.records("publication")[0]
        before = Anchor(book.ledger_id, publication.seq - 1, publication.prev_hash).text()
    recorded = {e["file"]: e["sha256"] for e in publication.payload["outputs"]}
    assert recorded == {name: sha256(folder / name) for name in OUTPUTS}
    assert printed_anchors(folder / OUTPUTS[0]) == {before}  # the ledger the publication was made from


def test_the_test_hook_costs_nothing_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(atomic.KILL_AT_ENV, raising=False)
    atomic.kill_point("before-commit")  # still alive
    monkeypatch.setenv(atomic.KILL_AT_ENV, "after-commit")
    atomic.kill_point("before-commit")  # another point: still alive


def test_a_failing_html_write_leaves_no_workbook_and_records_nothing(
    folder: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("jcdraw.publicity.publish.write_html", full)
    failed = run_cli(PUBLISH, folder)
    assert failed.code == 2 and "磁盘空间已满" in failed.flat and "公示.html" in failed.flat
    assert sorted(p.name for p in folder.iterdir()) == ["jcdraw.sqlite3", "结果.xlsx"]
    assert counts(folder / "jcdraw.sqlite3") == (0, 0)


def test_a_rename_failing_after_the_commit_says_so_and_a_rerun_completes(
    folder: Path, reference: dict[str, bytes], run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace

    def locked(src: Any, dst: Any) -> None:  # Excel holds the page open on Windows
        if Path(dst).name == "公示.html":
            raise PermissionError(errno.EACCES, "Access is denied", str(src), None, str(dst))
        real(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(atomic.os, "replace", locked)
        failed = run_cli(PUBLISH, folder)
    assert failed.code == 2 and "已登记到台账" in failed.flat and "重新运行同一条 publish" in failed.flat
    assert counts(folder / "jcdraw.sqlite3") == (ROWS, 1)
    written = (folder / "公示.xlsx").read_bytes()
    assert shown("公示.xlsx", written) == shown("公示.xlsx", reference["公示.xlsx"])
    assert not (folder / "公示.html").exists()
    again = run_cli(PUBLISH, folder)
    assert again.code == 0, again.output
    assert {name: shown(name, (folder / name).read_bytes()) for name in OUTPUTS} == {
        name: shown(name, data) for name, data in reference.items()
    }
    assert (folder / "公示.xlsx").read_bytes() == written  # kept as recorded
    assert counts(folder / "jcdraw.sqlite3") == (ROWS, 1) and leftovers(folder) == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_read_only_html_folder_leaves_no_workbook_and_records_nothing(folder: Path, run_cli: Run) -> None:
    locked = folder / "网站"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        failed = run_cli([*PUBLISH[:6], str(locked / "公示.html")], folder)
    finally:
        locked.chmod(0o755)
    assert failed.code == 2 and "没有权限写入" in failed.flat
    assert not (folder / "公示.xlsx").exists() and list(locked.iterdir()) == []
    assert counts(folder / "jcdraw.sqlite3") == (0, 0)


# --- no output over an input, the ledger or another output ----------------------------------------


@pytest.fixture
def inputs(folder: Path) -> Path:
    """``folder`` plus a registry, so that every command that writes has its inputs at hand."""
    write_registry(folder / "registry.xlsx")
    return folder


DRAW = ["draw", "--plan", "joint", "--task", "2", "--seed", "31415926535897932384", "--as-of", "2024-04-01"]
REFUSED = {
    "publish --html ledger": [*PUBLISH[:4], "--html", "jcdraw.sqlite3"],
    "publish --out results": [*PUBLISH[:4], "--out", "结果.xlsx"],
    "publish --out ledger, other case": [*PUBLISH[:4], "--out", "JCDRAW.sqlite3"],
    "publish --platform ledger": [*PUBLISH[:4], "--platform", "jcdraw.sqlite3"],
    "draw --out registry": [*DRAW, "--out", "registry.xlsx"],
    "draw --out ledger": [*DRAW, "--out", "jcdraw.sqlite3"],
    "draw --prepare --out registry": [*DRAW[:5], "--prepare", "--out", "registry.xlsx"],
    "export --out ledger": ["export", "--draw", "2024-joint-T1-R1-1", "--out", "jcdraw.sqlite3"],
    "export --platform ledger": ["export", "--platform", "jcdraw.sqlite3"],
    "visits --out ledger": ["visits", "--out", "jcdraw.sqlite3"],
    "status --report ledger": ["status", "--as-of", AS_OF, "--report", "jcdraw.sqlite3"],
    "plans --changes --out ledger": ["plans", "--changes", "--out", "jcdraw.sqlite3"],
    "validate --report registry": ["validate", "registry.xlsx", "--report", "registry.xlsx"],
    "report --out ledger": ["report", "--year", "2024", "--out", "jcdraw.sqlite3"],
    "report --platform ledger": ["report", "--year", "2024", "--platform", "JCDRAW.sqlite3"],
}


@pytest.mark.parametrize("argv", REFUSED.values(), ids=REFUSED.keys())
def test_force_never_writes_over_an_input_or_the_ledger(inputs: Path, run_cli: Run, argv: list[str]) -> None:
    before = files_of(inputs)
    refused = run_cli([*argv, "--force"], inputs)
    assert refused.code == 2, refused.output
    assert "同一个文件" in refused.flat and "--force 也不行" in refused.flat
    assert files_of(inputs) == before


def files_of(folder: Path) -> dict[str, str]:
    """Name → SHA-256 of each file, but SQLite's side files (a read may leave an empty -wal)."""
    return {p.name: sha256(p) for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))}


@pytest.mark.skipif(not hasattr(os, "link"), reason="needs hard links")
def test_a_hard_link_or_symlink_to_the_ledger_is_the_ledger(folder: Path, run_cli: Run) -> None:
    os.link(folder / "jcdraw.sqlite3", folder / "硬链接.html")
    (folder / "快捷方式.html").symlink_to(folder / "jcdraw.sqlite3")
    before = sha256(folder / "jcdraw.sqlite3")
    for name in ("硬链接.html", "快捷方式.html"):
        refused = run_cli([*PUBLISH[:4], "--html", name, "--force"], folder, outputs=[name])
        assert refused.code == 2 and "同一个文件" in refused.flat, refused.output
    assert sha256(folder / "jcdraw.sqlite3") == before
    assert counts(folder / "jcdraw.sqlite3") == (0, 0)


@pytest.mark.parametrize("html", ["公示.xlsx", "公示.XLSX", "./子/../公示.xlsx"])
def test_out_and_html_may_not_be_one_file(folder: Path, run_cli: Run, html: str) -> None:
    (folder / "子").mkdir()
    refused = run_cli([*PUBLISH[:6], "--html", html], folder)
    assert refused.code == 2 and "--html" in refused.flat and "同一个文件" in refused.flat
    assert not (folder / "公示.xlsx").exists()
    assert counts(folder / "jcdraw.sqlite3") == (0, 0)


def test_same_file_sees_case_links_and_hard_links(tmp_path: Path) -> None:
    real = tmp_path / "台账.sqlite3"
    real.write_bytes(b"x")
    (tmp_path / "link").symlink_to(real)
    os.link(real, tmp_path / "hard")
    assert same_file(real, tmp_path / "台账.SQLITE3")
    assert same_file(real, tmp_path / "link") and same_file(tmp_path / "link", real)
    assert same_file(tmp_path / "hard", real)
    assert same_file(tmp_path / "新.xlsx", tmp_path / "." / "新.xlsx")  # neither exists yet
    assert not same_file(real, tmp_path / "其他.sqlite3")


# --- temp files ------------------------------------------------------------------------------------


@pytest.fixture
def predictable(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The random part of temp names, in order, so a test can plant files at the next names."""
    names = ["deadbeef", "deadbeef", "cafef00d"]
    monkeypatch.setattr(atomic.secrets, "token_hex", lambda n: names.pop(0))
    yield names


def test_a_planted_symlink_at_the_temp_name_is_not_followed(tmp_path: Path, predictable: list[str]) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    target = tmp_path / "公示.html"
    planted = tmp_path / f".公示.html.{os.getpid()}.deadbeef.tmp"
    planted.symlink_to(victim)
    write_bytes_atomic(target, b"<html>")
    assert target.read_bytes() == b"<html>" and not target.is_symlink()
    assert victim.read_bytes() == b"precious"
    assert planted.is_symlink() and planted.resolve() == victim  # left alone, not written through
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["victim.txt", "公示.html", planted.name])
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def test_a_temp_file_swapped_for_a_link_is_not_published(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    target = tmp_path / "out.xlsx"
    with pytest.raises(OutputError) as caught, atomic_output(target) as temp:
        temp.write_bytes(b"ours")
        temp.unlink()
        temp.symlink_to(victim)
    assert str(caught.value) == messages.OUTPUT_TEMP_REPLACED.format(path=temp, target=target)
    assert not target.exists() and victim.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim.txt"]


def test_the_rename_replaces_a_symlinked_target_not_the_file_it_points_to(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    target = tmp_path / "out.txt"
    target.symlink_to(victim)
    write_bytes_atomic(target, b"new", force=True)
    assert not target.is_symlink() and target.read_bytes() == b"new"
    assert victim.read_bytes() == b"precious"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- init --force ----------------------------------------------------------------------------------


def test_init_force_never_replaces_a_filled_registry_or_a_ledger(tmp_path: Path, run_cli: Run) -> None:
    assert run_cli(["init", "ws"], cwd=tmp_path).code == 0
    workspace = tmp_path / "ws"
    assert run_cli(["init", "ws", "--force"], cwd=tmp_path).code == 0  # a blank template may be renewed

    write_registry(workspace / "registry.xlsx")
    before = sha256(workspace / "registry.xlsx")
    refused = run_cli(["init", "ws", "--force"], cwd=tmp_path)
    assert refused.code == 1
    assert messages.INIT_FORCE_FILLED.format(path=Path("ws") / "registry.xlsx") in refused.flat
    assert sha256(workspace / "registry.xlsx") == before

    (workspace / "registry.xlsx").unlink()
    assert run_cli(["init", "ws", "--force"], cwd=tmp_path).code == 0  # init's own ledger: only its id
    with Ledger.open(workspace / "jcdraw.sqlite3") as book, book.writing() as writer:
        writer.append("note", "", {"text": "in use"})  # a ledger in use
    (workspace / "registry.xlsx").unlink()
    ledger = sha256(workspace / "jcdraw.sqlite3")
    refused = run_cli(["init", "ws", "--force"], cwd=tmp_path)
    assert refused.code == 1 and "台账" in refused.flat and "移到别的文件夹" in refused.flat
    assert sha256(workspace / "jcdraw.sqlite3") == ledger
    assert not (workspace / "registry.xlsx").exists()  # nothing written
    assert run_cli(["init", "ws"], cwd=tmp_path).code == 0  # without --force: fills in what is missing
    assert (workspace / "registry.xlsx").is_file()
