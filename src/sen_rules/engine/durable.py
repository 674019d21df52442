"""The durable-rules backend: the same compiled rules, matched by a Rete network.

The IR of each epoch is lowered to a durable-rules ruleset (JSON, never the decorator DSL):

* The case becomes one fact (``t: "case"``) and each item of a list the rules quantify over
  or rank becomes a fact of its own (``t: "e0"`` and so on, with ``_i`` its position). A
  value durable-rules cannot compute (a date function, arithmetic, a comparison of two
  fields) is computed by the host with the native closures and stored in the fact.
* Each yes/no definition becomes a pair of rules that assert a derived fact
  ``{t: "d", n: NAME, v: true|false}``; rules that use the definition join on it. This is
  forward chaining, and it is monotonic: a derived fact is asserted once, never retracted.
* ``any``/``every``/``no`` over a list become derived facts too, matched against the item
  facts (``$not`` patterns for "no item").
* Area applicability is a derived fact that gates every rule of the area.
* The decision of an area that other areas use (``decisions.AREA.FIELD``) is made by the
  host (``engine.decide``) as soon as the network is quiet and the decisions it uses are
  made, and asserted as a decision fact ``{t: "x0", a: AREA, ...}``: whether it applies,
  its outcome and details, and the values the host computes from them. Each condition of a
  later area that reads a decision becomes a pair of rules matching that fact and
  asserting a derived fact (true or false), which the later area's rules join on: the
  chain from one decision to the next is forward chaining in the same session.

Guards against the faults of durable-rules 2.0.28 (docs/backends.md lists them):

1. A sentinel rule of the lowest priority matches every fact, so no fact is ever
   "not handled" (which made ``delete_state`` segfault).
2. Every pattern tests a positive type tag, so no rule is negative-only (which looped).
3. One session per evaluation, deleted in ``finally``, under a per-ruleset lock: never
   more than one live session (the C core allows 1,024).
4. No ``Host``: the C API is driven directly from the calling thread, so no timer thread
   ever dispatches actions concurrently.
5. Our own code runs the actions; any exception is re-raised after the session is deleted.
6. Facts are JSON with dates as ordinals and unknown values as *missing keys* (never
   ``null``), and every comparison carries an explicit ``$ex`` guard, because ``$neq`` and
   cross-field tests treat missing values loosely.
7. Negation (``$not``) does not retract activations made earlier in the same session
   (measured here), so item facts are asserted before the case fact in one batch and
   ``$not`` is only ever used on item facts, never on derived facts.
8. Each ruleset gets a unique name and is deleted when its program is garbage collected.
9. durable-rules' JSON parser reads ``1e-09`` as ``1`` and silently drops what follows, so
   numbers are written in plain decimal notation, and the sentinel counts the facts it saw:
   any fact not taken in stops the evaluation with an error instead of a partial answer.
"""


from __future__ import annotations

import contextlib
import itertools
import json
import threading
import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import codes
from ..errors import BackendUnavailableError, EvaluationError
from ..rulebase import Rulebase
from ..values import fact_value as fact_value
from .decide import record_decision
from .durable_lowering import SENTINEL_PRIORITY as SENTINEL_PRIORITY
from .durable_lowering import Lowering
from .native import Env, Matches, Program

try:  # durable-rules is an optional extra
    import durable_rules_engine as _engine
except ImportError:  # pragma: no cover - exercised where the extra is missing
    _engine = None

_names = itertools.count(1)



def available() -> bool:
    return _engine is not None


def require() -> Any:
    if _engine is None:
        raise BackendUnavailableError(
            "the durable backend needs durable-rules: pip install 'sen-rules[durable]' "
            "(it builds on Python 3.11 and 3.12, not on 3.13 or later)")
    return _engine


def to_json(value: Any) -> str:
    """JSON for durable-rules' own parser, which reads ``1e-09`` as 1 followed by junk.

    Numbers with an exponent are written out in full decimal notation (the shortest text
    that reads back as the same double), everything else as the standard library writes it.
    """
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + to_json(v)
                              for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, float) and not isinstance(value, bool):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
        return text
    return json.dumps(value)


# ---------------------------------------------------------------------------- running


class DurableProgram:
    """A registered durable-rules ruleset for one epoch, safe to share between threads."""

    def __init__(self, rulebase: Rulebase, program: Program) -> None:
        engine = require()
        lowering = Lowering(rulebase, program)
        lowering.build()
        self.program = program
        self.case_kind = lowering.case
        self.item_kinds = list(lowering.items.values())
        self.decision_kinds = lowering.decisions
        self.actions = lowering.actions
        self.definition = lowering.rules
        # the JSON of each derived fact, up to its session id (filled in per evaluation)
        self.derived_json = {
            (a.target, value): to_json({"t": "d", "_f": 1, "n": a.target, "v": value})[:-1]
            + ',"sid":"'
            for a in self.actions.values() if a.kind in ("def+", "def-")
            for value in (True, False)}
        self.name = f"sen_rules_{rulebase.sha256[:12]}_{program.epoch.start.isoformat()}_" \
                    f"{next(_names)}"
        try:
            self.handle = engine.create_ruleset(self.name, to_json(lowering.rules))
        except Exception as exc:
            raise EvaluationError(f"durable-rules could not compile the rulebase: {exc}",
                                  code=codes.SR401) from None
        self.lock = threading.Lock()
        self.sessions = itertools.count(1)
        weakref.finalize(self, _delete_ruleset, self.handle)

    def facts(self, env: Env) -> list[dict[str, Any]]:
        facts: list[dict[str, Any]] = []
        for kind in self.item_kinds:
            assert kind.collection is not None and kind.variable is not None
            items = kind.collection(env) or ()
            bound = env.vars
            for index, item in enumerate(items):
                bound[kind.variable] = item
                fact = kind.write(env)
                fact["_i"] = index
                facts.append(fact)
            bound.pop(kind.variable, None)
        facts.append(self.case_kind.write(env))  # last: see guard 7
        return facts

    def match(self, env: Env) -> Matches:
        engine = require()
        facts = self.facts(env)
        run = _Run(undecided=[ap for ap in self.program.order
                              if ap.area.id in self.decision_kinds])
        with self.lock:
            sid = str(next(self.sessions))
            for fact in facts:
                fact["sid"] = sid
            try:
                batch = _encode(facts)
                expected = len(facts)
                # Forward chaining in rounds: derived facts found by one round of actions
                # are asserted together, which fires the next round. The result does not
                # depend on the order (derived facts are only ever added).
                while batch:
                    result = engine.assert_facts(self.handle, batch)
                    if result[0] not in (0, 2):
                        raise EvaluationError("durable-rules refused the facts "
                                              f"(code {result[0]})", code=codes.SR402)
                    pending = self.run_actions(engine, result[1], sid, run)
                    expected += len(pending)
                    batch = "[" + ",".join(pending) + "]" if pending else ""
                    if not batch and run.undecided:
                        # quiet: every area whose used decisions are made is fully matched
                        made = self.decide_ready(env, sid, run)
                        expected += len(made)
                        batch = _encode(made) if made else ""
                if run.seen != expected:  # guard 9: never a silent, partial answer
                    raise EvaluationError(f"durable-rules took in {run.seen} of {expected} "
                                          "facts; the evaluation was stopped", code=codes.SR405)
            finally:
                engine.delete_state(self.handle, sid)
        return run.matches()

    def run_actions(self, engine: Any, offset: int, sid: str, run: _Run) -> list[str]:
        """Run the actions one assertion fired; the derived facts they found, as JSON."""
        pending: list[str] = []
        started = engine.start_action_for_state(self.handle, offset)
        message = started[1] if started else None
        while message:
            name = message[2:message.index('"', 2)]
            action = self.actions[name]
            kind = action.kind
            if kind == "def+" or kind == "def-":
                key = (action.target, kind == "def+")
                if key not in run.asserted:
                    run.assert_derived(key)
                    pending.append(self.derived_json[key] + sid + '"}')
            elif kind == "rule":
                run.rules.add(action.target)
            elif kind == "element":
                item = json.loads(message)[name]["e"]
                run.elements.add((action.target, int(item["_i"])))
            else:
                run.seen += 1  # the sentinel sees every fact exactly once
            message = engine.complete_and_start_action(self.handle, offset)
        return pending

    def decide_ready(self, env: Env, sid: str, run: _Run) -> list[dict[str, Any]]:
        """Decide each used area whose own used decisions are made, and write their facts."""
        done = set(env.decisions)
        ready = [ap for ap in run.undecided if all(u in done for u in ap.area.uses)]
        if not ready:
            raise EvaluationError("durable-rules stopped before every decision that other "
                                  "areas use was made", code=codes.SR406)
        matches = run.matches()
        facts = []
        for ap in ready:
            run.undecided.remove(ap)
            record_decision(self.program, ap, env, matches)
            fact = self.decision_kinds[ap.area.id].write(env)
            fact["a"] = ap.area.id
            fact["sid"] = sid
            facts.append(fact)
        return facts


@dataclass
class _Run:
    """What one evaluation has matched so far."""

    undecided: list[Any]  # the used areas not decided yet, in decision order
    areas: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    elements: set[tuple[str, int]] = field(default_factory=set)
    asserted: set[tuple[str, bool]] = field(default_factory=set)
    seen: int = 0  # facts the sentinel took in

    def assert_derived(self, key: tuple[str, bool]) -> None:
        name, value = key
        if (name, not value) in self.asserted:
            raise EvaluationError(f"derived fact {name!r} came out both true and false",
                                  code=codes.SR404)
        self.asserted.add(key)
        if value and name.startswith("@"):
            self.areas.add(name[1:])

    def matches(self) -> Matches:
        return Matches(frozenset(self.areas), frozenset(self.rules), frozenset(self.elements))


def _encode(facts: list[dict[str, Any]]) -> str:
    """Facts as JSON; the standard encoder is much faster and only wrong for exponents."""
    plain = not any(type(v) is float and "e" in repr(v) for fact in facts for v in fact.values())
    return json.dumps(facts, separators=(",", ":")) if plain else to_json(facts)


def _delete_ruleset(handle: int) -> None:
    if _engine is not None:
        with contextlib.suppress(Exception):
            _engine.delete_ruleset(handle)

