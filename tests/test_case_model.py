"""The case model: strict, documented, JSON-Schema exportable; bad input names its field."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sen_rules
from sen_rules import CaseError
from sen_rules.case import Case, case_json_schema, check_against_date, parse_case
from sen_rules.testing.strategies import evaluation_inputs

BASE: dict[str, Any] = {"child": {"id": "C1", "date_of_birth": "2010-05-01"}}


def with_(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(json.dumps(BASE))
    case.update(changes)
    return case


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"child": {"id": "C1", "date_of_birth": "2010-02-30"}}, "child.date_of_birth",
         "not a real date"),
        ({"child": {"id": "C1", "date_of_birth": "01/05/2010"}}, "child.date_of_birth",
         "YYYY-MM-DD"),
        ({"child": {"id": "C1", "date_of_birth": 20100501}}, "child.date_of_birth", "YYYY-MM-DD"),
        ({"child": {"id": "C1", "date_of_birth": "1850-01-01"}}, "child.date_of_birth",
         "1900 to 2199"),
        ({"child": {"id": "C1", "date_of_birth": "2010-05-01", "name": "x"}}, "child.name",
         "unknown field"),
        ({"child": {"id": "C1"}}, "child.date_of_birth", "missing"),
        ({"child": {"id": "", "date_of_birth": "2010-05-01"}}, "child.id", "pattern"),
        (with_(colour="blue"), "colour", "unknown field"),
        (with_(setting={"kind": "schol"}), "setting.kind", "'schol' is not allowed"),
        (with_(proposed_placement={"id": "P", "name": "X", "provision": "special_school",
                                   "funding_level": 6}), "proposed_placement.funding_level",
         "less than or equal to 5"),
        (with_(proposed_placement={"id": "P", "name": "X", "provision": "special_school",
                                   "funding_level": "3"}), "proposed_placement.funding_level",
         "integer"),
        (with_(proposed_placement={"id": "P", "name": "X", "provision": "special_school",
                                   "funding_level": True}), "proposed_placement.funding_level",
         "integer"),
        (with_(disputes=[{"party": "parent", "resolved": "no"}]), "disputes[0].resolved",
         "boolean"),
        (with_(statement={"made_on": "2009-01-01"}), "statement.made_on",
         "before the date of birth"),
        (with_(sen_support=[{"started": "2015-01-01", "ended": "2014-01-01",
                             "outside_advice_sought": False}]), "sen_support[0]",
         "cannot end before it starts"),
        (with_(statement={"made_on": "2015-01-01", "reviews": [{"held_on": "2014-01-01"}]}),
         "statement", "before the Statement was made"),
        (with_(candidate_placements=[
            {"id": "A", "name": "X", "provision": "special_school"},
            {"id": "A", "name": "Y", "provision": "mainstream_school"}]),
         "candidate_placements", "share an id"),
        (with_(views={"parents": {"preferred_placement": "Z"}}),
         "views.parents.preferred_placement", "not the id of a candidate"),
        (with_(assessment_request={"route": "school", "requested_on": "2015-01-01",
                                   "outcome_on": "2015-02-01"}), "assessment_request",
         "outcome is pending"),
    ],
)
def test_bad_cases_name_the_field(data: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(CaseError) as info:
        parse_case(data)
    paths = [p for p, _ in info.value.problems]
    messages = " ".join(m for _, m in info.value.problems)
    assert path in paths, info.value.problems
    assert words in messages or words in str(info.value), info.value.problems


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", '{"child": NaN}', "x" * 10])
def test_malformed_json_is_a_case_error(text: str) -> None:
    with pytest.raises(CaseError):
        parse_case(text)


def test_facts_after_the_evaluation_date_are_rejected() -> None:
    case = parse_case(with_(statement={"made_on": "2015-01-01"}))
    with pytest.raises(CaseError) as info:
        check_against_date(case, date(2014, 1, 1))
    assert ("statement.made_on" in [p for p, _ in info.value.problems])
    with pytest.raises(CaseError) as info:
        sen_rules.evaluate(BASE, as_of="2009-12-31")
    assert "child.date_of_birth" in str(info.value)
    assert "after the evaluation date" in str(info.value)


def test_the_case_cannot_be_changed_once_validated() -> None:
    case = parse_case(with_(disputes=[{"party": "parent", "resolved": False}]))
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        case.child = case.child  # type: ignore[misc]
    assert isinstance(case.disputes, tuple)


def test_json_schema_is_exported_and_documented() -> None:
    schema = case_json_schema()
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    child = schema["$defs"]["Child"]["properties"]
    assert child["date_of_birth"]["format"] == "date"
    assert "anniversary" in json.dumps(schema) or "ages" in child["date_of_birth"]["description"]


@settings(max_examples=150, deadline=None)
@given(evaluation_inputs())
def test_generated_cases_are_valid_and_round_trip(inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    case = Case.model_validate_json(json.dumps(data))
    check_against_date(case, as_of)
    again = parse_case(case.model_dump_json())
    assert again == case


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=4))
def test_random_objects_never_escape_as_other_exceptions(data: dict[str, Any]) -> None:
    with pytest.raises(CaseError):
        parse_case(data)


def test_any_mapping_is_accepted() -> None:
    from types import MappingProxyType

    assert parse_case(MappingProxyType(BASE)) == parse_case(BASE)
