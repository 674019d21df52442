"""The bundled examples for the SEN threshold and panel routing, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

import sen_rules
from sen_rules.rulebase import Rulebase
from sen_rules.sources import fold

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"

# file, as_of, expected outcomes, expected flag codes
THRESHOLD_AND_ROUTING = [
    ("early-years-health-notification.json", "2009-02-01",
     {"sen_stage": "early_years_action_plus", "assessment_routing": "early_years_panel"}, []),
    ("school-referral-with-action-plus.json", "2007-03-20",
     {"sen_stage": "school_action_plus", "assessment_routing": "pre_assessment_panel"}, []),
    ("school-referral-without-action.json", "2006-06-01",
     {"sen_stage": "school_action_plus", "assessment_routing": "pre_assessment_panel"},
     ["action-not-on-record"]),
    ("parental-referral-pre-school.json", "2009-03-02",
     {"sen_stage": "early_years_action_plus", "assessment_routing": "early_years_panel"}, []),
    ("school-action.json", "2010-01-15", {"sen_stage": "school_action"}, []),
]


@pytest.mark.parametrize(("name", "as_of", "outcomes", "flags"), THRESHOLD_AND_ROUTING,
                         ids=[f[0] for f in THRESHOLD_AND_ROUTING])
def test_threshold_and_routing_examples(name: str, as_of: str, outcomes: dict[str, str],
                                        flags: list[str], rulebase: Rulebase) -> None:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    native = sen_rules.evaluate(text, as_of=as_of)
    rete = sen_rules.evaluate(text, as_of=as_of, backend="durable")
    assert native.to_json() == rete.to_json()
    got = {d.topic: d.outcome for d in native.decisions if d.topic in outcomes}
    assert got == outcomes
    assert [f.code for d in native.decisions for f in d.flags] == flags
    policy = rulebase.sources["learning-trust-sen-policy"].text
    for d in native.decisions:
        for ref in d.rules:
            for c in ref.citations:
                source = rulebase.sources[c.source].text
                assert fold(c.quote) in fold(source)
                if c.source == "learning-trust-sen-policy":
                    assert fold(c.quote) in fold(policy)


def test_every_example_case_is_valid() -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        sen_rules.parse_case(path.read_text(encoding="utf-8"))


def test_quadrant_follows_the_school_by_default_and_the_home_when_set(rules_copy) -> None:  # type: ignore[no-untyped-def]
    text = (EXAMPLES / "school-referral-with-action-plus.json").read_text()
    school = sen_rules.evaluate(text, as_of="2007-03-20").decision("assessment_routing")
    assert school is not None and school.details["quadrant"] == "South-West"
    home_rules = sen_rules.load_rulebase(rules_copy({"settings.yaml": [
        ("    choices: [school, home]\n    value: school", "    choices: [school, home]\n"
         "    value: home")]}))
    for backend in sen_rules.BACKENDS:
        home = sen_rules.evaluate(text, as_of="2007-03-20", rulebase=home_rules,
                                  backend=backend).decision("assessment_routing")
        assert home is not None and home.details["quadrant"] == "South-East"
