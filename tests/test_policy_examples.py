"""The examples of the policy areas and the journey, on both backends and against the reference.

Each example is evaluated on its date with both backends (identical JSON), its decisions are
checked against what the policy says for that case, and against the independent reference.
The journey (``examples/journey``) follows one child from Early Years Action to a
Statement and its cessation; each file is evaluated on the date its name starts with.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from reference.engine_view import differences, summarise
from reference.policy import ReferenceSettings, decide
from sen_rules.case import parse_case
from sen_rules.cli import main
from sen_rules.rulebase import Rulebase

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "examples" / "cases"
JOURNEY = ROOT / "examples" / "journey"

# file, as_of, {topic: outcome or (outcome, {detail: value}), ...}, {topic: [rule ids]}
AREA_EXAMPLES: list[tuple[str, str, dict[str, Any], dict[str, list[str]]]] = [
    ("complex-needs-referral.json", "2009-03-02",
     {"complex_needs_panel": "complex_needs_panel", "annual_review": "not_yet_due",
      "assessment_timescale": "outcome_known", "cessation": "maintain"},
     {"complex_needs_panel": ["cnp.funding-level", "cnp.special-school",
                              "cnp.unresolved-dispute"]}),
    ("resource-decision-delegated.json", "2009-05-11",
     {"complex_needs_panel": "sen_assessment_team",
      "annual_review": ("overdue", {"due_by": "2009-02-11", "days_overdue": 89})},
     {"complex_needs_panel": ["cnp.delegated"]}),
    ("placement-candidates.json", "2009-11-30",
     {"placement": ("recommendation_for_panel", {"recommended": ["WILLOW", "LEA-RES"]}),
      "complex_needs_panel": "complex_needs_panel"},
     {"placement": ["placement.recommendation"]}),
    ("annual-review-transition.json", "2009-09-14",
     {"annual_review": ("due_soon", {"due_by": "2009-10-06", "days_left": 22}),
      "transport": "travel_provision_in_statement"},
     {"annual_review": ["review.due-soon"]}),
    ("cessation-nineteenth-birthday.json", "2011-03-15",
     {"cessation": ("cease", {"cease_from": "2011-03-01",
                              "last_day_of_provision": "2011-08-31"})},
     {"cessation": ["cessation.nineteenth-birthday"]}),
    ("cessation-secure-unit.json", "2010-06-01",
     {"cessation": ("cease", {"cease_from": "2010-05-10",
                              "last_day_of_provision": "2010-05-09"})},
     {"cessation": ["cessation.placed-under-order"]}),
    ("cessation-secure-unit.json", "2010-09-01",
     {"cessation": ("cease", {"cease_from": "2010-05-10"})},
     {"cessation": ["cessation.placed-under-order"]}),
    ("cessation-secure-unit-after-2010.json", "2010-11-01",
     {"cessation": "maintain"}, {"cessation": ["cessation.placed-under-order@2"]}),
    ("transport-travel-provision.json", "2010-06-01",
     {"transport": "travel_provision_in_statement", "annual_review": "not_yet_due"},
     {"transport": ["transport.statement-provision"]}),
    ("assessment-timescale.json", "2009-03-02",
     {"assessment_timescale": ("within_timescale", {"next_deadline": "2009-05-04",
                                                    "final_statement_by": "2009-07-13"}),
      "assessment_routing": "pre_assessment_panel", "sen_stage": "school_action_plus"},
     {"assessment_timescale": ["timescale.within"]}),
]

# the flags and notes each example is about
AREA_FINDINGS: dict[tuple[str, str], dict[str, list[str]]] = {
    ("placement-candidates.json", "2009-11-30"): {
        "placement": ["panel-decides", "parents-views", "pupil-views"]},
    ("annual-review-transition.json", "2009-09-14"): {
        "annual_review": ["transition-review", "review-must-reconsider-transport"]},
    ("transport-travel-provision.json", "2010-06-01"): {
        "transport": ["review-did-not-consider-independent-travel",
                      "policy-on-home-to-school-travel"]},
    ("resource-decision-delegated.json", "2009-05-11"): {
        "complex_needs_panel": ["principal-case-officers"]},
    ("cessation-nineteenth-birthday.json", "2011-03-15"): {  # a lapse, not a decision
        "cessation": ["lapses-at-nineteen", "criteria-for-ceasing"]},
}

JOURNEY_EXPECTED: dict[str, dict[str, Any]] = {
    "2005-06-06-early-years-action.json": {"sen_stage": "early_years_action"},
    "2006-03-13-early-years-action-plus.json": {"sen_stage": "early_years_action_plus"},
    "2008-03-03-school-referral.json": {
        "sen_stage": "school_action_plus",
        "assessment_routing": ("pre_assessment_panel", {"quadrant": "North-East"}),
        "assessment_timescale": ("within_timescale", {"next_deadline": "2008-03-10"})},
    "2008-08-04-statement-made.json": {
        "sen_stage": "statement", "assessment_timescale": "outcome_known",
        "complex_needs_panel": "complex_needs_panel",
        "placement": ("recommendation_for_panel", {"recommended": ["MILL-RB"]}),
        "annual_review": ("not_yet_due", {"due_by": "2009-07-21"}),
        "cessation": "maintain", "transport": "same_as_mainstream_peers"},
    "2012-09-10-annual-review.json": {
        "annual_review": ("not_yet_due", {"due_by": "2013-06-25"}),
        "transport": "travel_provision_in_statement", "cessation": "maintain"},
    "2014-03-24-cease-progress.json": {
        "cessation": ("cease", {"cease_from": "2014-03-17"}), "annual_review": None,
        "transport": None, "sen_stage": "school_action_plus"},
    "2014-04-28-appeal-pending.json": {"cessation": "maintain_appeal_pending"},
    "2014-09-15-appeal-decided.json": {
        "cessation": ("cease", {"cease_from": "2014-03-17"}), "annual_review": None,
        "transport": None},
}


def _evaluate_both(text: str, as_of: str) -> dict[str, Any]:
    native = sen_rules.evaluate(text, as_of=as_of)
    durable = sen_rules.evaluate(text, as_of=as_of, backend="durable")
    assert native.to_json() == durable.to_json()
    result: dict[str, Any] = native.to_dict()
    return result


def _check(result: dict[str, Any], expected: dict[str, Any]) -> None:
    decisions = {d["topic"]: d for d in result["decisions"]}
    skipped = {n["topic"] for n in result["not_applicable"]}
    for topic, want in expected.items():
        if want is None:  # the area does not apply, and is listed as such
            assert topic not in decisions and topic in skipped, topic
            continue
        outcome, details = want if isinstance(want, tuple) else (want, {})
        assert topic in decisions, f"no decision on {topic}"
        assert decisions[topic]["outcome"] == outcome, topic
        for key, value in details.items():
            assert decisions[topic]["details"][key] == value, (topic, key)


def _check_reference(rulebase: Rulebase, text: str, as_of: str, result: dict[str, Any]) -> None:
    day = date.fromisoformat(as_of)
    expected = decide(parse_case(text), day,
                      ReferenceSettings.from_values(rulebase.epoch(day).settings))
    assert not differences(expected, summarise(result))


@pytest.mark.parametrize(("name", "as_of", "outcomes", "because"), AREA_EXAMPLES,
                         ids=[f"{e[0]}@{e[1]}" for e in AREA_EXAMPLES])
def test_area_examples(name: str, as_of: str, outcomes: dict[str, Any],
                       because: dict[str, list[str]], rulebase: Rulebase) -> None:
    text = (CASES / name).read_text(encoding="utf-8")
    result = _evaluate_both(text, as_of)
    _check(result, outcomes)
    decisions = {d["topic"]: d for d in result["decisions"]}
    for topic, ids in because.items():
        got = sorted(r["id"] if r["version"] == "1" else f"{r['id']}@{r['version']}"
                     for r in decisions[topic]["rules"] if r["role"] in ("outcome", "otherwise"))
        assert got == sorted(ids)
    for topic, codes in AREA_FINDINGS.get((name, as_of), {}).items():
        found = [f["code"] for f in decisions[topic]["flags"] + decisions[topic]["notes"]]
        assert sorted(found) == sorted(codes)
    _check_reference(rulebase, text, as_of, result)


def test_every_area_has_an_example(rulebase: Rulebase) -> None:
    covered = {t for _, _, outcomes, _ in AREA_EXAMPLES for t in outcomes}
    mine = {"complex_needs_panel", "placement", "annual_review", "cessation", "transport",
            "assessment_timescale"}
    assert mine <= covered <= {a.id for a in rulebase.areas}


def test_the_journey_is_complete() -> None:
    files = sorted(p.name for p in JOURNEY.glob("*.json"))
    assert files == sorted(JOURNEY_EXPECTED)
    assert "README.md" in {p.name for p in JOURNEY.iterdir()}


@pytest.mark.parametrize("name", sorted(JOURNEY_EXPECTED))
def test_journey(name: str, rulebase: Rulebase) -> None:
    as_of = name[:10]
    text = (JOURNEY / name).read_text(encoding="utf-8")
    case = parse_case(text)
    assert case.child.id == "HK-2002-0916"
    result = _evaluate_both(text, as_of)
    _check(result, JOURNEY_EXPECTED[name])
    _check_reference(rulebase, text, as_of, result)


def test_journey_appeal_holds_off_the_progress_ground() -> None:
    text = (JOURNEY / "2014-04-28-appeal-pending.json").read_text(encoding="utf-8")
    decision = next(d for d in _evaluate_both(text, "2014-04-28")["decisions"]
                    if d["topic"] == "cessation")
    assert [r["id"] for r in decision["rules"] if r["role"] == "outcome"] == [
        "cessation.appeal-pending"]
    assert "cease_from" not in decision["details"]


@pytest.mark.parametrize(("name", "as_of", "words"), [
    ("placement-candidates.json", "2009-11-30", "WILLOW and LEA-RES: neither ranks above"),
    ("cessation-nineteenth-birthday.json", "2011-03-15", "cease from: 2011-03-01"),
    ("cessation-secure-unit-after-2010.json", "2010-11-01", "home authority stays responsible"),
])
def test_the_documented_commands_print_the_decisions(
        name: str, as_of: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(CASES / name), "--as-of", as_of]) == 0
    assert words in capsys.readouterr().out
