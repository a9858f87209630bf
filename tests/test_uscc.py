"""Tests for jcdraw.uscc: the GB 32100-2015 check character and the vectorised column check."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
import stdnum.cn.uscc
from hypothesis import given, settings
from hypothesis import strategies as st

import jcdraw.registry.uscc
from jcdraw.registry.uscc import (
    ALPHABET,
    WEIGHTS,
    check_char,
    classify,
    division_codes,
    expected_check_chars,
    is_valid,
    make_uscc,
)

KNOWN_VALID = "91110000600037341L"  # confirmed valid by python-stdnum
LETTER_LED = make_uscc("Y1140500MA0GABCD1")  # GB 32100 allows a letter first; stdnum does not


def test_alphabet_and_weights_follow_the_standard() -> None:
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(ALPHABET) == 31
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_known_code_is_valid_here_and_in_stdnum() -> None:
    assert stdnum.cn.uscc.is_valid(KNOWN_VALID)
    assert check_char(KNOWN_VALID[:17]) == "L"
    assert make_uscc(KNOWN_VALID[:17]) == KNOWN_VALID
    assert is_valid(KNOWN_VALID)
    assert classify(pd.Series([KNOWN_VALID])).tolist() == ["ok"]


def test_letter_led_codes_are_accepted_although_stdnum_rejects_them() -> None:
    codes = [LETTER_LED, make_uscc("A1140500MA0G12345"), make_uscc("N2140525000000000")]
    assert not any(stdnum.cn.uscc.is_valid(code) for code in codes)
    assert all(is_valid(code) for code in codes)
    assert classify(pd.Series(codes)).tolist() == ["ok", "ok", "ok"]


def test_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="17 characters"):
        check_char("9111000060003734")
    with pytest.raises(ValueError, match="alphabet"):
        check_char("9111000060003734I")
    with pytest.raises(ValueError, match="alphabet"):
        check_char("9111000060003734a")


def test_is_valid_single_codes() -> None:
    assert not is_valid(KNOWN_VALID[:-1] + "M")
    assert not is_valid(KNOWN_VALID[:-1])
    assert not is_valid(KNOWN_VALID.lower())
    assert not is_valid("")


def test_each_status() -> None:
    codes = pd.Series(
        [
            KNOWN_VALID,
            None,
            np.nan,
            "",
            pd.NA,
            KNOWN_VALID[:-1],
            KNOWN_VALID + "0",
            KNOWN_VALID[:-1] + "l",  # lower case is not normalised here
            "9111000060003734IL",
            "O111000060003734SL",
            "9111000060003734VZ",
            "９1110000600037341L",  # full-width digit: 18 characters, not ASCII
            "911100006000373四1L",
            KNOWN_VALID[:-1] + "M",
        ],
        dtype=object,
    )
    assert classify(codes).tolist() == [
        "ok",
        "missing",
        "missing",
        "missing",
        "missing",
        "length",
        "length",
        "charset",
        "charset",
        "charset",
        "charset",
        "charset",
        "charset",
        "checksum",
    ]


def test_status_dtype_is_categorical_with_every_status() -> None:
    status = classify(pd.Series([KNOWN_VALID]))
    assert isinstance(status.dtype, pd.CategoricalDtype)
    assert list(status.cat.categories) == ["ok", "missing", "length", "charset", "checksum"]


def test_mixed_index_and_name_are_kept() -> None:
    codes = pd.Series([KNOWN_VALID, "x", None], index=[7, "b", 2.5], name="统一社会信用代码")
    for result in (classify(codes), expected_check_chars(codes), division_codes(codes)):
        assert list(result.index) == [7, "b", 2.5]
        assert result.name == "统一社会信用代码"
    assert classify(codes).to_dict() == {7: "ok", "b": "length", 2.5: "missing"}


def test_string_dtype_input_and_empty_input() -> None:
    codes = pd.Series([KNOWN_VALID, None, LETTER_LED[:-1] + "0"], dtype="str")
    assert classify(codes).tolist() == ["ok", "missing", "checksum"]
    assert classify(pd.Series([], dtype=object)).tolist() == []
    assert expected_check_chars(pd.Series([], dtype=object)).tolist() == []
    assert division_codes(pd.Series([], dtype=object)).tolist() == []


def test_expected_check_chars_only_for_checksum_rows() -> None:
    wrong = LETTER_LED[:-1] + ("0" if LETTER_LED[-1] != "0" else "1")
    codes = pd.Series([KNOWN_VALID[:-1] + "M", KNOWN_VALID, wrong, "abc", None, KNOWN_VALID[:-1] + "I"])
    assert expected_check_chars(codes).tolist() == ["L", None, LETTER_LED[-1], None, None, None]


def test_division_codes_are_characters_3_to_8_of_full_length_codes() -> None:
    codes = pd.Series([KNOWN_VALID, LETTER_LED, "91140500MA0GXXXXX", None, "", "９1140500MA0GTEST01"])
    assert division_codes(codes).tolist() == ["110000", "140500", None, None, None, "140500"]


def test_large_column_matches_scalar_rule() -> None:
    prefixes = [f"{i % 100:02d}{(140000 + i) % 1000000:06d}{i:09d}" for i in range(3000)]
    codes = [
        make_uscc(p) if i % 3 else p + ALPHABET[(ALPHABET.index(check_char(p)) + 1) % 31]
        for i, p in enumerate(prefixes)
    ]
    status = classify(pd.Series(codes))
    assert status.tolist() == ["ok" if is_valid(code) else "checksum" for code in codes]
    assert (status == "checksum").sum() == 1000


digits = st.text(alphabet="0123456789", min_size=8, max_size=8)
tails = st.text(alphabet=ALPHABET, min_size=9, max_size=9)


@settings(max_examples=200, deadline=None)
@given(head=digits, tail=tails, shift=st.integers(min_value=1, max_value=30))
def test_agrees_with_stdnum_on_digit_led_codes(head: str, tail: str, shift: int) -> None:
    good = make_uscc(head + tail)
    corrupted = good[:-1] + ALPHABET[(ALPHABET.index(good[-1]) + shift) % 31]
    status = classify(pd.Series([good, corrupted])).tolist()
    assert status == ["ok", "checksum"]
    assert stdnum.cn.uscc.is_valid(good)
    assert not stdnum.cn.uscc.is_valid(corrupted)
    assert expected_check_chars(pd.Series([corrupted])).tolist() == [good[-1]]


@settings(max_examples=200, deadline=None)
@given(code=st.text(alphabet=ALPHABET + "IOSVZa中 ", min_size=16, max_size=19))
def test_classify_agrees_with_is_valid_and_stdnum(code: str) -> None:
    ok = classify(pd.Series([code])).tolist() == ["ok"]
    assert ok == is_valid(code)
    # stdnum upper-cases and strips spaces first; compare only where that changes nothing.
    if code[:8].isdigit() and code.isascii() and code.isalnum() and code == code.upper():
        assert ok == stdnum.cn.uscc.is_valid(code)


def test_docstring_examples() -> None:
    assert doctest.testmod(jcdraw.registry.uscc).failed == 0
