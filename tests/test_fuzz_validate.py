"""Fuzzing ``jcdraw validate`` with random cell values and types in the registry sheets.

Whatever lands in a cell (text with control, zero-width or bidi characters, formula-like text, huge
or tiny numbers, NaN and infinities, booleans, dates, blanks), ``validate`` must answer with exit 0 or
1 — or 2 only with a proper "unusable input" message — never a traceback or the internal-error note,
and must leave the workbook byte-identical. The workbook is assembled by hand (``badfiles.raw_xlsx``)
so values openpyxl refuses (control characters, NaN) still reach the reader exactly as written.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import badfiles as bf
from conftest import AS_OF, clean_entities, clean_inspectors, sha256
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jcdraw import messages

INTERNAL = messages.UNEXPECTED_ERROR.split("{detail}")[0]
# Prefixes of the only acceptable exit-2 messages for a registry: "this file cannot be used".
UNUSABLE = [t.split("{path}")[0] for t in (messages.FILE_BROKEN, messages.FILE_NOT_XLSX)]

TRICKY_TEXT = [
    '=HYPERLINK("http://x","y")', "=1+1", "+86 138 0000 0000", "-1", "@SUM(A1)", "\t=cmd", "\r\n",
    "\u200b", "\ufeff泽州县", "\u202e县州泽", "\x00", "\x1b[31m", "NaN", "inf", "TRUE", "#N/A", "#REF!",
    "2024-02-30", "２０２４年５月２０日", "9.11405256E+17", "91140525MA0000001X", "泽州县",
    "报废机动车回收拆解", "A", "高风险", "注销", "在岗", "退休", "、、、", "；", "__x0041_", "'", '"', "<b>",
    "&amp;", "[/]", "[bold]x[/bold]", "𠀀", "\U0010ffff",
]  # fmt: skip
text = st.one_of(
    st.sampled_from(TRICKY_TEXT),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=19),
)
cell = st.one_of(
    st.none(),
    text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e308, 5e-324, 9.11405256e17]),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)).map(lambda d: d.date()),
)
# (sheet, Excel row, column index, value); row 1 is the header, rows past the end append new rows.
edit = st.tuples(st.sampled_from(["检查对象", "执法人员"]), st.integers(1, 40), st.integers(0, 8), cell)


def apply(rows: list[list[Any]], row: int, column: int, value: Any) -> None:
    while len(rows) < row:
        rows.append([])
    target = rows[row - 1]
    while len(target) <= column:
        target.append(None)
    target[column] = value


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(edit, min_size=1, max_size=12), as_json=st.booleans())
def test_validate_survives_random_cells(
    run_cli: Any, tmp_path_factory: Any, edits: list[Any], as_json: bool
) -> None:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    sheets = {"检查对象": clean_entities(), "执法人员": clean_inspectors()}
    for sheet, row, column, value in edits:
        apply(sheets[sheet], row, column, value)
    path = bf.raw_xlsx(folder / "registry.xlsx", {name: bf.sheet_xml(rows) for name, rows in sheets.items()})
    before = sha256(path)
    argv = ["validate", path.name, "--plan", "joint", "--as-of", AS_OF.isoformat(), "--report", "report.xlsx"]
    result = run_cli([*argv, "--json"] if as_json else argv, cwd=folder)
    output = result.output
    assert INTERNAL not in output, output
    assert result.code in {0, 1, 2}, output
    if result.code == 2:
        assert any(prefix.format() in output for prefix in UNUSABLE) and path.name in output, output
    else:
        assert (folder / "report.xlsx").is_file()
        assert _chinese(output)
        if as_json:
            data = json.loads(result.out)
            assert data["ok"] is (result.code == 0)
    assert sha256(path) == before
