"""Decisions that use decisions: the rule language, the loader's checks, the order, both
backends, the listing of areas that do not apply, explanations, lint and the docs graph."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import sen_rules
from reference.engine_view import differences, summarise
from reference.policy import ReferenceSettings, decide
from sen_rules import RulebaseError
from sen_rules.authoring.docs import write_site
from sen_rules.authoring.graph import depths, edges, graph_markdown
from sen_rules.authoring.lint import lint
from sen_rules.case import parse_case
from sen_rules.decision_graph import decision_order, find_cycle
from sen_rules.engine import durable
from sen_rules.engine.service import compiled
from sen_rules.errors import Diagnostic
from sen_rules.explain import explain
from sen_rules.rulebase import Rulebase
from sen_rules.testing.strategies import chain_inputs

REVIEW = "areas/annual-review.yaml"
TRANSPORT = "areas/transport.yaml"
CESSATION = "areas/cessation.yaml"
Edits = dict[str, list[tuple[str, str]]]

CEASED = {
    "child": {"id": "HK-CS-01", "date_of_birth": "1998-04-14"},
    "setting": {"kind": "school", "quadrant": "North-East"},
    "sen_support": [{"started": "2009-01-05", "outside_advice_sought": False}],
    "statement": {"made_on": "2005-06-20", "travel_provision": True,
                  "reviews": [{"held_on": "2008-06-10", "transport_reconsidered": True,
                               "independent_travel_considered": True}]},
    "cessation": {"criteria_no_longer_met_on": "2009-01-05"},
}
AS_OF = "2009-03-02"


def load_errors(rules_copy: Callable[..., Path], edits: Edits) -> list[Diagnostic]:
    with pytest.raises(RulebaseError) as info:
        sen_rules.load_rulebase(rules_copy(edits))
    return list(info.value.diagnostics)


def the(diags: list[Diagnostic] | tuple[Any, ...], code: str) -> Diagnostic:
    found = [d for d in diags if isinstance(d, Diagnostic) and d.code == code]
    assert found, [str(d) for d in diags]
    return found[0]


def text_at(diag: Diagnostic) -> str:
    """The text of the file from the diagnostic's line and column on."""
    assert diag.location is not None and diag.location.line > 0
    path = Path(diag.location.file)
    lines = (path if path.is_absolute() else Path.cwd() / path).read_text().splitlines()
    return lines[diag.location.line - 1][max(diag.location.column - 1, 0):]


# ---------------------------------------------------------------------------- loader


LOAD_ERRORS: list[tuple[str, Edits, str, str, str]] = [
    # (name, edits, code, words in the message, text found at the location)
    ("unknown area in uses", {REVIEW: [("uses: [cessation]", "uses: [cesation]")]},
     "SR130", "did you mean 'cessation'", "cesation]"),
    ("unknown area read", {REVIEW: [('decisions.cessation.outcome = "cease"',
                                     'decisions.cesation.outcome = "cease"')]},
     "SR130", "unknown area 'cesation'", "cesation.outcome"),
    ("read but not declared", {REVIEW: [("uses: [cessation]\n", "")]}, "SR131",
     "add 'uses: [cessation]'", "cessation.outcome"),
    ("unknown field", {REVIEW: [("decisions.cessation.cease_from <= as_of",
                                 "decisions.cessation.ceased_from <= as_of")]},
     "SR132", "did you mean 'cease_from'", "ceased_from"),
    ("unknown outcome", {REVIEW: [('decisions.cessation.outcome = "cease"',
                                   'decisions.cessation.outcome = "ceased"')]},
     "SR133", "'ceased' is not an outcome of area 'cessation'", '"ceased"'),
    ("own decision", {REVIEW: [('decisions.cessation.outcome = "cease"',
                                'decisions.annual_review.outcome = "overdue"')]},
     "SR134", "its own decision", "annual_review.outcome"),
    ("shared definition", {"definitions.yaml": [
        ("means: statement is known",
         'means: statement is known and decisions.cessation.outcome = "cease"')]},
     "SR131", "a shared definition cannot read", "decisions.cessation"),
    ("short form", {REVIEW: [('decisions.cessation.outcome = "cease"',
                              'decisions.cessation = "cease"')]},
     "SR132", "decisions.AREA.FIELD", "decisions.cessation ="),
]


@pytest.mark.parametrize(("name", "edits", "code", "words", "at"), LOAD_ERRORS,
                         ids=[c[0] for c in LOAD_ERRORS])
def test_each_graph_error_is_located(rules_copy: Callable[..., Path], name: str, edits: Edits,
                                     code: str, words: str, at: str) -> None:
    diag = the(load_errors(rules_copy, edits), code)
    assert words in diag.message, str(diag)
    assert text_at(diag).startswith(at), str(diag)


def test_a_circle_of_areas_is_named(rules_copy: Callable[..., Path]) -> None:
    diags = load_errors(rules_copy, {CESSATION: [
        ("applies_when: has_statement\n",
         "uses: [transport]\napplies_when: has_statement and decisions.transport.applies\n")]})
    diag = the(diags, "SR134")
    assert "cessation -> transport -> cessation" in diag.message, str(diag)
    assert text_at(diag).startswith("transport]")


def test_a_declared_decision_never_read_is_a_warning(rules_copy: Callable[..., Path]) -> None:
    rb = sen_rules.load_rulebase(rules_copy({CESSATION: [
        ("applies_when: has_statement\n", "uses: [placement]\napplies_when: has_statement\n")]}))
    diag = the(rb.warnings, "SR135")
    assert diag.severity == "warning" and "decisions.placement" in diag.message
    assert text_at(diag).startswith("placement]")


# ---------------------------------------------------------------------------- order


def test_topological_order_keeps_manifest_order_for_ties() -> None:
    areas = ["a", "b", "c", "d"]
    assert decision_order(areas, {}) == ("a", "b", "c", "d")
    assert decision_order(areas, {"a": ["c"], "b": ["d"]}) == ("c", "a", "d", "b")
    assert decision_order(areas, {"a": ["d"], "d": ["c"]}) == ("b", "c", "d", "a")
    assert find_cycle(areas, {"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle(areas, {"a": ["b"], "b": ["c"]}) is None


def test_bundled_rules_decide_cessation_first_and_list_in_manifest_order(
        rulebase: Rulebase) -> None:
    order = [a.id for a in rulebase.decision_order]
    for user in ("sen_stage", "annual_review", "transport"):
        assert order.index("cessation") < order.index(user)
    result = sen_rules.evaluate(CEASED, as_of=AS_OF)
    listed = [d.topic for d in result.decisions] + [n.topic for n in result.not_applicable]
    manifest = [a.id for a in rulebase.areas]
    assert sorted(listed, key=manifest.index) == manifest  # each area exactly once
    assert [d.topic for d in result.decisions] == [t for t in manifest
                                                    if t in {"sen_stage", "cessation"}]


# ---------------------------------------------------------------------------- backends


CHAIN = settings(max_examples=120, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@CHAIN
@given(chain_inputs())
def test_backends_and_reference_agree_on_chains(rulebase: Rulebase,
                                                inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    native = sen_rules.evaluate(data, as_of=as_of)
    rete = sen_rules.evaluate(data, as_of=as_of, backend="durable")
    assert native.to_json() == rete.to_json()
    expected = decide(parse_case(data), as_of,
                      ReferenceSettings.from_values(rulebase.epoch(as_of).settings))
    problems = differences(expected, summarise(native.to_dict()))
    assert not problems, "\n".join([f"as_of {as_of}", *problems])


def test_the_durable_backend_matches_decision_facts(rulebase: Rulebase) -> None:
    """The chain is forward chaining: the cessation decision is a fact the rules match."""
    program = compiled(rulebase).durable_program(rulebase.epoch(date(2009, 3, 2)))
    assert list(program.decision_kinds) == ["cessation"]
    tag = program.decision_kinds["cessation"].tag
    matching = [name for name, rule in program.definition.items()
                if any(json.dumps(p).find(f'"t": "{tag}"') >= 0 for p in rule.get("all", []))]
    assert len(matching) >= 2  # each condition on the decision: true and false
    ceased = sen_rules.evaluate(CEASED, as_of=AS_OF, backend="durable")
    assert {n.topic for n in ceased.not_applicable} >= {"annual_review", "transport"}


def test_durable_guards_hold_for_decision_facts(rulebase: Rulebase) -> None:
    """Guards 2 and 7: every pattern on a decision fact tests its type tag, and none is a
    negation (a decision fact is matched positively, true or false)."""
    assert durable.available()
    program = compiled(rulebase).durable_program(rulebase.epoch(date(2009, 3, 2)))
    tag = program.decision_kinds["cessation"].tag
    seen = 0
    for rule in program.definition.values():
        for pattern in rule.get("all", []):
            for key, test in pattern.items():
                text = json.dumps(test)
                if f'"t": "{tag}"' in text:
                    seen += 1
                    assert not key.endswith("$not")
                    assert test == {"t": tag} or {"t": tag} in test.get("$and", [])
    assert seen >= 2


# ---------------------------------------------------------------------------- outputs


def test_not_applicable_areas_are_listed_with_the_decision_they_went_through() -> None:
    result = sen_rules.evaluate(CEASED, as_of=AS_OF).to_dict()
    by_topic = {n["topic"]: n for n in result["not_applicable"]}
    review = by_topic["annual_review"]
    assert review["condition"] == "has_statement and not statement_ceased"
    (basis,) = review["because"]
    assert basis == {"topic": "cessation", "title": "Ceasing to maintain the Statement",
                     "applies": True, "outcome": "cease",
                     "outcome_label": "Cease to maintain the Statement",
                     "details": {"cease_from": "2009-01-05"}, "rules": ["cessation.progress"]}
    assert by_topic["assessment_routing"]["because"] == []  # no decision in its condition
    no_statement = sen_rules.evaluate({"child": CEASED["child"]}, as_of=AS_OF).to_dict()
    # a condition that stopped before reading the decision does not cite it
    assert all(n["because"] == [] for n in no_statement["not_applicable"])


def test_decisions_say_the_settings_their_rules_read() -> None:
    lapsed = {"child": {"id": "L1", "date_of_birth": "1992-02-29"},
              "statement": {"made_on": "2002-03-01"}}
    result = sen_rules.evaluate(lapsed, as_of="2011-03-02")
    cessation = result.decision("cessation")
    assert cessation is not None and cessation.outcome == "cease"
    used = {s.name: s.value for s in cessation.settings}
    assert used["leap_day_birthday"] == "1 March"
    assert used["academic_year_start"] == "1 September"
    data = result.to_dict()["decisions"]
    (cessation_json,) = [d for d in data if d["topic"] == "cessation"]
    assert {"name": "leap_day_birthday",
            "title": "Birthday in a common year of someone born on 29 February",
            "value": "1 March"} in cessation_json["settings"]
    from sen_rules.reports.text import render_evaluation

    flat = " ".join(render_evaluation(result).split())
    assert "Birthday in a common year of someone born on 29 February = 1 March" in flat


def test_evaluate_text_lists_every_area_not_applying() -> None:
    from sen_rules.reports.text import render_evaluation

    text = render_evaluation(sen_rules.evaluate(CEASED, as_of=AS_OF))
    assert "Considered, not applying:" in text
    flat = " ".join(text.split())
    assert ("Annual review: does not apply (it applies only when has statement and not "
            "statement ceased), because of the decision “Ceasing to "
            "maintain the Statement: Cease to maintain the Statement”, cease from "
            "2009-01-05 (cessation.progress, quoting “a child no longer meets") in flat
    assert "Statutory assessment panel: does not apply" in flat


def test_explain_shows_the_chain_and_what_brings_an_area_back() -> None:
    x = explain(CEASED, as_of=AS_OF)
    flat = " ".join(x.to_text().split())
    assert "because of the decision “Ceasing to maintain the Statement" in flat
    assert "what would bring it into play:" in flat
    areas = {a["topic"]: a for a in x.to_dict()["trace"]["areas"]}
    assert "cessation.progress" in areas["annual_review"]["because"]
    back = [c for c in x.counterfactuals if c.topic == "annual_review"]
    removed = [c for c in back if [(ch.path, ch.value) for ch in c.changes]
               == [(("cessation", "criteria_no_longer_met_on"), None)]]
    assert removed and removed[0].after.applies and not removed[0].before.applies
    assert "Annual review would apply" in removed[0].text
    # the threshold changes through the cessation decision too
    stage = [c for c in x.counterfactuals if c.topic == "sen_stage"]
    assert any(c.after.outcome == "statement" and c.changes[0].path[0] == "cessation"
               for c in stage)


def test_record_and_report_carry_the_chain(tmp_path: Path) -> None:
    from sen_rules.audit import make_record, verify_record
    from sen_rules.explain.narrative import build_report

    record = make_record(CEASED, as_of=AS_OF)
    areas = {a["topic"]: a for a in record["trace"]["areas"]}
    assert "because of the decision" in areas["transport"]["because"]
    assert record["evaluation"]["not_applicable"]
    assert verify_record(record).status == "holds"
    report = build_report(explain(CEASED, as_of=AS_OF))
    reasons = {aid: rs for aid, _, rs in report.not_applying}
    assert reasons["annual_review"][0].text.startswith("Annual review: does not apply")


# ---------------------------------------------------------------------------- lint, docs


def test_lint_reports_an_area_that_can_never_apply(rules_copy: Callable[..., Path]) -> None:
    directory = rules_copy({TRANSPORT: [
        ("applies_when: has_statement and not statement_provision_ended",
         'applies_when: decisions.cessation.outcome = "maintain_appeal_pending" '
         "and not statement_provision_ended"),
    ], CESSATION: [("    when: cessation.appeal_pending and as_of < nineteenth_birthday\n",
                    "    when: cessation.appeal_pending and false\n")]})
    report = lint(directory, search=False)
    found = [f.diagnostic for f in report.findings if f.diagnostic.code == "SR160"]
    assert len(found) == 1 and "'transport' can never apply" in found[0].message
    assert text_at(found[0]).startswith("decisions.cessation.outcome")
    assert not [f for f in lint(search=False).findings if f.diagnostic.code == "SR160"]


def test_docs_draw_the_graph(rulebase: Rulebase, tmp_path: Path) -> None:
    assert {(e.used, e.user) for e in edges(rulebase)} == {
        ("cessation", "sen_stage"), ("cessation", "annual_review"), ("cessation", "transport")}
    fields = {e.user: e.fields for e in edges(rulebase)}
    assert fields["sen_stage"] == fields["annual_review"] == ("cease_from", "outcome")
    assert fields["transport"] == ("cease_from", "last_day_of_provision", "outcome")
    assert depths(rulebase)["transport"] == 1 and depths(rulebase)["cessation"] == 0
    md = "\n".join(graph_markdown(rulebase))
    assert "cessation -->|cease_from, outcome| annual_review" in md
    write_site(rulebase, tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text()
    assert "<h2>Decision graph</h2>" in index and "<svg" in index and "<script" not in index
    assert "```mermaid" in (tmp_path / "site" / "rulebase.md").read_text()
