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
    ratio
        The task's ratio r as published in the plan, an exact fraction read from its decimal text
        (30% is 3/10), above 0 and at most 1.
    credit rule
        How the task takes credit risk into account: one of the three kinds below, with its data
        from the plan. The plan lists its risk classes lowest risk first (A, B, C, D); the risk
        order is that list reversed, D being the highest risk. Unclassified entities already carry
        the plan's default class.

        weighted
            A weight per class, positive and not decreasing from lower to higher risk (default
            A 1, B 2, C 3, D 4), and how many rounds a year each class is drawn in (default A 1,
            B 1, C 2, D 2).
        flat
            Nothing per class. Used where the plan sets no credit rule.
        ratios
            An exact ratio per class, above 0 and at most 1 (e.g. A 5%, B 20%, C 40%, D 100%),
            and how many rounds a year each class is drawn in (default A 1, B 1, C 2, D 2).

Step 1: tickets
    An entity's ticket is the SHA-256 digest, written as 64 lower-case hexadecimal digits, of the
    UTF-8 bytes of the text ``{seed}|{plan}|{task}|{round}|{code}``: the five values joined by the
    vertical bar U+007C, with no spaces and no line break. Seed, task, round and code never contain
    ``|``, so the text can be split back into its parts. All tickets have 64 digits, so comparing
    them as text gives the same order as comparing them as 256-bit numbers.

Step 2: strata
    Weighted and ratios rules: each risk class is a stratum. Round k draws only from the classes
    drawn at least k times a year (frequency ≥ k); the other classes draw nobody in that round.

    Flat rule: all eligible entities form one stratum, whatever their class. It is drawn in
    rounds 1 to the task's frequency.

Step 3: stratum sizes
    N_k is the number of eligible entities of class k. ⌈x⌉ is x rounded up to a whole number and
    ⌊x⌋ is x rounded down. All arithmetic is exact, in fractions (see Notes).

    Flat
        The stratum draws n = ⌈r × N⌉, N being all eligible entities.

    Ratios
        Class k draws n_k = ⌈r_k × N_k⌉.

    Weighted
        Let N be the number of eligible entities of the classes drawn in this round. The round
        draws n = ⌈r × N⌉ in total, shared among those classes in proportion to weight × size:

        3a. Quotas. Class k's quota is q_k = n × w_k × N_k ÷ (Σ w_j × N_j), the sum running over
            the classes drawn in this round.
        3b. Caps. A class whose quota exceeds its size takes its size (q_k = N_k) and stops
            sharing. What remains of n, after the sizes so taken, is shared among the other
            classes by 3a, the sum now running over them alone. This is repeated until no quota
            exceeds its size.
        3c. Rounding. Each class draws ⌊q_k⌋. The seats still free, n − Σ ⌊q_k⌋, go one each to
            the classes with the largest fractional part q_k − ⌊q_k⌋; between equal fractional
            parts, to the higher-risk class (D, then C, B, A).

    Example 1: weighted, default weights, a tie. The ratio is 30%; A has 20 eligible
    entities, B 25, C 10 and D 5.

        Round 1 draws from every class. N = 60 and n = ⌈3/10 × 60⌉ = 18.
        3a. w × N: A 1 × 20 = 20, B 2 × 25 = 50, C 3 × 10 = 30, D 4 × 5 = 20; total 120.
            q_A = 18 × 20/120 = 3       q_B = 18 × 50/120 = 15/2
            q_C = 18 × 30/120 = 9/2     q_D = 18 × 20/120 = 3
        3b. No quota exceeds its size (3 ≤ 20, 15/2 ≤ 25, 9/2 ≤ 10, 3 ≤ 5).
        3c. ⌊q⌋ = 3, 7, 4, 3: 17 entities, so 1 seat is free. B and C both have 1/2 left
            over; the seat goes to C, the higher risk.
        Drawn: A 3, B 7, C 5, D 3, in all 18. Effective ratios (drawn ÷ eligible): A 3/20 (15%),
        B 7/25 (28%), C 1/2 (50%), D 3/5 (60%); in all 18/60 = 30%.

        Round 2 draws from C and D only. N = 10 + 5 = 15 and n = ⌈3/10 × 15⌉ = ⌈9/2⌉ = 5.
            w × N: C 30, D 20; total 50. q_C = 5 × 30/50 = 3, q_D = 5 × 20/50 = 2.
        Drawn: C 3 (30%), D 2 (40%).

    Example 2: weighted, default weights, a cap and a tie. The ratio is 50%; A 24, B 24, C 8
    and D 4 eligible entities; N = 60 and n = ⌈1/2 × 60⌉ = 30.

        3a. w × N: A 24, B 48, C 24, D 16; total 112.
            q_A = 30 × 24/112 = 45/7    q_B = 30 × 48/112 = 90/7
            q_C = 30 × 24/112 = 45/7    q_D = 30 × 16/112 = 30/7
        3b. q_D = 30/7 (4 2/7) exceeds D's 4 entities: D takes 4. The remaining 30 − 4 = 26 are
            shared among A, B and C: w × N 24 + 48 + 24 = 96.
            q_A = 26 × 24/96 = 13/2     q_B = 26 × 48/96 = 13      q_C = 26 × 24/96 = 13/2
            No quota exceeds its size (13/2 ≤ 24, 13 ≤ 24, 13/2 ≤ 8).
        3c. ⌊q⌋ = 6, 13, 6 and D's 4: 29 entities, so 1 seat is free. A and C both have 1/2
            left over; the seat goes to C.
        Drawn: A 6 (25%), B 13 (13/24, 54.2%), C 7 (7/8, 87.5%), D 4 (100%); in all 30.

    Example 3: ratios A 5%, B 20%, C 40%, D 100% with A 21, B 25, C 12 and D 2 eligible:
        A ⌈21/20⌉ = 2, B ⌈5⌉ = 5, C ⌈24/5⌉ = 5, D ⌈2⌉ = 2; 14 in all.

    Example 4: flat, ratio 40%, 129 eligible entities of any classes: ⌈2/5 × 129⌉ = ⌈258/5⌉ = 52.

Step 4: selection
    In each stratum the entities with the smallest tickets are drawn, as many as Step 3 gives
    it. The drawn entities of all strata together are listed in ticket order. Two equal tickets
    have never been seen; if it happens, the smaller code comes first (see Notes).

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

Inspector pool and recusal fingerprints
    A commitment (``draw --prepare``) also fixes what the teams are drawn from, in the same form:
    the inspector pool is the SHA-256 of sorted lines ``{badge}|{department}`` plus a line feed, one
    per inspector eligible for the task (certified, on duty, qualified: being listed is being
    eligible), and the recusals are the SHA-256 of sorted lines ``{badge}|{code}`` plus a line feed,
    one per recusal between an eligible inspector and an eligible entity (a recusal of anyone else
    cannot change the draw). Names take no part: renaming someone changes nothing that is drawn.

Properties
    - The seed is the only randomness: the same inputs give the same draw on any machine and in any
      programming language. No library random-number generator is involved.
    - The order of the registry's rows does not matter.
    - An entity's ticket depends on nothing but its own code and the draw's parameters: adding or
      removing other entities never changes how two entities compare, and a smaller stratum size
      draws a subset of what a larger one would have drawn.
    - Task and round are part of the ticket, so every task and round draws afresh.
    - Weighted and flat rules draw exactly ⌈r × N⌉ in a round, N being the eligible entities of the
      classes drawn in that round. A ratios rule draws Σ ⌈r_k × N_k⌉; the task's ratio is recorded
      but not used.
    - No class draws more than its eligible entities. A weighted class draws ⌊q_k⌋ or ⌈q_k⌉:
      rounding moves it by less than one entity. With r = 1 everybody in the round is drawn.
    - A registry without credit-risk classes (everybody in the default class) draws ⌈r × N⌉ under a
      weighted or flat rule.
    - Rising with risk. Before rounding, a weighted class's share of its entities is
      q_k ÷ N_k = min(1, λ × w_k), one number λ serving the whole round; with weights that do not
      decrease with risk, these exact shares do not decrease from A to D. After rounding, for a
      class j of lower risk than a class k, both with eligible entities:
      (a) the effective ratio (drawn ÷ eligible) can fall from j to k, but by less than
          1/N_j + 1/N_k;
      (b) if N_j = N_k, k draws at least as many as j;
      (c) a class drawn in full has effective ratio 1, the highest there is;
      (d) if λ × (w_k − w_j) ≥ 1/N_j + 1/N_k and k is not drawn in full, k's effective ratio is
          strictly higher than j's. With the default weights, which differ by at least 1, this holds
          as soon as both classes have a quota of at least twice their weight (A 2, B 4, C 6, D 8).
      Size alone is not enough: round 2 of a 1% task with C 150 and D 100 has n = ⌈5/2⌉ = 3,
      q_C = 27/17 and q_D = 24/17; C's remainder 10/17 beats D's 7/17, so C draws 2 (1.33%) and
      D draws 1 (1%).
    - The counts depend only on the classes' sizes, the rule, the ratio and the round: not on the
      order of the registry's rows, nor on the order in which classes are listed anywhere except
      the risk order.
    - Not promised: that a higher ratio never gives a class fewer entities. Largest-remainder
      rounding has the "Alabama paradox": with A 1, B 1, C 4, D 3, a ratio of 50% gives n = 5 and
      B draws 1 (quota 10/27); 60% gives n = 6 and B draws 0, because C's and D's remainders (2/3
      each) now beat B's 4/9.
    - Not promised: that a very small high-risk class is drawn in every round. Round 2 at 30% with
      C 8 and D 1 has n = ⌈27/10⌉ = 3, q_C = 18/7 and q_D = 3/7; C's remainder 4/7 beats D's 3/7,
      and D draws nobody in that round.

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

    Exact quotas. Quotas are fractions such as 378/115, compared and rounded exactly, and the
    record shows each class's quota as a fraction. Nothing is computed in binary floating point.

    Caps in any order. Step 3b caps every class over its size at once; capping them one at a
    time gives the same quotas. Write λ for the seats being shared divided by Σ w_j × N_j, so that
    q_k = λ × w_k × N_k, and a class is over its size exactly when λ × w_k > 1. A capped class
    takes fewer seats (N_k) than its quota, so the next pass shares more per unit of weight: λ
    only grows, and a class once over its size stays over it. At the end every capped class has
    λ × w_k > 1 and every other λ × w_k ≤ 1, so q_k = N_k × min(1, λ × w_k) with Σ q_k = n; only one
    set of quotas has that form. Hence also: the classes capped are, among those with eligible
    entities, the ones with the largest weights; and there are at most as many passes as classes,
    plus one.

    Seats never run short or over. After 3b the quotas add up to exactly n, and none exceeds its
    size. The free seats n − Σ ⌊q_k⌋ equal the sum of the fractional parts, each below 1, so there
    are fewer free seats than classes with a fractional part: each seat goes to a different class,
    one whose quota is not whole, so ⌈q_k⌉ ≤ N_k. A tie among classes with no fractional part never
    decides anything. n never exceeds N because r ≤ 1.

    Exceeds means strictly more. A quota equal to its size is not capped; the class draws its size
    anyway.

    Empty classes. A class with no eligible entity has quota 0 and draws nobody; its effective
    ratio is undefined, shown as "—" and recorded as null. With no eligible entity at all, n = 0.

    Weights. A weight of 0 is refused: it would take a class out of random inspection altogether,
    which is a targeted (定向) task, not a credit rule, and it could leave seats that no class can
    take. Weights that decrease with risk are refused, since the notice asks for ratios rising with
    risk; equal weights are allowed (proportional allocation). Only the proportions of the weights
    matter: 1, 2, 3, 4 and 2, 4, 6, 8 give the same draw.

    Rounds. The n of a weighted round counts only the classes drawn in that round: round 2 with
    C 10 and D 5 at 30% draws ⌈3/10 × 15⌉ = 5. A round beyond every class's frequency (or beyond a
    flat task's frequency) draws nobody.

    Largest remainder. It keeps every class within one entity of its exact quota and the total at
    exactly n, and it can be redone by hand. Ties go to the higher risk because the notice asks for
    more inspection where risk is higher.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from jcdraw.draw.allocation import Stratum, round_quotas, stratum_of
from jcdraw.draw.tickets import SEPARATOR, _digests, _order_by_digest, sha256_hex, ticket_prefix
from jcdraw.plans.credit import CreditRule

Ratio = Fraction | Decimal | int | float | str


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


# --- drawing entities ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DrawOutcome:
    """The result of ``draw_entities``.

    ``strata`` are the round's strata (``jcdraw.draw.allocation.Stratum``, in the rule's order);
    ``selected`` holds the drawn pool rows (all their columns, fresh 0-based index) plus ``ticket``,
    in ticket order.
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
    rule: CreditRule,
    ratio: Ratio = 1,
) -> DrawOutcome:
    """Draw one round of one task (Steps 1 to 4).

    Args:
        pool: One row per eligible entity, columns ``uscc`` (normalised, unique) and ``risk_class``
            (a class of ``rule``); other columns are carried into the result.
        seed, plan_id, task, round_no: The draw's parameters (see ``ticket``).
        rule: The task's credit rule (``jcdraw.plans.credit``).
        ratio: The task's ratio r (used by weighted and flat rules).

    Returns:
        The strata and the drawn rows (see ``DrawOutcome``).

    Raises:
        ValueError: if a column is missing or holds missing or non-text values, a code repeats, the
            pool already has a ``ticket`` column, or a class is not the rule's. The caller
            validates the registry first, so these are programming errors, not user mistakes.

    Example:
        >>> from jcdraw.plans.credit import FlatRule, RatiosRule
        >>> pool = pd.DataFrame({"uscc": ["911405005635962824", "X1", "X2", "X3"],
        ...                      "risk_class": ["A", "A", "A", "B"]})
        >>> rule = RatiosRule(classes=("A", "B"), ratios={"A": Fraction(1, 2), "B": Fraction(1, 2)},
        ...                   frequencies={"A": 1, "B": 1})
        >>> outcome = draw_entities(pool, seed="12345678901234567890", plan_id="2024-joint", task=1,
        ...                         round_no=1, rule=rule)
        >>> [(s.name, s.eligible, s.size) for s in outcome.strata]
        [('A', 3, 2), ('B', 1, 1)]
        >>> outcome.selected["uscc"].tolist()
        ['X1', '911405005635962824', 'X3']
        >>> flat = draw_entities(pool, seed="12345678901234567890", plan_id="2024-joint", task=1,
        ...                      round_no=1, rule=FlatRule(classes=("A", "B")), ratio="0.5")
        >>> [(s.name, s.eligible, s.size) for s in flat.strata], flat.selected["uscc"].tolist()
        ([('*', 4, 2)], ['X1', '911405005635962824'])
    """
    if round_no < 1:
        raise ValueError(f"round numbers start at 1, got {round_no!r}")
    _check_pool(pool)
    classes = pool["risk_class"].to_numpy(dtype=object)
    counts = {str(k): int(v) for k, v in pool["risk_class"].value_counts(sort=False).items()}
    strata = round_quotas(rule, counts, min(Fraction(1), exact_ratio(ratio)), round_no)
    quota = {s.name: s.size for s in strata}
    names = pd.Series(classes, dtype=object).map(stratum_of(rule)).to_numpy(dtype=object)

    # Only strata that draw somebody need tickets; the rest of a million rows is never hashed.
    positions = np.flatnonzero(pd.Series(names).isin([n for n, size in quota.items() if size > 0]).to_numpy())
    usccs: list[str] = pool["uscc"].to_numpy(dtype=object)[positions].tolist()
    digests = _digests(ticket_prefix(seed, plan_id, task, round_no), usccs)
    order = _order_by_digest(digests, usccs)

    # Walking all tickets in one global order, an entity's running count within its stratum is its
    # rank there; keeping ranks below the stratum's size keeps the result in ticket order.
    ranked = pd.Series(names[positions][order], dtype=object)
    rank_in_stratum = ranked.groupby(ranked, sort=False).cumcount().to_numpy()
    keep = rank_in_stratum < ranked.map(quota).to_numpy(dtype=np.int64)
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


def lines_sha256(lines: Iterable[str]) -> str:
    """Return the fingerprint of a set of lines: SHA-256 over them sorted, each ending in a line feed.

    Example:
        >>> lines_sha256(["b|2", "a|1"]) == sha256_hex("a|1\\nb|2\\n")
        True
    """
    return sha256_hex("".join(sorted(f"{line}\n" for line in lines)))


def inspector_lines(inspectors: pd.DataFrame) -> list[str]:
    """Return the inspector pool as sorted ``{badge}|{department}`` lines.

    Example:
        >>> inspector_lines(pd.DataFrame({"badge": ["2", "1"], "department": ["乙", "甲"]}))
        ['1|甲', '2|乙']
    """
    badges, departments = inspectors["badge"].astype(str), inspectors["department"].astype(str)
    return sorted(f"{b}{SEPARATOR}{d}" for b, d in zip(badges, departments, strict=True))


def recusal_lines(
    recusals: Iterable[tuple[str, str]], badges: Iterable[str], codes: Iterable[str]
) -> list[str]:
    """Return the recusals that can bind a draw as sorted ``{badge}|{code}`` lines.

    Example:
        >>> recusal_lines({("1", "X"), ("1", "Y"), ("9", "X")}, badges=["1", "2"], codes=["X"])
        ['1|X']
    """
    in_pool, drawable = set(badges), set(codes)
    return sorted(f"{b}{SEPARATOR}{u}" for b, u in recusals if b in in_pool and u in drawable)
