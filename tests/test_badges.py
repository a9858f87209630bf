"""Badge cells: the column splitter agrees with the one-cell rule; number cells read as typed digits."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from jcdraw.io.badges import badge_display, split_badge_column, typed_as_number
from jcdraw.io.text import split_badges

PIECES = [
    "14050001",
    "jc-001",
    "１４０５",
    " ",
    "\n",
    "、",
    "，",
    ",",
    ";",
    "；",
    "/",
    "／",
    "\u200b",
    "\u3000",
    "\t",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
            st.integers(0, 10**12),
            st.integers(0, 10**12).map(float),
            st.text(max_size=8),
        ),
        max_size=30,
    )
)
def test_the_column_splitter_agrees_with_the_one_cell_rule(cells: list[object]) -> None:
    column = pd.Series(cells, dtype=object)
    assert split_badge_column(column).tolist() == [split_badges(cell) for cell in cells]


def test_spaces_line_breaks_and_punctuation_all_separate_badges() -> None:
    typed = ["14050001 14050002", "14050001\n14050002", "14050001，14050002", "14050001/14050002"]
    typed += ["14050001;14050002", "14050001、 14050002", "1405\u200b0001"]
    cells = pd.Series(typed, dtype=object)
    assert split_badge_column(cells).tolist() == [["14050001", "14050002"]] * 6 + [["14050001"]]


def test_a_badge_typed_as_a_number_is_shown_as_its_digits() -> None:
    cells = pd.Series([14050000011.0, "14050000012", None, True, 7], dtype=object)
    assert typed_as_number(cells).tolist() == [True, False, False, False, True]
    assert badge_display(cells).tolist() == ["14050000011", "14050000012", None, True, "7"]
    assert split_badge_column(cells).tolist() == [["14050000011"], ["14050000012"], [], ["TRUE"], ["7"]]
    assert split_badge_column(pd.Series([None, None], dtype=object)).tolist() == [[], []]
    assert split_badge_column(pd.Series([], dtype=object)).tolist() == []
