"""The decision-chain example (examples/decision-chain): a ceased Statement and what
follows from it, on both backends, as its README says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.explain import explain

CHAIN = Path(__file__).resolve().parent.parent / "examples" / "decision-chain"
AS_OF = "2009-03-02"

# file, {topic: outcome (None: listed as not applying)}
ROWS: list[tuple[str, dict[str, Any]]] = [
    ("maintained-statement.json", {"cessation": "maintain", "sen_stage": "statement",
                                   "annual_review": "not_yet_due",
                                   "transport": "travel_provision_in_statement"}),
    ("ceased-statement.json", {"cessation": "cease", "sen_stage": "school_action",
                               "annual_review": None, "transport": None}),
]


READ = {"annual_review": "cease_from", "transport": "last_day_of_provision"}
CEASED = {"cease_from": "2009-01-05", "last_day_of_provision": "2009-01-04"}


@pytest.mark.parametrize(("name", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_the_chain_example(name: str, expected: dict[str, Any]) -> None:
    text = (CHAIN / name).read_text(encoding="utf-8")
    native = sen_rules.evaluate(text, as_of=AS_OF)
    assert native.to_json() == sen_rules.evaluate(text, as_of=AS_OF,
                                                  backend="durable").to_json()
    skipped = {n.topic: n for n in native.not_applicable}
    for topic, outcome in expected.items():
        decision = native.decision(topic)
        if outcome is None:
            assert decision is None and topic in skipped
            (basis,) = skipped[topic].because
            read = READ[topic]  # the review stops with the Statement, transport with its provision
            assert (basis.topic, basis.outcome, dict(basis.details)) == (
                "cessation", "cease", {read: CEASED[read]})
            assert [r.id for r in basis.rules] == ["cessation.progress"]
        else:
            assert decision is not None and decision.outcome == outcome, topic
    if name.startswith("ceased"):
        stage = native.decision("sen_stage")
        assert stage is not None and stage.notes[0].code == "statement-ceased"
        assert dict(stage.notes[0].details) == {"ceased_from": "2009-01-05"}
    else:
        review = native.decision("annual_review")
        assert review is not None and review.details["due_by"] == "2009-06-10"


def test_removing_the_ground_brings_the_review_back() -> None:
    x = explain((CHAIN / "ceased-statement.json").read_text(encoding="utf-8"), as_of=AS_OF)
    back = [c for c in x.counterfactuals if c.topic == "annual_review"]
    assert any(c.changes[0].path == ("cessation", "criteria_no_longer_met_on")
               and c.changes[0].value is None and c.after.outcome == "not_yet_due"
               for c in back)
