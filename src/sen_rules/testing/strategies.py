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

from ..authoring.randomcases import all_dates
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
    # a day offset, not st.dates: st.dates rejects many of the byte strings that
    # generate-cases feeds hypothesis, which would make its corpus hard to draw
    return lo + timedelta(days=draw(st.integers(0, (hi - lo).days)))


def _maybe(strategy: st.SearchStrategy[Any], likelihood: int = 2) -> st.SearchStrategy[Any]:
    """None about one time in ``likelihood``."""
    # sampled_from, not integers(1, 2): drawn from the byte strings generate-cases feeds
    # hypothesis, a two-valued integer range always gives its lower bound
    return st.sampled_from(range(likelihood)).flatmap(
        lambda n: st.none() if n == 0 else strategy)


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
        pending: dict[str, Any] = {"kind": draw(st.sampled_from(["placement", "resources"]))}
        if draw(st.booleans()):
            pending["about"] = draw(_text)
        case["pending_decision"] = pending
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
def chain_inputs(draw: st.DrawFn, lo: date = EARLIEST_AS_OF,
                 hi: date = LATEST_AS_OF) -> tuple[dict[str, Any], date]:
    """A (case data, as_of) pair built to exercise decisions that use other decisions: the
    child has a Statement, and ceasing it is often due (a ground dated after the Statement,
    some with an appeal pending), so the areas that use the cessation decision go both ways.
    """
    data, as_of = draw(evaluation_inputs(lo, hi))
    dob = date.fromisoformat(data["child"]["date_of_birth"])
    statement = data.get("statement")
    if statement is None:
        statement = {"made_on": draw(dates_between(dob, as_of)).isoformat(),
                     "travel_provision": draw(st.booleans())}
        data["statement"] = statement
    made = date.fromisoformat(statement["made_on"])
    reviews = [r for r in statement.get("reviews", ()) if r["held_on"] >= statement["made_on"]]
    statement["reviews"] = reviews
    cessation: dict[str, Any] = {}
    ground = draw(st.sampled_from(["progress", "independent", "none", "progress"]))
    if ground == "progress":
        cessation["criteria_no_longer_met_on"] = draw(dates_between(made, as_of)).isoformat()
    elif ground == "independent":
        cessation["placed_by_parents_in_independent_school_on"] = draw(
            dates_between(made, as_of)).isoformat()
    if draw(st.integers(0, 4)) == 0:
        cessation["appeal_pending"] = True
    data["cessation"] = cessation
    return data, as_of


@st.composite
def cases(draw: st.DrawFn) -> tuple[Case, date]:
    """A validated :class:`Case` and the date it is evaluated on."""
    data, as_of = draw(evaluation_inputs())
    return Case.model_validate(data), as_of


# ----------------------------------------------------------------------------- boundaries
# Cases pushed onto the dates and values where the policy's rules change their answer: the
# statutory-assessment deadlines, the review due date and its notice period, the 19th
# birthday, the school leaving date, Year 9, circumstances on the day the Statement was
# made, and distances at the local-placement threshold. Used with ``evaluation_inputs`` so
# that both the middle and the edges of every rule are exercised.

_WEEKS = [6, 16, 18, 26]
_SHIFT = st.sampled_from([-1, 0, 1])


@st.composite
def boundary_inputs(draw: st.DrawFn, lo: date = EARLIEST_AS_OF,
                    hi: date = LATEST_AS_OF) -> tuple[dict[str, Any], date]:
    """A (case data, as_of) pair with some facts moved onto a boundary of a rule."""
    from dateutil.relativedelta import relativedelta

    from ..dates import DateConventions, compulsory_school_age_end

    data, as_of = draw(evaluation_inputs(lo, hi))
    dob = date.fromisoformat(data["child"]["date_of_birth"])

    def ok(d: date, earliest: date = dob) -> bool:
        return earliest <= d <= as_of

    if draw(st.booleans()):  # the child's age on as_of: around the 19th (or another) birthday
        years = draw(st.sampled_from([19, 19, 14, 16, 5, 4]))
        new_dob = as_of - relativedelta(years=years) + timedelta(days=draw(_SHIFT))
        if draw(st.integers(0, 5)) == 0:
            new_dob = date(2000 - 4 * draw(st.integers(0, 3)), 2, 29)
        if new_dob <= as_of and all(
                date.fromisoformat(v) >= new_dob for v in all_dates(data)):
            data["child"]["date_of_birth"] = new_dob.isoformat()
            dob = new_dob
    request = data.get("assessment_request")
    if request is not None and draw(st.booleans()):
        weeks = draw(st.sampled_from(_WEEKS))
        requested = as_of - timedelta(weeks=weeks) + timedelta(days=draw(_SHIFT))
        if ok(requested):
            request["requested_on"] = requested.isoformat()
            if request.get("outcome_on") is not None:
                done = requested + timedelta(weeks=draw(st.sampled_from(_WEEKS)),
                                             days=draw(_SHIFT))
                if ok(done, requested):
                    request["outcome_on"] = done.isoformat()
                else:
                    request.pop("outcome_on")
    statement = data.get("statement")
    if statement is not None and draw(st.booleans()):
        months = draw(st.sampled_from([6, 12]))
        notice = draw(st.sampled_from([0, 56]))
        last = as_of - relativedelta(months=months) + timedelta(days=notice + draw(_SHIFT))
        if ok(last):
            if draw(st.booleans()) or not statement["reviews"]:
                statement["made_on"] = last.isoformat()
                statement["reviews"] = []
            else:
                made = date.fromisoformat(statement["made_on"])
                if made <= last:
                    statement["reviews"] = [{**statement["reviews"][-1],
                                             "held_on": last.isoformat()}]
    cessation = data.get("cessation", {})
    if statement is not None and cessation and draw(st.booleans()):
        made = statement["made_on"]
        for key in ("criteria_no_longer_met_on", "placed_by_parents_in_independent_school_on",
                    "left_school_on"):
            if key in cessation and draw(st.booleans()):
                cessation[key] = made
        if "placed_under_order" in cessation and draw(st.booleans()):
            cessation["placed_under_order"]["placed_on"] = made
    if "left_school_on" in cessation and draw(st.booleans()):
        leaving = compulsory_school_age_end(dob, DateConventions())
        left = leaving + timedelta(days=draw(_SHIFT))
        if ok(left):
            cessation["left_school_on"] = left.isoformat()
    for cand in data.get("candidate_placements", []):
        if draw(st.integers(0, 2)) == 0:
            cand["distance_km"] = draw(st.sampled_from([9.99, 10.0, 10.01]))
    return data, as_of
