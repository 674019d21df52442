"""Hypothesis strategies for valid, varied cases (shared by the tests and `generate-cases`).

Dates lean towards the boundaries that matter (29 February, the prescribed days, the
academic-year boundary, the last Friday of June), so that generated cases probe the edges
of the rules, not only their middle. Every generated case is valid for its ``as_of``.
Requires ``hypothesis`` (installed with the ``test`` extra).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from ..case import Case

EARLIEST_AS_OF = date(2002, 1, 1)
LATEST_AS_OF = date(2032, 12, 31)
QUADRANTS = ["North-East", "North-West", "South-East", "South-West"]

_BOUNDARY_DAYS = [(2, 28), (2, 29), (3, 1), (3, 31), (4, 1), (6, 24), (6, 30), (7, 1),
                  (8, 31), (9, 1), (12, 31), (1, 1)]


def _boundary_dates(lo: date, hi: date) -> list[date]:
    found = []
    for year in range(lo.year, hi.year + 1):
        for month, day in _BOUNDARY_DAYS:
            try:
                d = date(year, month, day)
            except ValueError:
                continue
            if lo <= d <= hi:
                found.append(d)
    return found


@st.composite
def dates_between(draw: st.DrawFn, lo: date, hi: date) -> date:
    """A date in [lo, hi], often one of the calendar's boundary days or an end of the range."""
    if hi < lo:
        hi = lo
    choice = draw(st.integers(0, 9))
    if choice <= 1:
        return lo if choice == 0 else hi
    if choice <= 4:
        edges = _boundary_dates(lo, hi)
        if edges:
            return draw(st.sampled_from(edges))
    return draw(st.dates(min_value=lo, max_value=hi))


def _maybe(strategy: st.SearchStrategy[Any], likelihood: int = 2) -> st.SearchStrategy[Any]:
    """None about one time in ``likelihood``."""
    return st.integers(1, likelihood).flatmap(lambda n: st.none() if n == 1 else strategy)


_ids = st.from_regex(r"[A-Z]{2}[0-9]{3}", fullmatch=True)
_quadrant = st.one_of(st.sampled_from(QUADRANTS), st.just("Outside the borough"))
_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                min_size=1, max_size=40)


@st.composite
def placements(draw: st.DrawFn, pid: str) -> dict[str, Any]:
    provision = draw(st.sampled_from([
        "mainstream_school", "resource_base", "special_school", "pupil_referral_unit",
        "therapeutic_unit", "childrens_home_with_education", "psychiatric_unit", "secure_unit",
        "education_otherwise"]))
    p: dict[str, Any] = {
        "id": pid,
        "name": draw(st.sampled_from(["Oak School", "Ash Centre", "Elm Academy", "Birch Unit",
                                      "Hazel House", "Rowan College"])),
        "provision": provision,
        "sector": draw(st.sampled_from(["maintained", "independent", "non_maintained"])),
        "attendance": draw(st.sampled_from(["day", "residential"])),
    }
    optional = {
        "distance_km": _maybe(st.one_of(st.integers(0, 200).map(float),
                                        st.floats(0, 400, allow_nan=False))),
        "intake": _maybe(st.sampled_from(["wide_range", "narrow_band"])),
        "mainstream_links": _maybe(st.sampled_from(["part_placement", "shared_activities",
                                                    "none"])),
        "funding_level": _maybe(st.integers(1, 5)),
        "peer_group_appropriate": _maybe(st.booleans()),
        "stimulating_social_environment": _maybe(st.booleans()),
        "expected_progress": _maybe(st.sampled_from(["better", "satisfactory",
                                                     "unsatisfactory"])),
    }
    for key, strategy in optional.items():
        value = draw(strategy)
        if value is not None:
            p[key] = value
    return p


@st.composite
def case_dicts(draw: st.DrawFn, as_of: date) -> dict[str, Any]:
    """A valid case (as JSON-like data) whose facts are all known on ``as_of``."""
    age_days = draw(st.one_of(st.integers(0, 23 * 366),
                              st.sampled_from([4 * 365, 5 * 365, 16 * 365, 19 * 365])))
    dob_hi = as_of
    dob_lo = max(date(1985, 1, 1), as_of - timedelta(days=age_days + 400))
    dob = draw(dates_between(dob_lo, dob_hi))

    def d(lo: date = dob, hi: date = as_of) -> st.SearchStrategy[date]:
        return dates_between(lo, hi)

    case: dict[str, Any] = {"child": {"id": draw(_ids), "date_of_birth": dob.isoformat()}}
    if draw(st.booleans()):
        case["child"]["home_quadrant"] = draw(_quadrant)

    kind = draw(st.sampled_from(["none", "early_years", "school", "school", "other_provider"]))
    setting: dict[str, Any] = {"kind": kind}
    if kind != "none" and draw(st.integers(0, 4)):
        setting["quadrant"] = draw(_quadrant)
    if kind != "none" and draw(st.booleans()):
        setting["name"] = draw(st.sampled_from(["Oak Primary", "Little Acorns Nursery",
                                                "Mossbourne", "Hackney Free"]))
    case["setting"] = setting

    periods = []
    for _ in range(draw(st.integers(0, 3))):
        started = draw(d())
        period: dict[str, Any] = {"started": started.isoformat(),
                                  "outside_advice_sought": draw(st.booleans())}
        if draw(st.booleans()):
            period["ended"] = draw(d(started)).isoformat()
        if period["outside_advice_sought"] and draw(st.booleans()):
            period["agencies"] = draw(st.lists(st.sampled_from([
                "educational_psychologist", "specialist_teacher",
                "speech_and_language_therapist", "health", "social_services", "other"]),
                max_size=3, unique=True))
        periods.append(period)
    case["sen_support"] = periods

    if draw(st.integers(0, 2)):
        requested = draw(d())
        request: dict[str, Any] = {
            "route": draw(st.sampled_from(["health_notification", "social_services_notification",
                                           "school", "parent"])),
            "requested_on": requested.isoformat(),
        }
        outcome = draw(st.sampled_from(["pending", "pending", "refused", "assessed_no_statement",
                                        "statement_made"]))
        request["outcome"] = outcome
        if outcome != "pending" and draw(st.booleans()):
            request["outcome_on"] = draw(d(requested)).isoformat()
        if request["route"].endswith("notification") and draw(st.integers(0, 3)):
            diagnosis: dict[str, Any] = {
                "early_in_life": draw(st.booleans()),
                "long_lasting_or_permanent": draw(st.booleans()),
                "physical_or_medical": draw(st.booleans()),
                "needs_long_term_medical_intervention": draw(st.booleans()),
            }
            if draw(st.booleans()):
                diagnosis["made_on"] = draw(d()).isoformat()
            request["diagnosis"] = diagnosis
        case["assessment_request"] = request

    if draw(st.booleans()):
        made = draw(d())
        statement: dict[str, Any] = {"made_on": made.isoformat(),
                                     "travel_provision": draw(st.booleans())}
        reviews = sorted({draw(d(made)) for _ in range(draw(st.integers(0, 3)))})
        statement["reviews"] = [
            {k: v for k, v in {"held_on": r.isoformat(),
                               "transport_reconsidered": draw(_maybe(st.booleans())),
                               "independent_travel_considered": draw(_maybe(st.booleans())),
                               }.items() if v is not None}
            for r in reviews]
        case["statement"] = statement

    if draw(st.booleans()):
        case["proposed_placement"] = draw(placements("P0"))
    if draw(st.integers(0, 3)) == 0:
        case["joint_funding"] = {"kind": draw(st.sampled_from(["joint", "tripartite"])),
                                 "placement_discussion_needed_first": draw(st.booleans())}
    if draw(st.integers(0, 3)) == 0:
        case["significant_health_or_social_care_issues"] = True
    case["disputes"] = [
        {"party": draw(st.sampled_from(["parent", "health", "social_services", "school",
                                        "other_agency"])),
         "resolved": draw(st.booleans())}
        for _ in range(draw(st.integers(0, 2)))]
    status = draw(st.sampled_from(["in_school", "in_school", "out_of_school",
                                   "education_otherwise"]))
    education: dict[str, Any] = {"status": status}
    if status != "in_school" and draw(st.booleans()):
        education["since"] = draw(d()).isoformat()
    case["education"] = education

    cessation: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        cessation["criteria_no_longer_met_on"] = draw(d()).isoformat()
    if draw(st.integers(0, 4)) == 0:
        cessation["placed_under_order"] = {
            "provision": draw(st.sampled_from(["secure_unit", "residential_with_education"])),
            "placed_on": draw(d()).isoformat()}
    if draw(st.integers(0, 4)) == 0:
        cessation["placed_by_parents_in_independent_school_on"] = draw(d()).isoformat()
    if draw(st.integers(0, 3)) == 0:
        cessation["left_school_on"] = draw(d()).isoformat()
    if draw(st.integers(0, 4)) == 0:
        cessation["appeal_pending"] = True
    case["cessation"] = cessation

    n = draw(st.integers(0, 4))
    case["candidate_placements"] = [draw(placements(f"C{i}")) for i in range(n)]
    ids = [c["id"] for c in case["candidate_placements"]]
    views: dict[str, Any] = {}
    for who in ("parents", "pupil"):
        if draw(st.booleans()):
            view: dict[str, Any] = {}
            prefers: bool = draw(st.booleans())
            if ids and prefers:
                view["preferred_placement"] = draw(st.sampled_from(ids))
            if draw(st.booleans()):
                view["summary"] = draw(_text)
            views[who] = view
    case["views"] = views
    return case


@st.composite
def evaluation_inputs(draw: st.DrawFn, lo: date = EARLIEST_AS_OF,
                      hi: date = LATEST_AS_OF) -> tuple[dict[str, Any], date]:
    """A (case data, as_of) pair; the case is valid on that date."""
    as_of = draw(dates_between(lo, hi))
    return draw(case_dicts(as_of)), as_of


@st.composite
def cases(draw: st.DrawFn) -> tuple[Case, date]:
    """A validated :class:`Case` and the date it is evaluated on."""
    data, as_of = draw(evaluation_inputs())
    return Case.model_validate(data), as_of
