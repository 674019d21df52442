"""The SEN threshold and panel routing written by hand in plain Python.

The speed limit the benchmark compares the engines with: the same decisions (outcomes,
the deciding rule, flags, the quadrant) with no rule files, no provenance objects and the
settings written in as constants. It is checked against the engine before it is timed.
"""

from __future__ import annotations

from datetime import date

from sen_rules.case import Case
from sen_rules.dates import DateConventions, compulsory_school_age_start

CONV = DateConventions()
QUADRANTS = frozenset({"North-East", "North-West", "South-East", "South-West"})


def decide(case: Case, as_of: date) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    out: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    early = case.setting.kind == "early_years"
    request = case.assessment_request
    current = [p for p in case.sen_support
               if p.started <= as_of and (p.ended is None or p.ended >= as_of)]
    if case.statement is not None:
        stage = ("statement", "stage.statement")
    elif request is not None and request.outcome == "pending":
        stage = (("early_years_action_plus", "stage.assessment-pending.early-years") if early
                 else ("school_action_plus", "stage.assessment-pending.school"))
    elif any(p.outside_advice_sought for p in current):
        stage = (("early_years_action_plus", "stage.action-plus.early-years") if early
                 else ("school_action_plus", "stage.action-plus.school"))
    elif current:
        stage = (("early_years_action", "stage.action.early-years") if early
                 else ("school_action", "stage.action.school"))
    else:
        stage = ("no_sen_support_recorded", "stage.none")
    out["sen_stage"] = (stage[0], stage[1], ())

    if request is not None:
        flags: list[str] = []
        school_aged = compulsory_school_age_start(case.child.date_of_birth, CONV) <= \
            request.requested_on
        if request.route in ("health_notification", "social_services_notification"):
            routing = ("early_years_panel", "routing.notification")
        elif not school_aged:
            routing = ("early_years_panel", "routing.pre-school")
        else:
            routing = ("pre_assessment_panel", "routing.school-or-parent")
            quadrant = case.setting.quadrant
            if quadrant is None or quadrant not in QUADRANTS:
                flags.append("quadrant-unknown")
        if request.route == "school":
            before = [p for p in case.sen_support if p.started <= request.requested_on]
            if not (any(not p.outside_advice_sought for p in before)
                    and any(p.outside_advice_sought for p in before)):
                flags.insert(0, "action-not-on-record")
        out["assessment_routing"] = (routing[0], routing[1], tuple(flags))
    return out
