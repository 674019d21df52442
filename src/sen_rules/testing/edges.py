"""Hypothesis strategies for cases on the edges of the readings the ambiguity register settles.

Each strategy builds a small case from scratch around one edge where a reading changes the
answer: a pending appeal around the 19th birthday, leaving school around the school
leaving date (July and August birthdays included), a child of pre-school age with or
without a setting, candidate placements whose checks are not recorded, and candidates the
priorities pull in opposite directions. ``reading_edges`` draws from all of them. Every
case is valid on its ``as_of``. Requires ``hypothesis``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from ..dates import DateConventions, compulsory_school_age_end, compulsory_school_age_start
from .strategies import dates_between, placements

_SHIFT = st.sampled_from([-1, 0, 1])
_CONVENTIONS = DateConventions()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


@st.composite
def appeals_near_nineteen(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    """A Statement under appeal, looked at around the holder's 19th birthday."""
    as_of = draw(dates_between(date(2004, 1, 1), date(2032, 12, 31)))
    dob = _years_before(as_of, 19) + timedelta(days=draw(_SHIFT))
    if draw(st.integers(0, 5)) == 0:
        dob = date(1988 + 4 * draw(st.integers(0, 2)), 2, 29)
        as_of = date(dob.year + 19, 3, 1) + timedelta(days=draw(_SHIFT))
    made = draw(dates_between(dob + timedelta(days=365), as_of - timedelta(days=1)))
    cessation: dict[str, Any] = {"appeal_pending": draw(st.integers(0, 3)) > 0}
    for key in ("criteria_no_longer_met_on", "placed_by_parents_in_independent_school_on",
                "left_school_on"):
        if draw(st.booleans()):
            cessation[key] = draw(dates_between(made, as_of)).isoformat()
    data = {"child": {"id": "EDGE-19", "date_of_birth": dob.isoformat()},
            "statement": {"made_on": made.isoformat()}, "cessation": cessation}
    return data, as_of


@st.composite
def leaving_date_edges(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    """Leaving school the day before, on or after the school leaving date, or months before,
    looked at around that date; birthdays in June, July, August and September."""
    year = draw(st.integers(2004, 2030))
    month, day = draw(st.sampled_from([(6, 1), (6, 24), (6, 30), (7, 1), (7, 15), (8, 31),
                                       (9, 1), (2, 29)]))
    if (month, day) == (2, 29):
        year = year - year % 4
    dob = date(year - 16, month, day)
    leaving = compulsory_school_age_end(dob, _CONVENTIONS)
    left = leaving + timedelta(days=draw(st.sampled_from([-1, 0, 1, -40, -150])))
    as_of = max(left, leaving + timedelta(days=draw(st.sampled_from([-2, -1, 0, 1, 60]))))
    made = draw(dates_between(dob + timedelta(days=3 * 365), left))
    cessation: dict[str, Any] = {"left_school_on": left.isoformat()}
    if draw(st.integers(0, 4)) == 0:
        cessation["appeal_pending"] = True
    data = {"child": {"id": "EDGE-LEAVE", "date_of_birth": dob.isoformat()},
            "statement": {"made_on": made.isoformat()}, "cessation": cessation}
    return data, as_of


@st.composite
def pre_school_children(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    """A child around the start of compulsory school age, often with no setting at all."""
    dob = draw(dates_between(date(1998, 1, 1), date(2027, 12, 31)))
    starts = compulsory_school_age_start(dob, _CONVENTIONS)
    as_of = starts + timedelta(days=draw(st.sampled_from([-400, -30, -1, 0, 1])))
    as_of = max(as_of, dob)
    kind = draw(st.sampled_from(["none", "none", "early_years", "school", "other_provider"]))
    data: dict[str, Any] = {"child": {"id": "EDGE-PRE", "date_of_birth": dob.isoformat()},
                            "setting": {"kind": kind}}
    if draw(st.booleans()):
        data["sen_support"] = [{"started": draw(dates_between(dob, as_of)).isoformat(),
                                "outside_advice_sought": draw(st.booleans())}]
    if draw(st.booleans()):
        data["assessment_request"] = {
            "route": draw(st.sampled_from(["health_notification", "school", "parent"])),
            "requested_on": draw(dates_between(dob, as_of)).isoformat(),
            "outcome": draw(st.sampled_from(["pending", "pending", "refused"]))}
    if draw(st.integers(0, 4)) == 0:
        data["statement"] = {"made_on": draw(dates_between(dob, as_of)).isoformat()}
    return data, as_of


_CHECKS = ("peer_group_appropriate", "stimulating_social_environment", "expected_progress")


@st.composite
def candidates_on_edges(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    """Candidates with no checks recorded beside assessed ones, and pairs the priorities
    pull in opposite directions (a far day placement and a local residential one)."""
    as_of = draw(dates_between(date(2004, 1, 1), date(2032, 12, 31)))
    candidates = [draw(placements(f"C{i}")) for i in range(draw(st.integers(1, 4)))]
    for cand in candidates:
        how = draw(st.sampled_from(["none recorded", "all recorded", "as drawn"]))
        if how == "none recorded":
            for key in _CHECKS:
                cand.pop(key, None)
        elif how == "all recorded":
            cand["peer_group_appropriate"] = draw(st.booleans())
            cand["stimulating_social_environment"] = draw(st.booleans())
            cand["expected_progress"] = draw(st.sampled_from(["better", "satisfactory",
                                                              "unsatisfactory"]))
    if draw(st.booleans()):  # a conflicting pair, equal on everything else
        base = draw(placements("DAY-FAR"))
        far = {**base, "attendance": "day", "distance_km": 40.0}
        near = {**base, "id": "RES-NEAR", "attendance": "residential", "distance_km": 2.0}
        if draw(st.booleans()):
            near["intake"], far["intake"] = "wide_range", "narrow_band"
        candidates += [far, near]
    data = {"child": {"id": "EDGE-PLACE", "date_of_birth": _years_before(as_of, 12).isoformat()},
            "statement": {"made_on": _years_before(as_of, 2).isoformat()},
            "candidate_placements": candidates}
    if draw(st.booleans()):
        data["views"] = {"parents": {"preferred_placement": candidates[0]["id"]}}
    return data, as_of


def reading_edges() -> st.SearchStrategy[tuple[dict[str, Any], date]]:
    """A (case data, as_of) pair on the edge of one of the settled readings."""
    return st.one_of(appeals_near_nineteen(), leaving_date_edges(), pre_school_children(),
                     candidates_on_edges())
