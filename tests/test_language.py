"""The condition language: grammar, limits, names and types, and the meaning of unknowns."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sen_rules.case import parse_case
from sen_rules.engine.native import Compiler, Env
from sen_rules.language import ir
from sen_rules.language.checker import CheckError, Scope, compile_expression
from sen_rules.language.printer import canonical, words
from sen_rules.language.syntax import ParseError, parse
from sen_rules.language.types import STRING, Type, list_of, object_type
from sen_rules.rulebase import Rulebase

SETTINGS = {"quadrants": list_of(STRING), "basis": Type("string", enum=("school", "home")),
            "side": Type("string", enum=("left", "right"))}


def scope() -> Scope:
    from sen_rules.case import Case

    return Scope(object_type(Case), SETTINGS, lambda name, variables: None, lambda: [])


def check(text: str) -> ir.Expr:
    return compile_expression(text, scope(), lambda offset: None)


def value(text: str, case: dict[str, Any], rulebase: Rulebase, as_of: date = date(2020, 1, 1)
          ) -> Any:
    expr = check(text)
    fn = Compiler(rulebase, rulebase.epoch(as_of)).compile(expr, None)
    return fn(Env(parse_case(case), as_of))


CASE = {
    "child": {"id": "C1", "date_of_birth": "2010-01-31"},
    "statement": {"made_on": "2015-01-31", "reviews": [{"held_on": "2016-01-20"},
                                                       {"held_on": "2017-02-01"}]},
    "disputes": [{"party": "parent", "resolved": True}, {"party": "health", "resolved": False}],
}


@pytest.mark.parametrize(
    ("text", "offset", "words_"),
    [
        ("child.date_of_birth =", 21, "expected a field"),
        ("(statement is known", 19, "')' to close"),
        ("a == b", 2, "write '='"),
        ("setting.kind = ‘school’", 15, "straight quotes"),
        ("a && b", 2, "'and'"),
        ("", 0, "empty"),
        ("statement is", 12, "'known' or 'missing'"),
        ("any d in disputes d.resolved", 18, "'where'"),
        ("if statement is known then 1", 28, "'else'"),
        ("1.5 years", 0, "whole number"),
        ("9999999999 > 1", 0, "below one billion"),
        ("x = 2010-02-30", 4, "not a real date"),
        ("a and", 5, "expected a field"),
        ("and b", 0, "cannot start a value"),
    ],
)
def test_syntax_errors_say_where_and_what_was_expected(text: str, offset: int, words_: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.offset == offset, info.value.message
    assert words_ in info.value.message


def test_limits_stop_hostile_input_early() -> None:
    with pytest.raises(ParseError, match="nested more than"):
        parse("(" * 200 + "true" + ")" * 200)
    with pytest.raises(ParseError, match="nested more than"):
        parse("not " * 100 + "true")
    with pytest.raises(ParseError, match="longer than"):
        parse("a or " * 1000 + "a")
    with pytest.raises(ParseError, match="words and symbols"):
        parse(" or ".join(["a"] * 400))


@pytest.mark.parametrize(
    ("text", "code", "words_"),
    [
        ("child.date_of_brth is known", "SR111", "did you mean 'date_of_birth'"),
        ("chld.id is known", "SR111", "did you mean 'child'"),
        ("agee_on(child.date_of_birth, as_of) > 5", "SR112", "did you mean 'age_on'"),
        ("__import__('os')", "SR112", "unknown function"),
        ("child.date_of_birth > 5", "SR113", "cannot compare date with number"),
        ("child.date_of_birth.year = 2000", "SR113", "cannot be read"),
        ("setting.kind = \"schol\"", "SR114", "did you mean 'school'"),
        ("setting.kind = settings.side", "SR114", "share no possible value"),
        ("statement and true", "SR113", "yes/no condition"),
        ("disputes is known", "SR113", "always known"),
        ("any d in child where true", "SR113", "needs a list"),
        ("age_on(child.date_of_birth) > 3", "SR113", "takes 2 value"),
        ("settings.quadrant = \"x\"", "SR116", "did you mean 'quadrants'"),
        ("child.date_of_birth + 3 > as_of", "SR113", "cannot add"),
        ("any child in disputes where true", "SR113", "already in use"),
        ("setting.kind < \"school\"", "SR113", "compares numbers or dates"),
        ("as_of.year = 1", "SR113", "has no fields"),
        ("statement.reviews.held_on = as_of", "SR113", "a list cannot be compared"),
    ],
)
def test_names_and_types_are_checked_at_load(text: str, code: str, words_: str) -> None:
    with pytest.raises(CheckError) as info:
        check(text)
    assert info.value.code == code, info.value.message
    assert words_ in info.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("proposed_placement.funding_level >= 3", False),  # unknown: comparison is false
        ("not (proposed_placement.funding_level >= 3)", True),  # ... and its negation true
        ("proposed_placement.funding_level < 3", False),
        ("proposed_placement is missing", True),
        ("setting.quadrant in [\"North-East\"]", False),
        ("setting.quadrant not in [\"North-East\"]", False),
        ("not (setting.quadrant in [\"North-East\"])", True),
        ("any d in disputes where not d.resolved", True),
        ("every d in disputes where d.resolved", False),
        ("no d in disputes where d.party = \"school\"", True),
        ("every p in candidate_placements where p.funding_level = 9", True),  # empty list
        ("count(d in disputes where d.resolved) = 1", True),
        ("count(d in disputes) = 2", True),
        ("latest(statement.reviews.held_on) = 2017-02-01", True),
        ("earliest(statement.made_on, cessation.left_school_on) = 2015-01-31", True),
        ("statement.made_on + 1 month = 2015-02-28", True),  # month ends clip
        ("statement.made_on - 2 weeks = 2015-01-17", True),
        ("age_on(child.date_of_birth, as_of) = 9", True),
        ("birthday(child.date_of_birth, 19) = 2029-01-31", True),
        ("year_group(child.date_of_birth, as_of) = 5", True),
        ("(if statement is known then 2 else 1) = 2", True),
        ("-1 + 3 = 2", True),
        ("days_between(statement.made_on, 2015-02-01) = 1", True),
    ],
)
def test_meaning_of_conditions(text: str, expected: bool, rulebase: Rulebase) -> None:
    assert value(text, CASE, rulebase) is expected


EXPRESSIONS = [
    "significant_health_or_social_care_issues and (statement is known"
    " or not cessation.appeal_pending)",
    "not (proposed_placement.funding_level = 1 and child.id != \"x\") or statement is missing",
    "any d in disputes where not d.resolved and d.party in [\"parent\", \"school\"]",
    "count(x in candidate_placements where x.funding_level >= 3) > 0",
    "statement.made_on + 12 months <= as_of",
    "if settings.basis = \"school\" then setting.quadrant else child.home_quadrant",
    "-(1 - 2) = 1",
    "proposed_placement.funding_level is missing or proposed_placement is known",
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_canonical_text_parses_back_to_itself(text: str) -> None:
    expr = check(text)
    first = canonical(expr)
    again = canonical(check(first))
    assert first == again
    assert words(expr)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("abc ()=<>!.,[]\"'0123456789-+") +
                                ["and ", "or ", "not ", "in ", "is ", "known", "any ", "where ",
                                 "count", "if ", "then ", "else ", "child.", "disputes",
                                 "as_of", "settings.", "statement"]),
                max_size=30).map("".join))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    with contextlib.suppress(ParseError, CheckError):
        check(text)
