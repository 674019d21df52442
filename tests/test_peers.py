"""The peers' encodings (benchmarks/peers/) decide like the rulebase, and a wrong one is caught."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

from sen_rules.case import Case

pytest.importorskip("zen")
pytest.importorskip("rule_engine")

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import peers  # noqa: E402


def test_zen_and_rule_engine_decide_like_native_on_generated_cases() -> None:
    lines = peers.corpus(120, seed=7)
    with peers.two_area_rules() as rulebase:
        peers.check_same_answers(rulebase, lines, peers.Zen(), peers.RuleEngine())


def test_a_disagreement_stops_the_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = peers.RuleEngine()
    lines = peers.corpus(120, seed=7)
    honest = rules.from_dict

    def threshold_4(data: dict[str, object]) -> dict[str, object]:
        result = honest(data)
        panel = result.get("complex_needs_panel")
        if panel is not None and "cnp.funding-level" in panel["rules"]:
            panel["rules"] = [r for r in panel["rules"] if r != "cnp.funding-level"]
        return result

    monkeypatch.setattr(rules, "from_dict", threshold_4)
    with peers.two_area_rules() as rulebase, pytest.raises(SystemExit) as stopped:
        peers.check_same_answers(rulebase, lines, peers.Zen(), rules)
    assert "rule-engine decides" in str(stopped.value)


def test_the_peers_follow_a_pending_decision_with_no_placement_in_view() -> None:
    """The generator records no pending decision: give one to cases with no placement."""
    lines = []
    for line in peers.corpus(60, seed=11):
        item = json.loads(line)
        item["case"].pop("proposed_placement", None)
        item["case"].pop("candidate_placements", None)
        item["case"].pop("views", None)  # views may name a candidate placement
        item["case"]["pending_decision"] = {"kind": "resources"}
        lines.append(json.dumps(item))
    with peers.two_area_rules() as rulebase:
        peers.check_same_answers(rulebase, lines, peers.Zen(), peers.RuleEngine())


def test_a_peer_that_misses_the_ceased_statement_is_caught(
        monkeypatch: pytest.MonkeyPatch) -> None:
    honest = peers.derived_facts

    def never_ceased(case: Case, day: date) -> dict[str, bool]:
        return {**honest(case, day), "statement_ceased": False}

    monkeypatch.setattr(peers, "derived_facts", never_ceased)
    lines = peers.corpus(120, seed=7)
    with peers.two_area_rules() as rulebase, pytest.raises(SystemExit) as stopped:
        peers.check_same_answers(rulebase, lines, peers.Zen(), peers.RuleEngine())
    assert "zen decides" in str(stopped.value)


def test_the_jdm_file_is_what_its_source_writes() -> None:
    sys.path.insert(0, str(BENCHMARKS / "peers"))
    import make_jdm

    stored = json.loads((BENCHMARKS / "peers" / "sen-policy.jdm.json").read_text("utf-8"))
    assert stored == make_jdm.graph()
