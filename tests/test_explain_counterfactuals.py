"""Counterfactuals: computed from the compiled rules, smallest first, never touching fixed
facts, each one true when the changed case is evaluated again on either backend."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import sen_rules
from sen_rules.audit import canonical_case
from sen_rules.case import iter_dates, parse_case
from sen_rules.engine.native import Env
from sen_rules.engine.service import compiled
from sen_rules.explain import Counterfactual, Explanation, explain
from sen_rules.explain.cf_candidates import MAX_ITEMS_PER_LIST
from sen_rules.explain.counterfactual import Candidates, Change, Uses, spec_at, synthesize
from sen_rules.rulebase import Rulebase
from sen_rules.testing.strategies import evaluation_inputs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "cases"
MINI = ROOT / "tests" / "data" / "explain" / "rules"
FEW = settings(max_examples=12, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

BASE: dict[str, Any] = {
    "child": {"id": "T1", "date_of_birth": "2000-02-29"},
    "setting": {"kind": "school"},
    "proposed_placement": {"id": "P", "name": "Oak", "provision": "mainstream_school",
                           "sector": "maintained", "funding_level": 3},
    "views": {"parents": {"summary": "They agree."}},
}


@pytest.fixture(scope="module")
def mini() -> Rulebase:
    return sen_rules.load_rulebase(MINI)


def changed_case(x: Explanation, cf: Counterfactual) -> dict[str, Any]:
    data = canonical_case(x.case)
    for change in cf.changes:
        data = change.apply(data)
    return data


def check_verified(x: Explanation, rulebase: Rulebase | None = None) -> None:
    """Every counterfactual does what it says, on both backends, and changes no fixed fact."""
    rb = rulebase or x.rulebase
    for cf in x.counterfactuals:
        for change in cf.changes:
            dotted = ".".join(p for p in change.path if isinstance(p, str))
            assert not any(dotted == f or dotted.startswith(f + ".") for f in rb.fixed_facts)
        data = changed_case(x, cf)
        for backend in sen_rules.BACKENDS:
            again = sen_rules.evaluate(data, as_of=x.as_of, rulebase=rb, backend=backend)
            d = again.decision(cf.topic)
            before = x.evaluation.decision(cf.topic)
            if before is None:  # an area kept out by another decision, brought into play
                assert not cf.before.applies and cf.after.applies
                assert any(n.topic == cf.topic and n.because
                           for n in x.evaluation.not_applicable)
                assert d is not None and d.outcome == cf.after.outcome
                continue
            if not cf.after.applies:
                assert d is None
                continue
            assert d is not None
            assert d.outcome == cf.after.outcome
            assert {f.code for f in d.flags} == set(cf.after.flags)
            if cf.kind == "outcome":
                assert (d.outcome, d.details.get("recommended")) != (
                    before.outcome, before.details.get("recommended"))
            else:
                assert cf.flag in {f.code for f in before.flags}
                assert cf.flag not in set(cf.after.flags)


# ---------------------------------------------------------------------------- mini rules


def test_funding_level_2_instead_of_3(mini: Rulebase) -> None:
    x = explain(BASE, as_of="2012-01-01", rulebase=mini)
    texts = [c.text for c in x.counterfactuals if c.topic == "referral"]
    assert texts[0] == ("With proposed placement › funding level 2 instead of 3, Funding "
                        "referral would be “Decided by the Team” instead of “Referred to the "
                        "Panel”.")
    first = next(c for c in x.counterfactuals if c.topic == "referral")
    assert [ch.to_dict() for ch in first.changes] == [
        {"op": "set", "path": "proposed_placement.funding_level", "value": 2, "before": 3}]
    # the nearest boundary is reported, not every level below it
    assert not any("funding level 1 " in t for t in texts)
    check_verified(x)


def test_fixed_facts_never_change(mini: Rulebase, rules_copy: Callable[..., Path]) -> None:
    # setting.kind is fixed in the mini rulebase: no counterfactual may touch it
    case = {**BASE, "education": {"status": "out_of_school"}}
    x = explain(case, as_of="2008-01-01", rulebase=mini)
    assert all(ch.path[:1] != ("setting",) for c in x.counterfactuals for ch in c.changes)
    school = [c for c in x.counterfactuals if c.topic == "school_age"]
    assert [c.text for c in school] == [
        "With education › status \"in_school\" instead of \"out_of_school\", School "
        "attendance would be “In school” instead of “Out of school”."]
    # nor the date of birth, although the area depends on it
    assert all("date_of_birth" not in ch.path_text for c in x.counterfactuals
               for ch in c.changes)
    check_verified(x)


def test_pairs_only_when_no_single_change_works(mini: Rulebase, tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(MINI, rules)
    manifest = rules / "rulebase.yaml"
    manifest.write_text(manifest.read_text() + "  - proposed_placement.funding_level\n")
    fixed = sen_rules.load_rulebase(rules)
    case = {**BASE, "proposed_placement": {**BASE["proposed_placement"], "funding_level": 1}}
    x = explain(case, as_of="2012-01-01", rulebase=fixed)
    referral = [c for c in x.counterfactuals if c.topic == "referral" and c.after.applies]
    assert referral, "a pair of changes makes it an independent special school"
    pair = referral[0]
    assert len(pair.changes) == 2
    assert {ch.path_text for ch in pair.changes} == {"proposed_placement.provision",
                                                     "proposed_placement.sector"}
    assert pair.text.startswith('With proposed placement › provision "special_school" instead '
                                'of "mainstream_school" and proposed placement › sector '
                                '"independent" instead of "maintained", Funding referral would '
                                "be “Referred to the Panel”")
    searched = next(s for s in x.searched if s.topic == "referral")
    assert searched.pairs > 0
    check_verified(x, fixed)
    # with a single change available, no pair is tried
    y = explain(BASE, as_of="2012-01-01", rulebase=mini)
    assert next(s for s in y.searched if s.topic == "referral").pairs == 0


def test_dates_just_before_and_after_a_computed_boundary(mini: Rulebase) -> None:
    case = {**BASE, "statement": {"made_on": "2008-01-10", "reviews": [
        {"held_on": "2009-01-05", "transport_reconsidered": True}]}}
    x = explain(case, as_of="2010-03-01", rulebase=mini)
    reviews = [c for c in x.counterfactuals if c.topic == "reviews" and c.kind == "outcome"]
    # overdue because 5 January 2009 + 12 months < 1 March 2010; the boundary is 1 March 2009
    first = reviews[0]
    assert first.changes[0].path_text == "statement.reviews[0].held_on"
    assert first.changes[0].value == "2009-03-01"
    assert first.after.outcome == "up_to_date"
    check_verified(x)


def test_flags_and_added_entries(mini: Rulebase) -> None:
    case = {**BASE, "views": {}, "proposed_placement": {**BASE["proposed_placement"],
                                                         "funding_level": 1}}
    x = explain(case, as_of="2012-01-01", rulebase=mini)
    flag = [c for c in x.counterfactuals if c.topic == "referral" and c.kind == "flag"]
    assert flag and flag[0].text == ("With views › parents recorded, the flag "
                                     "“parents-views-missing” would not be raised.")
    assert flag[0].after.outcome == flag[0].before.outcome  # the outcome stays as it is
    choice_case = {**BASE, "candidate_placements": [
        {"id": "A", "name": "Ash", "provision": "mainstream_school", "distance_km": 12.5},
        {"id": "B", "name": "Birch", "provision": "special_school", "distance_km": 3.0}]}
    y = explain(choice_case, as_of="2012-01-01", rulebase=mini)
    choice = [c for c in y.counterfactuals if c.topic == "choice"]
    assert any(c.changes[0].op == "set" and c.changes[0].value == 10.0 for c in choice)
    assert any(c.changes[0].entry and "an added candidate placements entry" in c.text
               for c in choice)
    check_verified(x)
    check_verified(y)


def test_change_words_and_application() -> None:
    data = {"a": {"b": [1, 2, 3]}, "c": None}
    assert Change("remove", ("a", "b", 1)).apply(data) == {"a": {"b": [1, 3]}, "c": None}
    assert data == {"a": {"b": [1, 2, 3]}, "c": None}  # the original is left alone
    assert Change("add", ("a", "b"), 4, entry=True).apply(data)["a"]["b"] == [1, 2, 3, 4]
    assert Change("set", ("c",), {"x": 1}).apply(data)["c"] == {"x": 1}
    assert Change("set", ("sen_support", 0, "started"), "2009-01-02", "2009-01-05").words() \
        == "sen support (entry 1) › started 2 January 2009 instead of 5 January 2009"
    spec = spec_at(("statement", "reviews", "[]"))
    assert spec is not None and spec.model is not None
    assert synthesize(spec.model, {}, date(2010, 1, 1)) == {"held_on": "2010-01-01"}


def test_entries_alike_in_what_the_rules_read_are_tried_once(mini: Rulebase) -> None:
    disputes = [{"party": "parent", "resolved": i % 2 == 0, "about": f"matter {i}"}
                for i in range(10)]
    data = {**BASE, "disputes": disputes}
    case = parse_case(data)
    day = date(2012, 1, 1)
    uses = Uses(fields={("disputes", "[]", "resolved"): None})
    found = Candidates(mini, compiled(mini).program(mini.epoch(day)), Env(case, day),
                       case.model_dump(mode="json"), uses, day)
    # "about" is not read: the ten entries are of two kinds, one of each is tried
    assert found.items_tried(("disputes",), ("disputes",), disputes) == [0, 1]
    assert found.untried == {"disputes": 8}
    # a list no longer than the bound is tried whole, alike or not
    assert found.items_tried(("disputes",), ("x",), disputes[:MAX_ITEMS_PER_LIST]) == list(
        range(MAX_ITEMS_PER_LIST))
    assert "x" not in found.untried


def test_of_a_long_list_the_first_and_last_entries_are_tried_and_the_rest_counted(
        mini: Rulebase) -> None:
    reviews = [{"held_on": f"{2008 + i // 12}-{1 + i % 12:02d}-05",
                "transport_reconsidered": True} for i in range(20)]
    case = {**BASE, "statement": {"made_on": "2008-01-02", "reviews": reviews}}
    x = explain(case, as_of="2010-03-01", rulebase=mini)
    cut = [s for s in x.searched if s.untried]
    assert cut and all(s.untried == (("statement.reviews", 20 - MAX_ITEMS_PER_LIST),)
                       for s in cut)
    half = MAX_ITEMS_PER_LIST // 2
    tried = {ch.path[2] for c in x.counterfactuals for ch in c.changes
             if ch.path[:2] == ("statement", "reviews") and len(ch.path) > 2}
    assert tried <= set(range(half)) | set(range(20 - half, 20))
    assert "entries of statement › reviews were not tried" in x.to_text()
    searched = json.loads(x.to_json())["counterfactual_search"]
    assert {"statement.reviews": 20 - MAX_ITEMS_PER_LIST} in [
        s.get("entries_not_tried") for s in searched]
    check_verified(x)


# ---------------------------------------------------------------------------- bundled


def test_the_issue_examples_on_the_bundled_rules(rulebase: Rulebase) -> None:
    text = (EXAMPLES / "school-referral-without-action.json").read_text()
    x = explain(text, as_of="2006-06-01")
    routing = [c for c in x.counterfactuals if c.topic == "assessment_routing"]
    texts = [c.text for c in routing]
    assert any(c.kind == "flag" and c.changes[0].entry and "outside advice sought yes" in c.text
               for c in routing), texts  # School Action Plus on record clears the flag
    assert any(c.kind == "outcome" and c.after.outcome == "early_years_panel" for c in routing)
    check_verified(x)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_counterfactuals_of_every_example_hold(name: str) -> None:
    text = (EXAMPLES / name).read_text()
    as_of = max(d for _, d in iter_dates(parse_case(text)))
    x = explain(text, as_of=as_of)
    assert {s.topic for s in x.searched} == {d.topic for d in x.evaluation.decisions}
    check_verified(x)
    data = json.loads(x.to_json())
    assert len(data["counterfactuals"]) == len(x.counterfactuals)


@FEW
@given(evaluation_inputs())
def test_counterfactuals_hold_on_generated_cases(inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    x = explain(data, as_of=as_of)
    check_verified(x)
    y = explain(data, as_of=as_of, backend="durable")
    assert [c.to_dict()["text"] for c in y.counterfactuals] == [
        c.to_dict()["text"] for c in x.counterfactuals]


def test_the_search_is_bounded_and_says_so(mini: Rulebase,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from sen_rules.explain import cf_search

    case = {**BASE, "statement": {"made_on": "2008-01-10", "reviews": [
        {"held_on": "2009-01-05", "transport_reconsidered": True}]}}
    full = explain(case, as_of="2010-03-01", rulebase=mini)
    assert all(s.complete for s in full.searched)
    monkeypatch.setattr(cf_search, "MAX_EVALUATIONS", 3)
    cut = explain(case, as_of="2010-03-01", rulebase=mini)
    assert not all(s.complete for s in cut.searched)
    assert len(cut.counterfactuals) < len(full.counterfactuals)
    check_verified(cut)
    assert "stopped at its budget" in cut.to_text()
