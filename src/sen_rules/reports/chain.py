"""The decision chain in words: why an area does not apply, through the decisions it used.

Every output (``evaluate`` text, ``explain``, reports, records) says the same sentence for
an area that was considered and does not apply, built only from the evaluation's own data
(:class:`~sen_rules.engine.result.NotApplicable`), so it reads the same everywhere::

    Annual review: does not apply (it applies only when has statement and it is not the
    case that statement ceased), because of the decision “Ceasing to maintain the
    Statement: Cease to maintain the Statement”, cease from 2009-01-05
    (cessation.progress, quoting “a child no longer meets ...”).
"""

from __future__ import annotations

from typing import Any

from ..engine.result import Decision, DecisionBasis, NotApplicable
from ..values import detail_words


def _value(value: Any) -> str:
    return detail_words(value, dates="iso")


def basis_words(basis: DecisionBasis) -> str:
    """A decision as another area read it: its outcome, the details read, the rules that
    gave it and the words they quote."""
    if not basis.applies:
        return f"“{basis.title}”, which does not apply"
    text = f"the decision “{basis.title}: {basis.outcome_label}”"
    for name, value in basis.details.items():
        text += f", {name.replace('_', ' ')} {_value(value)}"
    quoted = []
    for ref in basis.rules:
        quote = f", quoting “{ref.citations[0].quote}”" if ref.citations else ""
        quoted.append(f"{ref.id}{quote}")
    if quoted:
        text += " (" + "; ".join(quoted) + ")"
    return text


def not_applicable_words(na: NotApplicable) -> str:
    """Why an area does not apply, in one sentence."""
    head = f"{na.title}: does not apply (it applies only when {na.applies_when})"
    if not na.because:
        return head + "."
    return head + ", because of " + " and ".join(basis_words(b) for b in na.because) + "."


def uses_words(decision: Decision) -> str | None:
    """The decisions of other areas a decision's rules read (None: it reads none)."""
    if not decision.uses:
        return None
    return "uses " + " and ".join(basis_words(b) for b in decision.uses)


def settings_words(decision: Decision) -> str | None:
    """The settings (conventions and thresholds) a decision's rules read, said aloud."""
    if not decision.settings:
        return None
    return "settings used: " + "; ".join(f"{s.title} = {_value(s.value)}"
                                         for s in decision.settings)
