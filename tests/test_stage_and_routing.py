"""Every path of the SEN threshold and of panel routing, at the date boundaries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

import sen_rules
from sen_rules import dates
from sen_rules.dates import DateConventions


def run(case: dict[str, Any], as_of: str) -> dict[str, sen_rules.Decision]:
    results = [sen_rules.evaluate(case, as_of=as_of, backend=b) for b in sen_rules.BACKENDS]
    assert results[0].to_json() == results[1].to_json()
    return {d.topic: d for d in results[0].decisions}


def child(dob: str = "2008-04-10", **extra: Any) -> dict[str, Any]:
    return {"child": {"id": "T1", "date_of_birth": dob}, **extra}


SUPPORT = [{"started": "2013-01-07", "ended": "2013-06-30", "outside_advice_sought": False},
           {"started": "2013-07-01", "outside_advice_sought": True}]
ACTION_NOW = [{"started": "2013-01-07", "outside_advice_sought": False}]


@pytest.mark.parametrize(
    ("case", "as_of", "outcome", "rule"),
    [
        (child(statement={"made_on": "2014-01-01"}, sen_support=SUPPORT), "2015-01-01",
         "statement", "stage.statement"),
        (child("2007-04-10", setting={"kind": "school"}, sen_support=ACTION_NOW,
               assessment_request={"route": "parent", "requested_on": "2013-02-01"}),
         "2013-03-01", "school_action_plus", "stage.assessment-pending.school"),
        # below compulsory school age (it starts on 31 August 2013): Early Years names
        (child(setting={"kind": "school"}, sen_support=ACTION_NOW,
               assessment_request={"route": "parent", "requested_on": "2013-02-01"}),
         "2013-03-01", "early_years_action_plus", "stage.assessment-pending.early-years"),
        (child(assessment_request={"route": "parent", "requested_on": "2013-02-01"}),
         "2013-08-30", "early_years_action_plus", "stage.assessment-pending.early-years"),
        (child(assessment_request={"route": "parent", "requested_on": "2013-02-01"}),
         "2013-08-31", "school_action_plus", "stage.assessment-pending.school"),
        (child(sen_support=ACTION_NOW), "2013-03-01", "no_sen_support_recorded",
         "stage.none"),  # pre-school, no setting: no setting's own resources
        (child(setting={"kind": "early_years"},
               assessment_request={"route": "health_notification", "requested_on": "2010-02-01"}),
         "2010-03-01", "early_years_action_plus", "stage.assessment-pending.early-years"),
        (child(setting={"kind": "school"}, sen_support=SUPPORT), "2014-01-01",
         "school_action_plus", "stage.action-plus.school"),
        (child(setting={"kind": "early_years"}, sen_support=SUPPORT), "2014-01-01",
         "early_years_action_plus", "stage.action-plus.early-years"),
        (child("2007-04-10", setting={"kind": "school"}, sen_support=ACTION_NOW), "2013-03-01",
         "school_action", "stage.action.school"),
        (child(setting={"kind": "school"}, sen_support=ACTION_NOW), "2013-03-01",
         "early_years_action", "stage.action.early-years"),
        (child(setting={"kind": "early_years"}, sen_support=ACTION_NOW), "2013-03-01",
         "early_years_action", "stage.action.early-years"),
        (child(setting={"kind": "school"}, sen_support=SUPPORT[:1]), "2013-07-01",
         "no_sen_support_recorded", "stage.none"),  # support ended the day before
        (child(setting={"kind": "school"},
               assessment_request={"route": "school", "requested_on": "2013-02-01",
                                   "outcome": "refused", "outcome_on": "2013-03-01"}),
         "2013-04-01", "no_sen_support_recorded", "stage.none"),  # outcome known: not pending
    ],
)
def test_sen_threshold(case: dict[str, Any], as_of: str, outcome: str, rule: str) -> None:
    decision = run(case, as_of)["sen_stage"]
    assert decision.outcome == outcome
    assert decision.rules[0].id == rule


def _csa_start(dob: date) -> date:
    return dates.compulsory_school_age_start(dob, DateConventions())


@pytest.mark.parametrize("dob", [date(2008, 4, 1), date(2008, 8, 31), date(2008, 9, 1),
                                 date(2008, 12, 31), date(2009, 1, 1), date(2008, 2, 29),
                                 date(2009, 3, 31)])
@pytest.mark.parametrize("route", ["school", "parent"])
def test_school_age_on_the_request_date_decides_the_panel(dob: date, route: str) -> None:
    start = _csa_start(dob)
    base = child(dob.isoformat(), setting={"kind": "school", "quadrant": "North-West"})
    day_before = (start - timedelta(days=1)).isoformat()
    before = {**base, "assessment_request": {"route": route, "requested_on": day_before}}
    on = {**base, "assessment_request": {"route": route, "requested_on": start.isoformat()}}
    as_of = (start + timedelta(days=30)).isoformat()
    assert run(before, as_of)["assessment_routing"].outcome == "early_years_panel"
    routed = run(on, as_of)["assessment_routing"]
    assert routed.outcome == "pre_assessment_panel"
    assert routed.details["quadrant"] == "North-West"


@pytest.mark.parametrize("route", ["health_notification", "social_services_notification"])
def test_notifications_go_to_the_early_years_panel_at_any_age(route: str) -> None:
    case = child("2000-01-01", assessment_request={"route": route, "requested_on": "2010-01-01"})
    decision = run(case, "2010-02-01")["assessment_routing"]
    assert decision.outcome == "early_years_panel"
    assert decision.rules[0].id == "routing.notification"
    assert [n.code for n in decision.notes] == ["notification-without-usual-diagnosis",
                                                "criteria-for-statutory-assessment"]


def test_school_referral_needs_action_and_action_plus_on_record() -> None:
    request = {"route": "school", "requested_on": "2014-01-06"}
    with_both = child(setting={"kind": "school", "quadrant": "South-East"}, sen_support=SUPPORT,
                      assessment_request=request)
    assert not run(with_both, "2014-02-01")["assessment_routing"].flags
    only_plus = {**with_both, "sen_support": SUPPORT[1:]}  # Action Plus includes Action
    assert not run(only_plus, "2014-02-01")["assessment_routing"].flags
    only_action = {**with_both, "sen_support": SUPPORT[:1]}
    flags = run(only_action, "2014-02-01")["assessment_routing"].flags
    assert [f.code for f in flags] == ["action-not-on-record"]
    after = {**with_both, "assessment_request": {"route": "school", "requested_on": "2013-06-30"}}
    flags = run(after, "2014-02-01")["assessment_routing"].flags  # Action Plus came later
    assert [f.code for f in flags] == ["action-not-on-record"]


def test_parental_referral_is_considered_on_its_merits() -> None:
    case = child(setting={"kind": "school", "quadrant": "South-East"},
                 assessment_request={"route": "parent", "requested_on": "2014-01-06"})
    decision = run(case, "2014-02-01")["assessment_routing"]
    assert decision.outcome == "pre_assessment_panel"
    assert not decision.flags
    assert "considered-on-merits" in [n.code for n in decision.notes]


@pytest.mark.parametrize("quadrant", [None, "Outside the borough"])
def test_unknown_quadrant_is_flagged(quadrant: str | None) -> None:
    setting: dict[str, Any] = {"kind": "school"}
    if quadrant:
        setting["quadrant"] = quadrant
    case = child(setting=setting, assessment_request={"route": "parent",
                                                      "requested_on": "2014-01-06"})
    decision = run(case, "2014-02-01")["assessment_routing"]
    assert [f.code for f in decision.flags] == ["quadrant-unknown"]


def test_no_request_no_routing_decision() -> None:
    assert "assessment_routing" not in run(child(), "2014-02-01")
