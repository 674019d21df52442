"""The tables every module reads: values, comparison operators, "did you mean", the
date-convention settings, and the normal form of conditions."""

from __future__ import annotations

import operator
from dataclasses import fields
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from sen_rules import dates
from sen_rules.language import ir
from sen_rules.language.normalform import NormalForm, TooComplex, product, union
from sen_rules.language.operators import (
    ALL_RELATIONS,
    COMPARE,
    COMPARISONS,
    FLIP,
    NEGATION,
    RELATIONS,
    compare_words,
)
from sen_rules.language.syntax import Duration as SyntaxDuration
from sen_rules.language.types import BOOL
from sen_rules.suggest import did_you_mean
from sen_rules.values import (
    NOT_KNOWN,
    NOT_RECORDED,
    Duration,
    detail_words,
    fact_value,
    literal,
    say,
    say_computed,
    say_json,
    to_json,
)

_numbers = st.integers(min_value=-5, max_value=5)


@settings(max_examples=60)
@given(_numbers, _numbers, st.sampled_from(sorted(COMPARE)))
def test_negation_flip_and_relations_agree_with_the_function(a: int, b: int, op: str) -> None:
    holds = COMPARE[op](a, b)
    assert COMPARE[NEGATION[op]](a, b) is (not holds)
    assert COMPARE[FLIP[op]](b, a) is holds
    relation = "<" if a < b else "=" if a == b else ">"
    assert (relation in RELATIONS[op]) is holds
    assert RELATIONS[op] <= ALL_RELATIONS


def test_the_comparison_table_is_the_standard_operators() -> None:
    assert COMPARE["<="] is operator.le
    assert COMPARISONS["!="].durable == "$neq" and COMPARISONS["="].durable is None
    assert compare_words("<", "date") == "is before"
    assert compare_words("<", "number") == compare_words("<", "string") == "is less than"


def test_duration_is_one_class_wherever_it_is_imported() -> None:
    assert SyntaxDuration is Duration
    assert str(Duration(1, "months")) == "1 month" and str(Duration(3, "weeks")) == "3 weeks"


def test_a_value_in_each_form() -> None:
    day = date(2009, 1, 12)
    assert to_json(day) == "2009-01-12" and to_json(None) is None
    assert to_json(frozenset({"b", "a"})) == ["a", "b"]
    assert say(day) == say_json("2009-01-12") == "12 January 2009"
    assert say("parent") == '"parent"' and say(True) == "yes" and say(()) == "none"
    assert literal("parent") == '"parent"' and literal(2.0) == "2.0"
    assert literal(day) == "2009-01-12"
    assert fact_value(day) == day.toordinal() and fact_value(None) is None


def test_nothing_is_said_one_way_for_facts_and_one_way_for_computed_values() -> None:
    assert say(None) == say_json(None) == NOT_RECORDED == "not recorded"
    assert say_computed(None) == detail_words(None) == NOT_KNOWN == "not known"
    assert say_computed(3) == say(3)


def test_details_in_words() -> None:
    assert detail_words(["31 August", "31 March"], dates="iso") == "31 August, 31 March"
    assert detail_words(date(2010, 9, 1), dates="iso") == "2010-09-01"
    assert detail_words(date(2010, 9, 1)) == "1 September 2010"
    assert detail_words("cease") == "cease" and detail_words([]) == "none"
    assert detail_words(False) == "no"


def test_did_you_mean() -> None:
    assert did_you_mean("statment", ["statement", "school"]) == "; did you mean 'statement'?"
    assert did_you_mean("zzz", ["statement"]) == ""
    two = did_you_mean("level", ["levels", "levee", "other"], most=2)
    assert two == "; did you mean 'levels' or 'levee'?"


def test_the_convention_settings_are_the_fields_of_the_conventions() -> None:
    assert set(dates.CONVENTION_SETTINGS) == {f.name for f in fields(dates.DateConventions)}
    assert dates.convention_settings("leap_day_birthday") == ("leap_day_birthday",)
    try:
        dates.convention_settings("leap_day_birthdya")
    except ValueError as exc:
        assert "leap_day_birthdya" in str(exc)
    else:
        raise AssertionError("a misspelt convention setting was accepted")


class _Letters(NormalForm[frozenset[str]]):
    """Alternatives as sets of signed letters: the smallest consumer of the normal form."""

    limit = 4

    def always(self) -> list[frozenset[str]]:
        return [frozenset()]

    def both(self, a: list[frozenset[str]], b: list[frozenset[str]]) -> list[frozenset[str]]:
        return product(a, b, lambda x, y: x | y)

    def either(self, a: list[frozenset[str]], b: list[frozenset[str]]) -> list[frozenset[str]]:
        return union(a, b)

    def leaf(self, e: ir.Expr, positive: bool, *args: object) -> list[frozenset[str]]:
        assert isinstance(e, ir.DefinitionRef)
        return [frozenset({e.name if positive else "-" + e.name})]


def _name(n: str) -> ir.Expr:
    return ir.DefinitionRef(type=BOOL, loc=None, source=n, name=n)


def _op(op: str, *items: ir.Expr) -> ir.Expr:
    return ir.BoolOp(type=BOOL, loc=None, source="", op=op, items=items)


def _not(e: ir.Expr) -> ir.Expr:
    return ir.Not(type=BOOL, loc=None, source="", operand=e)


def test_normal_form_pushes_not_down_and_multiplies_out() -> None:
    a, b, c = _name("a"), _name("b"), _name("c")
    nf = _Letters()
    # not (a and (b or not c)) = not a or (not b and c)
    got = nf.visit(_not(_op("and", a, _op("or", b, _not(c)))), True)
    assert got == [frozenset({"-a"}), frozenset({"-b", "c"})]
    true = ir.Const(type=BOOL, loc=None, source="true", value=True)
    assert nf.visit(true, True) == [frozenset()] and nf.visit(true, False) == []


def test_normal_form_hands_back_a_condition_with_too_many_alternatives() -> None:
    items = [_op("or", _name(f"x{i}"), _name(f"y{i}")) for i in range(3)]  # 8 alternatives
    try:
        _Letters().visit(_op("and", *items), True)
    except TooComplex:
        pass
    else:
        raise AssertionError("the limit of alternatives was not kept")
