"""The seed: the digits witnesses produce in public, the only randomness of a draw.

``jcdraw.draw.algorithm`` specifies how the seed is used; this module reads what people type.
"""

from __future__ import annotations

import secrets
import unicodedata

from jcdraw import messages
from jcdraw.errors import BadInvocation

SEED_MIN_DIGITS = 20

# Characters people type between digit groups. NFKC has already turned the full-width hyphen
# (U+FF0D), the ideographic space and NBSP into ASCII; the rest survive NFKC and are listed here.
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Zero-width characters come along when a seed is pasted from a web page or a chat message.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_ASCII_DIGITS = frozenset("0123456789")


def parse_seed(text: str) -> str:
    """Return the seed digits typed in ``text``.

    Args:
        text: What the operator typed: digits, optionally grouped with spaces (including full-width
            space and NBSP) or dashes (``-``, ``–``, ``—``, ``－``); full-width digits allowed.

    Returns:
        The ASCII digits, in order, at least 20 of them.

    Raises:
        BadInvocation: if nothing is left, a character other than a digit remains, or fewer than 20
            digits remain; the Chinese message says which and gives an example.

    Example:
        >>> parse_seed("1234 5678-9012 3456 7890")
        '12345678901234567890'
        >>> parse_seed("１２３４５　６７８９０－１２３４５　６７８９０")
        '12345678901234567890'
    """
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(ch for ch in folded if not (ch.isspace() or ch in _DASHES or ch in _INVISIBLE))
    if not kept:
        raise BadInvocation(messages.DRAW_SEED_EMPTY)
    strangers = list(dict.fromkeys(ch for ch in kept if ch not in _ASCII_DIGITS))
    if strangers:
        shown = "、".join(f"“{ch}”" for ch in strangers[:5])
        raise BadInvocation(messages.DRAW_SEED_NOT_DIGITS.format(chars=shown))
    if len(kept) < SEED_MIN_DIGITS:
        raise BadInvocation(messages.DRAW_SEED_TOO_SHORT.format(count=len(kept), minimum=SEED_MIN_DIGITS))
    return kept


def random_seed() -> str:
    """Return 20 decimal digits from the operating system's secure generator.

    Returns:
        A seed for draws without a public ceremony; it must be recorded like a public one.

    Example:
        >>> seed = random_seed()
        >>> len(seed), set(seed) <= set("0123456789")
        (20, True)
    """
    return "".join(str(secrets.randbelow(10)) for _ in range(SEED_MIN_DIGITS))
