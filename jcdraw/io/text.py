"""One cell at a time: the normalisation rules of ``jcdraw.io.normalize`` for a single value.

The rules themselves (which characters are noise, which date forms are accepted) are stated in
``jcdraw.io.normalize`` and defined here once, in plain Python, so that plans, options and the ledger
can normalise a value without loading pandas or numpy (``jcdraw plans`` and ``--help`` stay fast). The
column functions apply the same definitions vectorised; a property test checks that both agree.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
import unicodedata
from collections.abc import Iterable

# Control and invisible format characters: none can be seen in a cell or be meant in a key. None of
# them is alphanumeric, which lets the column functions skip the regex for alphanumeric-only cells.
INVISIBLE_RANGES = (
    (0x00, 0x1F),  # C0 controls
    (0x7F, 0x9F),  # DEL, C1 controls
    (0xAD, 0xAD),  # soft hyphen
    (0x34F, 0x34F),  # combining grapheme joiner
    (0x61C, 0x61C),  # Arabic letter mark
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian variation selectors, vowel separator
    (0x200B, 0x200F),  # zero-width space, (non-)joiner, LRM/RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # byte order mark / zero-width no-break space
    (0xFFF0, 0xFFF8),  # unassigned specials
)
INVISIBLE = "".join(chr(cp) for first, last in INVISIBLE_RANGES for cp in range(first, last + 1))
WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # U+3000 is the last
NOISE = "".join(sorted(set(WHITESPACE + INVISIBLE)))
NOISE_RUN = re.compile(f"[{re.escape(NOISE)}]+")
INVISIBLE_RUN = re.compile(f"[{re.escape(INVISIBLE)}]+")
WHITESPACE_RUN = re.compile(r"\s+")
# Applied after NFKC, which has already turned ， ； ／ into , ; /.
SEPARATORS = re.compile(r"[、,;/]")

_TIME = r"(?:(?: +|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
DATE_FORMS = re.compile(
    r"\A(?:"
    r"(?P<y1>[0-9]{4}) *(?P<sep>[-/.]) *(?P<m1>[0-9]{1,2}) *(?P=sep) *(?P<d1>[0-9]{1,2})"
    r"|(?P<y2>[0-9]{4}) *年 *(?P<m2>[0-9]{1,2}) *月 *(?P<d2>[0-9]{1,2}) *日?"
    r"|(?P<y3>[0-9]{4})(?P<m3>[0-9]{2})(?P<d3>[0-9]{2})"
    rf"){_TIME}\Z"
)
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_SERIAL = 2958465  # 9999-12-31
_TEXT_OR_BLANK = frozenset({str, type(None)})


def stringify(value: object) -> str | None:
    """Step 1 of every rule: None/NaN → None; whole numbers → their digits; anything else → ``str``.

    Example:
        >>> stringify(9.1e3), stringify(float("nan")), stringify(True), stringify(" a ")
        ('9100', None, 'True', ' a ')
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if number != number:  # NaN: an empty cell
            return None
        return str(int(number)) if number.is_integer() else str(value)
    return str(value)


def text_or_blank(values: Iterable[object]) -> bool:
    """Whether every value is a ``str`` or None: ``stringify`` leaves each as it is, none is a number,
    and equal values are alike (no ``True == 1``). One C-level pass over the types.

    Example:
        >>> text_or_blank(["a", None]), text_or_blank(["a", 1.0])
        (True, False)
    """
    return set(map(type, values)) <= _TEXT_OR_BLANK


def is_plain_key(text: str) -> bool:
    """Upper-case ASCII letters and digits only: every key step leaves such text unchanged."""
    return text.isascii() and text.isalnum() and (text.isupper() or text.isdigit())


def key_of_text(text: str) -> str:
    """Key steps 2–4 on one string: NFKC, remove noise, upper-case, NFKC (may return "")."""
    if is_plain_key(text):
        return text
    folded = NOISE_RUN.sub("", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFKC", folded.upper())


def normalize_key_one(value: object) -> str | None:
    """Return the comparison key of one value (credit code, badge, region …), None when empty.

    Example:
        >>> normalize_key_one("ｍａ０ｇ\\u200b12"), normalize_key_one(float("nan"))
        ('MA0G12', None)
    """
    text = stringify(value)
    if text is None:
        return None
    return key_of_text(text) or None


BADGE_SEPARATORS = re.compile(r"[\s、,;/]+")  # after NFKC: ，；／ are , ; / and U+3000 is a space


def split_badges(value: object) -> list[str]:
    """Badge numbers in one cell: spaces and line breaks separate them too, unlike other keys.

    Two badges typed "14050001 14050002" must stay two badges, not become one 16-digit number.

    Example:
        >>> split_badges("1405 0001、14050002\\n１４０５０００３；")
        ['1405', '0001', '14050002', '14050003']
    """
    text = stringify(value)
    if text is None:
        return []
    parts = BADGE_SEPARATORS.split(unicodedata.normalize("NFKC", text))
    return [key for part in parts if (key := normalize_key_one(part))]


def clean_text_one(value: object) -> str | None:
    """Display text of one value: outer whitespace and invisible characters gone, inner spaces kept.

    Example:
        >>> clean_text_one("\\u3000晋城市\\u200b某某公司\\u00a0")
        '晋城市某某公司'
    """
    text = stringify(value)
    if text is None:
        return None
    return INVISIBLE_RUN.sub("", text.strip(NOISE)) or None


def parse_date_one(value: object) -> dt.date | None:
    """Parse one date cell (forms in ``jcdraw.io.normalize``); None for empty, ValueError if bad.

    Example:
        >>> parse_date_one("２０２５．１２．３１"), parse_date_one(45657), parse_date_one(" ")
        (datetime.date(2025, 12, 31), datetime.date(2024, 12, 31), None)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, numbers.Real):
        return _date_from_number(float(value))
    if isinstance(value, str):
        return _date_from_text(value)
    raise ValueError(f"not a date: {value!r}")


def _date_from_number(number: float) -> dt.date:
    if 1 <= number < MAX_SERIAL + 1:
        return EXCEL_EPOCH + dt.timedelta(days=int(number // 1))
    if number.is_integer() and 10_000_101 <= number <= 99_991_231:
        whole = int(number)
        return _ymd(whole // 10_000, whole // 100 % 100, whole % 100, number)
    raise ValueError(f"not a date: {number!r}")


def _date_from_text(raw: str) -> dt.date | None:
    text = WHITESPACE_RUN.sub(" ", unicodedata.normalize("NFKC", raw))
    text = INVISIBLE_RUN.sub("", text).strip()
    if not text:
        return None
    match = DATE_FORMS.match(text)
    if match is None:
        raise ValueError(f"not a date: {raw!r}")
    parts = match.groupdict()
    year, month, day = (next(parts[f"{f}{i}"] for i in "123" if parts[f"{f}{i}"]) for f in "ymd")
    return _ymd(int(year), int(month), int(day), raw)


def _ymd(year: int, month: int, day: int, shown: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"not a date: {shown!r}") from None
