"""Hypothesis strategies for valid, varied cases (shared by the tests and `generate-cases`).

Dates lean towards the boundaries that matter (29 February, the prescribed days, the
academic-year boundary, the last Friday of June), so that generated cases probe the edges
of the rules, not only their middle. Every generated case is valid for its ``as_of``.
Requires ``hypothesis`` (installed with the ``test`` extra).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from ..authoring.randomcases import (
    AGENCIES,
    ATTENDANCES,
    EARLIEST_AS_OF,
    INTAKES,
    JOINT_FUNDING_KINDS,
    LATEST_AS_OF,
    MAINSTREAM_LINKS,
    ORDER_PROVISIONS,
    PARTIES,
    PLACEMENT_NAMES,
    PROGRESS,
    PROVISIONS,
    QUADRANTS,
    ROUTES,
    SECTORS,
    SETTING_NAMES,
    all_dates,
)
from ..case import Case, PendingDecision
from ..case_description import choices_of
from ..dates import DateConventions, compulsory_school_age_end

PENDING_KINDS = choices_of(PendingDecision, "kind")

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
    provision = draw(st.sampled_from(list(PROVISIONS)))
    p: dict[str, Any] = {
        "id": pid,
        "name": draw(st.sampled_from(list(PLACEMENT_NAMES))),
        "provision": provision,
        "sector": draw(st.sampled_from(list(SECTORS))),
        "attendance": draw(st.sampled_from(list(ATTENDANCES))),
    }
    optional = {
        "distance_km": _maybe(st.one_of(st.integers(0, 200).map(float),
                                        st.floats(0, 400, allow_nan=False))),
        "intake": _maybe(st.sampled_from(list(INTAKES))),
        "mainstream_links": _maybe(st.sampled_from(list(MAINSTREAM_LINKS))),
        "funding_level": _maybe(st.integers(1, 5)),
        "peer_group_appropriate": _maybe(st.booleans()),
        "stimulating_social_environment": _maybe(st.booleans()),
        "expected_progress": _maybe(st.sampled_from(list(PROGRESS))),
    }
    for key, strategy in optional.items():
        value = draw(strategy)
        if value is not None:
            p[key] = value
    return p


# The parts of a case below are plain functions of ``draw`` (not nested strategies), drawn
# in the order of the fields of the case, so that a seed gives the same cases as before
# they were parts.


@st.composite
def case_dicts(draw: st.DrawFn, as_of: date) -> dict[str, Any]:
    """A valid case (as JSON-like data) whose facts are all known on ``as_of``."""
    age_days = draw(st.one_of(st.integers(0, 23 * 366),
                              st.sampled_from([4 * 365, 5 * 365, 16 * 365, 19 * 365])))
    dob_hi = as_of
    dob_lo = max(date(1985, 1, 1), as_of - timedelta(days=age_days + 400))
    dob = draw(dates_between(dob_lo, dob_hi))
    case: dict[str, Any] = {"child": {"id": draw(_ids), "date_of_birth": dob.isoformat()}}
    if draw(st.booleans()):
        case["child"]["home_quadrant"] = draw(_quadrant)
    case["setting"] = _setting(draw)
    case["sen_support"] = _support_periods(draw, dob, as_of)
    if draw(st.integers(0, 2)):
        case["assessment_request"] = _assessment_request(draw, dob, as_of)
    if draw(st.booleans()):
        case["statement"] = _statement(draw, dob, as_of)
    if draw(st.booleans()):
        case["proposed_placement"] = draw(placements("P0"))
    if draw(st.integers(0, 3)) == 0:
        pending: dict[str, Any] = {"kind": draw(st.sampled_from(list(PENDING_KINDS)))}
        if draw(st.booleans()):
            pending["about"] = draw(_text)
        if draw(st.booleans()):
            pending["funding_level"] = draw(st.integers(1, 5))
        case["pending_decision"] = pending
    if draw(st.integers(0, 3)) == 0:
        case["joint_funding"] = {"kind": draw(st.sampled_from(list(JOINT_FUNDING_KINDS))),
                                 "placement_discussion_needed_first": draw(st.booleans())}
    if draw(st.integers(0, 3)) == 0:
        case["significant_health_or_social_care_issues"] = True
    case["disputes"] = [{"party": draw(st.sampled_from(list(PARTIES))),
                         "resolved": draw(st.booleans())}
                        for _ in range(draw(st.integers(0, 2)))]
    status = draw(st.sampled_from(["in_school", "in_school", "out_of_school",
                                   "education_otherwise"]))
    education: dict[str, Any] = {"status": status}
    if status != "in_school" and draw(st.booleans()):
        education["since"] = draw(dates_between(dob, as_of)).isoformat()
    case["education"] = education
    case["cessation"] = _cessation(draw, dob, as_of)
    n = draw(st.integers(0, 4))
    case["candidate_placements"] = [draw(placements(f"C{i}")) for i in range(n)]
    case["views"] = _views(draw, [c["id"] for c in case["candidate_placements"]])
    return case


def _day(draw: st.DrawFn, lo: date, hi: date) -> str:
    return draw(dates_between(lo, hi)).isoformat()


def _setting(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["none", "early_years", "school", "school", "other_provider"]))
    setting: dict[str, Any] = {"kind": kind}
    if kind != "none" and draw(st.integers(0, 4)):
        setting["quadrant"] = draw(_quadrant)
    if kind != "none" and draw(st.booleans()):
        setting["name"] = draw(st.sampled_from(list(SETTING_NAMES)))
    return setting


def _support_periods(draw: st.DrawFn, dob: date, as_of: date) -> list[dict[str, Any]]:
    periods = []
    for _ in range(draw(st.integers(0, 3))):
        started = draw(dates_between(dob, as_of))
        period: dict[str, Any] = {"started": started.isoformat(),
                                  "outside_advice_sought": draw(st.booleans())}
        if draw(st.booleans()):
            period["ended"] = _day(draw, started, as_of)
        if period["outside_advice_sought"] and draw(st.booleans()):
            period["agencies"] = draw(st.lists(st.sampled_from(list(AGENCIES)), max_size=3,
                                               unique=True))
        periods.append(period)
    return periods


def _assessment_request(draw: st.DrawFn, dob: date, as_of: date) -> dict[str, Any]:
    requested = draw(dates_between(dob, as_of))
    request: dict[str, Any] = {"route": draw(st.sampled_from(list(ROUTES))),
                               "requested_on": requested.isoformat()}
    outcome = draw(st.sampled_from(["pending", "pending", "refused", "assessed_no_statement",
                                    "statement_made"]))
    request["outcome"] = outcome
    if outcome != "pending" and draw(st.booleans()):
        request["outcome_on"] = _day(draw, requested, as_of)
    if request["route"].endswith("notification") and draw(st.integers(0, 3)):
        diagnosis: dict[str, Any] = {
            "early_in_life": draw(st.booleans()),
            "long_lasting_or_permanent": draw(st.booleans()),
            "physical_or_medical": draw(st.booleans()),
            "needs_long_term_medical_intervention": draw(st.booleans()),
        }
        if draw(st.booleans()):
            diagnosis["made_on"] = _day(draw, dob, as_of)
        request["diagnosis"] = diagnosis
    return request


def _statement(draw: st.DrawFn, dob: date, as_of: date) -> dict[str, Any]:
    made = draw(dates_between(dob, as_of))
    statement: dict[str, Any] = {"made_on": made.isoformat(),
                                 "travel_provision": draw(st.booleans())}
    reviews = sorted({draw(dates_between(made, as_of))
                      for _ in range(draw(st.integers(0, 3)))})
    statement["reviews"] = [
        {k: v for k, v in {"held_on": r.isoformat(),
                           "transport_reconsidered": draw(_maybe(st.booleans())),
                           "independent_travel_considered": draw(_maybe(st.booleans())),
                           }.items() if v is not None}
        for r in reviews]
    return statement


def _cessation(draw: st.DrawFn, dob: date, as_of: date) -> dict[str, Any]:
    cessation: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        cessation["criteria_no_longer_met_on"] = _day(draw, dob, as_of)
    if draw(st.integers(0, 4)) == 0:
        cessation["placed_under_order"] = {
            "provision": draw(st.sampled_from(list(ORDER_PROVISIONS))),
            "placed_on": _day(draw, dob, as_of)}
    if draw(st.integers(0, 4)) == 0:
        cessation["placed_by_parents_in_independent_school_on"] = _day(draw, dob, as_of)
    if draw(st.integers(0, 3)) == 0:
        cessation["left_school_on"] = _day(draw, dob, as_of)
    if draw(st.integers(0, 4)) == 0:
        cessation["appeal_pending"] = True
    return cessation


def _views(draw: st.DrawFn, ids: list[str]) -> dict[str, Any]:
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
    return views


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
    data, as_of = draw(evaluation_inputs(lo, hi))
    drawn = dob = date.fromisoformat(data["child"]["date_of_birth"])
    if draw(st.booleans()):  # the child's age on as_of: around the 19th (or another) birthday
        dob = _near_birthday(draw, data, dob, as_of)
    # the dates moved below stay on or after the date of birth first drawn
    request = data.get("assessment_request")
    if request is not None and draw(st.booleans()):
        _at_deadlines(draw, request, drawn, as_of)
    statement = data.get("statement")
    if statement is not None and draw(st.booleans()):
        _at_review_due(draw, statement, drawn, as_of)
    cessation = data.get("cessation", {})
    if statement is not None and cessation and draw(st.booleans()):
        _on_statement_day(draw, cessation, statement["made_on"])
    if "left_school_on" in cessation and draw(st.booleans()):
        leaving = compulsory_school_age_end(dob, DateConventions())
        left = leaving + timedelta(days=draw(_SHIFT))
        if drawn <= left <= as_of:
            cessation["left_school_on"] = left.isoformat()
    for cand in data.get("candidate_placements", []):
        if draw(st.integers(0, 2)) == 0:
            cand["distance_km"] = draw(st.sampled_from([9.99, 10.0, 10.01]))
    return data, as_of


def _near_birthday(draw: st.DrawFn, data: dict[str, Any], dob: date, as_of: date) -> date:
    """The date of birth moved so that ``as_of`` is about a birthday that matters (if no
    other date of the case would then come before it); the date of birth after."""
    years = draw(st.sampled_from([19, 19, 14, 16, 5, 4]))
    new_dob = as_of - relativedelta(years=years) + timedelta(days=draw(_SHIFT))
    if draw(st.integers(0, 5)) == 0:
        new_dob = date(2000 - 4 * draw(st.integers(0, 3)), 2, 29)
    if new_dob <= as_of and all(date.fromisoformat(v) >= new_dob for v in all_dates(data)):
        data["child"]["date_of_birth"] = new_dob.isoformat()
        return new_dob
    return dob


def _at_deadlines(draw: st.DrawFn, request: dict[str, Any], earliest: date,
                  as_of: date) -> None:
    """A request (and its outcome) about a statutory-assessment deadline before as_of."""
    weeks = draw(st.sampled_from(_WEEKS))
    requested = as_of - timedelta(weeks=weeks) + timedelta(days=draw(_SHIFT))
    if earliest <= requested <= as_of:
        request["requested_on"] = requested.isoformat()
        if request.get("outcome_on") is not None:
            done = requested + timedelta(weeks=draw(st.sampled_from(_WEEKS)),
                                         days=draw(_SHIFT))
            if requested <= done <= as_of:
                request["outcome_on"] = done.isoformat()
            else:
                request.pop("outcome_on")


def _at_review_due(draw: st.DrawFn, statement: dict[str, Any], earliest: date,
                   as_of: date) -> None:
    """The Statement, or its last review, about the review due date (or its notice)."""
    months = draw(st.sampled_from([6, 12]))
    notice = draw(st.sampled_from([0, 56]))
    last = as_of - relativedelta(months=months) + timedelta(days=notice + draw(_SHIFT))
    if earliest <= last <= as_of:
        if draw(st.booleans()) or not statement["reviews"]:
            statement["made_on"] = last.isoformat()
            statement["reviews"] = []
        else:
            made = date.fromisoformat(statement["made_on"])
            if made <= last:
                statement["reviews"] = [{**statement["reviews"][-1],
                                         "held_on": last.isoformat()}]


def _on_statement_day(draw: st.DrawFn, cessation: dict[str, Any], made: str) -> None:
    """Some grounds for ceasing dated the day the Statement was made."""
    for key in ("criteria_no_longer_met_on", "placed_by_parents_in_independent_school_on",
                "left_school_on"):
        if key in cessation and draw(st.booleans()):
            cessation[key] = made
    if "placed_under_order" in cessation and draw(st.booleans()):
        cessation["placed_under_order"]["placed_on"] = made
