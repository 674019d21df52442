"""The settled readings as every output shows them, and the mechanisms the rule files use
for them: findings that accompany a decision resting on given rules (``when_decided_by``),
the declared order of the checks' tiers, and words quoted from the policy for each check
and priority."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules import RulebaseError
from sen_rules.case import case_json_schema, parse_case
from sen_rules.errors import CaseError
from sen_rules.explain import explain
from sen_rules.reports.html import html_report
from sen_rules.reports.markdown import markdown_report
from sen_rules.reports.text import render_evaluation
from sen_rules.rulebase import Rulebase

CESSATION = "areas/cessation.yaml"
PLACEMENT = "areas/placement.yaml"

UNASSESSED_AND_ASSESSED: dict[str, Any] = {
    "child": {"id": "HK-R-01", "date_of_birth": "2001-02-14"},
    "statement": {"made_on": "2008-05-06"},
    "candidate_placements": [
        {"id": "UNASSESSED", "name": "Oak School", "provision": "mainstream_school",
         "distance_km": 1.5, "intake": "wide_range"},
        {"id": "ASSESSED", "name": "Rowan College", "provision": "special_school",
         "attendance": "residential", "distance_km": 60.0, "peer_group_appropriate": True,
         "stimulating_social_environment": False, "expected_progress": "satisfactory"},
    ],
}
CONFLICTING: dict[str, Any] = {
    "child": {"id": "HK-R-02", "date_of_birth": "2001-02-14"},
    "statement": {"made_on": "2008-05-06"},
    "candidate_placements": [
        {"id": "DAY-FAR", "name": "Willowbank", "provision": "special_school",
         "attendance": "day", "distance_km": 40.0},
        {"id": "RES-NEAR", "name": "Lea Bridge", "provision": "special_school",
         "attendance": "residential", "distance_km": 3.0},
    ],
}
DAY = "day placements over residential placements"
LOCAL = "local placements over placements at greater distance from the home"
TO_BE_ASSESSED = ["has an appropriate peer group",
                  "is able to experience a stimulating social environment through their placement",
                  "is able to make satisfactory or better educational progress"]


def _placement(data: dict[str, Any], backend: str = "native") -> dict[str, Any]:
    evaluation = sen_rules.evaluate(data, as_of="2009-06-01", backend=backend).to_dict()
    return next(d for d in evaluation["decisions"] if d["topic"] == "placement")


@pytest.mark.parametrize("backend", sen_rules.BACKENDS)
def test_unrecorded_checks_are_to_be_assessed_in_the_decision_data(backend: str) -> None:
    d = _placement(UNASSESSED_AND_ASSESSED, backend)
    assert d["details"]["recommended"] == ["ASSESSED"]
    row = next(r for r in d["details"]["ranking"] if r["candidate"] == "UNASSESSED")
    assert set(row["checks"].values()) == {"to be assessed"}
    assert row["to_be_assessed"] == TO_BE_ASSESSED
    assert row["criteria"]["seek-to-ensure"] == "to be assessed"
    (step,) = d["details"]["steps"]
    assert step["decided_by"] == "seek-to-ensure"
    assert "UNASSESSED has a check to be assessed" in step["reason"]


def test_the_text_report_shows_checks_to_be_assessed_and_priorities_in_words() -> None:
    text = " ".join(render_evaluation(sen_rules.evaluate(UNASSESSED_AND_ASSESSED,
                                                         as_of="2009-06-01")).split())
    assert "to be assessed: “has an appropriate peer group”" in text
    assert "shortfalls: “is able to experience a stimulating social environment" in text
    conflict = " ".join(render_evaluation(sen_rules.evaluate(CONFLICTING,
                                                             as_of="2009-06-01")).split())
    assert f"“{DAY}” favours DAY-FAR" in conflict and f"“{LOCAL}” favours RES-NEAR" in conflict
    assert "DAY-FAR and RES-NEAR: neither ranks above the other" in conflict
    assert "placement.prioritise" not in conflict


@pytest.mark.parametrize("render", [html_report, markdown_report])
def test_the_html_and_markdown_reports_show_checks_to_be_assessed(
        render: Callable[[Any], str]) -> None:
    page = render(explain(UNASSESSED_AND_ASSESSED, as_of="2009-06-01"))
    assert "To be assessed" in page and "has an appropriate peer group" in page
    conflict = render(explain(CONFLICTING, as_of="2009-06-01"))
    assert "neither ranks above the other" in conflict and DAY in conflict


def test_the_written_notice_accompanies_only_the_authoritys_decisions(
        rulebase: Rulebase) -> None:
    lapse = {"child": {"id": "HK-R-03", "date_of_birth": "1990-03-04"},
             "statement": {"made_on": "2001-05-21"}, "cessation": {"appeal_pending": True}}
    x = explain(lapse, as_of="2009-03-04")
    (decision,) = [d for d in x.evaluation.decisions if d.topic == "cessation"]
    assert decision.outcome == "cease"
    assert "written-notice-and-right-of-appeal" not in [n.code for n in decision.notes]
    trace = json.dumps(x.to_dict())
    assert "not raised: only when decided by cessation.progress" in trace
    assert "it applies only when the decision rests on cessation.progress" in \
        markdown_report(x)


def test_when_decided_by_must_name_outcome_rules_of_the_area(
        rules_copy: Callable[..., Path]) -> None:
    with pytest.raises(RulebaseError) as info:
        sen_rules.load_rulebase(rules_copy({CESSATION: [
            ("when_decided_by: [cessation.progress,", "when_decided_by: [cessation.progres,")]}))
    (diag,) = [d for d in info.value.diagnostics if d.code == "SR104"]
    assert "'cessation.progres'" in diag.message and "did you mean" in diag.message


def test_words_must_be_quoted_from_the_items_citations(rules_copy: Callable[..., Path]) -> None:
    with pytest.raises(RulebaseError) as info:
        sen_rules.load_rulebase(rules_copy({PLACEMENT: [
            ("words: has an appropriate peer group", "words: has a suitable peer group")]}))
    (diag,) = [d for d in info.value.diagnostics if d.code == "SR122"]
    assert "has a suitable peer group" in diag.message


def test_the_checks_tiers_are_declared_in_the_rule_file(rules_copy: Callable[..., Path]) -> None:
    """The same case under the other declared order: an unassessed candidate ranks above
    one with a recorded shortfall. The order is the rule file's, not the engine's."""
    other = sen_rules.load_rulebase(rules_copy({PLACEMENT: [
        ("checks_tiers: [met, not_met, not_known]", "checks_tiers: [met, not_known, not_met]")]}))
    evaluation = sen_rules.evaluate(UNASSESSED_AND_ASSESSED, as_of="2009-06-01",
                                    rulebase=other).to_dict()
    d = next(d for d in evaluation["decisions"] if d["topic"] == "placement")
    assert d["details"]["recommended"] == ["UNASSESSED"]
    with pytest.raises(RulebaseError):
        sen_rules.load_rulebase(rules_copy({PLACEMENT: [
            ("checks_tiers: [met, not_met, not_known]", "checks_tiers: [met, met, not_known]")]}))


def test_a_pending_decision_is_strict_and_documented() -> None:
    case = parse_case({"child": {"id": "HK-R-04", "date_of_birth": "1996-04-03"},
                       "pending_decision": {"kind": "resources", "about": "Equipment"}})
    assert case.pending_decision is not None and case.pending_decision.kind == "resources"
    with pytest.raises(CaseError, match=r"pending_decision\.kind"):
        parse_case({"child": {"id": "HK-R-04", "date_of_birth": "1996-04-03"},
                    "pending_decision": {"kind": "funding"}})
    schema = case_json_schema()
    pending = schema["$defs"]["PendingDecision"]
    assert pending["additionalProperties"] is False
    assert pending["properties"]["kind"]["enum"] == ["placement", "resources"]
    assert "description" in schema["properties"]["pending_decision"]


def test_a_finding_not_raised_adds_nothing_its_decision_rests_on(
        rules_copy: Callable[..., Path]) -> None:
    # the written notice reads a setting; when the Statement lapses at nineteen the notice
    # fires but is not raised (the decision does not rest on the rules it names), so the
    # setting is not among those the decision rests on
    rb = sen_rules.load_rulebase(rules_copy({CESSATION: [
        ("    when_outcome: cease\n    when_decided_by:",
         "    when: settings.review_due_soon_days > 0\n    when_outcome: cease\n"
         "    when_decided_by:")]}))
    lapse = {"child": {"id": "HK-R-03", "date_of_birth": "1990-03-04"},
             "statement": {"made_on": "2001-05-21"}, "cessation": {"appeal_pending": True}}
    decision = sen_rules.evaluate(lapse, as_of="2009-03-04", rulebase=rb).decision("cessation")
    assert decision is not None and decision.outcome == "cease"
    assert "written-notice-and-right-of-appeal" not in [n.code for n in decision.notes]
    assert "review_due_soon_days" not in [s.name for s in decision.settings]
    # decided by progress, the notice is raised and the setting is one the decision used
    progress = {"child": {"id": "HK-R-04", "date_of_birth": "1995-03-04"},
                "statement": {"made_on": "2001-05-21"},
                "cessation": {"criteria_no_longer_met_on": "2008-09-01"}}
    raised = sen_rules.evaluate(progress, as_of="2009-03-04", rulebase=rb).decision("cessation")
    assert raised is not None
    assert "written-notice-and-right-of-appeal" in [n.code for n in raised.notes]
    assert "review_due_soon_days" in [s.name for s in raised.settings]
