"""Tests for jcdraw.draw: doctests, the published vectors, exact sizes, and properties."""

from __future__ import annotations

import doctest
import hashlib
import json
import math
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jcdraw.draw.algorithm
import jcdraw.draw.seed
import jcdraw.draw.teams
import jcdraw.draw.tickets
from jcdraw import messages
from jcdraw.draw.algorithm import draw_entities, exact_ratio, pool_sha256, stratum_size
from jcdraw.draw.allocation import Stratum
from jcdraw.draw.seed import parse_seed, random_seed
from jcdraw.draw.teams import TeamImpossible, TeamRule, assign_teams
from jcdraw.draw.tickets import inspector_ticket, ticket, ticket_order, tickets_for
from jcdraw.errors import BadInvocation, InputProblems
from jcdraw.plans.credit import RatiosRule

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))
MINI = VECTORS["mini_draw"]
SEED = "12345678901234567890"
PARAMS: dict[str, Any] = {"seed": SEED, "plan_id": "2024-joint", "task": 1}
PROPERTY = settings(max_examples=50, deadline=None)


def test_docstring_examples_run() -> None:
    modules = (jcdraw.draw.algorithm, jcdraw.draw.seed, jcdraw.draw.tickets, jcdraw.draw.teams)
    results = [doctest.testmod(m) for m in modules]
    assert sum(r.failed for r in results) == 0
    assert sum(r.attempted for r in results) >= 25


# --- published vectors ---------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["tickets"], ids=lambda v: v["input"])
def test_ticket_vectors(vector: dict[str, str]) -> None:
    seed, plan_id, task, round_no, uscc = vector["input"].split("|")
    assert hashlib.sha256(vector["input"].encode("utf-8")).hexdigest() == vector["ticket"]
    assert ticket(seed, plan_id, int(task), int(round_no), uscc) == vector["ticket"]
    assert tickets_for(seed, plan_id, int(task), int(round_no), [uscc]) == [vector["ticket"]]


def test_the_specified_ticket_example() -> None:
    assert VECTORS["tickets"][0] == {
        "input": "12345678901234567890|2024-joint|1|1|911405005635962824",
        "ticket": "9580bca61f147781a986629346790cd1e6cb2f0af731e8d3ba67eac4e9c0f221",
    }


@pytest.mark.parametrize("vector", VECTORS["inspector_tickets"], ids=lambda v: v["input"])
def test_inspector_ticket_vectors(vector: dict[str, str]) -> None:
    seed, plan_id, task, round_no, badge, load = vector["input"].split("|")
    assert hashlib.sha256(vector["input"].encode("utf-8")).hexdigest() == vector["ticket"]
    assert inspector_ticket(seed, plan_id, int(task), int(round_no), badge, int(load)) == vector["ticket"]


def _mini_pool() -> pd.DataFrame:
    return pd.DataFrame(MINI["entities"])


def ratios_rule(ratios: dict[str, Any], frequencies: dict[str, int]) -> RatiosRule:
    """Explicit per-class ratios (the "ratios" credit rule), as the published vector states them."""
    return RatiosRule(
        classes=tuple(sorted(ratios)),
        ratios={c: Fraction(str(r)) for c, r in ratios.items()},
        frequencies=dict(frequencies),
    )


def _mini_draw(round_no: int, pool: pd.DataFrame | None = None) -> jcdraw.draw.algorithm.DrawOutcome:
    return draw_entities(
        _mini_pool() if pool is None else pool,
        seed=MINI["seed"],
        plan_id=MINI["plan_id"],
        task=MINI["task"],
        round_no=round_no,
        rule=ratios_rule(MINI["ratios"], MINI["frequencies"]),
    )


@pytest.mark.parametrize("expected", MINI["rounds"], ids=lambda r: f"round{r['round']}")
def test_mini_draw_reproduces_the_published_vector(expected: dict[str, Any]) -> None:
    outcome = _mini_draw(expected["round"])
    got = outcome.selected[["uscc", "risk_class", "ticket"]].to_dict("records")
    assert got == expected["selected"]
    ratios = {c: str(min(Fraction(1), Fraction(r))) for c, r in MINI["ratios"].items()}
    assert [
        {
            "risk_class": s.name,
            "eligible": s.eligible,
            "ratio": ratios[s.name],
            "frequency": s.frequency,
            "in_round": s.in_round,
            "drawn": s.size,
        }
        for s in outcome.strata
    ] == expected["strata"]
    reversed_pool = _mini_pool().iloc[::-1].reset_index(drop=True)
    assert _mini_draw(expected["round"], reversed_pool).selected.equals(outcome.selected)


def test_mini_draw_round_one_selects_exactly_these_codes() -> None:
    # The values the README quotes, spelled out so a change to vectors.json is noticed here too.
    assert _mini_draw(1).selected["uscc"].tolist() == [
        "9114052411223344XX",
        "91140502MA0JXR2T87",
        "91140522MA0H2X3P7Y",
        "91140525MA0L8Q1E15",
        "91140581MA0M4B9W8F",
        "91140525765432104Q",
    ]


def test_mini_pool_fingerprint() -> None:
    assert pool_sha256(_mini_pool()) == MINI["pool_sha256"]
    lines = sorted(f"{e['uscc']}|{e['risk_class']}\n" for e in MINI["entities"])
    assert hashlib.sha256("".join(lines).encode("utf-8")).hexdigest() == MINI["pool_sha256"]


def test_mini_teams_reproduce_the_published_vector() -> None:
    spec = MINI["teams"]
    selected = pd.DataFrame(MINI["rounds"][0]["selected"])
    inspectors = pd.DataFrame(spec["inspectors"])
    rule = TeamRule(min_size=spec["rule"]["min_size"], per_department=spec["rule"]["per_department"])
    kwargs: dict[str, Any] = {
        "rule": rule,
        "recusals": {tuple(p) for p in spec["recusals"]},
        "history": {tuple(p) for p in spec["history"]},
        "seed": MINI["seed"],
        "plan_id": MINI["plan_id"],
        "task": MINI["task"],
        "round_no": spec["round"],
    }
    teams = assign_teams(selected, inspectors, **kwargs)
    expected = {t["uscc"]: t["badges"] for t in spec["teams"]}
    assert teams.by_entity == expected
    assert list(teams.by_entity) == [t["uscc"] for t in spec["teams"]]
    assert teams.loads == spec["loads"]
    assert _reference_teams(selected, inspectors, **kwargs) == expected


# --- seed ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "12345678901234567890",
        "1234 5678 9012 3456 7890",
        "1234\u00a05678\u30009012\t3456\n7890",
        "1234-5678–9012—3456－7890",
        "１２３４５６７８９０１２３４５６７８９０",
        "\u200b12345678901234567890\ufeff",
    ],
)
def test_parse_seed_accepts_grouped_and_full_width_digits(text: str) -> None:
    assert parse_seed(text) == "12345678901234567890"


def test_parse_seed_keeps_more_than_twenty_digits() -> None:
    assert parse_seed("3" * 32) == "3" * 32


def test_parse_seed_too_short() -> None:
    with pytest.raises(BadInvocation) as caught:
        parse_seed("1234 5678 9012 3456 789")
    assert caught.value.message == messages.DRAW_SEED_TOO_SHORT.format(count=19, minimum=20)
    assert "只有 19 位数字，至少需要 20 位" in caught.value.message
    assert caught.value.exit_code == 2


def test_parse_seed_rejects_letters_naming_them() -> None:
    with pytest.raises(BadInvocation) as caught:
        parse_seed("12345678901234567890ab a")
    assert caught.value.message == messages.DRAW_SEED_NOT_DIGITS.format(chars="“a”、“b”")
    assert "例如" in caught.value.message


@pytest.mark.parametrize("text", ["", "   ", "- — －"])
def test_parse_seed_rejects_empty(text: str) -> None:
    with pytest.raises(BadInvocation) as caught:
        parse_seed(text)
    assert caught.value.message == messages.DRAW_SEED_EMPTY


def test_random_seed_is_twenty_digits_and_parses() -> None:
    seeds = {random_seed() for _ in range(5)}
    assert all(len(s) == 20 and s.isascii() and s.isdigit() and parse_seed(s) == s for s in seeds)
    assert len(seeds) == 5


# --- exact stratum sizes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "n", "expected"),
    [
        (Fraction(3, 10), 10, 3),
        (Fraction(3, 10), 11, 4),
        ("0.3", 10, 3),
        (0.3, 10, 3),
        (Decimal("0.3"), 10, 3),
        (0.1, 10, 1),
        (0.07, 100, 7),
        (Fraction(1, 3), 3, 1),
        (Fraction(1, 3), 4, 2),
        (1, 13, 13),
        ("1.0", 13, 13),
        (Fraction(3, 2), 13, 13),
        (5, 2, 2),
        (Fraction(1, 10), 0, 0),
        (0, 9, 0),
        (Fraction(1, 1_000_000), 1_000_000, 1),
        (Fraction(1, 1_000_000), 1_000_001, 2),
    ],
)
def test_stratum_size_is_exact(ratio: Any, n: int, expected: int) -> None:
    assert stratum_size(ratio, n) == expected


def test_floats_are_read_through_their_decimal_text() -> None:
    assert exact_ratio(0.3) == Fraction(3, 10)
    assert Fraction(0.1) != Fraction(1, 10)  # why Fraction(float) is never used
    assert math.ceil(Fraction(0.1) * 10) == 2
    with pytest.raises(TypeError):
        exact_ratio(True)
    with pytest.raises(ValueError):
        stratum_size("-0.1", 10)


# --- draw_entities details ---------------------------------------------------------------------------


def _draw(pool: pd.DataFrame, round_no: int = 1, **overrides: Any) -> jcdraw.draw.algorithm.DrawOutcome:
    args: dict[str, Any] = {
        **PARAMS,
        "round_no": round_no,
        "rule": ratios_rule({"A": "0.5", "B": "0.5", "C": "0.5", "D": "1"}, {"A": 1, "B": 1, "C": 2, "D": 3}),
    }
    args.update(overrides)
    return draw_entities(pool, **args)


def test_draw_carries_columns_and_lists_all_classes_in_order() -> None:
    pool = pd.DataFrame(
        {
            "uscc": [f"CODE{i:02d}" for i in range(8)],
            "risk_class": list("DBBAACCA"),
            "name": [f"企业{i}" for i in range(8)],
        },
        index=range(100, 108),
    )
    outcome = _draw(pool, round_no=2)
    assert outcome.strata == [
        Stratum("A", ("A",), 3, 0, 1, False, None),
        Stratum("B", ("B",), 2, 0, 1, False, None),
        Stratum("C", ("C",), 2, 1, 2, True, Fraction(1)),
        Stratum("D", ("D",), 1, 1, 3, True, Fraction(1)),
    ]
    selected = outcome.selected
    assert list(selected.columns) == ["uscc", "risk_class", "name", "ticket"]
    assert list(selected.index) == [0, 1]
    assert set(selected["risk_class"]) == {"C", "D"}
    for row in selected.itertuples():
        assert row.name == "企业" + row.uscc[-2:].lstrip("0").rjust(1, "0")
        assert row.ticket == ticket(SEED, "2024-joint", 1, 2, row.uscc)
    assert selected["ticket"].is_monotonic_increasing


def test_draw_of_empty_pool() -> None:
    outcome = _draw(pd.DataFrame({"uscc": pd.Series([], dtype=str), "risk_class": pd.Series([], dtype=str)}))
    assert [(s.name, s.eligible, s.size) for s in outcome.strata] == [(c, 0, 0) for c in "ABCD"]
    assert outcome.selected.empty
    assert "ticket" in outcome.selected.columns


@pytest.mark.parametrize(
    ("pool", "round_no", "overrides", "fragment"),
    [
        (pd.DataFrame({"uscc": ["X", "X"], "risk_class": ["A", "B"]}), 1, {}, "duplicate codes"),
        (pd.DataFrame({"uscc": ["X"], "risk_class": ["E"]}), 1, {}, "not in the rule's classes"),
        (pd.DataFrame({"uscc": ["X"], "risk_class": [None]}), 1, {}, "must hold text"),
        (pd.DataFrame({"uscc": [1], "risk_class": ["A"]}), 1, {}, "must hold text"),
        (pd.DataFrame({"uscc": ["X"]}), 1, {}, "no 'risk_class' column"),
        (pd.DataFrame({"uscc": ["X"], "risk_class": ["A"], "ticket": ["t"]}), 1, {}, "'ticket' column"),
        (pd.DataFrame({"uscc": ["X"], "risk_class": ["A"]}), 0, {}, "start at 1"),
    ],
)
def test_draw_rejects_what_the_caller_should_have_validated(
    pool: pd.DataFrame, round_no: int, overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        _draw(pool, round_no=round_no, **overrides)


def test_ticket_order_breaks_ties_by_code() -> None:
    assert ticket_order(["b", "a", "b", "a"], ["U3", "U9", "U1", "U2"]).tolist() == [3, 1, 2, 0]


def test_fast_order_falls_back_to_exact_order_on_equal_leading_bytes() -> None:
    same_head = b"\x00" * 8
    digests = [same_head + b"\x02" * 24, same_head + b"\x01" * 24, b"\x00" * 7 + b"\x01" + b"\x00" * 24]
    usccs = ["U1", "U2", "U3"]
    assert jcdraw.draw.tickets._order_by_digest(digests, usccs).tolist() == [1, 0, 2]
    tied = [same_head + b"\x05" * 24] * 2
    assert jcdraw.draw.tickets._order_by_digest(tied, ["U9", "U4"]).tolist() == [1, 0]


def test_pool_fingerprint_ignores_row_order_and_other_columns() -> None:
    pool = _mini_pool()
    shuffled = pool.sample(frac=1, random_state=3).assign(name="x")
    assert pool_sha256(shuffled) == pool_sha256(pool)
    changed = pool.assign(risk_class=["B", *pool["risk_class"].tolist()[1:]])
    assert pool_sha256(changed) != pool_sha256(pool)


# --- draw properties -----------------------------------------------------------------------------

CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
codes = st.lists(st.text(CODE_ALPHABET, min_size=18, max_size=18), unique=True, max_size=40)
fractions = st.fractions(min_value=0, max_value=Fraction(3, 2), max_denominator=20)
seeds = st.text("0123456789", min_size=20, max_size=24)


@st.composite
def draws(draw: st.DrawFn) -> dict[str, Any]:
    usccs = draw(codes)
    classes = draw(st.lists(st.sampled_from("ABCD"), min_size=len(usccs), max_size=len(usccs)))
    return {
        "pool": pd.DataFrame({"uscc": usccs, "risk_class": classes, "row": range(len(usccs))}),
        "seed": draw(seeds),
        "plan_id": draw(st.sampled_from(["2024-joint", "2025-internal"])),
        "task": draw(st.integers(1, 12)),
        "round_no": draw(st.integers(1, 3)),
        "ratios": {c: draw(fractions) for c in "ABCD"},
        "frequencies": {c: draw(st.integers(0, 3)) for c in "ABCD"},
    }


def _run(case: dict[str, Any], pool: pd.DataFrame | None = None) -> jcdraw.draw.algorithm.DrawOutcome:
    args = dict(case)
    if pool is not None:
        args["pool"] = pool
    args["rule"] = ratios_rule(args.pop("ratios"), args.pop("frequencies"))
    return draw_entities(args.pop("pool"), **args)


@PROPERTY
@given(case=draws(), shuffle_seed=st.integers(0, 2**32 - 1))
def test_same_inputs_and_shuffled_rows_give_the_same_draw(case: dict[str, Any], shuffle_seed: int) -> None:
    first = _run(case)
    again = _run(case)
    shuffled = _run(case, case["pool"].sample(frac=1, random_state=shuffle_seed))
    for other in (again, shuffled):
        assert other.strata == first.strata
        assert other.selected.equals(first.selected)


@PROPERTY
@given(case=draws())
def test_each_stratum_draws_its_exact_size_with_the_smallest_tickets(case: dict[str, Any]) -> None:
    outcome = _run(case)
    pool, round_no = case["pool"], case["round_no"]
    drawn_per_class = Counter(outcome.selected["risk_class"])
    assert [s.name for s in outcome.strata] == list("ABCD")
    for stratum in outcome.strata:
        members = pool[pool["risk_class"] == stratum.name]["uscc"].tolist()
        in_round = case["frequencies"][stratum.name] >= round_no
        share = min(Fraction(1), case["ratios"][stratum.name])
        expected = math.ceil(share * len(members)) if in_round else 0
        assert (stratum.eligible, stratum.in_round, stratum.size) == (len(members), in_round, expected)
        assert drawn_per_class[stratum.name] == expected
        ranked = sorted(
            (ticket(case["seed"], case["plan_id"], case["task"], round_no, code), code) for code in members
        )
        chosen = outcome.selected[outcome.selected["risk_class"] == stratum.name]
        assert list(zip(chosen["ticket"], chosen["uscc"], strict=True)) == ranked[:expected]
    keys = list(zip(outcome.selected["ticket"], outcome.selected["uscc"], strict=True))
    assert keys == sorted(keys)


@PROPERTY
@given(case=draws(), nominal=fractions)
def test_overall_draw_meets_the_nominal_ratio(case: dict[str, Any], nominal: Fraction) -> None:
    nominal = min(nominal, Fraction(1))
    case["ratios"] = {c: max(r, nominal) for c, r in case["ratios"].items()}
    outcome = _run(case)
    eligible = sum(s.eligible for s in outcome.strata if s.in_round)
    assert len(outcome.selected) >= math.ceil(nominal * eligible)


@PROPERTY
@given(case=draws())
def test_a_later_round_excludes_less_frequent_classes(case: dict[str, Any]) -> None:
    outcome = _run(case)
    excluded = {c for c, f in case["frequencies"].items() if f < case["round_no"]}
    assert not set(outcome.selected["risk_class"]) & excluded
    assert all(s.size == 0 and not s.in_round for s in outcome.strata if s.name in excluded)


# --- teams ----------------------------------------------------------------------------------------


def _reference_teams(
    selected: pd.DataFrame,
    inspectors: pd.DataFrame,
    *,
    rule: TeamRule,
    recusals: set[tuple[str, str]],
    history: set[tuple[str, str]],
    seed: str,
    plan_id: str,
    task: int,
    round_no: int,
) -> dict[str, list[str]]:
    """Step 5 as the docstring words it, ranking every candidate in full for every pick."""
    if "qualified" in inspectors.columns:
        inspectors = inspectors.loc[inspectors["qualified"].astype(bool)]
    department_of = dict(zip(inspectors["badge"], inspectors["department"], strict=True))
    loads = dict.fromkeys(department_of, 0)

    def best(candidates: list[str], uscc: str) -> str:
        def rank(badge: str) -> tuple[int, bool, str, str]:
            drawn = inspector_ticket(seed, plan_id, task, round_no, badge, loads[badge])
            return (loads[badge], (badge, uscc) in history, drawn, badge)

        return min(candidates, key=rank)

    teams: dict[str, list[str]] = {}
    for _, uscc in sorted(zip(selected["ticket"], selected["uscc"], strict=True)):
        free = [b for b in department_of if (b, uscc) not in recusals]
        team: list[str] = []

        def pick(candidates: list[str], team: list[str] = team, uscc: str = uscc) -> None:
            chosen = best(candidates, uscc)
            team.append(chosen)
            loads[chosen] += 1  # the next pick already sees the new load and ticket

        for department, required in rule.per_department.items():
            for _ in range(required):
                candidates = [b for b in free if department_of[b] == department and b not in team]
                if not candidates:
                    raise TeamImpossible(uscc, department, "reference")
                pick(candidates)
        while len(team) < rule.min_size:
            rest = [b for b in free if b not in team and department_of[b] in rule.per_department]
            if not rest:
                raise TeamImpossible(uscc, None, "reference")
            pick(rest)
        order = list(rule.per_department)
        team.sort(key=lambda b: order.index(department_of[b]))  # stable: pick order within a department
        teams[uscc] = team
    return teams


@st.composite
def team_cases(draw: st.DrawFn, with_recusals: bool = True, dense: bool = False) -> dict[str, Any]:
    """Small draws; ``dense`` ones have more entities, larger quotas and much more history."""
    usccs = draw(
        st.lists(
            st.text("0123456789AB", min_size=4, max_size=4),
            unique=True,
            min_size=1,
            max_size=24 if dense else 12,
        )
    )
    departments = draw(
        st.lists(st.sampled_from(["商务局", "市场监管局", "消防救援支队"]), unique=True, min_size=1)
    )
    staff = [
        {
            "badge": f"{department[0]}{i}",
            "department": department,
            "qualified": draw(st.sampled_from([True, True, True, False])),
        }
        for department in departments
        for i in range(draw(st.integers(1, 6)))
    ]
    per_department = {d: draw(st.integers(0, 3 if dense else 2)) for d in departments}
    pairs = [(s["badge"], u) for s in staff for u in usccs]
    recusal_pairs = st.sets(st.sampled_from(pairs), max_size=12 if dense else 8) if pairs else st.just(set())
    history_pairs = st.sets(st.sampled_from(pairs), max_size=60 if dense else 8) if pairs else st.just(set())
    return {
        "selected": pd.DataFrame(
            {"uscc": usccs, "ticket": [ticket(SEED, "2024-joint", 1, 1, u) for u in usccs]}
        ),
        "inspectors": pd.DataFrame(staff, columns=["badge", "department", "qualified"]),
        "rule": TeamRule(min_size=draw(st.integers(1, 5 if dense else 3)), per_department=per_department),
        "recusals": draw(recusal_pairs) if with_recusals else set(),
        "history": draw(history_pairs),
        "seed": SEED,
        "plan_id": "2024-joint",
        "task": 1,
        "round_no": 1,
    }


def _first_impossible(case: dict[str, Any]) -> str | None:
    """The first entity in ticket order whose team cannot be formed, computed from counts alone."""
    staff = case["inspectors"].loc[case["inspectors"]["qualified"].astype(bool)]
    rule: TeamRule = case["rule"]
    for _, uscc in sorted(zip(case["selected"]["ticket"], case["selected"]["uscc"], strict=True)):
        free = [
            d
            for b, d in zip(staff["badge"], staff["department"], strict=True)
            if (b, uscc) not in case["recusals"] and d in rule.per_department
        ]
        if any(free.count(d) < n for d, n in rule.per_department.items()) or len(free) < rule.min_size:
            return str(uscc)
    return None


@PROPERTY
@given(case=team_cases(dense=True))
def test_teams_equal_the_full_ranking_with_much_history_and_recusal(case: dict[str, Any]) -> None:
    # The queues look only at the top of each department; the reference ranks everybody, every pick.
    try:
        expected = _reference_teams(**case)
    except TeamImpossible as reference_error:
        with pytest.raises(TeamImpossible) as caught:
            assign_teams(**case)
        assert caught.value.uscc == reference_error.uscc
        return
    assert assign_teams(**case).by_entity == expected


@PROPERTY
@given(case=team_cases())
def test_teams_meet_the_rule_or_fail_exactly_when_impossible(case: dict[str, Any]) -> None:
    impossible = _first_impossible(case)
    if impossible is not None:
        with pytest.raises(TeamImpossible) as caught:
            assign_teams(**case)
        assert caught.value.uscc == impossible
        return
    teams = assign_teams(**case)
    assert teams.by_entity == _reference_teams(**case)
    rule: TeamRule = case["rule"]
    department_of = dict(zip(case["inspectors"]["badge"], case["inspectors"]["department"], strict=True))
    qualified = set(case["inspectors"]["badge"][case["inspectors"]["qualified"].astype(bool)])
    assert set(teams.by_entity) == set(case["selected"]["uscc"])
    for uscc, team in teams.by_entity.items():
        assert len(set(team)) == len(team)
        assert set(team) <= qualified
        assert not {(b, uscc) for b in team} & case["recusals"]
        per_department = Counter(department_of[b] for b in team)
        assert all(per_department[d] >= n for d, n in rule.per_department.items())
        assert len(team) == max(rule.min_size, sum(rule.per_department.values()))
    assert teams.loads == {
        b: sum(b in team for team in teams.by_entity.values()) for b in case["inspectors"]["badge"]
    }


@PROPERTY
@given(case=team_cases(with_recusals=False))
def test_loads_within_a_department_differ_by_at_most_one_without_recusals(case: dict[str, Any]) -> None:
    try:
        teams = assign_teams(**case)
    except TeamImpossible:
        return
    staff = case["inspectors"].loc[case["inspectors"]["qualified"].astype(bool)]
    for _, members in staff.groupby("department"):
        loads = [teams.loads[b] for b in members["badge"]]
        assert max(loads) - min(loads) <= 1


@PROPERTY
@given(case=team_cases(dense=True), shuffle_seed=st.integers(0, 2**32 - 1))
def test_teams_are_deterministic_and_ignore_row_order(case: dict[str, Any], shuffle_seed: int) -> None:
    try:
        first = assign_teams(**case)
    except TeamImpossible as error:
        first_error: TeamImpossible | None = error
    else:
        first_error = None
    shuffled = {
        **case,
        "selected": case["selected"].sample(frac=1, random_state=shuffle_seed),
        "inspectors": case["inspectors"].sample(frac=1, random_state=shuffle_seed),
    }
    for again in (case, shuffled):
        if first_error is not None:
            with pytest.raises(TeamImpossible) as caught:
                assign_teams(**again)
            assert caught.value.message == first_error.message
        else:
            teams = assign_teams(**again)
            assert teams.by_entity == first.by_entity
            assert list(teams.by_entity) == list(first.by_entity)
            assert sorted(teams.loads.items()) == sorted(first.loads.items())


def test_a_department_works_in_laps_whose_order_is_redrawn_each_lap() -> None:
    usccs = [f"U{i:02d}" for i in range(12)]
    selected = pd.DataFrame({"uscc": usccs, "ticket": [ticket(SEED, "2024-joint", 1, 1, u) for u in usccs]})
    badges = ["S1", "S2", "S3", "S4"]
    inspectors = pd.DataFrame({"badge": badges, "department": ["商务局"] * 4})
    rule = TeamRule(min_size=1, per_department={"商务局": 1})
    teams = assign_teams(selected, inspectors, rule=rule, recusals=set(), history=set(), **PARAMS, round_no=1)
    picks = [team[0] for team in teams.by_entity.values()]
    laps = [picks[i : i + 4] for i in range(0, 12, 4)]
    for load, lap in enumerate(laps):
        assert lap == sorted(badges, key=lambda b: inspector_ticket(SEED, "2024-joint", 1, 1, b, load))
    assert laps == [["S3", "S4", "S2", "S1"], ["S4", "S2", "S3", "S1"], ["S4", "S1", "S3", "S2"]]


def test_one_hash_per_inspector_and_load(monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[tuple[str, int]] = []
    entry = jcdraw.draw.teams._Queues._entry

    def counting(self: Any, badge: str, load: int) -> Any:
        hashed.append((badge, load))
        return entry(self, badge, load)

    monkeypatch.setattr(jcdraw.draw.teams._Queues, "_entry", counting)
    usccs = [f"U{i:03d}" for i in range(200)]
    selected = pd.DataFrame({"uscc": usccs, "ticket": [ticket(SEED, "2024-joint", 1, 1, u) for u in usccs]})
    staff = {f"S{i}": "商务局" for i in range(7)} | {f"M{i}": "市场监管局" for i in range(5)}
    inspectors = pd.DataFrame({"badge": list(staff), "department": list(staff.values())})
    rule = TeamRule(min_size=3, per_department={"商务局": 1, "市场监管局": 1})
    teams = assign_teams(
        selected,
        inspectors,
        rule=rule,
        recusals={("S1", "U005"), ("M2", "U007")},
        history={("S3", u) for u in usccs[::3]},
        **PARAMS,
        round_no=1,
    )
    assert len(set(hashed)) == len(hashed) == len(staff) + 200 * 3
    assert sum(teams.loads.values()) == 200 * 3


def test_entities_already_in_ticket_order_keep_it_and_others_are_sorted() -> None:
    usccs = [f"U{i}" for i in range(6)]
    tickets = [ticket(SEED, "2024-joint", 1, 1, u) for u in usccs]
    ordered = [u for _, u in sorted(zip(tickets, usccs, strict=True))]
    selected = pd.DataFrame({"uscc": usccs, "ticket": tickets})
    assert jcdraw.draw.teams._entities_in_ticket_order(selected) == ordered
    in_order = selected.set_index("uscc").loc[ordered].reset_index()
    assert jcdraw.draw.teams._entities_in_ticket_order(in_order) == ordered
    # Equal tickets: the code decides, even when the rows already look sorted by ticket.
    tied = pd.DataFrame({"uscc": ["U9", "U1"], "ticket": ["a", "a"]})
    assert jcdraw.draw.teams._entities_in_ticket_order(tied) == ["U1", "U9"]


def test_balance_outranks_history() -> None:
    selected = pd.DataFrame({"uscc": ["U1", "U2"], "ticket": ["a", "b"]})
    inspectors = pd.DataFrame({"badge": ["S1", "S2"], "department": ["商务局", "商务局"]})
    rule = TeamRule(min_size=1, per_department={"商务局": 1})
    # Whoever takes U1 carries load 1, so U2 goes to the other even though they inspected U2 before.
    for seen in ("S1", "S2"):
        teams = assign_teams(
            selected, inspectors, rule=rule, recusals=set(), history={(seen, "U2")}, **PARAMS, round_no=1
        )
        assert sorted(teams.loads.values()) == [1, 1]
    teams = assign_teams(
        selected, inspectors, rule=rule, recusals=set(), history={("S1", "U1")}, **PARAMS, round_no=1
    )
    assert teams.by_entity == {"U1": ["S2"], "U2": ["S1"]}


def test_unqualified_and_other_departments_are_not_picked_but_have_a_load() -> None:
    selected = pd.DataFrame({"uscc": ["U1"], "ticket": ["a"]})
    inspectors = pd.DataFrame(
        {
            "badge": ["S1", "S2", "X1"],
            "department": ["商务局", "商务局", "税务局"],
            "qualified": [False, True, True],
        }
    )
    rule = TeamRule(min_size=1, per_department={"商务局": 1})
    teams = assign_teams(selected, inspectors, rule=rule, recusals=set(), history=set(), **PARAMS, round_no=1)
    assert teams.by_entity == {"U1": ["S2"]}
    assert teams.loads == {"S1": 0, "S2": 1, "X1": 0}


def _impossible(staff: dict[str, str], rule: TeamRule, recusals: set[tuple[str, str]]) -> TeamImpossible:
    selected = pd.DataFrame({"uscc": ["911405005635962824"], "ticket": ["a"]})
    inspectors = pd.DataFrame({"badge": list(staff), "department": list(staff.values())})
    with pytest.raises(TeamImpossible) as caught:
        assign_teams(selected, inspectors, rule=rule, recusals=recusals, history=set(), **PARAMS, round_no=1)
    return caught.value


def test_team_impossible_when_a_whole_department_is_recused() -> None:
    code = "911405005635962824"
    err = _impossible(
        {"S1": "商务局", "S2": "商务局", "M1": "市场监管局"},
        TeamRule(per_department={"商务局": 1, "市场监管局": 1}),
        {("S1", code), ("S2", code)},
    )
    assert (err.uscc, err.department, err.reason) == (code, "商务局", "该部门所有 2 名执法人员均需回避")
    assert err.message == (
        "无法为检查对象 911405005635962824 组成检查组：部门“商务局”该部门所有 2 名执法人员均需回避。"
        "请补充该部门的执法人员或核对回避关系后重新抽取。"
    )
    assert isinstance(err, InputProblems) and err.exit_code == 1
    relabelled = err.with_entity_label("晋城市某某商贸有限公司（911405005635962824）")
    assert relabelled.message.startswith(
        "无法为检查对象 晋城市某某商贸有限公司（911405005635962824） 组成检查组"
    )
    assert (relabelled.uscc, relabelled.department, relabelled.reason) == (
        err.uscc,
        err.department,
        err.reason,
    )


def test_team_impossible_when_a_department_is_too_small() -> None:
    err = _impossible({"S1": "商务局", "M1": "市场监管局"}, TeamRule(per_department={"商务局": 2}), set())
    assert (err.department, err.reason) == ("商务局", "该部门只有 1 名符合条件的执法人员，至少需要 2 名")


def test_team_impossible_when_recusals_leave_too_few() -> None:
    code = "911405005635962824"
    err = _impossible(
        {"S1": "商务局", "S2": "商务局", "S3": "商务局"},
        TeamRule(per_department={"商务局": 2}),
        {("S1", code), ("S2", code)},
    )
    assert err.reason == "该部门 3 名执法人员中有 2 名需回避，只剩 1 名，至少需要 2 名"


def test_team_impossible_below_min_size() -> None:
    err = _impossible(
        {"S1": "商务局", "M1": "市场监管局"},
        TeamRule(min_size=3, per_department={"商务局": 1, "市场监管局": 1}),
        set(),
    )
    assert (err.department, err.reason) == (None, "可用执法人员不足 3 名（扣除回避后共 2 名）")
    assert err.message == (
        "无法为检查对象 911405005635962824 组成检查组：可用执法人员不足 3 名（扣除回避后共 2 名）。"
        "请补充执法人员或核对回避关系后重新抽取。"
    )


def test_team_rule_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        TeamRule(min_size=0)
    with pytest.raises(ValueError):
        TeamRule(per_department={"商务局": -1})
    rule = TeamRule(per_department={"商务局": 1})
    assert (rule.min_size, dict(rule.per_department)) == (2, {"商务局": 1})
