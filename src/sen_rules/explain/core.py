"""``explain``: a decision with its full trace, its reasons and what would change it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..case import Case
from ..engine.decide import decide
from ..engine.native import Env
from ..engine.result import Evaluation, NotApplicable, dumps
from ..engine.service import check_backend, compiled, match, prepare
from ..loading.bundled import bundled_rulebase
from ..reports.chain import not_applicable_words
from ..rulebase import Rulebase
from .compact import FORMS, evaluation_to_compact, trace_to_compact
from .counterfactual import Counterfactual, SearchSummary, find_counterfactuals
from .reasons import also_not_met, why_false
from .text import render_explanation, render_summary
from .trace import AreaTrace, RuleTrace, Trace, check_against, relied_on
from .tracing import traced_evaluation
from .values import to_json


def area_to_dict(trace: Trace, at: AreaTrace, na: NotApplicable | None = None
                 ) -> dict[str, Any]:
    area = at.area
    d: dict[str, Any] = {"topic": area.id, "title": area.title, "applies": at.applies}
    if at.applies_node is not None:
        d["applies_when"] = at.applies_node.to_dict()
        if not at.applies:
            d["why_not"] = [r.to_dict() for r in why_false(trace, at.applies_node)]
    if not at.applies:
        if na is not None:
            d["because"] = not_applicable_words(na)
        return d
    d["hit_policy"] = area.hit_policy
    d["outcome"] = at.outcome
    d["deciding"] = list(at.deciding)
    d["overridden"] = list(at.overridden)
    d["rules"] = [rule_to_dict(trace, rt) for rt in at.rules]
    if at.candidates:
        d["ranking"] = [
            {"index": c.index, "path": c.path,
             "criteria": [{"id": el.criterion, "kind": el.kind, "place": el.place,
                           "prefer": el.prefer.to_dict(), "over": el.over.to_dict()}
                          for el in c.elements]}
            for c in at.candidates]
    return d


def rule_to_dict(trace: Trace, rt: RuleTrace) -> dict[str, Any]:
    d = rt.to_dict()
    if not rt.fired:
        d["why_not"] = [r.to_dict() for r in why_false(trace, rt.node)]
        more = also_not_met(trace, rt.node)
        if more:
            d["also_not_met"] = [r.to_dict() for r in more]
    relied = relied_on(trace, [rt.node])
    d["facts"] = [{"path": p, "value": to_json(v)} for p, v in relied.facts.items()]
    return d


def trace_to_dict(trace: Trace, evaluation: Evaluation | None = None) -> dict[str, Any]:
    skipped = {n.topic: n for n in evaluation.not_applicable} if evaluation else {}
    return {
        "areas": [area_to_dict(trace, at, skipped.get(at.area.id)) for at in trace.areas],
        "definitions": {k: d.to_dict() for k, d in trace.definitions.items()},
    }


@dataclass(frozen=True)
class Explanation:
    """A decision, the trace that explains it, and what would change it."""

    rulebase: Rulebase
    case: Case
    as_of: date
    backend: str
    evaluation: Evaluation
    trace: Trace
    counterfactuals: tuple[Counterfactual, ...]
    searched: tuple[SearchSummary, ...] = ()  # how much was searched, per decision

    def to_dict(self, form: str = "full") -> dict[str, Any]:
        """The explanation as data: ``full`` (every text, for a reader without the rulebase)
        or ``compact`` (what the case made of the rulebase, naming rules by id and version:
        :mod:`explain.compact`)."""
        if form not in FORMS:
            raise ValueError(f"form must be one of {', '.join(FORMS)}, not {form!r}")
        compact = form == "compact"
        head: dict[str, Any] = {"form": "compact"} if compact else {}
        return {
            **head,
            "rulebase": self.rulebase.identity(),
            "as_of": self.as_of.isoformat(),
            "case_id": self.case.child.id,
            "backend": self.backend,
            "evaluation": (evaluation_to_compact(self.evaluation) if compact
                           else self.evaluation.to_dict()),
            "trace": (trace_to_compact(self.trace) if compact
                      else trace_to_dict(self.trace, self.evaluation)),
            "counterfactuals": [c.to_dict() for c in self.counterfactuals],
            "counterfactual_search": [
                {"topic": s.topic, "single_changes_tried": s.singles, "pairs_tried": s.pairs,
                 "found": s.found, "complete": s.complete,
                 **({"entries_not_tried": dict(s.untried)} if s.untried else {})}
                for s in self.searched],
        }

    def __repr__(self) -> str:
        outcomes = ", ".join(f"{d.topic}={d.outcome}" for d in self.evaluation.decisions)
        return (f"Explanation(case {self.case.child.id} on {self.as_of.isoformat()}, "
                f"{self.backend}: {outcomes}; {len(self.counterfactuals)} counterfactuals)")

    def to_json(self, indent: int | None = 2, form: str = "full") -> str:
        """Deterministic JSON of :meth:`to_dict` in ``form`` (``full`` or ``compact``)."""
        return dumps(self.to_dict(form), indent=indent)

    def to_text(self, full: bool = False) -> str:
        """For a person: the summary of each decision, or with ``full`` the whole trace."""
        return render_explanation(self) if full else render_summary(self)


def trace_and_decide(rulebase: Rulebase, case: Case | Mapping[str, Any] | str | bytes,
                     as_of: date | str, backend: str = "native"
                     ) -> tuple[Case, date, Evaluation, Trace]:
    """Decide as ``evaluate`` does, with the trace an observer of the native evaluator saw.

    With the durable backend, what it found true must be what the native evaluator found
    true (SR306 otherwise): the trace then explains the durable decision too."""
    check_backend(backend)
    valid, day, epoch = prepare(rulebase, case, as_of)
    program = compiled(rulebase).program(epoch)
    trace, native, evaluation = traced_evaluation(program, valid, day)
    if backend != "native":
        matches = match(rulebase, program, Env(valid, day), backend)
        check_against(native, matches, backend)
        evaluation = decide(program, Env(valid, day), matches)
    return valid, day, evaluation, trace


def explain(case: Case | Mapping[str, Any] | str | bytes, *, as_of: date | str,
            rulebase: Rulebase | None = None, backend: str = "native",
            counterfactuals: bool = True) -> Explanation:
    """Evaluate a case and explain it: every rule of every area in play, its values, why
    it fired or not, and (unless ``counterfactuals=False``) the smallest changes to the
    facts that would change each decision, each verified by evaluating it again.

    The decision is made by ``backend`` exactly as :func:`sen_rules.evaluate` makes it; the
    trace is what an observer of the native evaluator saw while deciding (with the durable
    backend, a disagreement between the backends raises :class:`EvaluationError` SR306
    instead of giving an inconsistent answer).
    """
    rb = rulebase or bundled_rulebase()
    valid, day, evaluation, trace = trace_and_decide(rb, case, as_of, backend)
    found: list[Counterfactual] = []
    searched: list[SearchSummary] = []
    if counterfactuals:
        found, searched = find_counterfactuals(rb, valid, day, evaluation, backend)
    return Explanation(rb, valid, day, backend, evaluation, trace, tuple(found), tuple(searched))
