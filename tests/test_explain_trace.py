"""The explanation trace: it covers every rule in play, obeys the documented semantics node
by node, reads the case at the paths it names, and always agrees with the decision."""

from __future__ import annotations

import json
import operator
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import sen_rules
from sen_rules.case import Case, iter_dates, parse_case
from sen_rules.engine.native import Env
from sen_rules.engine.service import compiled, match, prepare
from sen_rules.errors import EvaluationError
from sen_rules.explain import explain, trace_and_decide, trace_to_dict
from sen_rules.explain.trace import Node, Trace, check_against
from sen_rules.language import ir
from sen_rules.rulebase import Rulebase
from sen_rules.testing.strategies import evaluation_inputs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "cases").glob("*.json"))
MINI = ROOT / "tests" / "data" / "explain" / "rules"
SOME = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

OPS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
       ">": operator.gt, ">=": operator.ge}


def latest_date(text: str) -> date:
    case = parse_case(text)
    return max(d for _, d in iter_dates(case))


@pytest.fixture(scope="module")
def mini() -> Rulebase:
    return sen_rules.load_rulebase(MINI)


MINI_CASE: dict[str, Any] = {
    "child": {"id": "T1", "date_of_birth": "2000-02-29"},
    "setting": {"kind": "school"},
    "proposed_placement": {"id": "P", "name": "Oak", "provision": "special_school",
                           "sector": "maintained", "funding_level": 2},
    "statement": {"made_on": "2008-01-10", "reviews": [
        {"held_on": "2009-01-05", "transport_reconsidered": True}, {"held_on": "2010-01-04"}]},
    "education": {"status": "out_of_school"},
    "candidate_placements": [
        {"id": "A", "name": "Ash", "provision": "mainstream_school", "distance_km": 12.5},
        {"id": "B", "name": "Birch", "provision": "special_school", "distance_km": 3.0}],
}


# ---------------------------------------------------------------------------- helpers


def resolve_path(case: Case, path: str) -> Any:
    """Follow ``statement.reviews[1].held_on`` through a validated case."""
    value: Any = case
    for part in re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\[\d+\]", path):
        value = value[int(part[1:-1])] if part.startswith("[") else getattr(value, part)
    return value


def check_semantics(trace: Trace, node: Node) -> None:
    """Each node's value follows from its children's values by the documented rules."""
    e, v = node.expr, node.value
    kids = [c.value for c in node.children]
    if node.error:
        return
    if isinstance(e, ir.BoolOp):
        holds = all(map(bool, kids)) if e.op == "and" else any(map(bool, kids))
        assert bool(v) == holds, e.source
    elif isinstance(e, ir.Not):
        assert v == (not kids[0]), e.source
    elif isinstance(e, ir.Known):
        assert v == ((kids[0] is None) if e.negated else (kids[0] is not None)), e.source
    elif isinstance(e, ir.Compare):
        left, right = kids
        compared = False if left is None or right is None else OPS[e.op](left, right)
        assert v == compared, e.source
    elif isinstance(e, ir.Membership):
        item, coll = kids
        member = False if item is None else (item in (coll or ())) != e.negated
        assert v == member, e.source
    elif isinstance(e, ir.Quantifier) and e.condition is not None and not node.items_omitted:
        truths = [bool(i.node.value) for i in node.items if i.node is not None]
        want: Any = {"any": any(truths), "every": all(truths), "no": not any(truths),
                     "count": sum(truths)}[e.kind]
        assert v == want, e.source
    elif isinstance(e, ir.IfThenElse):
        cond, then, other = kids
        assert v == (then if cond else other), e.source
    elif isinstance(e, ir.DefinitionRef):
        if node.inline:
            assert v == node.children[0].value
        else:
            assert node.definition is not None
            assert trace.definitions[node.definition].value == v
    elif isinstance(e, ir.FieldRef) and not any(e.through_list):
        assert len(node.reads) == 1
        assert node.reads[0][1] == v
    for child in node.children:
        check_semantics(trace, child)
    for item in node.items:
        if item.node is not None:
            check_semantics(trace, item.node)


def all_nodes(trace: Trace) -> list[Node]:
    roots: list[Node] = []
    for at in trace.areas:
        if at.applies_node is not None:
            roots.append(at.applies_node)
        roots.extend(rt.node for rt in at.rules)
        for c in at.candidates:
            for el in c.elements:
                roots.extend([el.prefer, el.over])
    roots.extend(d.node for d in trace.definitions.values() if d.node is not None)
    return roots


def derive_outcome(rulebase: Rulebase, area_json: dict[str, Any]) -> str | None:
    """The outcome a reader works out from the trace JSON alone, by the hit policies."""
    area = rulebase.area(area_json["topic"])
    assert area is not None
    otherwise = area.otherwise.id if area.otherwise else None
    fired = [(i, r) for i, r in enumerate(area_json["rules"])
             if r["fired"] and r["effect"] == "outcome" and r["id"] != otherwise]
    if not fired:
        return area.otherwise.value if area.otherwise else None
    if area.hit_policy == "first":
        return str(min(fired, key=lambda ir_: (ir_[1]["priority"], ir_[0]))[1]["value"])
    if area.hit_policy == "any":
        values = {r["value"] for _, r in fired}
        assert len(values) == 1
        return str(values.pop())
    order = [o.value for o in area.outcomes]
    return str(min((r["value"] for _, r in fired), key=order.index))


def check_trace_against_decision(rulebase: Rulebase, evaluation: sen_rules.Evaluation,
                                 trace_json: dict[str, Any]) -> None:
    decided = {d.topic: d for d in evaluation.decisions}
    applying = {a["topic"] for a in trace_json["areas"] if a["applies"]}
    assert applying == set(decided)
    assert [a["topic"] for a in trace_json["areas"]] == [a.id for a in rulebase.areas]
    for a in trace_json["areas"]:
        if not a["applies"]:
            assert "rules" not in a
            continue
        d = decided[a["topic"]]
        for r in a["rules"]:
            assert r["fired"] == bool(r["condition"]["value"])
        used = {r.id for r in d.rules if r.role in ("outcome", "otherwise")}
        assert {r["id"] for r in a["rules"] if r["role"].startswith("decided")} == used
        raised = {r.id for r in d.rules if r.role in ("flag", "note")}
        assert {r["id"] for r in a["rules"] if r["role"] in ("flag raised", "note raised")} \
            == raised
        assert [r["id"] for r in a["rules"] if r["role"] == "overridden"] == list(d.overridden)
        assert derive_outcome(rulebase, a) == d.outcome == a["outcome"]
        for r in a["rules"]:
            if not r["fired"]:
                assert r["why_not"], r["id"]


# ---------------------------------------------------------------------------- properties


@SOME
@given(evaluation_inputs())
def test_the_trace_agrees_with_the_decision_on_generated_cases(
        inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    rulebase = sen_rules.bundled_rulebase()
    for backend in sen_rules.BACKENDS:
        case, day, evaluation, trace = trace_and_decide(rulebase, data, as_of, backend)
        assert evaluation.to_json() == sen_rules.evaluate(data, as_of=as_of,
                                                          backend=backend).to_json()
        # what the trace found true is exactly what the backend found true
        valid, day, epoch = prepare(rulebase, data, as_of)
        program = compiled(rulebase).program(epoch)
        assert trace.matches() == match(rulebase, program, Env(valid, day), backend)
        trace_json = json.loads(json.dumps(trace_to_dict(trace)))
        check_trace_against_decision(rulebase, evaluation, trace_json)
        for node in all_nodes(trace):
            check_semantics(trace, node)
            for n in node.walk():
                for path, value in n.reads:
                    if path.split(".")[0].split("[")[0] in Case.model_fields:
                        assert resolve_path(case, path) == value, path


def test_a_disagreement_with_the_backend_is_an_error(rulebase: Rulebase) -> None:
    text = (ROOT / "examples" / "cases" / "school-referral-without-action.json").read_text()
    _, _, _, trace = trace_and_decide(rulebase, text, "2006-06-01")
    matches = trace.matches()
    wrong = type(matches)(matches.areas, matches.rules - {"routing.school-or-parent"},
                          matches.elements)
    with pytest.raises(EvaluationError, match="disagrees") as err:
        check_against(matches, wrong, "durable")
    assert err.value.code == "SR306"
    check_against(matches, matches, "durable")  # agreeing is silent


# ---------------------------------------------------------------------------- examples


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_is_explained_in_full(path: Path, rulebase: Rulebase) -> None:
    text = path.read_text(encoding="utf-8")
    as_of = latest_date(text)
    x = explain(text, as_of=as_of, counterfactuals=False)
    data = json.loads(x.to_json())
    check_trace_against_decision(rulebase, x.evaluation, data["trace"])
    epoch = rulebase.epoch(as_of)
    for area_json in data["trace"]["areas"]:
        if not area_json["applies"]:
            continue
        area = rulebase.area(area_json["topic"])
        assert area is not None
        in_force = [r.id for r in list(area.rules) + ([area.otherwise] if area.otherwise else [])
                    if r.key in epoch.rule_keys]
        assert [r["id"] for r in area_json["rules"]] == in_force
    assert x.to_json() == explain(text, as_of=as_of, counterfactuals=False).to_json()
    assert x.to_text(full=True) == explain(text, as_of=as_of,
                                           counterfactuals=False).to_text(full=True)


def test_school_referral_without_action_is_explained(rulebase: Rulebase) -> None:
    text = (ROOT / "examples" / "cases" / "school-referral-without-action.json").read_text()
    x = explain(text, as_of="2006-06-01", counterfactuals=False)
    routing = x.trace.area("assessment_routing")
    assert routing is not None and routing.applies
    notification = routing.rule("routing.notification")
    assert notification is not None and not notification.fired
    data = json.loads(x.to_json())
    rules = {r["id"]: r for a in data["trace"]["areas"] if a["applies"] for r in a["rules"]}
    why = " / ".join(_texts(rules["routing.notification"]["why_not"]))
    assert 'assessment request › route is "school"' in why
    assert rules["routing.school-or-parent"]["role"] == "decided"
    assert rules["routing.school-referral-without-action"]["role"] == "flag raised"
    facts = {f["path"]: f["value"] for f in rules["routing.school-referral-without-action"][
        "facts"]}
    assert facts["assessment_request.route"] == "school"
    assert facts["sen_support[0].outside_advice_sought"] is False
    assert facts["assessment_request.requested_on"] == "2006-05-15"
    # the compulsory school age start is an intermediate value, shown with its date
    text_out = x.to_text(full=True)
    assert "compulsory_school_age_start(child.date_of_birth) → 31 August 2005" in text_out
    assert "school_aged_at_request = yes" in text_out
    # the rule that did not fire because of a definition says why, inside the definition
    pre_school = " / ".join(_texts(rules["routing.pre-school"]["why_not"]))
    assert "The child had reached compulsory school age on the date of the request" in \
        pre_school and "31 August 2005" in pre_school


def test_parts_the_engine_did_not_need_are_marked(rulebase: Rulebase) -> None:
    text = (ROOT / "examples" / "cases" / "school-referral-without-action.json").read_text()
    x = explain(text, as_of="2006-06-01", counterfactuals=False)
    stage = x.trace.area("sen_stage")
    assert stage is not None
    rt = stage.rule("stage.action-plus.early-years")
    assert rt is not None and not rt.fired
    # outside_advice_now and early_years_names_apply and setting.kind != "none"
    first, *rest = rt.node.children
    assert first.evaluated and not first.truth
    assert rest and not any(r.evaluated for r in rest)  # "and" stopped at the first false part
    data = json.loads(x.to_json())
    rule = next(r for a in data["trace"]["areas"] if a["topic"] == "sen_stage"
                for r in a["rules"] if r["id"] == "stage.action-plus.early-years")
    assert rule["condition"]["children"][1]["evaluated"] is False
    assert rule["also_not_met"]  # the early-years part fails too


# ---------------------------------------------------------------------------- mini rules


def test_list_paths_dates_and_ranking_in_the_trace(mini: Rulebase) -> None:
    x = explain(MINI_CASE, as_of="2011-03-01", rulebase=mini, counterfactuals=False)
    data = json.loads(x.to_json())
    reads = {(r["path"], json.dumps(r["value"])) for a in data["trace"]["areas"]
             for rule in a.get("rules", []) for r in _reads(rule["condition"])}
    reads |= {(r["path"], json.dumps(r["value"])) for d in data["trace"]["definitions"].values()
              for r in _reads(d["condition"])}
    assert ("statement.reviews[1].held_on", '"2010-01-04"') in reads
    assert ("statement.reviews[0].held_on", '"2009-01-05"') in reads
    assert ("statement.reviews[1].transport_reconsidered", "null") in reads
    assert data["trace"]["definitions"]["last_review"]["value"] == "2010-01-04"
    choice = next(a for a in data["trace"]["areas"] if a["topic"] == "choice")
    first = choice["ranking"][0]
    assert first["path"] == "candidate_placements[0]"
    local = first["criteria"][0]
    assert local["place"] == "over"
    assert _reads(local["over"])[0] == {"path": "candidate_placements[0].distance_km",
                                        "value": 12.5}
    reviews = next(a for a in data["trace"]["areas"] if a["topic"] == "reviews")
    overdue = next(r for r in reviews["rules"] if r["id"] == "reviews.overdue")
    assert overdue["role"] == "decided" and reviews["hit_policy"] == "priority"
    # date arithmetic shows its intermediate value
    arith = overdue["condition"]["children"][0]
    assert arith["expr"] == "last_review + 12 months" and arith["value"] == "2011-01-04"
    school = next(a for a in data["trace"]["areas"] if a["topic"] == "school_age")
    assert school["applies_when"]["value"] is True
    check_trace_against_decision(mini, x.evaluation, data["trace"])


def test_an_area_that_does_not_apply_says_why(mini: Rulebase) -> None:
    case = {"child": {"id": "T2", "date_of_birth": "2010-01-01"}}
    x = explain(case, as_of="2012-01-01", rulebase=mini, counterfactuals=False)
    data = json.loads(x.to_json())
    assert not x.evaluation.decisions
    for a in data["trace"]["areas"]:
        assert a["applies"] is False
        assert a["why_not"], a["topic"]
    school = next(a for a in data["trace"]["areas"] if a["topic"] == "school_age")
    assert "compulsory school age" in " / ".join(_texts(school["why_not"]))


def _reads(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(node.get("reads", []))
    for child in node.get("children", []):
        out.extend(_reads(child))
    for item in node.get("items", []):
        if "condition" in item:
            out.extend(_reads(item["condition"]))
    return out


def _texts(reasons: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in reasons:
        out.append(r["text"])
        out.extend(_texts(r.get("because", [])))
    return out


def test_every_kind_of_node_is_traced() -> None:
    # a leaf is one event; every kind with parts needs its builder
    from sen_rules.engine.observing import LEAVES
    from sen_rules.explain.tracing import _BUILDERS

    assert set(ir.NODE_KINDS) == set(LEAVES) | set(_BUILDERS)
    assert not set(LEAVES) & set(_BUILDERS)
