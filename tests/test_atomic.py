"""atomic_output: complete file or none, no silent overwrite, friendly errors."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jcdraw import messages
from jcdraw.errors import OutputError
from jcdraw.io import atomic
from jcdraw.io.atomic import atomic_output, write_bytes_atomic, write_text_atomic


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_new_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "结果.txt"
    write_text_atomic(target, "抽查结果\n")
    assert target.read_text(encoding="utf-8") == "抽查结果\n"
    assert _listing(tmp_path) == ["结果.txt"]


def test_temp_file_is_hidden_sibling_named_with_pid_and_random_part(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with atomic_output(target) as temp, atomic_output(tmp_path / "other.xlsx") as second:
        assert re.fullmatch(rf"\.out\.xlsx\.{os.getpid()}\.[0-9a-f]{{8}}\.tmp", temp.name)
        assert temp.parent == tmp_path
        assert second.name.split(".")[-2] != temp.name.split(".")[-2]
        assert temp.exists()
        assert not target.exists()
        temp.write_bytes(b"data")
    assert target.read_bytes() == b"data"
    assert not temp.exists()


def test_existing_file_refused_without_force_and_left_intact(tmp_path: Path) -> None:
    target = tmp_path / "old.xlsx"
    target.write_bytes(b"old content")
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(target, b"new")
    assert str(caught.value) == messages.OUTPUT_EXISTS.format(path=target)
    assert "old.xlsx" in str(caught.value) and "--force" in str(caught.value)
    assert target.read_bytes() == b"old content"
    assert _listing(tmp_path) == ["old.xlsx"]


def test_force_replaces_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "old.txt"
    target.write_text("old", encoding="utf-8")
    write_text_atomic(target, "新内容", force=True)
    assert target.read_text(encoding="utf-8") == "新内容"
    assert _listing(tmp_path) == ["old.txt"]


def test_exception_mid_write_keeps_old_file_and_removes_temp(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError, match="boom"), atomic_output(target, force=True) as temp:
        temp.write_text("half writ", encoding="utf-8")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert _listing(tmp_path) == ["keep.txt"]


def test_keyboard_interrupt_also_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as temp:
        temp.write_text("partial", encoding="utf-8")
        raise KeyboardInterrupt
    assert _listing(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_directory_target_refused(tmp_path: Path, force: bool) -> None:
    folder = tmp_path / "结果"
    folder.mkdir()
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(folder, b"x", force=force)
    assert str(caught.value) == messages.OUTPUT_IS_DIRECTORY.format(path=folder)
    assert folder.is_dir() and _listing(folder) == []


def test_missing_folder_refused(tmp_path: Path) -> None:
    target = tmp_path / "不存在" / "out.xlsx"
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(target, b"x")
    assert str(caught.value) == messages.OUTPUT_FOLDER_MISSING.format(folder=tmp_path / "不存在", path=target)
    assert not (tmp_path / "不存在").exists()


def test_disk_full_during_write_is_reported_and_old_file_kept(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(OutputError) as caught, atomic_output(target, force=True) as temp:
        temp.write_bytes(b"part")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(caught.value) == messages.OUTPUT_DISK_FULL.format(path=target)
    assert isinstance(caught.value.__cause__, OSError)
    assert target.read_bytes() == b"old"
    assert _listing(tmp_path) == ["report.xlsx"]


def test_disk_full_at_fsync_in_write_bytes_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Delayed allocation and network filesystems report ENOSPC only at fsync.
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    target = tmp_path / "a.bin"
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(target, b"x" * 1000)
    assert "磁盘空间已满" in str(caught.value)
    assert _listing(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_dev_full_error_is_translated(tmp_path: Path) -> None:
    # The temp file always lives next to the target, so /dev/full stands in for the write itself.
    target = tmp_path / "a.bin"
    with pytest.raises(OutputError, match="磁盘空间已满"), atomic_output(target) as temp:
        temp.write_bytes(b"start")
        with open("/dev/full", "wb") as full:
            full.write(b"x" * 100_000)
            full.flush()
    assert _listing(tmp_path) == []


def test_file_locked_by_another_program_is_permission_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On Windows os.replace fails this way when Excel has the target open.
    target = tmp_path / "open.xlsx"
    target.write_bytes(b"old")

    def locked(src: str, dst: str) -> None:
        raise PermissionError(errno.EACCES, "Access is denied", str(src), None, str(dst))

    monkeypatch.setattr(atomic.os, "replace", locked)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(target, b"new", force=True)
    assert str(caught.value) == messages.OUTPUT_PERMISSION.format(path=target)
    assert target.read_bytes() == b"old"
    assert _listing(tmp_path) == ["open.xlsx"]


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_is_permission_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="没有权限写入"):
            write_bytes_atomic(folder / "x.bin", b"x")
    finally:
        folder.chmod(0o755)


def test_errors_about_other_files_are_not_disguised(tmp_path: Path) -> None:
    # A block that fails to read some input must not be reported as "cannot write the output".
    with pytest.raises(FileNotFoundError), atomic_output(tmp_path / "out.txt"):
        open(tmp_path / "missing-input.xlsx", "rb")  # noqa: SIM115
    assert _listing(tmp_path) == []


def test_file_appearing_during_write_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "race.txt"
    with pytest.raises(OutputError, match="已存在"), atomic_output(target) as temp:
        temp.write_text("ours", encoding="utf-8")
        target.write_text("theirs", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "theirs"
    assert _listing(tmp_path) == ["race.txt"]


_SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from jcdraw.io.atomic import atomic_output

    with atomic_output(Path(sys.argv[1]), force=True) as temp, open(temp, "wb") as handle:
        for chunk in range(100_000):
            handle.write(b"x" * 65536)
            handle.flush()
            if chunk == 20:
                print("writing", flush=True)
            time.sleep(0.005)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX only")
@pytest.mark.parametrize("old", [None, b"old complete file"])
def test_sigkill_midway_never_leaves_a_partial_target(tmp_path: Path, old: bytes | None) -> None:
    target = tmp_path / "big.bin"
    if old is not None:
        target.write_bytes(old)
    with subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target)], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        (temp,) = tmp_path.glob(f".big.bin.{child.pid}.*.tmp")
        assert temp.stat().st_size >= 20 * 65536
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    if old is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == old
    # Only the hidden temp file may remain; nothing can clean up after SIGKILL.
    assert set(_listing(tmp_path)) <= {"big.bin", temp.name}
