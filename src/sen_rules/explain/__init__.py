"""Explanations: the trace of a decision, why and why not, and counterfactuals.

::

    from sen_rules.explain import explain
    x = explain(case, as_of="2009-02-01")            # native backend, bundled rulebase
    x.to_text()       # for a person
    x.to_json()       # the whole trace, deterministic
    x.to_json(form="compact")  # without what the rulebase holds (rules by id, version)
    for c in x.counterfactuals: print(c.text)
"""

from __future__ import annotations

from .compact import rule_of
from .core import Explanation, explain, trace_and_decide, trace_to_dict
from .counterfactual import Change, Counterfactual, SearchSummary
from .reasons import Reason, why_false, why_true

__all__ = [
    "Change",
    "Counterfactual",
    "Explanation",
    "Reason",
    "SearchSummary",
    "explain",
    "rule_of",
    "trace_and_decide",
    "trace_to_dict",
    "why_false",
    "why_true",
]
