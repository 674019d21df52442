"""The two backends read one compiled form and must always give the same decisions."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import sen_rules
from sen_rules import BackendUnavailableError, SenRulesError
from sen_rules.engine import durable
from sen_rules.testing.strategies import evaluation_inputs

SLOW = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SLOW
@given(evaluation_inputs())
def test_backends_agree_on_generated_cases(inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    native = sen_rules.evaluate(data, as_of=as_of)
    rete = sen_rules.evaluate(data, as_of=as_of, backend="durable")
    assert native.to_json() == rete.to_json()


@settings(max_examples=60, deadline=None)
@given(evaluation_inputs())
def test_evaluation_is_deterministic(inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    first = sen_rules.evaluate(data, as_of=as_of).to_json()
    again = sen_rules.evaluate(json.dumps(data), as_of=as_of.isoformat()).to_json()
    assert first == again


@settings(max_examples=60, deadline=None)
@given(evaluation_inputs())
def test_json_has_the_documented_minimum_shape(inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    result = json.loads(sen_rules.evaluate(data, as_of=as_of).to_json())
    assert set(result["rulebase"]) >= {"name", "version", "sha256"}
    assert result["as_of"] == as_of.isoformat()
    for decision in result["decisions"]:
        assert {"topic", "outcome", "rules"} <= set(decision)
        assert decision["rules"], "every decision cites at least one rule"
        for rule in decision["rules"]:
            assert rule["id"] and rule["citations"]
            for c in rule["citations"]:
                assert c["source"] and c["quote"]


def test_returned_objects_cannot_change_later_evaluations() -> None:
    case = {"child": {"id": "C1", "date_of_birth": "2010-01-01"},
            "assessment_request": {"route": "school", "requested_on": "2016-01-01"}}
    first = sen_rules.evaluate(case, as_of="2016-02-01")
    decision = first.decisions[1]
    with pytest.raises((AttributeError, TypeError)):
        decision.outcome = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        decision.details["quadrant"] = "x"  # type: ignore[index]
    case["assessment_request"]["route"] = "parent"  # the caller's dict is not held on to
    assert sen_rules.evaluate(case, as_of="2016-02-01").to_json() != first.to_json()
    assert first.to_json() == sen_rules.evaluate(
        {**case, "assessment_request": {"route": "school", "requested_on": "2016-01-01"}},
        as_of="2016-02-01").to_json()


def test_unknown_backend_and_missing_durable(monkeypatch: pytest.MonkeyPatch) -> None:
    case = {"child": {"id": "C1", "date_of_birth": "2010-01-01"}}
    with pytest.raises(SenRulesError, match="unknown backend"):
        sen_rules.evaluate(case, as_of="2016-02-01", backend="drools")
    monkeypatch.setattr(durable, "_engine", None)
    fresh = sen_rules.load_rulebase()  # no durable program cached for it yet
    with pytest.raises(BackendUnavailableError, match=r"sen-rules\[durable\]"):
        sen_rules.evaluate(case, as_of="2016-02-01", rulebase=fresh, backend="durable")
    # the native backend does not need it
    assert sen_rules.evaluate(case, as_of="2016-02-01", rulebase=fresh).decisions


@pytest.mark.parametrize("as_of", ["2016-13-01", "16-01-01", "1899-12-31", "tomorrow"])
def test_bad_evaluation_dates(as_of: str) -> None:
    with pytest.raises(sen_rules.CaseError, match="as_of"):
        sen_rules.evaluate({"child": {"id": "C1", "date_of_birth": "1890-01-01"}}, as_of=as_of)


def test_numbers_durable_rules_cannot_parse_are_written_plainly() -> None:
    """Regression: durable-rules read 1e-09 as 1 and silently dropped every later fact."""
    case = {"child": {"id": "C1", "date_of_birth": "2000-11-27"},
            "statement": {"made_on": "2000-11-27"},
            "candidate_placements": [{"id": "C0", "name": "Oak", "provision": "mainstream_school",
                                      "distance_km": 1e-09},
                                     {"id": "C1", "name": "Ash", "provision": "special_school",
                                      "distance_km": 12345.678912345}]}
    native = sen_rules.evaluate(case, as_of="2002-01-01")
    rete = sen_rules.evaluate(case, as_of="2002-01-01", backend="durable")
    assert native.decisions and native.to_json() == rete.to_json()
