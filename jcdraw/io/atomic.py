"""Write an output file completely or not at all, and never overwrite one by surprise.

Spec:

- ``atomic_output(path, force=False)`` yields a temporary path ``.{name}.{pid}.tmp`` in the target's own
  folder. The caller writes the whole file there. On success the temp file is fsynced and renamed onto
  ``path`` with ``os.replace`` (atomic on POSIX and, within one volume, on Windows), then the folder is
  fsynced where the platform allows it. Readers therefore see either the old file (or none) or the
  complete new one — also after a crash or SIGKILL, which can at worst leave the hidden temp file behind.
- On any exception the temp file is removed and the exception propagates; operating-system failures the
  user can act on become ``OutputError`` with a Chinese message: target exists (without ``force``), target
  is a folder, folder missing, no permission / read-only / file locked by another program, disk full.
- Nothing is touched before these checks pass, so a refused write leaves the old file byte-for-byte intact.

``write_bytes_atomic`` and ``write_text_atomic`` (UTF-8) are one-call conveniences over it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jcdraw import messages
from jcdraw.errors import OutputError

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}


@contextmanager
def atomic_output(path: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temp path to write to; publish it as ``path`` only if the block succeeds.

    Raises:
        OutputError: the target exists (and not ``force``), is a folder, its folder is missing, it
            cannot be written, or the disk is full.
    """
    target = Path(path)
    check_output(target, force=force)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        _create_empty(temp)
        yield temp
        _fsync_file(temp)
        # Re-check just before publishing: another program may have created the file meanwhile.
        if not force and os.path.lexists(target):
            raise OutputError(messages.OUTPUT_EXISTS.format(path=target))
        os.replace(temp, target)
    except BaseException as err:
        _remove_quietly(temp)
        friendly = _translate(err, target, temp) if isinstance(err, OSError) else None
        if friendly is not None:
            raise friendly from err
        raise
    _fsync_dir(target.parent)


def write_bytes_atomic(path: Path, data: bytes, force: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_output``)."""
    with atomic_output(path, force=force) as temp, open(temp, "wb") as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str, force: bool = False) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see ``atomic_output``)."""
    write_bytes_atomic(path, text.encode("utf-8"), force=force)


def check_output(path: Path, *, force: bool, suffix: str | None = None) -> None:
    """The one check of an output path, made before any work so a refusal costs nothing.

    Raises ``OutputError`` when ``path`` is a folder, lacks ``suffix`` (e.g. ``".xlsx"``), lies in a
    missing folder, is something other than a regular file (a FIFO, a device, a dangling link), or
    exists and ``force`` is not given.
    """
    target = Path(path)
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


def _create_empty(temp: Path) -> None:
    # Creating the temp file up front turns "no permission" into an error before any work is done.
    with open(temp, "wb"):
        pass


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
