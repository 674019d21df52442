"""The content of a decision report, independent of its format (Markdown or HTML).

For each decision: the outcome; the rules that produced it with why they held; every
policy clause they cite, quoted in full with the quoted words marked; the facts of the
case and the intermediate values relied on; flags and notes; the rules of the area that
did not apply and why; and what would change the outcome. Everything is derived from the
explanation (the same compiled rules as the decision); nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..engine.result import Decision, thaw
from ..reports.chain import basis_words, not_applicable_words
from ..rulebase import Citation, Rulebase
from ..sources import fold
from ..values import detail_words
from .reasons import Reason, why_false, why_true
from .trace import AreaTrace, RuleTrace, Trace, relied_on
from .values import day_words, say, say_computed

if TYPE_CHECKING:
    from .core import Explanation


@dataclass(frozen=True)
class QuotedClause:
    """A clause of a source, in full, with the spans that a rule quotes."""

    source: str
    source_title: str
    clause: str
    line: int
    text: str  # whitespace folded
    spans: tuple[tuple[int, int], ...]  # [start, end) of each quoted part, in order
    references: tuple[str, ...]  # statute references given with the citation

    def pieces(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, quoted?) parts."""
        out: list[tuple[str, bool]] = []
        at = 0
        for start, end in self.spans:
            if start > at:
                out.append((self.text[at:start], False))
            out.append((self.text[max(start, at):end], True))
            at = max(at, end)
        if at < len(self.text):
            out.append((self.text[at:], False))
        return out


@dataclass(frozen=True)
class RuleSection:
    id: str
    version: str
    title: str
    role: str
    reasons: tuple[Reason, ...]
    clauses: tuple[QuotedClause, ...]


@dataclass(frozen=True)
class FindingSection:
    kind: str  # flag | note
    code: str
    message: str
    rule: RuleSection


@dataclass(frozen=True)
class NotApplied:
    id: str
    title: str
    effect: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class DecisionSection:
    topic: str
    title: str
    outcome: str
    outcome_label: str
    hit_policy: str
    details: tuple[tuple[str, str], ...]
    applies: tuple[Reason, ...]  # why the area applies (empty: it always does)
    because: tuple[RuleSection, ...]
    findings: tuple[FindingSection, ...]
    ranking: tuple[Mapping[str, Any], ...]
    ranking_steps: tuple[str, ...]
    criteria: tuple[RuleSection, ...]
    facts: tuple[tuple[str, str], ...]
    derived: tuple[tuple[str, str, str], ...]  # (title, name, value)
    overridden: tuple[NotApplied, ...]
    not_applied: tuple[NotApplied, ...]
    counterfactuals: tuple[str, ...]
    flag_counterfactuals: tuple[str, ...]
    searched: str


@dataclass(frozen=True)
class Report:
    case_id: str
    as_of: date
    rulebase: Mapping[str, str]
    rulebase_title: str
    backend: str
    package_version: str
    case_sha256: str
    decisions: tuple[DecisionSection, ...]
    not_applying: tuple[tuple[str, str, tuple[Reason, ...]], ...] = field(default=())

    @property
    def as_of_words(self) -> str:
        return day_words(self.as_of)


# ---------------------------------------------------------------------------- building


def quote_clauses(rulebase: Rulebase, citations: tuple[Citation, ...]) -> tuple[QuotedClause, ...]:
    """Each cited clause once, in full, with every part quoted from it marked."""
    order: list[tuple[str, str]] = []
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    refs: dict[tuple[str, str], list[str]] = {}
    texts: dict[tuple[str, str], str] = {}
    for c in citations:
        source = rulebase.sources.get(c.source)
        clause = source.clause(c.clause) if source else None
        key = (c.source, c.clause)
        if key not in spans:
            order.append(key)
            spans[key] = []
            refs[key] = []
            texts[key] = fold(clause.text) if clause else fold(c.quote)
        text, quote = texts[key], fold(c.quote)
        start = text.find(quote)
        if start >= 0:
            spans[key].append((start, start + len(quote)))
        if c.reference and c.reference not in refs[key]:
            refs[key].append(c.reference)
    out = []
    for key in order:
        source = rulebase.sources.get(key[0])
        clause = source.clause(key[1]) if source else None
        out.append(QuotedClause(key[0], source.title if source else key[0], key[1],
                                clause.line if clause else 0, texts[key],
                                tuple(_merge(spans[key])), tuple(refs[key])))
    return tuple(out)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _rule_section(trace: Trace, rt: RuleTrace, role: str) -> RuleSection:
    r = rt.rule
    return RuleSection(r.id, r.version, r.title, role, tuple(why_true(trace, rt.node)),
                       quote_clauses(trace.rulebase, r.citations))


def _decision(x: Explanation, at: AreaTrace, d: Decision) -> DecisionSection:
    trace, rb = x.trace, x.rulebase
    area = at.area
    deciding = set(at.deciding)
    because = tuple(_rule_section(trace, rt, "outcome") for rt in at.rules
                    if rt.rule.key in deciding)
    findings = []
    used_nodes = [rt.node for rt in at.rules if rt.rule.key in deciding]
    if at.applies_node is not None:
        used_nodes.insert(0, at.applies_node)
    by_id = {(rt.rule.id, rt.rule.value): rt for rt in at.rules}
    for kind, items in (("flag", d.flags), ("note", d.notes)):
        for f in items:
            rt = by_id.get((f.rule, f.code))
            if rt is None:
                continue
            used_nodes.append(rt.node)
            findings.append(FindingSection(kind, f.code, f.message,
                                           _rule_section(trace, rt, kind)))
    for cand in at.candidates:  # the ranking rests on every check and criterion
        for el in cand.elements:
            used_nodes.extend((el.prefer, el.over))
    relied = relied_on(trace, used_nodes)
    facts = tuple((p, say(v)) for p, v in relied.facts.items()
                  if v is None or not _is_record(v))
    derived = tuple((dv.title, dv.name, say_computed(dv.value)) for dv in relied.derived.values())
    # the decisions of other areas and the settings (conventions) the rules read, said aloud
    derived += tuple((f"The decision “{b.title}”", f"decisions.{b.topic}", basis_words(b))
                     for b in d.uses)
    derived += tuple((st.title, f"settings.{st.name}", say(st.value)) for st in d.settings)
    overridden = tuple(NotApplied(rt.rule.id, rt.rule.title, rt.rule.effect,
                                  tuple(why_true(trace, rt.node)))
                       for rt in at.rules if rt.role == "overridden")
    not_applied = _not_applied(trace, at)
    ranking = tuple(thaw(d.details.get("ranking") or ()))
    steps = _ranking_steps(d)
    criteria = tuple(
        RuleSection(ref.id, ref.version, ref.title, ref.role, (),
                    quote_clauses(rb, ref.citations))
        for ref in d.rules if ref.role in ("check", "criterion"))
    details = tuple((k.replace("_", " "), detail_words(v)) for k, v in thaw(d.details).items()
                    if k not in ("ranking", "steps") and not isinstance(v, dict)
                    and not (isinstance(v, list) and v and isinstance(v[0], dict)))
    cfs = [c for c in x.counterfactuals if c.topic == area.id]
    searched_text = _searched_text(x, area.id)
    applies = (tuple(why_true(trace, at.applies_node)) if at.applies_node is not None else ())
    return DecisionSection(
        topic=area.id, title=area.title, outcome=d.outcome, outcome_label=d.outcome_label,
        hit_policy=area.hit_policy, details=details, applies=applies, because=because,
        findings=tuple(findings), ranking=ranking, ranking_steps=tuple(steps),
        criteria=criteria, facts=facts, derived=derived, overridden=overridden,
        not_applied=tuple(not_applied),
        counterfactuals=tuple(c.text for c in cfs if c.kind == "outcome"),
        flag_counterfactuals=tuple(c.text for c in cfs if c.kind == "flag"),
        searched=searched_text)


def _not_applied(trace: Trace, at: AreaTrace) -> list[NotApplied]:
    """The rules of an area that did not fire, and the findings that were not raised."""
    not_applied = []
    for rt in at.rules:
        if rt.fired or rt.rule is at.area.otherwise:
            continue
        not_applied.append(NotApplied(rt.rule.id, rt.rule.title, rt.rule.effect,
                                      tuple(why_false(trace, rt.node))))
    for rt in at.rules:
        if rt.fired and rt.role.startswith("not raised"):
            if rt.rule.when_outcome is not None and rt.rule.when_outcome != at.outcome:
                text = (f"it applies only when the outcome is {rt.rule.when_outcome}, and the "
                        f"outcome is {at.outcome}")
            else:
                text = ("it applies only when the decision rests on "
                        + " or ".join(rt.rule.when_decided_by) + ", and it does not")
            not_applied.append(NotApplied(rt.rule.id, rt.rule.title, rt.rule.effect,
                                          (Reason(text),)))
    return not_applied


def _ranking_steps(d: Decision) -> list[str]:
    """Each step of a ranking in words, with the conflicts the panel has to weigh."""
    steps = []
    for step in thaw(d.details.get("steps") or ()):
        text = (f"{step['higher']} {'and' if step['tie'] else 'above'} {step['lower']}: "
                f"{step['reason']}")
        if step.get("conflicts") and not step.get("tie"):
            pulls = "; ".join(f"“{c.get('words', c['criterion'])}”" for c in step["conflicts"])
            text += f" (but {pulls} favour{'s' if len(step['conflicts']) == 1 else ''} " \
                    f"{step['lower']}: a conflict for the panel to weigh)"
        steps.append(text)
    return steps


def _searched_text(x: Explanation, topic: str) -> str:
    """How far the search for counterfactuals went."""
    searched = next((s for s in x.searched if s.topic == topic), None)
    if searched is None:
        return "Counterfactuals were not computed."
    return (f"Searched {searched.singles} single changes"
            + (f" and {searched.pairs} pairs" if searched.pairs else "")
            + " of the facts the rules of this area read; each change listed was "
            f"verified by evaluating the changed case again ({x.backend} backend)."
            + ("" if searched.complete else " The search stopped at its budget "
               "of evaluations: other changes may exist.")
            + (f" {searched.untried_words()}" if searched.untried else ""))


def _is_record(value: Any) -> bool:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return True
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, BaseModel)
                                                            for v in value)


def build_report(x: Explanation) -> Report:
    from ..audit.record import canonical_case, package_version, sha256_of

    decisions = []
    not_applying = []
    for at in x.trace.areas:
        d = x.evaluation.decision(at.area.id)
        if at.applies and d is not None:
            decisions.append(_decision(x, at, d))
        elif at.applies_node is not None:
            na = next((n for n in x.evaluation.not_applicable if n.topic == at.area.id), None)
            chain: tuple[Reason, ...] = ((Reason(not_applicable_words(na)),) if na is not None
                                         else ())
            back = tuple(Reason(c.text) for c in x.counterfactuals if c.topic == at.area.id)
            if back:
                chain += (Reason("What would bring it into play:", back),)
            not_applying.append((at.area.id, at.area.title,
                                 chain + tuple(why_false(x.trace, at.applies_node))))
    return Report(
        case_id=x.case.child.id, as_of=x.as_of, rulebase=x.rulebase.identity(),
        rulebase_title=x.rulebase.title, backend=x.backend, package_version=package_version(),
        case_sha256=sha256_of(canonical_case(x.case)), decisions=tuple(decisions),
        not_applying=tuple(not_applying))
