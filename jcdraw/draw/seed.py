"""The seed: the digits witnesses produce in public, the only randomness of a draw.

``jcdraw.draw.algorithm`` specifies how the seed is used; this module reads what people type.

Witnessed seeds
    At a public draw each witness says a group of digits (from dice they rolled, or a banknote's
    serial number), and the operator types one ``--seed`` per witness as ``姓名:数字``. The seed is
    the witnesses' digits joined in the order given, at least 20 digits in all, so that nobody,
    the operator included, decides it alone; the draw record lists each witness and their digits.

    Rules, in order:

    1. Each text is folded as Unicode NFKC (full-width digits and the full-width colon ``：``
       become ASCII). Its name is what comes before the first ``:``, without surrounding spaces;
       its digits are what comes after it, read as ``parse_seed`` reads a seed (spaces, dashes and
       zero-width characters between groups dropped, nothing else but digits allowed).
    2. A text without ``:`` is a plain seed with no name. It is valid alone (``--seed DIGITS``, as
       before witnesses were recorded); when several texts are given, each needs a name, so the
       record can say who gave which digits.
    3. Every witness gives at least one digit; the joined digits must number at least 20.

    Worked example (``tests/vectors.json``, ``witnessed_seeds``)::

        --seed "张三:3141 5926 5358" --seed "李四：9793 2384 6264"
        张三 → 314159265358      李四 → 979323846264
        seed = 314159265358 + 979323846264 = 314159265358979323846264   (24 digits)

    The order matters: ``--seed "李四:…" --seed "张三:…"`` is another seed, so the order in which
    witnesses speak is part of the public record.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from jcdraw import messages
from jcdraw.errors import BadInvocation

SEED_MIN_DIGITS = 20
NAME_SEPARATOR = ":"  # NFKC turns the full-width colon into this one

# Characters people type between digit groups. NFKC has already turned the full-width hyphen
# (U+FF0D), the ideographic space and NBSP into ASCII; the rest survive NFKC and are listed here.
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Zero-width characters come along when a seed is pasted from a web page or a chat message.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_ASCII_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class Witness:
    """One witness and the digits they gave (``name`` is "" for a plain, unnamed seed)."""

    name: str
    digits: str


@dataclass(frozen=True)
class WitnessedSeed:
    """The seed and who gave which part of it, in the order given."""

    seed: str
    witnesses: tuple[Witness, ...]

    @property
    def named(self) -> bool:
        """Whether the digits came from named witnesses (else a plain ``--seed DIGITS``)."""
        return any(w.name for w in self.witnesses)


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
    kept = _digits(unicodedata.normalize("NFKC", text))
    if not kept:
        raise BadInvocation(messages.DRAW_SEED_EMPTY)
    _check_length(kept)
    return kept


def parse_witnessed(texts: Sequence[str]) -> WitnessedSeed:
    """Read the ``--seed`` texts of a draw: ``姓名:数字`` per witness, or one plain seed.

    Args:
        texts: The ``--seed`` values in the order given (at least one).

    Returns:
        The joined seed and the witnesses (see the module docstring for the rules).

    Raises:
        BadInvocation: a part without digits, a name missing where several parts are given, a
            character other than a digit, or fewer than 20 digits in all.

    Example:
        >>> found = parse_witnessed(["张三:3141 5926 5358", "李四：9793 2384 6264"])
        >>> found.seed
        '314159265358979323846264'
        >>> [(w.name, w.digits) for w in found.witnesses]
        [('张三', '314159265358'), ('李四', '979323846264')]
        >>> parse_witnessed(["3141 5926 5358 9793 2384"]).witnesses
        (Witness(name='', digits='31415926535897932384'),)
    """
    if not texts:
        raise BadInvocation(messages.DRAW_SEED_REQUIRED)
    witnesses = tuple(_witness(text, several=len(texts) > 1) for text in texts)
    seed = "".join(w.digits for w in witnesses)
    _check_length(seed)
    return WitnessedSeed(seed, witnesses)


def _witness(text: str, *, several: bool) -> Witness:
    folded = unicodedata.normalize("NFKC", text)
    name, colon, typed = folded.partition(NAME_SEPARATOR)
    if not colon:
        name, typed = "", folded
    name = "".join(ch for ch in name if ch not in _INVISIBLE).strip()
    if colon and not name:
        raise BadInvocation(messages.DRAW_WITNESS_NAME_EMPTY.format(text=text))
    if several and not name:
        raise BadInvocation(messages.DRAW_WITNESS_NAME_MISSING.format(text=text))
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise BadInvocation(messages.DRAW_WITNESS_NAME_BAD.format(text=text))
    digits = _digits(typed)
    if not digits:
        raise BadInvocation(
            messages.DRAW_WITNESS_NO_DIGITS.format(name=name) if name else messages.DRAW_SEED_EMPTY
        )
    return Witness(name, digits)


def _digits(folded: str) -> str:
    """The digits of an NFKC-folded text, separators dropped; refuse any other character."""
    kept = "".join(ch for ch in folded if not (ch.isspace() or ch in _DASHES or ch in _INVISIBLE))
    strangers = list(dict.fromkeys(ch for ch in kept if ch not in _ASCII_DIGITS))
    if strangers:
        shown = "、".join(f"“{ch}”" for ch in strangers[:5])
        raise BadInvocation(messages.DRAW_SEED_NOT_DIGITS.format(chars=shown))
    return kept


def _check_length(seed: str) -> None:
    if len(seed) < SEED_MIN_DIGITS:
        raise BadInvocation(messages.DRAW_SEED_TOO_SHORT.format(count=len(seed), minimum=SEED_MIN_DIGITS))


def random_seed() -> str:
    """Return 20 decimal digits from the operating system's secure generator.

    Returns:
        A seed for rehearsals (``draw --practice``); a recorded draw needs a seed made in public.

    Example:
        >>> seed = random_seed()
        >>> len(seed), set(seed) <= set("0123456789")
        (20, True)
    """
    return "".join(str(secrets.randbelow(10)) for _ in range(SEED_MIN_DIGITS))
