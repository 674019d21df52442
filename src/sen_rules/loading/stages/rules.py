"""The rules of an area (built by stage "areas") and stage "rule versions": each rule has
one effect, names outcomes of its area, cites the policy, has a unique id and version, a
span in force, and the date of the case that chooses its version, if not the evaluation
date; every version of one rule is chosen by the same date."""

from __future__ import annotations

from ... import codes
from ...language import ir
from ...language.checker import Scope
from ...language.printer import canonical
from ...language.types import BOOL
from ...rulebase import Rule, rule_key
from ...sources import fold
from ...suggest import did_you_mean
from ...versions import version_guard
from .. import schema
from ..citing import citations
from ..compilation import INVALID, Compilation
from ..expressions import expression, reads_as_of
from ..spans import in_force
from ..yamlfile import Path as YPath
from ..yamlfile import YamlDocument


def effects_of(entry: schema.RuleEntry) -> list[tuple[str, str]]:
    """What a rule gives: ``outcome``, ``flag`` or ``note`` with its value (one of them)."""
    return [(k, v) for k, v in (("outcome", entry.outcome), ("flag", entry.flag),
                                ("note", entry.note)) if v is not None]


def check_shape(c: Compilation, entry: schema.RuleEntry, area: str, doc: YamlDocument,
                path: YPath, outcomes: list[str]) -> bool:
    """The keys of a rule go together; its outcomes are outcomes of its area."""
    loc = doc.where(path)
    effects = effects_of(entry)
    ok = True
    if len(effects) != 1:
        c.error(codes.SR103, f"rule {entry.id!r} must have exactly one of 'outcome', 'flag' "
                f"or 'note' (it has {len(effects) or 'none'})", loc)
        ok = False
    if entry.when is None and entry.when_outcome is None:
        c.error(codes.SR103, f"rule {entry.id!r} needs 'when' (a condition) or "
                "'when_outcome' (the outcome it accompanies)", loc)
        ok = False
    for key, value in (("outcome", entry.outcome), ("when_outcome", entry.when_outcome)):
        if value is not None and value not in outcomes:
            c.error(codes.SR104, f"{value!r} is not an outcome of area {area!r}"
                    + did_you_mean(value, outcomes)
                    + f" (its outcomes: {', '.join(outcomes)})", doc.where(path + (key,)))
            ok = False
    if entry.when_outcome is not None and entry.outcome is not None:
        c.error(codes.SR103, f"rule {entry.id!r}: 'when_outcome' is for flags and notes", loc)
        ok = False
    if entry.when_decided_by and entry.outcome is not None:
        c.error(codes.SR103, f"rule {entry.id!r}: 'when_decided_by' is for flags and notes", loc)
        ok = False
    return ok


def build_rule(c: Compilation, entry: schema.RuleEntry, area: str, doc: YamlDocument,
               path: YPath, outcomes: list[str], area_scope: Scope) -> Rule | None:
    """The checked rule (None: reported)."""
    loc = doc.where(path)
    ok = check_shape(c, entry, area, doc, path, outcomes)
    if not entry.cites:
        c.error(codes.SR123, f"rule {entry.id!r} cites nothing: every rule quotes the clause "
                "of the policy (or statute) it implements", loc)
    when = entry.when
    if isinstance(when, bool):  # YAML reads an unquoted true/false as a yes/no value
        when = "true" if when else "false"
    condition = (expression(c, when, doc, path + ("when",), area_scope, BOOL)
                 if when is not None else
                 ir.Const(type=BOOL, loc=loc, source="true", value=True))
    details = {}
    for name, text in entry.details.items():
        expr = expression(c, text, doc, path + ("details", name), area_scope)
        if expr is not None:
            details[name] = expr
    cites = citations(c, entry.cites, doc, path + ("cites",))
    span = in_force(c, entry.in_force, doc, path + ("in_force",))
    dated_by = dating(c, entry, area, doc, path + ("in_force",), area_scope)
    ok = claim_id(c, entry, doc, path) and ok and dated_by is not INVALID
    for rid in entry.register_ids:
        c.register_refs.append((rid, loc))
    if not ok or condition is None or len(details) != len(entry.details):
        return None
    effect, value = effects_of(entry)[0]
    c.order += 1
    dated = dated_by if isinstance(dated_by, ir.Expr) else None
    c.datings.setdefault(entry.id, []).append(
        (entry.version, canonical(dated) if dated is not None else None,
         doc.where(path + ("in_force",)) if entry.in_force else loc))
    return Rule(entry.id, entry.version, entry.title, area, condition,
                effect, value, fold(entry.message) if entry.message else None,  # type: ignore[arg-type]
                details, entry.priority, c.order, span, cites, tuple(entry.register_ids), loc,
                entry.when_outcome, tuple(entry.when_decided_by),
                dated, entry.in_force.date_of if dated is not None and entry.in_force
                else None,
                version_guard(dated, span, condition) if dated is not None else None)


def claim_id(c: Compilation, entry: schema.RuleEntry, doc: YamlDocument, path: YPath) -> bool:
    """A rule's id and version are used once in the rulebase."""
    key = rule_key(entry.id, entry.version)
    ok = True
    if key in c.rule_keys:
        c.error(codes.SR105, f"rule id {key!r} is also used at {c.rule_keys[key]}",
                doc.where(path + ("id",)))
        ok = False
    c.rule_keys.setdefault(key, doc.where(path))
    return ok


def dating(c: Compilation, entry: schema.RuleEntry, area: str, doc: YamlDocument,
           path: YPath, area_scope: Scope) -> ir.Expr | object | None:
    """The date of the case that chooses the rule's version: None for the evaluation
    date (the default, or ``dated_by: as_of``), the checked expression, or INVALID."""
    given = entry.in_force
    if given is None or given.dated_by is None:
        if given is not None and given.date_of is not None:
            c.error(codes.SR145, f"rule {entry.id!r}: 'date_of' names the event whose date "
                    "chooses the version; give that date as 'dated_by'",
                    doc.where(path + ("date_of",)))
            return INVALID
        return None
    if given.dated_by.strip() == "as_of":
        return None
    where = doc.where(path + ("dated_by",))
    expr = expression(c, given.dated_by, doc, path + ("dated_by",), area_scope)
    if expr is None:
        return INVALID
    if expr.type.kind != "date":
        c.error(codes.SR145, f"rule {entry.id!r}: 'dated_by' must be a date of the case "
                f"(such as the date of a placement or a request), but this is "
                f"{expr.type}", where)
        return INVALID
    if reads_as_of(c, expr, area):
        c.error(codes.SR146, f"rule {entry.id!r}: 'dated_by' must be a date recorded in or "
                "derived from the case, not one that depends on the evaluation date "
                "(as_of); leave 'dated_by' out to date the rule by the evaluation date",
                where)
        return INVALID
    return expr


def check_datings(c: Compilation) -> None:
    """Every version of one rule is chosen by the same date (SR147)."""
    for rule_id, versions in c.datings.items():
        first_version, first, _ = versions[0]
        for version, dated, loc in versions[1:]:
            if dated != first:
                c.error(codes.SR147, f"versions of rule {rule_id!r} must be chosen by the "
                        f"same date: version {first_version!r} is dated by "
                        f"{_said(first)}, version {version!r} by {_said(dated)}", loc)


def _said(dated: str | None) -> str:
    return "the evaluation date" if dated is None else f"'dated_by: {dated}'"
