"""The one way a column check becomes problems: a boolean mask over a sheet's rows.

Checks run on whole columns; this turns the rows a check flagged into ``Problem`` objects, one per
row, each naming its sheet, Excel row, column and value (as given: callers choose how a cell
reads). Message fields are constants or per-row
Series aligned with the mask. Only the first ``PER_CODE_LIMIT`` rows of a code are built as objects;
the rest are counted (``ProblemList`` notes how many), so a million bad rows stay cheap.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jcdraw.problems import PER_CODE_LIMIT, ProblemList, make


def flag_rows(
    problems: ProblemList,
    code: str,
    mask: pd.Series | np.ndarray[Any, Any],
    *,
    sheet: str,
    excel_rows: pd.Series,
    column: str | None,
    values: pd.Series,
    **fields: object,
) -> None:
    """Add one ``code`` problem per row where ``mask`` is true.

    ``mask`` is a boolean Series on the same index as ``excel_rows`` and ``values`` (NaN counts as
    false) or an array in their positional order; ``fields`` are constants or Series on that index.
    """
    flagged = _positions(mask, excel_rows)
    if not len(flagged):
        return
    rows = excel_rows.iloc[flagged]
    shown = values.reindex(rows.index) if isinstance(mask, pd.Series) else values.iloc[flagged]
    first = rows.index[:PER_CODE_LIMIT]
    per_row = {k: v for k, v in fields.items() if isinstance(v, pd.Series)}
    constant = {k: v for k, v in fields.items() if not isinstance(v, pd.Series)}
    for label in first:
        extra = {k: v.get(label) for k, v in per_row.items()}
        problems.add(
            make(code, sheet=sheet, row=int(rows[label]), column=column, value=shown[label],
                 **constant, **extra)
        )  # fmt: skip
    rest = rows.index[PER_CODE_LIMIT:]
    if len(rest):  # counted, not listed: ProblemList keeps only the first ones of each code
        problems.from_mask(code, sheet=sheet, rows=list(rows[rest]), column=column, values=list(shown[rest]))


def _positions(mask: pd.Series | np.ndarray[Any, Any], excel_rows: pd.Series) -> np.ndarray[Any, Any]:
    if isinstance(mask, pd.Series):
        aligned = mask.reindex(excel_rows.index).fillna(False).astype(bool)
        return np.flatnonzero(aligned.to_numpy())
    return np.flatnonzero(np.asarray(mask, dtype=bool))
