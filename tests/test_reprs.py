"""Every public object has a short repr that names what it is (a rulebase's repr is not its
whole content, and a case's repr never shows personal details)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.errors import CaseError, RulebaseError

EXAMPLE = (Path(__file__).resolve().parent.parent / "examples" / "cases" /
           "school-referral-without-action.json").read_text(encoding="utf-8")
LIMIT = 320


def objects() -> dict[str, object]:
    rulebase = sen_rules.bundled_rulebase()
    evaluation = sen_rules.evaluate(EXAMPLE, as_of="2006-06-01")
    decision = evaluation.decision("assessment_routing")
    assert decision is not None
    explanation = sen_rules.explain_case(EXAMPLE, as_of="2006-06-01")
    record = sen_rules.make_record(EXAMPLE, as_of="2006-06-01")
    tampered = {**record, "as_of": "2006-06-02"}
    try:
        sen_rules.verify_record(tampered)
    except sen_rules.RecordError as exc:
        record_error: object = exc
    try:
        sen_rules.parse_case('{"child": {}, "x": 1}')
    except CaseError as exc:
        case_error: object = exc
    area = rulebase.areas[0]
    return {
        "Rulebase": rulebase, "Area": area, "Rule": area.rules[0],
        "Citation": area.rules[0].citations[0],
        "Source": rulebase.sources["learning-trust-sen-policy"],
        "Setting": next(iter(rulebase.settings.values())),
        "Definition": next(iter(rulebase.definitions.values())),
        "Case": sen_rules.parse_case(EXAMPLE), "Evaluation": evaluation, "Decision": decision,
        "RuleRef": decision.rules[0], "Finding": decision.flags[0],
        "Explanation": explanation, "Trace": explanation.trace,
        "AreaTrace": explanation.trace.areas[0],
        "RuleTrace": explanation.trace.areas[0].rules[0],
        "Node": explanation.trace.areas[0].rules[0].node,
        "Counterfactual": explanation.counterfactuals[0],
        "Verification": sen_rules.verify_record(record),
        "BatchResult": next(iter(sen_rules.evaluate_many([EXAMPLE], as_of="2006-06-01"))),
        "RecordError": record_error, "CaseError": case_error,
        "RulebaseError": RulebaseError([sen_rules.Diagnostic("SR111", "unknown name 'x'")]),
    }


@pytest.fixture(scope="module")
def public() -> dict[str, object]:
    return objects()


@pytest.mark.parametrize("name", list(objects()))
def test_repr_is_short_and_says_what_it_is(name: str, public: dict[str, object]) -> None:
    text = repr(public[name])
    assert len(text) <= LIMIT, text
    assert text.startswith(f"{name}("), text
    assert "\n" not in text


def test_reprs_name_the_essentials(public: dict[str, object]) -> None:
    assert "385e" in repr(public["Rulebase"]) or "sha256" in repr(public["Rulebase"])
    assert "assessment_routing=pre_assessment_panel" in repr(public["Evaluation"])
    assert "routing.school-or-parent" in repr(public["Decision"])
    assert repr(public["Verification"]).startswith("Verification(holds")
    assert "SR200" in repr(public["CaseError"])


def test_a_case_repr_shows_no_personal_details(public: dict[str, object]) -> None:
    text = repr(public["Case"])
    assert "HK-2000-0933" in text and "2000-" not in text.replace("HK-2000-0933", "")


def test_no_part_of_a_case_shows_personal_details_in_its_repr_or_str(
        public: dict[str, object]) -> None:
    case: Any = public["Case"]
    logged = io.StringIO()
    print(case, case.child, case.statement, file=logged)
    for text in (repr(case), str(case), f"{case}", logged.getvalue(), repr(case.child)):
        assert "2000-" not in text.replace("HK-2000-0933", ""), text
    assert str(case.child) == "Child(recorded: id, date_of_birth)"
