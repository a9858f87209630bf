"""Tests for jcdraw.normalize: keys, display text, float cells, multi-value cells and dates."""

from __future__ import annotations

import datetime as dt
import doctest
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jcdraw.io.normalize
from jcdraw.io.normalize import (
    clean_text,
    float_mask,
    join_keys,
    map_distinct,
    normalize_key,
    parse_dates,
    split_multi,
)
from jcdraw.io.text import normalize_key_one, parse_date_one

D = dt.date


def keys(*values: object) -> list[object]:
    return normalize_key(pd.Series(list(values), dtype=object)).tolist()


# --- normalize_key ------------------------------------------------------------------------------


def test_full_width_codes_become_half_width() -> None:
    assert keys("９１１４０５００ＭＡ０ＧＴＥＳＴ０１") == ["91140500MA0GTEST01"]


def test_whitespace_and_invisible_characters_are_removed_anywhere() -> None:
    assert (
        keys(
            " 9114\u00a00500 MA0G\u200bTEST\u200c0\u200d1\ufeff",
            "\u30009114\t0500\nMA0G\r\nTEST01\u3000",
            "9114\u00ad0500\u2060MA0GTEST01\x00",
        )
        == ["91140500MA0GTEST01"] * 3
    )


def test_lower_case_is_upper_cased() -> None:
    assert keys("91140500ma0gtest01", "ｍａ") == ["91140500MA0GTEST01", "MA"]


def test_numbers_become_their_digits() -> None:
    assert keys(123, np.int64(5), 911400000000000000.0, 9.114e17, 45.0, 1.5, np.float32(2.0)) == [
        "123",
        "5",
        "911400000000000000",
        "911400000000000000",
        "45",
        "1.5",
        "2",
    ]
    assert normalize_key(pd.Series([1, 22])).tolist() == ["1", "22"]
    assert normalize_key(pd.Series([1.0, np.nan, 2.5])).tolist() == ["1", None, "2.5"]
    assert normalize_key(pd.Series([7, None], dtype="Int64")).tolist() == ["7", None]


def test_empty_cells_become_none() -> None:
    assert keys(None, np.nan, pd.NA, pd.NaT, "", "   ", "\u3000\u00a0\u200b\t") == [None] * 7
    assert normalize_key(pd.Series(["a", None], dtype="str")).tolist() == ["A", None]
    assert normalize_key(pd.Series([], dtype=object)).tolist() == []


def test_other_values_use_str() -> None:
    assert keys(True, D(2025, 1, 1)) == ["TRUE", "2025-01-01"]


def test_chinese_text_keys() -> None:
    assert keys(" 晋城市 城区 ", "食品，药品", "商务局（一科）") == [
        "晋城市城区",
        "食品,药品",
        "商务局(一科)",
    ]


def test_index_and_name_are_kept() -> None:
    result = normalize_key(pd.Series(["a", "b"], index=["x", 3], name="区域"))
    assert result.to_dict() == {"x": "A", 3: "B"}
    assert result.name == "区域"


def test_repeated_values_take_the_same_path_result() -> None:
    distinct = ["ｍａ０ｇ", " a b ", "食品", 12, 1.0, None, "\u200b", "ΐ"]
    repeated = pd.Series(distinct * 3000, dtype=object)  # repetitive enough to be keyed per distinct text
    expected = [normalize_key_one(value) for value in distinct] * 3000
    assert normalize_key(repeated).tolist() == expected


def test_no_noise_character_is_alphanumeric() -> None:
    # _without skips the regex for alphanumeric cells; that is only correct if this holds.
    assert not any(ch.isalnum() for ch in jcdraw.io.normalize._NOISE)
    noise = jcdraw.io.normalize._NOISE
    assert all(ch in noise for ch in "\u00a0\u3000\t\n\u200b\u200c\u200d\u2060\ufeff\u00ad")


unicode_cells = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="09aZｚ９Ａ　 \u00a0\u200b\u200d\ufeff\u00ad\t\n晋城、，,;；/ΐﬀ¨\u0301"),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=False),
)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(unicode_cells, max_size=20))
def test_normalize_key_is_idempotent_and_agrees_with_one(values: list[object]) -> None:
    once = normalize_key(pd.Series(values, dtype=object))
    assert normalize_key(once).tolist() == once.tolist()
    assert once.tolist() == [normalize_key_one(value) for value in values]


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.sampled_from([1, 1.0, 2, 2.5, -0.0, 10**17, 9.114e17, float("nan"), float("inf")]),
            st.integers(),
            st.floats(allow_nan=True),
        ),
        max_size=30,
    )
)
def test_number_columns_key_each_distinct_number_as_one_value(values: list[object]) -> None:
    # Task and item numbers: equal numbers (1 and 1.0) share one conversion and must agree.
    assert keys(*values) == [normalize_key_one(value) for value in values]


def test_number_columns_with_bools_are_keyed_one_by_one() -> None:
    assert keys(True, 1, 1.0, False, 0) == ["TRUE", "1", "1", "FALSE", "0"]


def test_normalize_key_one() -> None:
    assert normalize_key_one(" ９１ａ ") == "91A"
    assert normalize_key_one(None) is None
    assert normalize_key_one(9.1e3) == "9100"


# --- clean_text -----------------------------------------------------------------------------------


def test_clean_text_strips_ends_and_invisible_characters_but_keeps_inner_spaces() -> None:
    cells = pd.Series(
        [
            "\u3000\u00a0晋城市某某有限公司（城区分公司）\u200b ",
            " 泽州县 金村镇  府城村 ",
            "a\u200bb\x00c\u00ad",
            "Tab\tand\nnewline",
            "，、；：“”",
            " \u3000\u200b",
            None,
            42,
        ],
        index=list("abcdefgh"),
    )
    assert clean_text(cells).to_dict() == {
        "a": "晋城市某某有限公司（城区分公司）",
        "b": "泽州县 金村镇  府城村",
        "c": "abc",
        "d": "Tabandnewline",
        "e": "，、；：“”",
        "f": None,
        "g": None,
        "h": "42",
    }


def test_clean_text_repeated_values() -> None:
    cells = pd.Series([" 城区 ", "\u200b泽州县"] * 6000)
    assert clean_text(cells).tolist() == ["城区", "泽州县"] * 6000


# --- float_mask -----------------------------------------------------------------------------------


def test_float_mask_flags_float_cells_only() -> None:
    cells = pd.Series(
        [9.114e17, np.float64(1.0), np.float32(2.0), 911, np.int64(3), "9.1e17", None, np.nan, True]
    )
    assert float_mask(cells).tolist() == [True, True, True, False, False, False, False, False, False]


def test_float_mask_by_dtype() -> None:
    assert float_mask(pd.Series([1.0, np.nan])).tolist() == [True, False]
    assert float_mask(pd.Series([1, 2])).tolist() == [False, False]
    assert float_mask(pd.Series(["1.0", None], dtype="str")).tolist() == [False, False]
    assert float_mask(pd.Series(["1.0", None], dtype=object)).tolist() == [False, False]


# --- split_multi ----------------------------------------------------------------------------------


def test_split_multi_on_every_separator() -> None:
    cells = pd.Series(
        ["a、b，c,d;e；f/g", "食品 ，药品／ 餐饮", " / ;", None, "ab", "x　y"], index=[5, 5, 1, 2, 3, 4]
    )
    result = split_multi(cells)
    assert list(result.index) == [5, 5, 1, 2, 3, 4]
    assert result.tolist() == [
        ["A", "B", "C", "D", "E", "F", "G"],
        ["食品", "药品", "餐饮"],
        [],
        [],
        ["AB"],
        ["XY"],
    ]


@settings(max_examples=100, deadline=None)
@given(cell=st.text(alphabet="aｂ９ 　\u200b、，,;；/／晋ΐ¨\u0301"))
def test_split_multi_equals_keying_each_part(cell: str) -> None:
    parts = re.split("[、，,;；/／]", cell)
    expected = [key for key in map(normalize_key_one, parts) if key is not None]
    assert split_multi(pd.Series([cell])).tolist() == [expected]


def test_split_multi_parts_are_keys_and_lists_are_independent() -> None:
    cells = pd.Series(["ｍａ０ｇ、 b\u200bc "] * 12000)
    result = split_multi(cells)
    assert result.iloc[0] == ["MA0G", "BC"]
    assert result.iloc[0] == [normalize_key_one(part) for part in ("ｍａ０ｇ", " b\u200bc ")]
    result.iloc[0].append("X")
    assert result.iloc[1] == ["MA0G", "BC"]


# --- parse_dates ----------------------------------------------------------------------------------


def dates(*values: object) -> tuple[list[object], list[bool]]:
    parsed, bad = parse_dates(pd.Series(list(values), dtype=object))
    return parsed.tolist(), bad.tolist()


def test_every_text_form() -> None:
    forms = [
        "2025-12-31",
        "2025/12/31",
        "2025.12.31",
        "2025年12月31日",
        "20251231",
        "2025-12-31 00:00:00",
        "2025-12-31T08:30",
        "2025/12/31 23:59:59.5",
        " ２０２５ 年 １２ 月 ３１ 日 ",
        "２０２５－１２－３１",
        "2025 - 12 - 31",
        "\u00a02025.12.31\u3000",
        "2025\u200b1231",
        "2025-12-31\n00:00:00",
        "2025年12月31",
    ]
    assert dates(*forms) == ([D(2025, 12, 31)] * len(forms), [False] * len(forms))
    assert dates("2025-1-5", "2025年1月5日") == ([D(2025, 1, 5)] * 2, [False, False])


def test_date_objects() -> None:
    values = [
        D(2025, 12, 31),
        dt.datetime(2025, 12, 31, 10, 30),
        pd.Timestamp("2025-12-31 08:00"),
        np.datetime64("2025-12-31"),
    ]
    assert dates(*values) == ([D(2025, 12, 31)] * 4, [False] * 4)


def test_excel_serial_numbers() -> None:
    assert dates(45657, 45657.0, 45657.75, np.int64(45657), 1, 2958465) == (
        [D(2024, 12, 31)] * 4 + [D(1899, 12, 31), D(9999, 12, 31)],
        [False] * 6,
    )
    assert dates(0, -1, 0.5, 2958466, 3e6, float("inf")) == ([None] * 6, [True] * 6)


def test_eight_digit_numbers_are_yyyymmdd() -> None:
    assert dates(20251231, 20251231.0, 20250230) == (
        [D(2025, 12, 31), D(2025, 12, 31), None],
        [False, False, True],
    )


def test_impossible_dates_and_garbage_are_bad() -> None:
    values = [
        "2025-02-30",
        "2023-02-29",
        "2100-02-29",
        "2025-13-01",
        "2025-00-10",
        "2025-04-31",
        "2025-12-00",
        "0000-01-01",
        "garbage",
        "2025-12/31",
        "2025-12",
        "45657",
        "2025123",
        "2025-12-31 abc",
        "31/12/2025",
        True,
        dt.time(8, 0),
    ]
    assert dates(*values) == ([None] * len(values), [True] * len(values))


def test_leap_days() -> None:
    assert dates("2024-02-29", "2000-02-29", "1900-02-28") == (
        [D(2024, 2, 29), D(2000, 2, 29), D(1900, 2, 28)],
        [False] * 3,
    )


def test_empty_cells_are_none_but_not_bad() -> None:
    assert dates(None, np.nan, pd.NA, pd.NaT, "", "  ", "\u3000\u200b") == ([None] * 7, [False] * 7)
    parsed, bad = parse_dates(pd.Series([], dtype=object))
    assert parsed.tolist() == [] and bad.tolist() == []


def test_mixed_column_keeps_index_and_order() -> None:
    cells = pd.Series(
        ["2025年1月2日", 45658.0, D(2025, 1, 1), None, "x"], index=[10, "b", 3, 4, 5], name="完成日期"
    )
    parsed, bad = parse_dates(cells)
    assert parsed.to_dict() == {10: D(2025, 1, 2), "b": D(2025, 1, 1), 3: D(2025, 1, 1), 4: None, 5: None}
    assert parsed.name == "完成日期"
    assert bad.tolist() == [False, False, False, False, True]


def test_typed_columns() -> None:
    stamps = pd.Series(pd.to_datetime(pd.Series(["2025-01-02 13:00", None])))
    assert parse_dates(stamps)[0].tolist() == [D(2025, 1, 2), None]
    assert parse_dates(pd.Series([45658.0, np.nan]))[0].tolist() == [D(2025, 1, 1), None]
    assert parse_dates(pd.Series([45658, None], dtype="Int64"))[0].tolist() == [D(2025, 1, 1), None]
    assert parse_dates(pd.Series(["2025-01-01", None], dtype="str"))[0].tolist() == [D(2025, 1, 1), None]
    assert parse_dates(pd.Series([True, False]))[1].tolist() == [True, True]


def test_repeated_date_texts() -> None:
    parsed, bad = parse_dates(pd.Series(["2025-01-02", "bad", "2025年1月3日"] * 4000))
    assert parsed.tolist() == [D(2025, 1, 2), None, D(2025, 1, 3)] * 4000
    assert bad.tolist() == [False, True, False] * 4000


def test_columns_of_date_objects_convert_each_distinct_date_once() -> None:
    cells = [D(2025, 1, 2), dt.datetime(2025, 1, 2, 9, 30), pd.Timestamp("2025-01-02 18:00"), None]
    parsed, bad = parse_dates(pd.Series(cells * 3000, dtype=object))
    assert parsed.tolist() == [parse_date_one(cell) for cell in cells] * 3000
    assert not bad.any()
    assert all(type(day) is D for day in parsed.dropna())


@pytest.mark.parametrize("skip_na", [True, False])
def test_map_distinct_is_series_map(skip_na: bool) -> None:
    cells = pd.Series(["b", None, "a", "b", float("nan")] * 3, index=range(10, 25), name="列")
    func = (lambda v: v.upper()) if skip_na else (lambda v: v.upper() if isinstance(v, str) else "空")
    mapped = map_distinct(cells, func, skip_na=skip_na)
    pd.testing.assert_series_equal(mapped, cells.map(func, na_action="ignore" if skip_na else None))
    tuples = pd.Series([("x",), ("x",), ()], dtype=object)
    assert map_distinct(tuples, "、".join).tolist() == ["x", "x", ""]


def test_join_keys_is_joining_the_columns_with_a_bar() -> None:
    a = pd.Series(["甲", None, "乙", float("nan")], index=[5, 6, 7, 8], dtype="str")
    b = pd.Series(["1", "2", None, "4"], index=[5, 6, 7, 8], dtype=object)
    pd.testing.assert_series_equal(join_keys(a, b), a + "|" + b)
    pd.testing.assert_series_equal(join_keys(a, b, b), a + "|" + b + "|" + b)
    blanked = a.fillna("") + "|" + b.fillna("")
    pd.testing.assert_series_equal(join_keys(a, b, blank_missing=True), blanked)
    assert join_keys(pd.Series([], dtype=object), pd.Series([], dtype=object)).tolist() == []


def test_parse_date_one() -> None:
    assert parse_date_one("２０２５．１２．３１") == D(2025, 12, 31)
    assert parse_date_one(45657) == D(2024, 12, 31)
    assert parse_date_one(D(2025, 1, 1)) == D(2025, 1, 1)
    assert parse_date_one("") is None
    assert parse_date_one(None) is None
    with pytest.raises(ValueError, match="2025-02-30"):
        parse_date_one("2025-02-30")
    with pytest.raises(ValueError):
        parse_date_one("tomorrow")


@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=D(1900, 1, 1), max_value=D(9999, 12, 31)))
def test_every_form_of_a_real_date_round_trips(day: D) -> None:
    y, m, d = day.year, day.month, day.day
    forms = [
        f"{y}-{m:02d}-{d:02d}",
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y}{m:02d}{d:02d}",
        day,
    ]
    serial = (day - D(1899, 12, 30)).days
    assert dates(*forms, serial) == ([day] * (len(forms) + 1), [False] * (len(forms) + 1))


# --- docstring examples ----------------------------------------------------------------------------


def test_docstring_examples() -> None:
    assert doctest.testmod(jcdraw.io.normalize).failed == 0
