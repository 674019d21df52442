"""Write sen-policy.jdm.json: the Complex Needs Panel and SEN threshold areas as a JDM graph.

The graph is kept as generated JSON (what the GoRules editor would save); this script is
its readable source. Run it after changing the encoding: python benchmarks/peers/make_jdm.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
THRESHOLD = 3  # settings.complex_needs_funding_level in the bundled rules
PRU_ARE = "schools"  # settings.pupil_referral_units_are in the bundled rules
CURRENT = ("date(#.started) <= date(as_of) and (#.ended == null or date(#.ended) >= date(as_of))")


def node(ident: str, kind: str, name: str, content: dict[str, Any] | None = None,
         x: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = {"id": ident, "type": kind, "name": name,
                             "position": {"x": x, "y": 0}}
    if content is not None:
        found["content"] = content
    return found


def expressions(pairs: list[tuple[str, str]], pass_through: bool) -> dict[str, Any]:
    return {"expressions": [{"id": key, "key": key, "value": value} for key, value in pairs],
            "passThrough": pass_through, "inputField": None, "outputPath": None,
            "executionMode": "single"}


def table(hit_policy: str, inputs: list[str], outputs: list[str],
          rows: list[dict[str, str]], output_path: str) -> dict[str, Any]:
    return {
        "hitPolicy": hit_policy,
        "inputs": [{"id": f"in_{f}", "name": f, "field": f} for f in inputs],
        "outputs": [{"id": f"out_{f}", "name": f, "field": f} for f in outputs],
        "rules": [{"_id": f"row{i}", **{(f"in_{k}" if k in inputs else f"out_{k}"): v
                                        for k, v in row.items()}}
                  for i, row in enumerate(rows)],
        "passThrough": True, "inputField": None, "outputPath": output_path,
        "executionMode": "single",
    }


FACTS = [
    # complex_needs_panel: the placements looked at are the proposed one and every candidate
    # the area applies when a placement is in view, a decision is pending, or a pupil with a
    # Statement is out of school or receiving education otherwise
    ("out_of_school_or_otherwise", "contains([\"out_of_school\", \"education_otherwise\"], "
                                   "case.education.status ?? \"in_school\")"),
    ("cnp_applies", "case.proposed_placement != null or len(case.candidate_placements ?? []) > 0"
                    " or case.pending_decision != null"
                    " or (case.statement != null and $.out_of_school_or_otherwise)"),
    ("placements", "filter(flatten([[case.proposed_placement], case.candidate_placements ?? []]),"
                   " # != null)"),
    # the levels of the placements, and of a pending decision about funding
    ("funding_levels", "map(filter(flatten([$.placements, [case.pending_decision]]), "
                       "# != null and #.funding_level != null), #.funding_level)"),
    ("provisions", "map($.placements, #.provision)"),
    ("sectors", "map($.placements, #.sector ?? \"maintained\")"),
    ("joint_discussion_first", "case.joint_funding.placement_discussion_needed_first == true"),
    ("health_or_social_care_issues", "case.significant_health_or_social_care_issues == true"),
    ("unresolved_dispute", "some(case.disputes ?? [], #.resolved != true)"),
    ("complicated_placement", "$.out_of_school_or_otherwise or "
                              "case.proposed_placement.provision == \"education_otherwise\" or "
                              "(case.proposed_placement.provision == \"pupil_referral_unit\" and "
                              f"\"{PRU_ARE}\" == \"education_otherwise\")"),
    # sen_stage: the shared definitions it reads
    # derived.statement_ceased and derived.below_compulsory_school_age are given with the
    # case (benchmarks/peers.py computes them once, outside the timed runs): the cessation
    # decision and the compulsory-school-age calendar are not encoded here
    ("subject_to_statement", "case.statement != null and derived.statement_ceased != true"),
    ("undergoing_statutory_assessment",
     "case.assessment_request != null and (case.assessment_request.outcome ?? \"pending\")"
     " == \"pending\""),
    ("early_years_names_apply", "case.setting.kind == \"early_years\" or "
                                "derived.below_compulsory_school_age == true"),
    ("has_setting", "case.setting.kind != \"none\""),
    ("support_from_own_resources_now", f"some(case.sen_support ?? [], {CURRENT})"),
    ("outside_advice_now",
     f"some(case.sen_support ?? [], {CURRENT} and #.outside_advice_sought == true)"),
]

CNP_ROWS = [  # hit policy collect: every category that applies (the area's `any`)
    {"funding_levels": f"some($, # >= {THRESHOLD})", "rule": '"cnp.funding-level"'},
    {"provisions": 'contains($, "resource_base")', "rule": '"cnp.resource-base"'},
    {"provisions": 'contains($, "special_school")', "rule": '"cnp.special-school"'},
    {"sectors": 'contains($, "independent")', "rule": '"cnp.independent-school"'},
    {"joint_discussion_first": "$ == true", "rule": '"cnp.joint-funding"'},
    {"health_or_social_care_issues": "$ == true", "rule": '"cnp.health-social-care-issues"'},
    {"unresolved_dispute": "$ == true", "rule": '"cnp.unresolved-dispute"'},
    {"complicated_placement": "$ == true", "rule": '"cnp.complicated-placement"'},
]
CNP_INPUTS = ["funding_levels", "provisions", "sectors", "joint_discussion_first",
              "health_or_social_care_issues", "unresolved_dispute", "complicated_placement"]

T, F = "$ == true", "$ == false"
STAGE_ROWS = [  # hit policy first, in the area's priority order
    {"subject_to_statement": T, "outcome": '"statement"', "rule": '"stage.statement"'},
    {"undergoing_statutory_assessment": T, "early_years_names_apply": T,
     "outcome": '"early_years_action_plus"', "rule": '"stage.assessment-pending.early-years"'},
    {"undergoing_statutory_assessment": T, "early_years_names_apply": F,
     "outcome": '"school_action_plus"', "rule": '"stage.assessment-pending.school"'},
    {"outside_advice_now": T, "early_years_names_apply": T, "has_setting": T,
     "outcome": '"early_years_action_plus"', "rule": '"stage.action-plus.early-years"'},
    {"outside_advice_now": T, "early_years_names_apply": F, "has_setting": T,
     "outcome": '"school_action_plus"', "rule": '"stage.action-plus.school"'},
    {"support_from_own_resources_now": T, "early_years_names_apply": T, "has_setting": T,
     "outcome": '"early_years_action"', "rule": '"stage.action.early-years"'},
    {"support_from_own_resources_now": T, "early_years_names_apply": F, "has_setting": T,
     "outcome": '"school_action"', "rule": '"stage.action.school"'},
    {"outcome": '"no_sen_support_recorded"', "rule": '"stage.none"'},  # the otherwise rule
]
STAGE_INPUTS = ["subject_to_statement", "undergoing_statutory_assessment",
                "early_years_names_apply", "has_setting", "outside_advice_now",
                "support_from_own_resources_now"]

DECISIONS = [
    ("complex_needs_panel",
     "cnp_applies ? {outcome: len(cnp_rows) > 0 ? \"complex_needs_panel\" : "
     "\"sen_assessment_team\", rules: len(cnp_rows) > 0 ? map(cnp_rows, #.rule) : "
     "[\"cnp.delegated\"]} : null"),
    ("sen_stage", "{outcome: stage.outcome, rules: [stage.rule]}"),
]


def graph() -> dict[str, Any]:
    nodes = [
        node("request", "inputNode", "request"),
        node("facts", "expressionNode", "facts", expressions(FACTS, True), 200),
        node("cnp", "decisionTableNode", "complex needs categories",
             table("collect", CNP_INPUTS, ["rule"], CNP_ROWS, "cnp_rows"), 400),
        node("stage", "decisionTableNode", "SEN threshold",
             table("first", STAGE_INPUTS, ["outcome", "rule"], STAGE_ROWS, "stage"), 600),
        node("decisions", "expressionNode", "decisions",
             expressions(DECISIONS, False), 800),
        node("response", "outputNode", "response", None, 1000),
    ]
    order = ["request", "facts", "cnp", "stage", "decisions", "response"]
    edges = [{"id": f"{a}-{b}", "sourceId": a, "targetId": b, "type": "edge"}
             for a, b in zip(order, order[1:], strict=False)]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


if __name__ == "__main__":
    (HERE / "sen-policy.jdm.json").write_text(json.dumps(graph(), indent=2) + "\n",
                                              encoding="utf-8")
