"""The draw: which entities are inspected, and by whom, decided by a public seed alone.

This docstring is the specification. Anyone can redo a draw from it with nothing but a SHA-256
tool and a sorted list; the code below only follows it. Every ``>>>`` example is run by the test
suite, and ``tests/vectors.json`` holds the worked examples quoted in the README.

Inputs
    seed
        At least 20 decimal digits produced in public, e.g. by rolling a ten-sided die 20 times in
        front of witnesses. Spaces and dashes typed between groups are dropped and full-width digits
        become ASCII digits (``parse_seed``). When there is no public ceremony the program takes 20
        digits from the operating system's secure generator (``random_seed``) and records them.
        The seed is the only source of randomness.
    plan, task, round
        The plan's identifier (``2024-joint``), the task number within the plan (``1``) and the
        round within the year (``1``, ``2`` …), numbers written in decimal without leading zeros.
    pool
        The entities eligible for the task, each with its 统一社会信用代码 in normalised form
        (upper-case, half-width, no spaces; "code" below) and its credit-risk class (A, B, C, D …;
        the caller has already given unclassified entities the plan's default class). Codes are
        unique.
    ratios, frequencies
        For each class, the share of its entities to draw (an exact fraction such as 3/10) and how
        many rounds a year the class is drawn in.

Step 1: tickets
    An entity's ticket is the SHA-256 digest, written as 64 lower-case hexadecimal digits, of the
    UTF-8 bytes of the text ``{seed}|{plan}|{task}|{round}|{code}``: the five values joined by the
    vertical bar U+007C, with no spaces and no line break. Seed, task, round and code never contain
    ``|``, so the text can be split back into its parts. All tickets have 64 digits, so comparing
    them as text gives the same order as comparing them as 256-bit numbers.

Step 2: strata
    Each risk class is a stratum. Round k draws only from the classes drawn at least k times a year
    (frequency ≥ k); the other classes draw nobody in that round.

Step 3: stratum size
    A stratum with N entities and ratio r draws n = ⌈min(1, r) × N⌉ of them: the product rounded up
    to a whole number, computed exactly (see Notes).

Step 4: selection
    In each stratum the n entities with the smallest tickets are drawn. The drawn entities of all
    strata together are listed in ticket order. Two equal tickets have never been seen; if it
    happens, the smaller code comes first (see Notes).

Step 5: inspection teams
    The drawn entities are taken one by one in ticket order. The inspectors are those the caller
    found eligible for the task (certified, on duty, qualified), each with a badge number and one of
    the departments named in the team rule. The team rule gives, in the plan's department order,
    the minimum number of members from each department, and the minimum team size.

    An inspector's load is the number of entities already given to them in this draw (0 at the
    start). Their ticket at load L is the SHA-256 digest, written as 64 lower-case hexadecimal
    digits, of the UTF-8 bytes of ``{seed}|{plan}|{task}|{round}|{badge}|{L}``, with L in decimal
    (``0``, ``1``, ``2`` …). It does not depend on the entity, and it changes each time the
    inspector is given an entity.

    An inspector's rank for an entity compares, in this order:

    1. load (fewer first);
    2. history: whether the inspector inspected this entity in an earlier draw (no first);
    3. the inspector's ticket at their current load (smaller first);
    4. the badge number (smaller first).

    For each entity, each department in rule order contributes its required number of members,
    chosen by rank among its inspectors who are not recused from the entity. If the team is still
    smaller than the minimum team size, the missing members are added by rank from the remaining
    non-recused inspectors of all the rule's departments (load first, whatever the department).
    Every member chosen carries one more entity, and so has a new ticket, from the next entity on.
    The team is listed department by department in rule order, each department's members in the
    order they were chosen.

    When a department has fewer non-recused inspectors than it must contribute, or all the
    departments together have fewer than the minimum team size, no team can be formed: the draw
    stops with an error naming the entity, the department and the reason. Nothing is drawn.

Pool fingerprint
    The draw record states which pool was used by its SHA-256 (64 lower-case hexadecimal digits)
    over the UTF-8 bytes of one line ``{code}|{class}`` plus a line feed per entity, lines sorted in
    Unicode code-point order (byte order, for these ASCII lines). The order of the registry's rows
    therefore does not change it.

Properties
    - The seed is the only randomness: the same inputs give the same draw on any machine and in any
      programming language. No library random-number generator is involved.
    - The order of the registry's rows does not matter.
    - An entity's ticket depends on nothing but its own code and the draw's parameters: adding or
      removing other entities never changes how two entities compare, and a smaller stratum size
      draws a subset of what a larger one would have drawn.
    - Task and round are part of the ticket, so every task and round draws afresh.

Notes
    Exact ⌈r·N⌉. Ratios are read as exact fractions from their decimal text: 0.3 is 3/10, and
    ⌈3/10 × 10⌉ = 3 while ⌈3/10 × 11⌉ = ⌈3.3⌉ = 4. Binary floating point cannot hold 0.1 or 0.3
    exactly; the float nearest 0.1 is slightly larger than 1/10, and rounding that product up would
    draw 2 entities of 10 instead of 1. Decimal text has one meaning, so anyone redoing the draw gets
    the same n.

    Ties. Codes are unique, so two entities can share a ticket only if SHA-256 collides, which
    nobody has ever observed. The code breaks such a tie anyway so that the order is total and
    written down, and the draw can never depend on the order of the registry's rows. The same holds
    for inspectors (badge after ticket).

    Laps. Without history or recusals, each of a department's inspectors takes one entity per lap,
    in the order of their tickets at that lap's load: the draw works like a round-robin whose order
    is drawn afresh, from the seed, every lap. An inspector's place in one lap says nothing about
    their place in the next.

    Balance before history. Load ranks above history, so the promise is: within each department,
    inspectors' loads in one draw differ by at most 1 unless recusals force otherwise. Avoiding
    inspectors who saw the entity before applies among equally loaded inspectors only; otherwise a
    small department facing a frequently drawn entity would pile the work on a few people.

    Cost. Tickets belong to (inspector, load) pairs, not to (inspector, entity) pairs, so a draw
    computes one hash per inspector and load level: one per inspector to start, then one per team
    member, about (drawn entities × team size) in all, whatever the number of inspectors. The
    program keeps each department's inspectors in a priority queue ordered by (load, ticket,
    badge); as history and recusals are rare, it usually takes the top of the queue and puts the
    inspector back with the next ticket. The result is exactly the ranking above.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from jcdraw import messages
from jcdraw.errors import BadInvocation

SEED_MIN_DIGITS = 20
SEPARATOR = "|"

Ratio = Fraction | Decimal | int | float | str

# Characters people type between digit groups. NFKC has already turned the full-width hyphen
# (U+FF0D), the ideographic space and NBSP into ASCII; the rest survive NFKC and are listed here.
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Zero-width characters come along when a seed is pasted from a web page or a chat message.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_ASCII_DIGITS = frozenset("0123456789")


# --- seed --------------------------------------------------------------------------------------


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


# --- tickets -----------------------------------------------------------------------------------


def ticket_prefix(seed: str, plan_id: str, task: int | str, round_no: int) -> str:
    """Return the part of the ticket text shared by every entity of one draw.

    Args:
        seed: The seed digits (from ``parse_seed`` or ``random_seed``).
        plan_id: The plan's identifier.
        task: The task number.
        round_no: The round within the year, from 1.

    Returns:
        ``{seed}|{plan}|{task}|{round}|``.

    Example:
        >>> ticket_prefix("12345678901234567890", "2024-joint", 1, 1)
        '12345678901234567890|2024-joint|1|1|'
    """
    return SEPARATOR.join((seed, plan_id, str(task), str(round_no), ""))


def sha256_hex(text: str) -> str:
    """Return the SHA-256 of the UTF-8 bytes of ``text`` as 64 lower-case hexadecimal digits.

    Example:
        >>> sha256_hex("abc")
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ticket(seed: str, plan_id: str, task: int | str, round_no: int, uscc: str) -> str:
    """Return an entity's ticket.

    Args:
        seed: The seed digits.
        plan_id: The plan's identifier.
        task: The task number.
        round_no: The round within the year, from 1.
        uscc: The entity's normalised credit code.

    Returns:
        SHA-256 of ``{seed}|{plan}|{task}|{round}|{code}``, 64 lower-case hexadecimal digits.

    Example:
        >>> ticket("12345678901234567890", "2024-joint", 1, 1, "911405005635962824")
        '9580bca61f147781a986629346790cd1e6cb2f0af731e8d3ba67eac4e9c0f221'
    """
    return sha256_hex(ticket_prefix(seed, plan_id, task, round_no) + uscc)


def tickets_for(seed: str, plan_id: str, task: int | str, round_no: int, usccs: Sequence[str]) -> list[str]:
    """Return the tickets of many entities at once (well under 1 s per million codes).

    Args:
        seed, plan_id, task, round_no: As for ``ticket``.
        usccs: Normalised credit codes.

    Returns:
        ``[ticket(seed, plan_id, task, round_no, code) for code in usccs]``.

    Example:
        >>> tickets_for("12345678901234567890", "2024-joint", 1, 1, ["911405005635962824"])
        ['9580bca61f147781a986629346790cd1e6cb2f0af731e8d3ba67eac4e9c0f221']
    """
    return [digest.hex() for digest in _digests(ticket_prefix(seed, plan_id, task, round_no), usccs)]


def _digests(prefix: str, usccs: Sequence[str]) -> list[bytes]:
    """Raw 32-byte tickets; ``bytes.hex`` turns one into the written ticket."""
    head = prefix.encode("utf-8")
    sha256 = hashlib.sha256
    return [sha256(head + code.encode("utf-8")).digest() for code in usccs]


def inspector_ticket(seed: str, plan_id: str, task: int | str, round_no: int, badge: str, load: int) -> str:
    """Return an inspector's ticket at one load level.

    Args:
        seed, plan_id, task, round_no: As for ``ticket``.
        badge: The inspector's badge number (执法证号).
        load: How many entities the inspector already carries in this draw (0, 1, 2 …).

    Returns:
        SHA-256 of ``{seed}|{plan}|{task}|{round}|{badge}|{load}``, 64 lower-case hexadecimal digits.

    Example:
        >>> inspector_ticket("12345678901234567890", "2024-joint", 1, 1, "1405001001", 0)
        'e5e82238b7fa81a6ae841abdba59c7ef56ffb00e3eaca0411379b55056a291a2'
    """
    return sha256_hex(ticket_prefix(seed, plan_id, task, round_no) + badge + SEPARATOR + str(load))


def ticket_order(tickets: Sequence[str], usccs: Sequence[str]) -> npt.NDArray[np.intp]:
    """Return the positions of entities sorted by (ticket, code).

    Args:
        tickets: The entities' tickets.
        usccs: Their codes, in the same order.

    Returns:
        Positions into both sequences, smallest ticket first; equal tickets by code.

    Example:
        >>> ticket_order(["b0", "a0", "b0"], ["Y", "Z", "X"]).tolist()
        [1, 2, 0]

    Notes:
        Tickets all have the same length, so sorting ``ticket + code`` sorts by ticket and then by
        code. UTF-8 bytes sort in code-point order, and numpy sorts bytes several times faster than
        Python objects.
    """
    keys = np.array(
        [(t + code).encode("utf-8") for t, code in zip(tickets, usccs, strict=True)], dtype=np.bytes_
    )
    return np.argsort(keys, kind="stable")


def _order_by_digest(digests: Sequence[bytes], usccs: Sequence[str]) -> npt.NDArray[np.intp]:
    """``ticket_order`` for raw tickets, sorting 64-bit integers instead of text.

    The first 8 bytes of a ticket order it unless two tickets share them, which for a million
    entities happens about once in 40 million draws; then the full tickets and codes decide.
    """
    if not digests:
        return np.empty(0, dtype=np.intp)
    leading = np.frombuffer(b"".join(digests), dtype=">u8")[::4]
    order = np.argsort(leading, kind="stable")
    ranked = leading[order]
    if bool(np.any(ranked[1:] == ranked[:-1])):
        return ticket_order([digest.hex() for digest in digests], usccs)
    return order


# --- strata ------------------------------------------------------------------------------------


def exact_ratio(ratio: Ratio) -> Fraction:
    """Return ``ratio`` as the exact fraction its decimal text states.

    Args:
        ratio: A ``Fraction`` or ``int`` (kept as is), or a ``Decimal``, ``float`` or ``str`` (read
            through its decimal text, never through its binary value).

    Returns:
        The fraction.

    Example:
        >>> exact_ratio(0.3), exact_ratio("0.30"), exact_ratio(Fraction(1, 3))
        (Fraction(3, 10), Fraction(3, 10), Fraction(1, 3))
    """
    if isinstance(ratio, bool):
        raise TypeError("a ratio cannot be a bool")
    if isinstance(ratio, Fraction):
        return ratio
    if isinstance(ratio, int):
        return Fraction(ratio)
    return Fraction(str(ratio))


def stratum_size(ratio: Ratio, n_eligible: int) -> int:
    """Return how many entities a stratum draws: ⌈min(1, ratio) × n_eligible⌉, exactly.

    Args:
        ratio: The class's share (see ``exact_ratio``); above 1 counts as 1.
        n_eligible: Number of entities in the stratum.

    Returns:
        The stratum size n, between 0 and ``n_eligible``.

    Example:
        >>> stratum_size(Fraction(3, 10), 10), stratum_size("0.3", 11), stratum_size(0.3, 0)
        (3, 4, 0)
        >>> stratum_size(Fraction(1, 3), 3), stratum_size(1, 7), stratum_size("1.5", 7)
        (1, 7, 7)
        >>> stratum_size(0.1, 10), math.ceil(Fraction(0.1) * 10)  # binary 0.1 is just above 1/10
        (1, 2)
    """
    share = min(Fraction(1), exact_ratio(ratio))
    if share < 0 or n_eligible < 0:
        raise ValueError(f"negative ratio or count: {ratio!r}, {n_eligible!r}")
    return math.ceil(share * n_eligible)


@dataclass(frozen=True)
class Stratum:
    """One risk class in one draw, as the draw record shows it.

    ``ratio`` is the share applied, min(1, configured ratio). A class not drawn in this round
    (frequency below the round number) has ``in_round=False`` and ``drawn=0``.
    """

    risk_class: str
    eligible: int
    ratio: Fraction
    drawn: int
    frequency: int
    in_round: bool = True


def plan_strata(
    class_counts: Mapping[str, int],
    *,
    ratios: Mapping[str, Ratio],
    frequencies: Mapping[str, int],
    round_no: int,
) -> list[Stratum]:
    """Return the strata of one round: for each class, how many entities it draws.

    Args:
        class_counts: Number of pool entities per risk class.
        ratios: Share to draw per class.
        frequencies: Rounds per year per class.
        round_no: The round, from 1.

    Returns:
        One ``Stratum`` per class in ``class_counts``, in class order (A, B, C, D …).

    Example:
        >>> for s in plan_strata({"B": 11, "A": 10, "D": 2}, ratios={"A": "0.3", "B": "0.3", "D": 1},
        ...                      frequencies={"A": 1, "B": 1, "D": 2}, round_no=2):
        ...     print(s.risk_class, s.eligible, s.ratio, s.drawn, s.in_round)
        A 10 3/10 0 False
        B 11 3/10 0 False
        D 2 1 2 True
    """
    missing = sorted(c for c in class_counts if c not in ratios or c not in frequencies)
    if missing:
        raise ValueError(f"no ratio or frequency for risk class(es) {missing}")
    strata = []
    for risk_class in sorted(class_counts):
        share = min(Fraction(1), exact_ratio(ratios[risk_class]))
        frequency = frequencies[risk_class]
        eligible = class_counts[risk_class]
        in_round = frequency >= round_no
        drawn = stratum_size(share, eligible) if in_round else 0
        strata.append(Stratum(risk_class, eligible, share, drawn, frequency, in_round))
    return strata


# --- drawing entities ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DrawOutcome:
    """The result of ``draw_entities``.

    ``strata`` lists every class present in the pool; ``selected`` holds the drawn pool rows (all
    their columns, fresh 0-based index) plus ``ticket``, in ticket order.
    """

    strata: list[Stratum]
    selected: pd.DataFrame


def draw_entities(
    pool: pd.DataFrame,
    *,
    seed: str,
    plan_id: str,
    task: int | str,
    round_no: int,
    ratios: Mapping[str, Ratio],
    frequencies: Mapping[str, int],
) -> DrawOutcome:
    """Draw one round of one task (Steps 1 to 4).

    Args:
        pool: One row per eligible entity, columns ``uscc`` (normalised, unique) and ``risk_class``;
            other columns are carried into the result.
        seed, plan_id, task, round_no: The draw's parameters (see ``ticket``).
        ratios: Share to draw per class; every class in the pool needs one.
        frequencies: Rounds per year per class; every class in the pool needs one.

    Returns:
        The strata and the drawn rows (see ``DrawOutcome``).

    Raises:
        ValueError: if a column is missing or holds missing or non-text values, a code repeats, the
            pool already has a ``ticket`` column, or a class lacks a ratio or frequency. The caller
            validates the registry first, so these are programming errors, not user mistakes.

    Example:
        >>> pool = pd.DataFrame({"uscc": ["911405005635962824", "X1", "X2", "X3"],
        ...                      "risk_class": ["A", "A", "A", "B"]})
        >>> outcome = draw_entities(pool, seed="12345678901234567890", plan_id="2024-joint", task=1,
        ...                         round_no=1, ratios={"A": "0.5", "B": "0.5"}, frequencies={"A": 1, "B": 1})
        >>> [(s.risk_class, s.eligible, s.drawn) for s in outcome.strata]
        [('A', 3, 2), ('B', 1, 1)]
        >>> outcome.selected["uscc"].tolist()
        ['X1', '911405005635962824', 'X3']
    """
    if round_no < 1:
        raise ValueError(f"round numbers start at 1, got {round_no!r}")
    _check_pool(pool)
    classes = pool["risk_class"].to_numpy(dtype=object)
    counts = {str(k): int(v) for k, v in pool["risk_class"].value_counts(sort=False).items()}
    strata = plan_strata(counts, ratios=ratios, frequencies=frequencies, round_no=round_no)
    quota = {s.risk_class: s.drawn for s in strata}

    # Only strata that draw somebody need tickets; the rest of a million rows is never hashed.
    positions = np.flatnonzero(pool["risk_class"].isin([c for c, n in quota.items() if n > 0]).to_numpy())
    usccs: list[str] = pool["uscc"].to_numpy(dtype=object)[positions].tolist()
    digests = _digests(ticket_prefix(seed, plan_id, task, round_no), usccs)
    order = _order_by_digest(digests, usccs)

    # Walking all tickets in one global order, an entity's running count within its class is its
    # rank in its stratum; keeping ranks below the quota keeps the result in ticket order.
    ranked_classes = pd.Series(classes[positions][order], dtype=object)
    rank_in_stratum = ranked_classes.groupby(ranked_classes, sort=False).cumcount().to_numpy()
    keep = rank_in_stratum < ranked_classes.map(quota).to_numpy(dtype=np.int64)
    chosen = order[keep]

    selected = pool.iloc[positions[chosen]].reset_index(drop=True)
    selected["ticket"] = [digests[i].hex() for i in chosen.tolist()]
    return DrawOutcome(strata=strata, selected=selected)


def _check_pool(pool: pd.DataFrame) -> None:
    for column in ("uscc", "risk_class"):
        if column not in pool.columns:
            raise ValueError(f"pool has no {column!r} column")
        values = pool[column]
        # An empty column may have any dtype (pandas makes [] float64), and holds no bad value.
        is_text = values.empty or pd.api.types.infer_dtype(values, skipna=False) == "string"
        if not is_text or values.isna().any():
            raise ValueError(f"pool column {column!r} must hold text in every row")
    if "ticket" in pool.columns:
        raise ValueError("pool already has a 'ticket' column")
    duplicated = pool["uscc"][pool["uscc"].duplicated()]
    if not duplicated.empty:
        raise ValueError(f"duplicate codes in pool: {duplicated.head(5).tolist()}")


def pool_sha256(pool: pd.DataFrame) -> str:
    """Return the pool fingerprint: SHA-256 over the sorted lines ``{code}|{class}\\n``.

    Args:
        pool: Columns ``uscc`` and ``risk_class`` (text); other columns are ignored.

    Returns:
        64 lower-case hexadecimal digits, the same whatever the order of the rows.

    Example:
        >>> pool = pd.DataFrame({"uscc": ["91140502MA0K5K7K5G", "911405005635962824"],
        ...                      "risk_class": ["B", "A"]})
        >>> pool_sha256(pool)
        '3a4d47fc6e5150c1c3667aab50041a5894972f6c5a3dad684e95d3d77d914c75'
        >>> pool_sha256(pool) == sha256_hex("911405005635962824|A\\n91140502MA0K5K7K5G|B\\n")
        True
        >>> pool_sha256(pool.iloc[::-1]) == pool_sha256(pool)
        True
    """
    lines: list[str] = (pool["uscc"].astype(str) + SEPARATOR + pool["risk_class"].astype(str) + "\n").tolist()
    lines.sort()
    return sha256_hex("".join(lines))
