"""Both backends against the independent reference (``tests/reference``), on generated cases.

The reference is a plain-Python reading of the policy text, written apart from the rule
files. hypothesis generates cases (ordinary ones, ones pushed onto the boundaries of the
rules and ones built around the edges of the readings the register settles), and on every
case both backends must give the reference's decision on every topic: outcome, deciding
rules, details, flags and notes. The bundled settings are checked, and a
rulebase with every open choice flipped. Set ``SEN_RULES_POLICY_EXAMPLES`` to run more cases.

Hand-worked cases pin the reference and the rules to the dates and values the domain facts
give (school leaving dates, the 29 February convention, the statutory deadlines).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sen_rules
from reference.engine_view import differences, summarise
from reference.policy import Calendar, ReferenceSettings, decide
from sen_rules.case import parse_case
from sen_rules.rulebase import Rulebase
from sen_rules.testing.edges import reading_edges
from sen_rules.testing.strategies import boundary_inputs, evaluation_inputs

EXAMPLES = int(os.environ.get("SEN_RULES_POLICY_EXAMPLES", "500"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])
INPUTS = st.one_of(evaluation_inputs(), boundary_inputs(), reading_edges())

# Every open choice of the rulebase, flipped from its default (settings.yaml edits).
FLIPPED = [
    ('choices: ["1 March", "28 February"]\n    value: "1 March"',
     'choices: ["1 March", "28 February"]\n    value: "28 February"'),
    ('type: day_of_year\n    value: "1 September"', 'type: day_of_year\n    value: "1 August"'),
    ("choices: [school, home]\n    value: school", "choices: [school, home]\n    value: home"),
    ("value: early_years_panel", "value: pre_assessment_panel"),
    ("type: integer\n    value: 3\n", "type: integer\n    value: 4\n"),
    ("type: number\n    value: 10\n", "type: number\n    value: 5\n"),
    ("choices: [ordered, pareto]\n    value: pareto",
     "choices: [ordered, pareto]\n    value: ordered"),
    ("choices: [schools, education_otherwise]\n    value: schools",
     "choices: [schools, education_otherwise]\n    value: education_otherwise"),
    ("choices: [annual, six-monthly]\n    value: annual",
     "choices: [annual, six-monthly]\n    value: six-monthly"),
    ("type: integer\n    value: 56\n", "type: integer\n    value: 14\n"),
]


def reference_for(rulebase: Rulebase, data: Any, as_of: date) -> dict[str, Any]:
    case = parse_case(data)
    return decide(case, as_of, ReferenceSettings.from_values(rulebase.epoch(as_of).settings))


def check_agreement(rulebase: Rulebase, data: Any, as_of: date) -> None:
    """Both backends give identical JSON, and the reference's decision on every topic."""
    expected = reference_for(rulebase, data, as_of)
    native = sen_rules.evaluate(data, as_of=as_of, rulebase=rulebase)
    durable = sen_rules.evaluate(data, as_of=as_of, rulebase=rulebase, backend="durable")
    assert native.to_json() == durable.to_json()
    problems = differences(expected, summarise(native.to_dict()))
    assert not problems, "\n".join([f"as_of {as_of}", *problems])


@SETTINGS
@given(INPUTS)
def test_both_backends_agree_with_the_reference(rulebase: Rulebase,
                                                inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    check_agreement(rulebase, data, as_of)


@pytest.fixture(scope="module")
def flipped_rulebase(tmp_path_factory: pytest.TempPathFactory) -> Rulebase:
    import shutil

    target = tmp_path_factory.mktemp("flipped") / "rules"
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", target)
    path = target / "settings.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in FLIPPED:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return sen_rules.load_rulebase(target)


def test_the_flipped_rulebase_flips_every_open_choice(flipped_rulebase: Rulebase,
                                                      rulebase: Rulebase) -> None:
    day = date(2010, 1, 1)
    changed = {k for k, v in flipped_rulebase.epoch(day).settings.items()
               if rulebase.epoch(day).settings[k] != v}
    assert changed == {"leap_day_birthday", "academic_year_start", "quadrant_follows",
                       "pre_school_requests_panel", "complex_needs_funding_level",
                       "local_placement_max_km", "placement_conflict_policy",
                       "pupil_referral_units_are", "under_five_reviews", "review_due_soon_days"}


@settings(SETTINGS, max_examples=max(EXAMPLES // 3, 50))
@given(INPUTS)
def test_both_backends_agree_with_the_reference_under_other_settings(
        flipped_rulebase: Rulebase, inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    check_agreement(flipped_rulebase, data, as_of)


# ----------------------------------------------------------------------------- pinned cases
# Worked by hand from the domain facts and the policy, not computed by either implementation.

def _case(dob: str, **rest: Any) -> dict[str, Any]:
    return {"child": {"id": "PIN", "date_of_birth": dob}, **rest}


def _statement(made_on: str, **rest: Any) -> dict[str, Any]:
    return {"made_on": made_on, **rest}


PINNED: list[tuple[str, dict[str, Any], str, str, dict[str, Any]]] = [
    # (what, case, as_of, topic, expected: outcome and details)
    ("16 on 15 July 2006 leaves on 30 June 2006, the last day of compulsory school age: "
     "the Statement is ceased from the next day",
     _case("1990-07-15", statement=_statement("2000-01-10"),
           cessation={"left_school_on": "2006-06-30"}),
     "2006-07-03", "cessation",
     {"outcome": "cease", "cease_from": "2006-07-01", "last_day_of_provision": "2006-06-30",
      "compulsory_school_age_ended": "2006-06-30"}),
    ("16 on 15 July 2006, left in May: maintained on the leaving date, the last day of "
     "compulsory school age",
     _case("1990-07-15", statement=_statement("2000-01-10"),
           cessation={"left_school_on": "2006-05-19"}),
     "2006-06-30", "cessation", {"outcome": "maintain"}),
    ("16 on 22 September 2007 leaves on 27 June 2008; leaving in July 2007 is before it",
     _case("1991-09-22", statement=_statement("2000-01-10"),
           cessation={"left_school_on": "2007-07-20"}),
     "2007-09-03", "cessation", {"outcome": "maintain"}),
    ("born 29 February 1992: 19 on 1 March 2011, provision to 31 August 2011",
     _case("1992-02-29", statement=_statement("2002-05-13")),
     "2011-03-01", "cessation",
     {"outcome": "cease", "cease_from": "2011-03-01", "last_day_of_provision": "2011-08-31"}),
    ("born 29 February 1992: not yet 19 on 28 February 2011",
     _case("1992-02-29", statement=_statement("2002-05-13")),
     "2011-02-28", "cessation", {"outcome": "maintain"}),
    ("19 on 31 August: provision ends that day; on 1 September it runs a year",
     _case("1990-08-31", statement=_statement("2000-01-10")),
     "2009-08-31", "cessation",
     {"outcome": "cease", "cease_from": "2009-08-31", "last_day_of_provision": "2009-08-31"}),
    ("19 on 1 September: provision sustained to the next 31 August",
     _case("1990-09-01", statement=_statement("2000-01-10")),
     "2009-09-01", "cessation",
     {"outcome": "cease", "cease_from": "2009-09-01", "last_day_of_provision": "2010-08-31"}),
    ("19 in October 2009, left school in January 2010: provision ends when he left",
     _case("1990-10-15", statement=_statement("2000-01-10"),
           cessation={"left_school_on": "2010-01-22"}),
     "2010-02-01", "cessation",
     {"outcome": "cease", "cease_from": "2009-10-15", "last_day_of_provision": "2010-01-21"}),
    ("19 in October 2009 still at school: provision sustained to 31 August 2010",
     _case("1990-10-15", statement=_statement("2000-01-10")),
     "2010-02-01", "cessation",
     {"outcome": "cease", "cease_from": "2009-10-15", "last_day_of_provision": "2010-08-31"}),
    ("secure unit placement ceases the Statement on 31 August 2010",
     _case("1994-09-12", statement=_statement("2003-01-20"),
           cessation={"placed_under_order": {"provision": "secure_unit",
                                             "placed_on": "2010-05-10"}}),
     "2010-08-31", "cessation", {"outcome": "cease", "cease_from": "2010-05-10"}),
    ("a secure unit placement made before 1 September 2010 still ceases it after that date",
     _case("1994-09-12", statement=_statement("2003-01-20"),
           cessation={"placed_under_order": {"provision": "secure_unit",
                                             "placed_on": "2010-05-10"}}),
     "2010-09-01", "cessation", {"outcome": "cease", "cease_from": "2010-05-10"}),
    ("a secure unit placement made on 1 September 2010 keeps the Statement",
     _case("1994-09-12", statement=_statement("2003-01-20"),
           cessation={"placed_under_order": {"provision": "secure_unit",
                                             "placed_on": "2010-09-01"}}),
     "2010-09-01", "cessation", {"outcome": "maintain"}),
    ("request on Monday 12 January 2009: 23 Feb, 4 May, 18 May, 13 July 2009",
     _case("2001-05-17", assessment_request={"route": "parent", "requested_on": "2009-01-12"}),
     "2009-07-13", "assessment_timescale",
     {"outcome": "within_timescale", "decide_by": "2009-02-23", "assess_by": "2009-05-04",
      "proposed_statement_by": "2009-05-18", "final_statement_by": "2009-07-13",
      "next_deadline": "2009-07-13"}),
    ("the day after the 26 weeks, still pending: overdue by one day",
     _case("2001-05-17", assessment_request={"route": "parent", "requested_on": "2009-01-12"}),
     "2009-07-14", "assessment_timescale",
     {"outcome": "final_statement_overdue", "days_overdue": 1}),
    ("Statement of 29 February 2008: review due 28 February 2009, held that day in time",
     _case("2000-03-01", statement=_statement("2008-02-29")),
     "2009-02-28", "annual_review", {"outcome": "due_soon", "due_by": "2009-02-28",
                                     "days_left": 0}),
    ("a review not held by the due date is overdue the next day",
     _case("2000-03-01", statement=_statement("2008-02-29")),
     "2009-03-01", "annual_review", {"outcome": "overdue", "days_overdue": 1}),
    ("56 days before the due date is due soon; 57 is not",
     _case("2000-03-01", statement=_statement("2008-03-10")),
     "2009-01-13", "annual_review", {"outcome": "due_soon", "days_left": 56}),
    ("57 days before the due date is not yet due",
     _case("2000-03-01", statement=_statement("2008-03-10")),
     "2009-01-12", "annual_review", {"outcome": "not_yet_due", "days_left": 57}),
]


def _check_pinned(evaluation: dict[str, Any], topic: str, expected: dict[str, Any]) -> None:
    decision = next(d for d in evaluation["decisions"] if d["topic"] == topic)
    got = {"outcome": decision["outcome"], **decision["details"]}
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize(("what", "data", "as_of", "topic", "expected"), PINNED,
                         ids=[p[0] for p in PINNED])
def test_pinned_cases(what: str, data: dict[str, Any], as_of: str, topic: str,
                      expected: dict[str, Any], rulebase: Rulebase) -> None:
    day = date.fromisoformat(as_of)
    for backend in sen_rules.BACKENDS:
        _check_pinned(sen_rules.evaluate(data, as_of=day, backend=backend).to_dict(), topic,
                      expected)
    ref = reference_for(rulebase, data, day)[topic]
    _check_pinned({"decisions": [{"topic": topic, "outcome": ref["outcome"],
                                  "details": ref["details"]}]}, topic, expected)
    check_agreement(rulebase, data, day)


LEAVING: list[tuple[str, str]] = [
    # date of birth, end of compulsory school age (domain facts: the last Friday in June)
    ("1990-07-15", "2006-06-30"),
    ("1991-09-22", "2008-06-27"),
    ("1992-06-27", "2008-06-27"),  # 16 on the leaving date: leaves that day
    ("1992-06-28", "2008-06-27"),  # 16 the day after: July/August rule, leaves at 15
    ("1992-08-31", "2008-06-27"),
    ("1992-09-01", "2009-06-26"),
]


@pytest.mark.parametrize(("dob", "end"), LEAVING)
def test_reference_school_leaving_dates(dob: str, end: str) -> None:
    assert Calendar(ReferenceSettings()).compulsory_end(date.fromisoformat(dob)) == \
        date.fromisoformat(end)


def test_a_reference_that_disagrees_is_caught(rulebase: Rulebase,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison is not vacuous: a reference that reads Level 3 as 'above 3' fails."""
    import dataclasses

    import reference.policy as policy

    data = _case("2000-03-15", proposed_placement={
        "id": "P", "name": "Brook Lane", "provision": "mainstream_school", "funding_level": 3})
    check_agreement(rulebase, data, date(2009, 3, 2))
    original = policy.complex_needs_panel

    def above_three(case: Any, s: ReferenceSettings) -> dict[str, Any]:
        return original(case, dataclasses.replace(s, complex_needs_funding_level=4))

    monkeypatch.setattr(policy, "complex_needs_panel", above_three)
    with pytest.raises(AssertionError, match="complex_needs_panel"):
        check_agreement(rulebase, data, date(2009, 3, 2))
