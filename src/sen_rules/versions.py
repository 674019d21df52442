"""Rule versions chosen by a date: the guard the engines test for a rule dated by a date in
the case, and the words that say which version applies and why (docs/dates-and-versions.md).
"""

from __future__ import annotations

from datetime import date

from .language import ir
from .language.printer import canonical
from .language.types import BOOL, DATE
from .rulebase import FOREVER_FROM, FOREVER_UNTIL, InForce, Rule


def version_guard(dated_by: ir.Expr, span: InForce, condition: ir.Expr) -> ir.Expr:
    """``dated_by`` within ``span``, and ``condition``: how a rule dated by a date of the
    case is tested. Both backends compile it like any condition, so they cannot differ."""
    loc = dated_by.loc
    parts: list[ir.Expr] = []
    for op, bound in ((">=", span.start if span.start != FOREVER_FROM else None),
                      ("<=", span.end if span.end != FOREVER_UNTIL else None)):
        if bound is not None:
            const = ir.Const(type=DATE, loc=loc, source=bound.isoformat(), value=bound)
            parts.append(ir.Compare(type=BOOL, loc=loc,
                                    source=f"{dated_by.source} {op} {bound.isoformat()}",
                                    op=op, left=dated_by, right=const))
    if not parts:
        parts.append(ir.Known(type=BOOL, loc=loc, source=f"{dated_by.source} is known",
                              operand=dated_by, negated=False))
    if not (isinstance(condition, ir.Const) and condition.value is True):
        parts.append(condition)
    if len(parts) == 1:
        return parts[0]
    return ir.BoolOp(type=BOOL, loc=condition.loc,
                     source=" and ".join(f"({p.source})" for p in parts), op="and",
                     items=tuple(parts))


def in_force_text(rule: Rule) -> str:
    """A version's dates in words, with the date of the case that chooses it."""
    if rule.dated_by is None:
        return rule.in_force.describe()
    what = f"the date of {rule.date_of}" if rule.date_of else "the date"
    return (f"{rule.in_force.describe()}, by {what} ({canonical(rule.dated_by)}), "
            "not the evaluation date")


def version_reason(rule: Rule, day: date | None) -> str:
    """Why a version applies, given the date that chose it."""
    what = ("the evaluation date" if rule.dated_by is None
            else f"the date of {rule.date_of}" if rule.date_of
            else rule.dated_by.source)
    span = rule.in_force
    if span.always:
        where = "and this version is in force on every date"
    elif span.start == FOREVER_FROM:
        where = f"on or before {span.end.isoformat()}"
    elif span.end == FOREVER_UNTIL:
        where = f"on or after {span.start.isoformat()}"
    else:
        where = f"between {span.start.isoformat()} and {span.end.isoformat()}"
    shown = "unknown" if day is None else day.isoformat()
    return f"version {rule.version} applies because {what} is {shown}, {where}"
