"""The SEN policy written out by hand in plain Python, from the policy text.

This module is the independent check on the rulebase: it was written from
``rules/sources/learning-trust-sen-policy.txt``, the legal facts in
``rules/sources/domain-facts.md`` and the readings chosen in the ambiguity register, never
from the rule files, and it imports nothing of the rule engine (only the case model). It
has its own date arithmetic too. The tests evaluate generated cases with both backends and
with this module and require the same decision on every topic; the benchmark uses it as
the hand-written baseline.

``decide(case, as_of, settings)`` returns, per topic that applies::

    {"outcome": str,            # the outcome value
     "because": [rule ids],     # the rules that gave the outcome (sorted)
     "details": {...},          # the decision's details, dates as ISO text
     "flags": {code: details},  # flags raised, with their details
     "notes": {code: details}}  # notes, with their details

The values a policy officer can change (thresholds, conventions) are parameters
(:class:`ReferenceSettings`); their defaults are the rulebase's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sen_rules.case import Case, Placement

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAY_NUMBERS = {"Monday": 0, "Tuesday": 1, "Wednesday": 2, "Thursday": 3, "Friday": 4}


def _month_day(text: str) -> tuple[int, int]:
    day, month = text.split()
    return MONTHS.index(month) + 1, int(day)


@dataclass(frozen=True)
class ReferenceSettings:
    """The choices the policy leaves open, with the rulebase's defaults."""

    leap_day_birthday: str = "1 March"
    academic_year_start: str = "1 September"
    prescribed_days: tuple[str, ...] = ("31 August", "31 December", "31 March")
    compulsory_school_age_lower: int = 5
    compulsory_school_age_upper: int = 16
    school_leaving_month: int = 6
    school_leaving_weekday: str = "Friday"
    quadrants: tuple[str, ...] = ("North-East", "North-West", "South-East", "South-West")
    quadrant_follows: str = "school"
    pre_school_requests_panel: str = "early_years_panel"
    complex_needs_funding_level: int = 3
    local_placement_max_km: float = 10
    placement_conflict_policy: str = "pareto"
    pupil_referral_units_are: str = "schools"
    under_five_reviews: str = "annual"
    review_due_soon_days: int = 56

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> ReferenceSettings:
        """Settings from a name -> value mapping (for example a rulebase epoch's settings)."""
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v)
                                  for k, v in values.items() if k in known}
        return cls(**kwargs)


# ----------------------------------------------------------------------------- dates
# Written from the domain facts: a person attains an age at the start of the anniversary of
# their birth (29 February: the leap-day convention); compulsory school age starts on the
# first prescribed day on or after the 5th birthday and ends on the school leaving date (the
# last Friday in June) of the school year in which the child turns 16.


class Calendar:
    def __init__(self, s: ReferenceSettings) -> None:
        self.s = s
        self.ay_month, self.ay_day = _month_day(s.academic_year_start)
        self.prescribed = [_month_day(d) for d in s.prescribed_days]
        self.leaving_weekday = WEEKDAY_NUMBERS[s.school_leaving_weekday]

    def attains(self, dob: date, years: int) -> date:
        year = dob.year + years
        if dob.month == 2 and dob.day == 29 and not _leap(year):
            return date(year, 3, 1) if self.s.leap_day_birthday == "1 March" else date(year, 2, 28)
        return date(year, dob.month, dob.day)

    def age_on(self, dob: date, day: date) -> int:
        age = day.year - dob.year
        return age if self.attains(dob, age) <= day else age - 1

    def year_start(self, day: date) -> date:
        start = date(day.year, self.ay_month, self.ay_day)
        return start if day >= start else date(day.year - 1, self.ay_month, self.ay_day)

    def year_end(self, day: date) -> date:
        start = self.year_start(day)
        return date(start.year + 1, self.ay_month, self.ay_day) - timedelta(days=1)

    def compulsory_start(self, dob: date) -> date:
        fifth = self.attains(dob, self.s.compulsory_school_age_lower)
        options = [date(y, m, d) for y in (fifth.year, fifth.year + 1) for m, d in self.prescribed]
        return min(d for d in options if d >= fifth)

    def leaving_date(self, year: int) -> date:
        last = date(year, self.s.school_leaving_month, 1)
        last = date(last.year + (last.month == 12), last.month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - self.leaving_weekday) % 7)

    def compulsory_end(self, dob: date) -> date:
        sixteenth = self.attains(dob, self.s.compulsory_school_age_upper)
        leaving = self.leaving_date(sixteenth.year)
        if sixteenth <= leaving:
            return leaving
        next_year_starts = date(leaving.year, self.ay_month, self.ay_day)
        if next_year_starts <= leaving:
            next_year_starts = date(leaving.year + 1, self.ay_month, self.ay_day)
        return leaving if sixteenth < next_year_starts else self.leaving_date(sixteenth.year + 1)

    def year_9_starts(self, dob: date) -> date:
        # Reception is the school year in which the child turns 5, so Year 9 is the one in
        # which they turn 14.
        return self.year_start(self.attains(dob, 9 + self.s.compulsory_school_age_lower))


@lru_cache(maxsize=32)
def calendar(s: ReferenceSettings) -> Calendar:
    """One calendar per set of settings (they are immutable)."""
    return Calendar(s)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def add_months(day: date, months: int) -> date:
    """Calendar months; a day past the end of the target month is clipped to its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    first_of_next = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (first_of_next - timedelta(days=1)).day))


def iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _d(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: iso(v) for k, v in values.items()}


def _decision(outcome: str, because: Sequence[str], details: Mapping[str, Any] | None = None,
              flags: Mapping[str, Any] | None = None,
              notes: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"outcome": outcome, "because": sorted(because), "details": _d(details or {}),
            "flags": {k: _d(v) for k, v in (flags or {}).items()},
            "notes": {k: _d(v) for k, v in (notes or {}).items()}}


# ----------------------------------------------------------------------------- the policy

DEFAULTS = ReferenceSettings()



def decide(case: Case, as_of: date, settings: ReferenceSettings | None = None
           ) -> dict[str, dict[str, Any]]:
    """The decision of every topic that applies to ``case`` on ``as_of``."""
    s = settings or DEFAULTS
    cal = calendar(s)
    ceased = None
    if case.statement is not None:
        ceased = ceased_from(cessation(case, as_of, cal), as_of)
    out: dict[str, dict[str, Any]] = {"sen_stage": sen_stage(case, as_of, cal, ceased)}
    if case.assessment_request is not None:
        out["assessment_routing"] = routing(case, cal, s)
        out["assessment_timescale"] = timescale(case, as_of)
    # A placement or resource decision is pending: a placement proposed or weighed, a
    # decision recorded as pending, or a pupil with a Statement out of school or receiving
    # education otherwise ("complicated placement issues e.g. pupil out of school").
    if (case.proposed_placement is not None or case.candidate_placements
            or case.pending_decision is not None
            or (case.statement is not None
                and case.education.status in ("out_of_school", "education_otherwise"))):
        out["complex_needs_panel"] = complex_needs_panel(case, s)
    if case.candidate_placements:
        out["placement"] = placement(case, s)
    if case.statement is not None:
        # a Statement ceased on or before the date is no longer maintained: no review is
        # due; transport is provision, and goes on as long as the Statement's provision
        # (at the 19th birthday, to the end of that academic year)
        if ceased is None:
            out["annual_review"] = annual_review(case, as_of, cal, s)
        out["cessation"] = cessation(case, as_of, cal)
        last = out["cessation"]["details"].get("last_day_of_provision")
        if ceased is None or date.fromisoformat(last) >= as_of:
            out["transport"] = transport(case, out["cessation"] if ceased else None)
    return out


def ceased_from(decision: Mapping[str, Any], as_of: date) -> date | None:
    """The date the Statement was ceased from, when the cessation decision is to cease it
    from a date on or before ``as_of`` (None: the Statement is still maintained)."""
    if decision["outcome"] != "cease":
        return None
    day = date.fromisoformat(decision["details"]["cease_from"])
    return day if day <= as_of else None


# ---- The Stages of the SEN Code of Practice: three thresholds; a child undergoing
# statutory assessment stays at (School or Early Years) Action Plus until the outcome.
# "Early Years" names apply in early years settings and to a child below compulsory school
# age ("pre-school age"); a child with no setting has no setting's own resources supporting
# them, so is at (Early Years or School) Action Plus only while an assessment is pending.
def sen_stage(case: Case, as_of: date, cal: Calendar,
              ceased: date | None = None) -> dict[str, Any]:
    starts = cal.compulsory_start(case.child.date_of_birth)
    pre_school = as_of < starts
    no_setting = case.setting.kind == "none"
    early = case.setting.kind == "early_years" or pre_school
    prefix = "early_years" if early else "school"
    current = [p for p in case.sen_support
               if p.started <= as_of and (p.ended is None or p.ended >= as_of)]
    if no_setting:  # no setting supports the child from its own resources
        current = []
    request = case.assessment_request
    # a pupil whose Statement has been ceased is no longer "subject to a statement": the
    # threshold follows the setting's own support, as for any other pupil
    if case.statement is not None and ceased is None:
        return _decision("statement", ["stage.statement"])
    notes: dict[str, Any] = {}
    if ceased is not None:
        notes["statement-ceased"] = {"ceased_from": ceased}
    if pre_school and no_setting:
        notes["pre-school-no-setting"] = {"compulsory_school_age_starts": starts}
    elif no_setting:
        notes["school-age-no-setting"] = {}
    if request is not None and request.outcome == "pending":
        rule = "stage.assessment-pending." + ("early-years" if early else "school")
        outcome, because = f"{prefix}_action_plus", [rule]
    elif any(p.outside_advice_sought for p in current):
        outcome = f"{prefix}_action_plus"
        because = ["stage.action-plus." + ("early-years" if early else "school")]
    elif current:
        outcome = f"{prefix}_action"
        because = ["stage.action." + ("early-years" if early else "school")]
    else:
        return _decision("no_sen_support_recorded", ["stage.none"], notes=notes)
    if outcome in ("school_action", "school_action_plus") and not no_setting:
        # "At the School Action and School Action Plus thresholds schools may seek support"
        notes["support-services-available"] = {}
    return _decision(outcome, because, notes=notes)


# ---- Routes into statutory assessment and the two panels.
def routing(case: Case, cal: Calendar, s: ReferenceSettings) -> dict[str, Any]:
    request = case.assessment_request
    assert request is not None
    notification = request.route in ("health_notification", "social_services_notification")
    pre_school = cal.compulsory_start(case.child.date_of_birth) > request.requested_on
    flags: dict[str, Any] = {}
    notes: dict[str, Any] = {"criteria-for-statutory-assessment": {}}
    details: dict[str, Any] = {}
    if notification:
        outcome, because = "early_years_panel", ["routing.notification"]
    elif pre_school and s.pre_school_requests_panel == "early_years_panel":
        outcome, because = "early_years_panel", ["routing.pre-school"]
    else:
        outcome, because = "pre_assessment_panel", ["routing.school-or-parent"]
        quadrant = (case.setting.quadrant if s.quadrant_follows == "school"
                    else case.child.home_quadrant)
        details["quadrant"] = quadrant
        if quadrant is None or quadrant not in s.quadrants:
            flags["quadrant-unknown"] = {}
    if request.route == "school":
        before = [p for p in case.sen_support if p.started <= request.requested_on]
        action = bool(before)  # Action Plus: the school "continues to support" the pupil
        action_plus = any(p.outside_advice_sought for p in before)
        if not (action and action_plus):
            flags["action-not-on-record"] = {}
    if request.route == "parent":
        notes["considered-on-merits"] = {}
    if notification:
        dx = request.diagnosis
        usual = dx is not None and (dx.early_in_life and dx.long_lasting_or_permanent
                                    and dx.physical_or_medical
                                    and dx.needs_long_term_medical_intervention)
        if not usual:
            notes["notification-without-usual-diagnosis"] = {}
    return _decision(outcome, because, details, flags, notes)


# ---- Statutory timescale: 6 weeks to decide, 10 to assess, 2 to a proposed statement or
# note in lieu, 8 to the final statement; 26 weeks in all, from the request.
def timescale(case: Case, as_of: date) -> dict[str, Any]:
    request = case.assessment_request
    assert request is not None
    decide_by = request.requested_on + timedelta(weeks=6)
    assess_by = decide_by + timedelta(weeks=10)
    proposed_by = assess_by + timedelta(weeks=2)
    final_by = proposed_by + timedelta(weeks=8)
    deadlines = {"decide_by": decide_by, "assess_by": assess_by,
                 "proposed_statement_by": proposed_by, "final_statement_by": final_by}
    flags: dict[str, Any] = {}
    notes: dict[str, Any] = {}
    done = request.outcome_on
    if request.outcome == "refused":
        notes["refusal-can-be-appealed"] = {}
        if done is not None and done > decide_by:
            flags["decision-late"] = {"decided_on": done, "decide_by": decide_by}
    if request.outcome == "assessed_no_statement" and done is not None and done > proposed_by:
        flags["note-in-lieu-late"] = {"decided_on": done, "proposed_statement_by": proposed_by}
    if request.outcome == "statement_made" and done is not None and done > final_by:
        flags["final-statement-late"] = {"made_on": done, "final_statement_by": final_by}
    if request.outcome != "pending":
        return _decision("outcome_known", ["timescale.outcome-known"],
                         {**deadlines, "outcome_on": done}, flags, notes)
    if as_of > final_by:
        return _decision("final_statement_overdue", ["timescale.overdue"],
                         {**deadlines, "days_overdue": (as_of - final_by).days}, flags, notes)
    upcoming = next(d for d in (decide_by, assess_by, proposed_by, final_by) if as_of <= d)
    return _decision("within_timescale", ["timescale.within"],
                     {**deadlines, "next_deadline": upcoming}, flags, notes)


# ---- Placements and Resources: the seven categories referred to the Complex Needs Panel;
# otherwise delegated to the SEN Assessment Team.
def complex_needs_panel(case: Case, s: ReferenceSettings) -> dict[str, Any]:
    options = ([case.proposed_placement] if case.proposed_placement else []) + list(
        case.candidate_placements)
    triggers = []
    levels = [p.funding_level for p in options]
    if case.pending_decision is not None:  # a funding decision, with or without a placement
        levels.append(case.pending_decision.funding_level)
    if any(level is not None and level >= s.complex_needs_funding_level for level in levels):
        triggers.append("cnp.funding-level")
    if any(p.provision == "resource_base" for p in options):
        triggers.append("cnp.resource-base")
    if any(p.provision == "special_school" for p in options):
        triggers.append("cnp.special-school")
    if any(p.sector == "independent" for p in options):
        triggers.append("cnp.independent-school")
    if case.joint_funding is not None and case.joint_funding.placement_discussion_needed_first:
        triggers.append("cnp.joint-funding")
    if case.significant_health_or_social_care_issues:
        triggers.append("cnp.health-social-care-issues")
    if any(not d.resolved for d in case.disputes):
        triggers.append("cnp.unresolved-dispute")
    otherwise = ("education_otherwise", "pupil_referral_unit") if (
        s.pupil_referral_units_are == "education_otherwise") else ("education_otherwise",)
    if (case.education.status in ("out_of_school", "education_otherwise")
            or (case.proposed_placement is not None
                and case.proposed_placement.provision in otherwise)):
        triggers.append("cnp.complicated-placement")
    if triggers:
        return _decision("complex_needs_panel", triggers)
    return _decision("sen_assessment_team", ["cnp.delegated"],
                     notes={"principal-case-officers": {}})


# ---- Placement: "1. Seek to ensure" (peer group, social environment, progress), then
# "2. Seek to prioritise" five bullets (day, local, wider range, mainstream links, schools),
# the panel deciding. A candidate's tier is its worst check, met before not met before not
# recorded ("to be assessed"): an unassessed candidate is never ranked over an assessed
# one. The bullets are unranked by default (pareto within a tier); "ordered" reads them in
# the order listed.
MET, UNKNOWN, NOT_MET = 0, 1, 2
CHECKS = ("placement.ensure.peer-group", "placement.ensure.social-environment",
          "placement.ensure.progress")
CRITERIA = ("placement.prioritise.day", "placement.prioritise.local",
            "placement.prioritise.wider-range", "placement.prioritise.mainstream-links",
            "placement.prioritise.schools")
PLACE = {MET: "preferred", UNKNOWN: "not known", NOT_MET: "less preferred"}
TIER = {MET: 0, NOT_MET: 1, UNKNOWN: 2}  # the worst check decides the tier
TIER_WORDS = ("met", "not met", "to be assessed")
MAINSTREAM = ("mainstream_school", "resource_base")
SCHOOLS = ("mainstream_school", "resource_base", "special_school")
UNITS = ("therapeutic_unit", "childrens_home_with_education", "psychiatric_unit", "secure_unit")


def _yes_no(value: bool | None) -> int:
    return UNKNOWN if value is None else MET if value else NOT_MET


def checks_of(p: Placement) -> tuple[int, int, int]:
    progress = (UNKNOWN if p.expected_progress is None
                else NOT_MET if p.expected_progress == "unsatisfactory" else MET)
    return (_yes_no(p.peer_group_appropriate), _yes_no(p.stimulating_social_environment),
            progress)


def priorities_of(p: Placement, s: ReferenceSettings) -> tuple[int, ...]:
    day = MET if p.attendance == "day" else NOT_MET
    local = (UNKNOWN if p.distance_km is None
             else MET if p.distance_km <= s.local_placement_max_km else NOT_MET)
    wide = {None: UNKNOWN, "wide_range": MET, "narrow_band": NOT_MET}[p.intake]
    if p.provision in MAINSTREAM or p.mainstream_links in ("part_placement", "shared_activities"):
        links = MET
    elif p.mainstream_links == "none":
        links = NOT_MET
    else:
        links = UNKNOWN
    schools = SCHOOLS + (("pupil_referral_unit",) if s.pupil_referral_units_are == "schools"
                         else ())
    school = MET if p.provision in schools else NOT_MET if p.provision in UNITS else UNKNOWN
    return (day, local, wide, links, school)


def placement(case: Case, s: ReferenceSettings) -> dict[str, Any]:
    names = ["seek-to-ensure", *CRITERIA]
    rows = []
    for p in case.candidate_placements:
        checks = checks_of(p)
        tier = max(TIER[c] for c in checks)
        rows.append((p, checks, (tier, *priorities_of(p, s))))
    if s.placement_conflict_policy == "pareto":
        def better(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
            return a != b and all(x <= y for x, y in zip(a, b, strict=True))

        layer: dict[str, int] = {}
        n = 0
        for tier in sorted({r[2][0] for r in rows}):
            left = [r for r in rows if r[2][0] == tier]
            while left:
                front = [r for r in left if not any(better(o[2][1:], r[2][1:]) for o in left)]
                for r in front:
                    layer[r[0].id] = n
                left = [r for r in left if r not in front]
                n += 1
        order = sorted(rows, key=lambda r: (layer[r[0].id], r[2], r[0].id))
        rank = {r[0].id: layer[r[0].id] + 1 for r in rows}
    else:
        order = sorted(rows, key=lambda r: (r[2], r[0].id))
        rank = {}
        for i, r in enumerate(order):
            same = i > 0 and order[i - 1][2] == r[2]
            rank[r[0].id] = rank[order[i - 1][0].id] if same else i + 1

    def words(name: str, value: int) -> str:
        return TIER_WORDS[value] if name == "seek-to-ensure" else PLACE[value]

    table = [{"rank": rank[p.id], "candidate": p.id,
              "shortfalls": [c for c, v in zip(CHECKS, checks, strict=True) if v == NOT_MET],
              "not_known": [c for c, v in zip(CHECKS, checks, strict=True) if v == UNKNOWN],
              "criteria": {n: words(n, v) for n, v in zip(names, scores, strict=True)}}
             for p, checks, scores in order]
    steps = []
    for (a, _, sa), (b, _, sb) in zip(order, order[1:], strict=False):
        for_a = [n for n, x, y in zip(names, sa, sb, strict=True) if x < y]
        for_b = [n for n, x, y in zip(names, sa, sb, strict=True) if y < x]
        tie = rank[a.id] == rank[b.id]
        if tie:
            decided = None
        elif s.placement_conflict_policy == "pareto":
            decided = "seek-to-ensure" if sa[0] != sb[0] else None
        else:
            decided = for_a[0]
        steps.append({"higher": a.id, "lower": b.id, "tie": tie, "decided_by": decided,
                      "favours_higher": for_a, "conflicts": for_b})
    details = {"conflict_policy": s.placement_conflict_policy,
               "recommended": [r["candidate"] for r in table if r["rank"] == 1],
               "ranking": table, "steps": steps}
    flags: dict[str, Any] = {}
    notes: dict[str, Any] = {"panel-decides": {}}
    for who, view in (("parents", case.views.parents), ("pupil", case.views.pupil)):
        if view is None:
            flags[f"{who}-views-not-recorded"] = {}
        else:
            notes[f"{who}-views"] = {"preferred_placement": view.preferred_placement,
                                     "summary": view.summary}
    if not any(checks_of(p) == (MET, MET, MET) for p in case.candidate_placements):
        flags["no-candidate-meets-all-checks"] = {}
    return _decision("recommendation_for_panel", ["placement.recommendation"], details,
                     flags, notes)


# ---- Annual reviews: within 12 months of the Statement or the last review; the first
# review after the child starts Year 9 is the transition review; travel provision must be
# reconsidered at each review.
def annual_review(case: Case, as_of: date, cal: Calendar, s: ReferenceSettings
                  ) -> dict[str, Any]:
    statement = case.statement
    assert statement is not None
    dob = case.child.date_of_birth
    held = [r.held_on for r in statement.reviews]
    last = max([statement.made_on, *held])
    under_five = cal.age_on(dob, last) < 5
    six_monthly = s.under_five_reviews == "six-monthly" and under_five
    due = add_months(last, 6 if six_monthly else 12)
    notes: dict[str, Any] = {}
    if six_monthly:
        notes["six-monthly-review"] = {"due_by": due}
    elif under_five:
        notes["six-monthly-review-suggested"] = {"suggested_by": add_months(last, 6)}
    year9 = cal.year_9_starts(dob)
    if max(as_of, due) >= year9 and not any(h >= year9 for h in held):
        notes["transition-review"] = {"year_9_starts": year9}
    if statement.travel_provision:
        notes["review-must-reconsider-transport"] = {}
    left = (due - as_of).days
    base = {"due_by": due, "counted_from": last}
    if as_of > due:
        return _decision("overdue", ["review.overdue"], {**base, "days_overdue": -left},
                         notes=notes)
    if left <= s.review_due_soon_days:
        return _decision("due_soon", ["review.due-soon"], {**base, "days_left": left},
                         notes=notes)
    return _decision("not_yet_due", ["review.not-yet-due"], {**base, "days_left": left},
                     notes=notes)


# ---- Ceasing to maintain Statements: five grounds; written notice with the right of
# appeal for the authority's decisions; no cessation while an appeal is pending, except that
# a Statement lapses in law at the 19th birthday (not a decision of the authority, no
# notice, no appeal holds it); the secure-unit ground replaced for placements from
# 1 September 2010 (the home authority keeps responsibility for a detained child). A young
# person who stopped attending school and has not returned does not attend after the end of
# compulsory school age: the Statement is ceased from the later of the day they left and
# the day after the leaving date (the last day of compulsory school age).
DETAINED_CHILDREN_LAW = date(2010, 9, 1)


def cessation(case: Case, as_of: date, cal: Calendar) -> dict[str, Any]:
    statement = case.statement
    assert statement is not None
    c = case.cessation
    made = statement.made_on
    dob = case.child.date_of_birth
    nineteenth = cal.attains(dob, 19)
    leaving = cal.compulsory_end(dob)
    holds = c.appeal_pending  # a pending appeal holds the authority's decisions to cease
    grounds: dict[str, date] = {}
    keeps = False
    if c.criteria_no_longer_met_on is not None and c.criteria_no_longer_met_on >= made \
            and not holds:
        grounds["cessation.progress"] = c.criteria_no_longer_met_on
    order = c.placed_under_order
    if order is not None and order.placed_on >= made:
        if order.placed_on >= DETAINED_CHILDREN_LAW:  # the law on the date of the placement
            keeps = True
        elif not holds:
            grounds["cessation.placed-under-order"] = order.placed_on
    independent = c.placed_by_parents_in_independent_school_on
    if independent is not None and independent >= made and not holds:
        grounds["cessation.independent-school"] = independent
    left = c.left_school_on
    if left is not None and left >= made and as_of > leaving and not holds:
        grounds["cessation.left-school"] = max(left, leaving + timedelta(days=1))
    if as_of >= nineteenth:
        grounds["cessation.nineteenth-birthday"] = nineteenth

    flags: dict[str, Any] = {}
    notes: dict[str, Any] = {"criteria-for-ceasing": {}}
    if left is not None and left < leaving and as_of <= leaving:
        flags["left-school-before-end-of-compulsory-school-age"] = {
            "left_school_on": left, "compulsory_school_age_ends": leaving}
    events = [c.criteria_no_longer_met_on, order.placed_on if order else None, independent,
              left]
    if any(e is not None and e < made for e in events):
        notes["circumstances-before-statement"] = {}
    if as_of < nineteenth:
        notes["lapses-at-nineteen-ahead"] = {"nineteenth_birthday": nineteenth,
                                             "provision_sustained_until": cal.year_end(nineteenth)}
    else:
        notes["lapses-at-nineteen"] = {"nineteenth_birthday": nineteenth}

    if c.appeal_pending and as_of < nineteenth:
        return _decision("maintain_appeal_pending", ["cessation.appeal-pending"],
                         flags=flags, notes=notes)
    if grounds:
        # Provision governed by the Statement ends the day before it is ceased, except that
        # at the 19th birthday it is sustained to the end of that academic year.
        last_days = [cal.year_end(d) if g == "cessation.nineteenth-birthday"
                     else d - timedelta(days=1) for g, d in grounds.items()]
        details: dict[str, Any] = {"cease_from": min(grounds.values()),
                                   "last_day_of_provision": min(last_days)}
        if "cessation.left-school" in grounds:
            details["compulsory_school_age_ended"] = leaving
        if set(grounds) != {"cessation.nineteenth-birthday"}:
            notes["written-notice-and-right-of-appeal"] = {}
        return _decision("cease", list(grounds), details, flags, notes)
    if keeps:
        return _decision("maintain", ["cessation.placed-under-order@2"], flags=flags, notes=notes)
    return _decision("maintain", ["cessation.maintain"], flags=flags, notes=notes)


# ---- Transport: the duty to provide necessary transport; for most, the same commitments
# as for mainstream peers; travel provision in a Statement reconsidered at each review.
def transport(case: Case, ceased: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``ceased``: the cessation decision, when the Statement has been ceased and its
    provision is still sustained."""
    statement = case.statement
    assert statement is not None
    notes: dict[str, Any] = {"policy-on-home-to-school-travel": {}}
    if ceased is not None:
        notes["provision-sustained"] = {
            "ceased_from": ceased["details"]["cease_from"],
            "last_day_of_provision": ceased["details"]["last_day_of_provision"]}
    if not statement.travel_provision:
        return _decision("same_as_mainstream_peers", ["transport.same-as-mainstream"],
                         notes=notes)
    flags: dict[str, Any] = {}
    if statement.reviews:
        last = max(r.held_on for r in statement.reviews)
        at_last = [r for r in statement.reviews if r.held_on == last]
        if any(not r.transport_reconsidered for r in at_last):
            flags["review-did-not-consider-transport-eligibility"] = {"last_review": last}
        if any(not r.independent_travel_considered for r in at_last):
            flags["review-did-not-consider-independent-travel"] = {"last_review": last}
    return _decision("travel_provision_in_statement", ["transport.statement-provision"],
                     flags=flags, notes=notes)
