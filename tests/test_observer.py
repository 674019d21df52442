"""The native evaluator with an observer: it reports what it evaluates, and observing an
evaluation changes nothing in it."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings

import sen_rules
from sen_rules.engine.decide import decide
from sen_rules.engine.native import Env, Observer, match_native, match_observed
from sen_rules.engine.service import compiled, prepare
from sen_rules.language import ir
from sen_rules.testing.strategies import evaluation_inputs

_EMPTY = {"any": False, "every": True, "no": True}  # the answer when no item decides
SOME = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Recorder(Observer):
    """Keeps every event, and checks that nodes are entered and left in a nested way."""

    def __init__(self) -> None:
        self.open: list[ir.Expr] = []
        self.values: list[tuple[ir.Expr, Any]] = []
        self.areas: list[str] = []
        self.items: list[tuple[str, int]] = []
        self.tested: dict[int, int] = {}  # quantifier -> items tested in its current run
        self.decisions: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {}

    def enter(self, node: ir.Expr, area: str | None, env: Env) -> None:
        self.open.append(node)
        if isinstance(node, ir.Quantifier):
            self.tested[id(node)] = 0

    def item(self, node: ir.Quantifier, env: Env) -> None:
        # reported inside the quantifier, once per item tested, the item already bound
        assert self.open[-1] is node
        assert node.variable in env.vars
        self.tested[id(node)] += 1

    def leave(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        assert self.open.pop() is node
        self.values.append((node, value))
        self._check_items(node, value)

    def _check_items(self, node: ir.Expr, value: Any) -> None:
        """A quantifier tested its items in turn until one decided it, or all of them."""
        if not isinstance(node, ir.Quantifier) or node.condition is None:
            return
        tested = self.tested.pop(id(node))
        collection = next(v for n, v in reversed(self.values) if n is node.collection)
        total = len(collection or ())
        stopped = node.kind != "count" and value != _EMPTY[node.kind]
        assert (1 <= tested <= total) if stopped else tested == total

    def leaf(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        self.values.append((node, value))

    def area(self, program: Any, env: Env) -> None:
        assert not self.open
        self.areas.append(program.area.id)

    def bound(self, variable: str, index: int, env: Env) -> None:
        self.items.append((variable, index))

    def decided(self, area: str, outcome: str, deciding: tuple[str, ...],
                overridden: tuple[str, ...], roles: Any) -> None:
        self.decisions[area] = (outcome, deciding, dict(roles))


@SOME
@given(evaluation_inputs())
def test_observing_an_evaluation_changes_nothing_and_reports_it(
        inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    rulebase = sen_rules.bundled_rulebase()
    case, day, epoch = prepare(rulebase, data, as_of)
    program = compiled(rulebase).program(epoch)
    plain = Env(case, day)
    matches = match_native(program, plain)
    evaluation = decide(program, plain, matches)

    seen = Recorder()
    watched = Env(case, day, seen)
    assert match_observed(program, watched) == matches
    assert decide(program, watched, matches).to_json() == evaluation.to_json()

    assert not seen.open
    assert seen.areas == [ap.area.id for ap in program.order]
    # every rule condition of an area that applies was reported, with the engine's value
    reported = {id(node): value for node, value in seen.values}
    for ap in program.order:
        if ap.area.id not in matches.areas:
            continue
        for key, _ in ap.rules:
            condition = rulebase.rules_by_key[key].when_in_force
            assert bool(reported[id(condition)]) == (key in matches.rules)
    # the decision engine reported each decision as it made it, with every rule's role
    assert set(seen.decisions) == {d.topic for d in evaluation.decisions}
    for d in evaluation.decisions:
        outcome, deciding, roles = seen.decisions[d.topic]
        assert outcome == d.outcome
        cited = {r.id for r in d.rules if r.role in ("outcome", "otherwise")}
        assert {rulebase.rules_by_key[k].id for k in deciding} == cited
        assert set(roles) == {key for key, _ in program.plans[d.topic].code.rules}


def test_a_program_is_complete_and_shared() -> None:
    rulebase = sen_rules.bundled_rulebase()
    epoch = rulebase.epoch(date(2012, 6, 1))
    program = compiled(rulebase).program(epoch)
    assert program is compiled(rulebase).program(epoch)
    assert set(program.plans) == {a.id for a in rulebase.areas}
    assert [ap.area.id for ap in program.observed] == [ap.area.id for ap in program.order]
    # the closure of any node of the rulebase, in its area's scope, plain or observed
    area = rulebase.areas[0]
    rule = next(r for r in area.rules if r.key in epoch.rule_keys)
    assert program.function(rule.when_in_force, area.id) is program.plans[area.id].code.rules[
        [k for k, _ in program.plans[area.id].code.rules].index(rule.key)][1]
