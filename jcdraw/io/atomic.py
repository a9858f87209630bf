"""Write output files completely or not at all, never over an input, never by surprise.

Spec:

- ``atomic_output(path, force=False)`` yields a temporary path next to the target; the caller writes
  the whole file there. On success the temp file is fsynced and renamed onto ``path`` with
  ``os.replace`` (atomic on POSIX and, within one volume, on Windows), then the folder is fsynced
  where the platform allows it. Readers therefore see either the old file (or none) or the complete
  new one — also after a crash or SIGKILL, which can at worst leave the hidden temp file behind.
- ``OutputBatch`` does the same for several outputs that must appear together with a ledger record:
  each is written to its temp file, the caller then commits the ledger, and ``release()`` renames
  them all. Until ``release()`` starts, leaving the batch (by any exception) removes every temp file;
  once it has started, a failure leaves the remaining temp files in place, because the ledger already
  records them (``jcdraw.publicity.publish`` explains how a rerun completes them).
- Temp files are named ``.{name}.{pid}.{random}.tmp`` and created exclusively (``O_CREAT|O_EXCL``,
  plus ``O_NOFOLLOW`` where it exists, mode 0600): a file or symlink planted under that name is never
  opened, written or followed — another random name is tried. Before the rename the temp file must
  still be the very file created (same device and inode, a regular file), and ``os.replace`` replaces
  only the target's own directory entry (a symlink there is replaced, not followed). The published
  file gets the usual mode (0666 less the umask).
- On any exception the temp file is removed and the exception propagates; operating-system failures the
  user can act on become ``OutputError`` with a Chinese message: target exists (without ``force``), target
  is a folder, folder missing, no permission / read-only / file locked by another program, disk full.
- ``check_output`` is the single output-path check, made before any work so a refusal costs nothing:
  besides the above it refuses, even with ``force``, an output that is one of the command's inputs or
  its ledger (``same_file``: the same path ignoring case, the same file after following links, or the
  same file by device and inode, which catches hard links). ``distinct_outputs`` refuses two outputs of
  one command that are the same file.

``write_bytes_atomic`` and ``write_text_atomic`` (UTF-8) are one-call conveniences over it.
``kill_point`` is a test hook (see there).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from jcdraw import messages
from jcdraw.errors import OutputError

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}
# O_BINARY matters on Windows only; O_NOFOLLOW does not exist there (O_EXCL alone never follows a link).
_EXCLUSIVE = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_NAME_TRIES = 16
KILL_AT_ENV = "JCDRAW_TEST_KILL_AT"


def kill_point(name: str) -> None:
    """Test hook: SIGKILL this process here when the environment variable ``JCDRAW_TEST_KILL_AT`` is ``name``.

    Lets tests stop a real run at a named moment (``before-commit``, ``after-commit``,
    ``after-first-rename`` in ``publish``) as a power cut would. Unset, it costs one dictionary lookup.
    """
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


@contextmanager
def atomic_output(path: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temp path to write to; publish it as ``path`` only if the block succeeds.

    Raises:
        OutputError: the target exists (and not ``force``), is a folder, its folder is missing, it
            cannot be written, or the disk is full.
    """
    target = Path(path)
    check_output(target, force=force)
    with OutputBatch(force=force) as batch:
        with batch.output(target) as temp:
            yield temp
        try:
            batch.release()
        except BaseException:
            batch.discard()  # a lone file: no record points at the temp file, so it goes
            raise


class OutputBatch:
    """Outputs written to temp files first and renamed into place together by ``release()``."""

    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self._pending: list[_Temp] = []
        self._releasing = False

    def __enter__(self) -> OutputBatch:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._releasing:
            self.discard()

    @contextmanager
    def output(self, path: Path) -> Iterator[Path]:
        """A fresh temp file for ``path``; kept for ``release()`` if the block succeeds."""
        target = Path(path)
        if not self.force and os.path.lexists(target):
            raise OutputError(messages.OUTPUT_EXISTS.format(path=target))
        try:
            temp = _Temp.create(target)
        except OSError as err:
            friendly = _translate(err, target, Path(err.filename or target))
            if friendly is None:
                raise
            raise friendly from err
        try:
            yield temp.path
            temp.check_unchanged()
            _fsync_file(temp.path)
        except BaseException as err:
            _remove_quietly(temp.path)
            friendly = _translate(err, target, temp.path) if isinstance(err, OSError) else None
            if friendly is not None:
                raise friendly from err
            raise
        self._pending.append(temp)

    def temp_of(self, path: Path) -> Path:
        """The temp file written for ``path`` (to hash it before it is released)."""
        return next(temp.path for temp in self._pending if temp.target == Path(path))

    def release(self) -> None:
        """Rename every temp file onto its target, in the order written; folders fsynced after."""
        self._releasing = True
        while self._pending:
            temp = self._pending[0]
            try:
                temp.check_unchanged()
                # Re-check just before publishing: another program may have created the file meanwhile.
                if not self.force and os.path.lexists(temp.target):
                    raise OutputError(messages.OUTPUT_EXISTS.format(path=temp.target))
                _publish_mode(temp.path)
                os.replace(temp.path, temp.target)
            except OSError as err:
                friendly = _translate(err, temp.target, temp.path)
                if friendly is None:
                    raise
                raise friendly from err
            self._pending.pop(0)
            _fsync_dir(temp.target.parent)
            kill_point("after-first-rename")

    def discard(self) -> None:
        """Remove every temp file not yet released."""
        for temp in self._pending:
            _remove_quietly(temp.path)
        self._pending.clear()


class _Temp:
    """A temp file created exclusively next to ``target``, remembered by device and inode."""

    def __init__(self, path: Path, target: Path, identity: tuple[int, int]) -> None:
        self.path = path
        self.target = target
        self.identity = identity

    @classmethod
    def create(cls, target: Path) -> _Temp:
        # Random names: a file planted under a predictable name cannot make us wait or fail, and
        # O_EXCL (with O_NOFOLLOW) means a planted symlink is never opened; another name is tried.
        for _ in range(_NAME_TRIES):
            path = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(path, _EXCLUSIVE, 0o600)
            except FileExistsError:
                continue
            try:
                info = os.fstat(fd)
            finally:
                os.close(fd)
            return cls(path, target, (info.st_dev, info.st_ino))
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))

    def check_unchanged(self) -> None:
        """Refuse to publish anything but the file created (something swapped in a link or another file)."""
        info = os.lstat(self.path)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != self.identity:
            raise OutputError(messages.OUTPUT_TEMP_REPLACED.format(path=self.path, target=self.target))


def write_bytes_atomic(path: Path, data: bytes, force: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_output``)."""
    with atomic_output(path, force=force) as temp, open(temp, "wb") as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str, force: bool = False) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see ``atomic_output``)."""
    write_bytes_atomic(path, text.encode("utf-8"), force=force)


def check_output(
    path: Path, *, force: bool, suffix: str | None = None, inputs: Iterable[Path | None] = ()
) -> None:
    """The one check of an output path, made before any work so a refusal costs nothing.

    Raises ``OutputError`` when ``path`` is one of ``inputs`` (the command's input files and its
    ledger; ``force`` or not), is a folder, lacks ``suffix`` (e.g. ``".xlsx"``), lies in a missing
    folder, is something other than a regular file (a FIFO, a device, a dangling link), or exists and
    ``force`` is not given.
    """
    target = Path(path)
    for source in inputs:
        if source is not None and same_file(target, source):
            raise OutputError(messages.OUTPUT_IS_INPUT.format(path=target, source=source))
    if target.is_dir():
        raise OutputError(messages.OUTPUT_IS_DIRECTORY.format(path=target))
    if suffix is not None and target.suffix.lower() != suffix:
        raise OutputError(messages.OUTPUT_NOT_XLSX.format(path=target))
    folder = target.absolute().parent
    if not folder.is_dir():
        raise OutputError(messages.OUTPUT_FOLDER_MISSING.format(folder=folder, path=target))
    if os.path.lexists(target) and not target.is_file():
        # Replacing it would destroy something that is not our output.
        raise OutputError(messages.OUTPUT_NOT_REGULAR.format(path=target))
    if not force and os.path.lexists(target):
        raise OutputError(messages.OUTPUT_EXISTS.format(path=target))


def distinct_outputs(paths: Sequence[Path | None]) -> None:
    """Refuse two outputs of one command that are the same file (the second would replace the first)."""
    given = [Path(p) for p in paths if p is not None]
    for n, path in enumerate(given):
        for other in given[n + 1 :]:
            if same_file(path, other):
                raise OutputError(messages.OUTPUT_TWICE.format(path=path, other=other))


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file, existing or not.

    The same absolute path after following links, compared ignoring case: Windows and macOS folders
    ignore it, and refusing two names that differ only in case costs nothing elsewhere. For two
    existing files also the same device and inode, which catches hard links.

    Example:
        >>> same_file(Path("out/公示.HTML"), Path("out/../out/公示.html"))
        True
    """
    if _folded(a) == _folded(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one of them does not exist (yet), or cannot be looked at
        return False


def numbered_if_taken(path: Path) -> Path:
    """``path`` if nothing is there yet, else the first free ``{stem}-2{suffix}``, ``-3`` ….

    For default output names only: they derive from a date or a task, so a second run the same day
    would otherwise collide with the first and be refused. A name the user gave is never renumbered.

    Example:
        >>> numbered_if_taken(Path("no-such-folder/公示-2024-10-08.xlsx")).name
        '公示-2024-10-08.xlsx'
    """
    target = Path(path)
    number = 1
    while os.path.lexists(target):
        number += 1
        target = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return target


def _folded(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path)).casefold()


def _publish_mode(temp: Path) -> None:
    # The temp file was created 0600 so nobody reads it half-written; the output gets the usual mode.
    if os.name != "nt":
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)


def _fsync_file(temp: Path) -> None:
    # "r+b" rather than "rb": Windows' _commit needs a handle opened for writing.
    with open(temp, "r+b") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open folders this way and does not need to.
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # Some filesystems (e.g. network mounts) refuse fsync on folders; the data is already safe.
    finally:
        os.close(fd)


def _remove_quietly(temp: Path) -> None:
    # Already gone, or undeletable: either way the original error is what the user needs to see.
    with contextlib.suppress(OSError):
        temp.unlink()


def _translate(err: OSError, target: Path, temp: Path) -> OutputError | None:
    if err.errno in _DISK_FULL:
        return OutputError(messages.OUTPUT_DISK_FULL.format(path=target))
    # Other failures are ours only if they name our files: the caller's block may read other files,
    # and their errors must not be reported as "cannot write the output".
    if not {str(err.filename), str(err.filename2)} & {str(target), str(temp)}:
        return None
    if isinstance(err, PermissionError) or err.errno in _NOT_ALLOWED:
        return OutputError(messages.OUTPUT_PERMISSION.format(path=target))
    if isinstance(err, FileNotFoundError):
        # The folder vanished between the check and the write.
        return OutputError(
            messages.OUTPUT_FOLDER_MISSING.format(folder=target.absolute().parent, path=target)
        )
    return None
