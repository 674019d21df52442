"""Counterfactuals: the smallest changes to the facts that would change a decision.

Candidates are computed from the compiled rules, never written by hand. The work is in
parts, one job each:

- :mod:`sen_rules.case_description`: what a case field can hold (the case model);
- :mod:`.cf_reads`: what an area's conditions read, and what they compare it with (the IR);
- :mod:`.cf_change`: one change to the facts, applied to case data and said in words;
- :mod:`.cf_candidates`: the single changes worth trying, and which list items are tried;
- :mod:`.cf_search`: each candidate evaluated, pairs when no single change works, the
  changes reported verified on the backend of the decision;
- :mod:`.cf_results`: what is reported, and the order in which changes are preferred.

This module is the public face of them all.
"""

from __future__ import annotations

from ..case_description import spec_at, synthesize
from .cf_candidates import Candidates
from .cf_change import Change, path_text
from .cf_reads import Comparand, Uses, area_uses
from .cf_results import Counterfactual, Outcome, SearchSummary, outcome_of
from .cf_search import MAX_EVALUATIONS, MAX_SINGLES, find_counterfactuals

__all__ = ["MAX_EVALUATIONS", "MAX_SINGLES", "Candidates", "Change",
           "Comparand", "Counterfactual", "Outcome", "SearchSummary", "Uses", "area_uses",
           "find_counterfactuals", "outcome_of", "path_text", "spec_at", "synthesize"]
