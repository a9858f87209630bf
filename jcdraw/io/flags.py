"""The one way a column check becomes problems: a boolean mask over a sheet's rows.

Checks run on whole columns; this turns the rows a check flagged into ``Problem`` objects, one per
row, each naming its sheet, Excel row, column and value (as given, or as ``display`` makes it read:
callers choose how a cell reads). Message fields are constants or per-row Series aligned with the
mask. Only the first ``PER_CODE_LIMIT`` rows of a code are built as objects; the rest are counted
(``ProblemList`` notes how many), so a million bad rows stay cheap. The registry's and the results
sheet's checks both report through ``flag_rows``.
"""

from __future__ import annotations

from collections.abc import Callable
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
    display: Callable[[object], object] | None = None,
    **fields: object,
) -> None:
    """Add one ``code`` problem per row where ``mask`` is true, in the order of ``excel_rows``.

    ``mask`` is a boolean Series labelled like ``excel_rows`` (NaN counts as false; it may cover
    only some of the rows) or an array in their positional order; ``values`` holds the cells shown,
    labelled like ``excel_rows`` (Series masks) or in its positional order (arrays), and ``display``
    turns a flagged cell into the value the problem shows (only flagged cells are converted).
    ``fields`` are constants or Series labelled like ``excel_rows``.
    """
    flagged = _positions(mask, excel_rows)
    if not len(flagged):
        return
    rows = excel_rows.iloc[flagged]
    shown = values.reindex(rows.index) if isinstance(mask, pd.Series) else values.iloc[flagged]
    if display is not None:
        shown = pd.Series([display(v) for v in shown.to_numpy(dtype=object)], index=shown.index, dtype=object)
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
    """Positions in ``excel_rows`` of the flagged rows, in ascending order."""
    if isinstance(mask, pd.Series):
        # Only the flagged labels are looked up: a check over a subset of the rows (the filled
        # ones) need not be spread over the whole sheet first.
        labels = mask.index[mask.fillna(False).astype(bool).to_numpy()]
        at = excel_rows.index.get_indexer(labels)
        return np.sort(at[at >= 0])
    return np.flatnonzero(np.asarray(mask, dtype=bool))
