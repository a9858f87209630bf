"""python-calamine behind the guard: the only module that imports it, and nothing reaches it unmeasured.

``GuardedWorkbook.open`` measures the parts calamine parses on open (``xlsx_layout.read_layout``)
before ``CalamineWorkbook.from_path``; ``rows`` measures every part a sheet may come from
(``xlsx_measure.measure_sheet``) before ``get_sheet_by_name``; the same measure carries the sheet's
error cells, so one inflate pass serves both. ``tests/test_xlsx_guard.py`` checks that no other module
imports python_calamine and that a hostile file never reaches it.

calamine picks its reader by the file's extension: a workbook named ``.ods``, ``.xlsb`` or ``.XLSX``
would be parsed by another reader the guard does not model, so such a file is opened through a hard
link (or, across drives, a copy) named ``.xlsx`` in a temporary folder, removed by ``close``.

A panic inside calamine surfaces in Python as ``pyo3_runtime.PanicException``, a ``BaseException``
that ``except Exception`` misses; it becomes ``CalamineFailed`` (exit 2, a Chinese message). calamine's
own exceptions (``PasswordError``, ``CalamineError`` …) pass unchanged for the caller to word.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import python_calamine

from jcdraw import messages
from jcdraw.io.xlsx_extent import ErrorCell, SheetMeasure
from jcdraw.io.xlsx_layout import Layout, SheetEntry, read_layout
from jcdraw.io.xlsx_measure import measure_sheet
from jcdraw.io.xlsx_parts import (
    MAX_CELL_RECORDS,
    MAX_GRID_CELLS,
    MAX_INFLATED_BYTES,
    MAX_SHARED_TEXT_BYTES,
    CalamineFailed,
    MalformedWorkbook,
    SheetTooLarge,
    short,
    size_text,
)
from jcdraw.io.xlsx_strings import shared_text_bytes

CALAMINE_SUFFIXES: Final = (".xlsx", ".xlsm", ".xlam")  # calamine reads these with its xlsx reader

PasswordError = python_calamine.PasswordError  # for the caller's "encrypted" message


@dataclass(frozen=True)
class Limits:
    max_inflated_bytes: int = MAX_INFLATED_BYTES
    max_cells: int = MAX_GRID_CELLS
    max_records: int = MAX_CELL_RECORDS


class GuardedWorkbook:
    """An open workbook whose every calamine call is preceded by the guard's measure (module doc)."""

    def __init__(self, path: Path, layout: Layout, book: Any, alias: Path | None, limits: Limits) -> None:
        self.path = path
        self.layout = layout
        self._book = book
        self._alias = alias
        self._limits = limits
        self._measures: dict[str, SheetMeasure] = {}
        # Closing calamine's book first releases its handle on the alias: Windows deletes no open file.
        self._cleanup = weakref.finalize(self, _release, book, alias)
        self.sheet_names: list[str] = [str(name) for name in book.sheet_names]

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        max_inflated_bytes: int = MAX_INFLATED_BYTES,
        max_cells: int = MAX_GRID_CELLS,
        max_records: int = MAX_CELL_RECORDS,
    ) -> GuardedWorkbook:
        path = Path(path)
        layout = read_layout(path, max_inflated_bytes=max_inflated_bytes)
        alias = None if path.suffix in CALAMINE_SUFFIXES else _xlsx_alias(path)
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(alias or path))
        except BaseException as err:
            _remove_alias(alias)
            raise _calamine_error(err, path, None) from None
        return cls(path, layout, book, alias, Limits(max_inflated_bytes, max_cells, max_records))

    def entry(self, sheet: str) -> SheetEntry | None:
        """The sheet's name, visibility and parts, as ``workbook.xml`` lists them."""
        return self.layout.entry(sheet)

    def measure(self, sheet: str) -> SheetMeasure:
        """Measure (once) every part calamine may read for ``sheet``; refuse what breaks a bound."""
        if sheet not in self._measures:
            entry = self.layout.entry(sheet)
            if entry is None or not entry.parts:
                # A sheet calamine lists but the guard cannot locate is never parsed unmeasured.
                raise MalformedWorkbook(messages.GUARD_SHEET_PART_MISSING.format(path=self.path, sheet=sheet))
            limits = self._limits
            found = [
                measure_sheet(
                    self.path, part, sheet=sheet, max_inflated_bytes=limits.max_inflated_bytes,
                    max_cells=limits.max_cells, max_records=limits.max_records,
                    count_shared=self.layout.strings_part is not None,
                )
                for part in entry.parts
            ]  # fmt: skip
            for measure in found:
                self._check_shared_text(sheet, measure)
            self._measures[sheet] = found[-1]  # calamine keeps the last target of a repeated id
        return self._measures[sheet]

    def _check_shared_text(self, sheet: str, measure: SheetMeasure) -> None:
        """Refuse a sheet whose cells would copy more shared-string text than the bound (xlsx_strings)."""
        part = self.layout.strings_part
        if part is None or measure.shared_cells * self.layout.longest_string <= MAX_SHARED_TEXT_BYTES:
            return  # the cheap upper bound: no second pass
        limit = self._limits.max_inflated_bytes
        total = shared_text_bytes(self.path, part, measure.part, limit)
        if total > MAX_SHARED_TEXT_BYTES:
            raise SheetTooLarge(
                messages.GUARD_SHARED_TEXT_TOO_LARGE.format(
                    path=self.path, sheet=sheet, size=size_text(total), bound=size_text(MAX_SHARED_TEXT_BYTES)
                )
            )

    def rows(self, sheet: str) -> list[list[Any]]:
        """All rows as Python values, empty cells ``""`` (``to_python(skip_empty_area=False)``)."""
        self.measure(sheet)
        try:
            data: list[list[Any]] = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except BaseException as err:
            raise _calamine_error(err, self.path, sheet) from None
        return data

    def error_cells(self, sheet: str) -> list[ErrorCell]:
        """(Excel row, 0-based column, text) of the sheet's error cells, from the measure's pass."""
        return sorted(set(self.measure(sheet).error_cells))

    def close(self) -> None:
        self._cleanup()


def _xlsx_alias(path: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="jcdraw-"))
    alias = folder / "workbook.xlsx"
    try:
        os.link(path, alias)
    except OSError:  # another drive, or a filesystem without hard links
        shutil.copyfile(path, alias)
    return alias


def _release(book: Any, alias: Path | None) -> None:
    with contextlib.suppress(Exception):  # already closed: nothing to release
        book.close()
    _remove_alias(alias)


def _remove_alias(alias: Path | None) -> None:
    if alias is not None:
        shutil.rmtree(alias.parent, ignore_errors=True)


def _calamine_error(err: BaseException, path: Path, sheet: str | None) -> BaseException:
    """A calamine panic → ``CalamineFailed``; anything else unchanged (the caller words it)."""
    if type(err).__name__ != "PanicException":
        return err
    where = messages.GUARD_NATIVE_CRASH_SHEET.format(sheet=sheet) if sheet else ""
    return CalamineFailed(messages.GUARD_NATIVE_CRASH.format(path=path, where=where, detail=short(err)))
