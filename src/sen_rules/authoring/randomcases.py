"""Valid, varied cases drawn with plain ``random`` (no hypothesis): the corpus generator.

This mirrors the hypothesis strategies of :mod:`sen_rules.testing.strategies` choice for
choice (the same fields, the same odds, the same leaning towards the days that matter:
29 February, the prescribed days, the academic-year boundary, the ends of a range), and
half the cases are then pushed onto the boundaries of rules as ``boundary_inputs`` does
(the 19th and other birthdays, the statutory-assessment deadlines, the review due date,
the school leaving date, distances at the local-placement threshold). Every case is valid
for its ``as_of`` by construction: no date before the date of birth or after ``as_of``,
no outcome date before its request, no review before its Statement, unique candidate ids,
preferences that name a candidate.

Drawing only from one ``random.Random``, seeded by the caller, makes a case a pure
function of that seed: the same in any process, on any machine, with any worker count.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta

from ..case import (
    Dispute,
    JointFunding,
    Placement,
    PlacementUnderOrder,
    SenSupportPeriod,
    StatutoryAssessmentRequest,
)
from ..case_description import choices_of
from ..dates import DateConventions, compulsory_school_age_end

EARLIEST_AS_OF = date(2002, 1, 1)
LATEST_AS_OF = date(2032, 12, 31)
QUADRANTS = ("North-East", "North-West", "South-East", "South-West")
BOUNDARY_DAYS = ((2, 28), (2, 29), (3, 1), (3, 31), (4, 1), (6, 24), (6, 30), (7, 1),
                 (8, 31), (9, 1), (12, 31), (1, 1))
# the values of the case model's enumerations, in its order (read from the model)
AGENCIES = choices_of(SenSupportPeriod, "agencies")
PROVISIONS = choices_of(Placement, "provision")
SECTORS = choices_of(Placement, "sector")
ATTENDANCES = choices_of(Placement, "attendance")
INTAKES = choices_of(Placement, "intake")
MAINSTREAM_LINKS = choices_of(Placement, "mainstream_links")
PROGRESS = choices_of(Placement, "expected_progress")
ROUTES = choices_of(StatutoryAssessmentRequest, "route")
JOINT_FUNDING_KINDS = choices_of(JointFunding, "kind")
PARTIES = choices_of(Dispute, "party")
ORDER_PROVISIONS = choices_of(PlacementUnderOrder, "provision")
PLACEMENT_NAMES = ("Oak School", "Ash Centre", "Elm Academy", "Birch Unit", "Hazel House",
                   "Rowan College")
SETTING_NAMES = ("Oak Primary", "Little Acorns Nursery", "Mossbourne", "Hackney Free")
# free text: a fixed alphabet (so output never depends on the Unicode tables of a Python
# release) of letters, digits, punctuation, spaces, accents, other scripts and emoji
_TEXT_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:'\"!?-()/&%"
    "éèêëàâäîïôöûüçñßøåÉÀÇ ąęłńśźżĄĘŁŃŚŹŻ абвгдежзийклмнопрст αβγδεζηθ"
    "\u00a0\u2002\u200b\u2019\u201c\u201d\u2014 你好世界学校 こんにちは 안녕 مرحبا שלום "
    "\U0001F600\U0001F44D\U0001F3EB\U0001F9D2 \u0301\u0308")
_SHIFTS = (-1, 0, 1)
_WEEKS = (6, 16, 18, 26)
_CONVENTIONS = DateConventions()
T = TypeVar("T")


class CaseDrawer:
    """The strategies of ``sen_rules.testing.strategies``, drawn from one ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random  # every draw goes through random(): cheap and reproducible

    def randint(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi]."""
        return lo + int(self.random() * (hi - lo + 1))

    def choice(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    # ---------------------------------------------------------------- building blocks

    def boolean(self) -> bool:
        return self.random() < 0.5

    def maybe(self, likelihood: int = 2) -> bool:
        """True unless the value is to be missing (about one time in ``likelihood``)."""
        return self.randint(1, likelihood) != 1

    def date_between(self, lo: date, hi: date) -> date:
        """A date in [lo, hi], often an end of the range or a boundary day of the calendar."""
        if hi < lo:
            hi = lo
        choice = self.randint(0, 9)
        if choice <= 1:
            return lo if choice == 0 else hi
        if choice <= 4:
            edge = self.boundary_day(lo, hi)
            if edge is not None:
                return edge
        return lo + timedelta(days=self.randint(0, (hi - lo).days))

    def boundary_day(self, lo: date, hi: date) -> date | None:
        """One of the calendar's boundary days in [lo, hi], uniformly; None if there is none."""
        if hi.year - lo.year > 2:  # rejection sampling: most draws are accepted
            for _ in range(32):
                year = self.randint(lo.year, hi.year)
                month, day = self.choice(BOUNDARY_DAYS)
                if month == 2 and day == 29 and not _leap(year):
                    continue
                found = date(year, month, day)
                if lo <= found <= hi:
                    return found
        edges = [date(y, m, d) for y in range(lo.year, hi.year + 1) for m, d in BOUNDARY_DAYS
                 if not (m == 2 and d == 29 and not _leap(y)) and lo <= date(y, m, d) <= hi]
        return self.choice(edges) if edges else None

    def identifier(self) -> str:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return (self.choice(letters) + self.choice(letters)
                + f"{self.randint(0, 999):03d}")

    def quadrant(self) -> str:
        return self.choice(QUADRANTS) if self.boolean() else "Outside the borough"

    def text(self) -> str:
        return "".join(self.rng.choices(_TEXT_ALPHABET, k=self.randint(1, 40)))

    # ---------------------------------------------------------------- the case

    def placement(self, pid: str) -> dict[str, Any]:
        p: dict[str, Any] = {
            "id": pid,
            "name": self.choice(PLACEMENT_NAMES),
            "provision": self.choice(PROVISIONS),
            "sector": self.choice(SECTORS),
            "attendance": self.choice(ATTENDANCES),
        }
        if self.maybe():
            p["distance_km"] = (float(self.randint(0, 200)) if self.boolean()
                                else self.rng.uniform(0, 400))
        if self.maybe():
            p["intake"] = self.choice(INTAKES)
        if self.maybe():
            p["mainstream_links"] = self.choice(MAINSTREAM_LINKS)
        if self.maybe():
            p["funding_level"] = self.randint(1, 5)
        if self.maybe():
            p["peer_group_appropriate"] = self.boolean()
        if self.maybe():
            p["stimulating_social_environment"] = self.boolean()
        if self.maybe():
            p["expected_progress"] = self.choice(PROGRESS)
        return p

    def case(self, as_of: date) -> dict[str, Any]:
        """A valid case (as JSON-like data) whose facts are all known on ``as_of``.

        The parts are drawn in a fixed order (the order of the fields of the case), each
        from the same stream of draws, so a seed gives the same case in any version that
        keeps this order."""
        age_days = (self.randint(0, 23 * 366) if self.boolean()
                    else self.choice((4 * 365, 5 * 365, 16 * 365, 19 * 365)))
        dob = self.date_between(max(date(1985, 1, 1), as_of - timedelta(days=age_days + 400)),
                                as_of)
        case: dict[str, Any] = {"child": self.child(dob), "setting": self.setting(),
                                "sen_support": self.support_periods(dob, as_of)}
        if self.randint(0, 2):
            case["assessment_request"] = self.assessment_request(dob, as_of)
        if self.boolean():
            case["statement"] = self.statement(dob, as_of)
        if self.boolean():
            case["proposed_placement"] = self.placement("P0")
        if self.randint(0, 3) == 0:
            case["joint_funding"] = {"kind": self.choice(JOINT_FUNDING_KINDS),
                                     "placement_discussion_needed_first": self.boolean()}
        if self.randint(0, 3) == 0:
            case["significant_health_or_social_care_issues"] = True
        case["disputes"] = [{"party": self.choice(PARTIES), "resolved": self.boolean()}
                            for _ in range(self.randint(0, 2))]
        case["education"] = self.education(dob, as_of)
        case["cessation"] = self.cessation(dob, as_of)
        candidates = [self.placement(f"C{i}") for i in range(self.randint(0, 4))]
        case["candidate_placements"] = candidates
        case["views"] = self.views([c["id"] for c in candidates])
        return case

    def day(self, lo: date, hi: date) -> str:
        """A date in [lo, hi], as the case holds it."""
        return self.date_between(lo, hi).isoformat()

    def child(self, dob: date) -> dict[str, Any]:
        child: dict[str, Any] = {"id": self.identifier(), "date_of_birth": dob.isoformat()}
        if self.boolean():
            child["home_quadrant"] = self.quadrant()
        return child

    def setting(self) -> dict[str, Any]:
        kind = self.choice(("none", "early_years", "school", "school", "other_provider"))
        setting: dict[str, Any] = {"kind": kind}
        if kind != "none" and self.randint(0, 4):
            setting["quadrant"] = self.quadrant()
        if kind != "none" and self.boolean():
            setting["name"] = self.choice(SETTING_NAMES)
        return setting

    def support_periods(self, dob: date, as_of: date) -> list[dict[str, Any]]:
        periods = []
        for _ in range(self.randint(0, 3)):
            started = self.date_between(dob, as_of)
            advice = self.boolean()
            period: dict[str, Any] = {"started": started.isoformat(),
                                      "outside_advice_sought": advice}
            if self.boolean():
                period["ended"] = self.day(started, as_of)
            if advice and self.boolean():
                period["agencies"] = self.rng.sample(AGENCIES, self.randint(0, 3))
            periods.append(period)
        return periods

    def assessment_request(self, dob: date, as_of: date) -> dict[str, Any]:
        requested = self.date_between(dob, as_of)
        route = self.choice(ROUTES)
        request: dict[str, Any] = {"route": route, "requested_on": requested.isoformat()}
        outcome = self.choice(("pending", "pending", "refused", "assessed_no_statement",
                               "statement_made"))
        request["outcome"] = outcome
        if outcome != "pending" and self.boolean():
            request["outcome_on"] = self.day(requested, as_of)
        if route.endswith("notification") and self.randint(0, 3):
            diagnosis: dict[str, Any] = {
                "early_in_life": self.boolean(),
                "long_lasting_or_permanent": self.boolean(),
                "physical_or_medical": self.boolean(),
                "needs_long_term_medical_intervention": self.boolean(),
            }
            if self.boolean():
                diagnosis["made_on"] = self.day(dob, as_of)
            request["diagnosis"] = diagnosis
        return request

    def statement(self, dob: date, as_of: date) -> dict[str, Any]:
        made = self.date_between(dob, as_of)
        statement: dict[str, Any] = {"made_on": made.isoformat(),
                                     "travel_provision": self.boolean()}
        held = sorted({self.date_between(made, as_of) for _ in range(self.randint(0, 3))})
        reviews = []
        for r in held:
            review: dict[str, Any] = {"held_on": r.isoformat()}
            if self.maybe():
                review["transport_reconsidered"] = self.boolean()
            if self.maybe():
                review["independent_travel_considered"] = self.boolean()
            reviews.append(review)
        statement["reviews"] = reviews
        return statement

    def education(self, dob: date, as_of: date) -> dict[str, Any]:
        status = self.choice(("in_school", "in_school", "out_of_school", "education_otherwise"))
        education: dict[str, Any] = {"status": status}
        if status != "in_school" and self.boolean():
            education["since"] = self.day(dob, as_of)
        return education

    def cessation(self, dob: date, as_of: date) -> dict[str, Any]:
        cessation: dict[str, Any] = {}
        if self.randint(0, 3) == 0:
            cessation["criteria_no_longer_met_on"] = self.day(dob, as_of)
        if self.randint(0, 4) == 0:
            cessation["placed_under_order"] = {"provision": self.choice(ORDER_PROVISIONS),
                                               "placed_on": self.day(dob, as_of)}
        if self.randint(0, 4) == 0:
            cessation["placed_by_parents_in_independent_school_on"] = self.day(dob, as_of)
        if self.randint(0, 3) == 0:
            cessation["left_school_on"] = self.day(dob, as_of)
        if self.randint(0, 4) == 0:
            cessation["appeal_pending"] = True
        return cessation

    def views(self, ids: list[str]) -> dict[str, Any]:
        views: dict[str, Any] = {}
        for who in ("parents", "pupil"):
            if self.boolean():
                view: dict[str, Any] = {}
                if self.boolean() and ids:
                    view["preferred_placement"] = self.choice(ids)
                if self.boolean():
                    view["summary"] = self.text()
                views[who] = view
        return views

    def evaluation_input(self, lo: date = EARLIEST_AS_OF,
                         hi: date = LATEST_AS_OF) -> tuple[dict[str, Any], date]:
        """A (case data, as_of) pair; the case is valid on that date."""
        as_of = self.date_between(lo, hi)
        return self.case(as_of), as_of

    # ---------------------------------------------------------------- rule boundaries

    def boundary_input(self, lo: date = EARLIEST_AS_OF,
                       hi: date = LATEST_AS_OF) -> tuple[dict[str, Any], date]:
        """A (case data, as_of) pair with some facts moved onto a boundary of a rule."""
        data, as_of = self.evaluation_input(lo, hi)
        drawn = dob = date.fromisoformat(data["child"]["date_of_birth"])
        if self.boolean():  # the child's age on as_of: around the 19th (or another) birthday
            dob = self.near_birthday(data, dob, as_of)
        # the dates moved below stay on or after the date of birth first drawn
        request = data.get("assessment_request")
        if request is not None and self.boolean():
            self.at_deadlines(request, drawn, as_of)
        statement = data.get("statement")
        if statement is not None and self.boolean():
            self.at_review_due(statement, drawn, as_of)
        cessation = data["cessation"]
        if statement is not None and cessation and self.boolean():
            self.on_statement_day(cessation, statement["made_on"])
        if "left_school_on" in cessation and self.boolean():
            left = compulsory_school_age_end(dob, _CONVENTIONS) + self.shift()
            if drawn <= left <= as_of:
                cessation["left_school_on"] = left.isoformat()
        for candidate in data["candidate_placements"]:
            if self.randint(0, 2) == 0:
                candidate["distance_km"] = self.choice((9.99, 10.0, 10.01))
        return data, as_of

    def shift(self) -> timedelta:
        """A day either side of a boundary, or none."""
        return timedelta(days=self.choice(_SHIFTS))

    def near_birthday(self, data: dict[str, Any], dob: date, as_of: date) -> date:
        """The date of birth moved so that ``as_of`` is about a birthday that matters (if
        no other date of the case would then come before it); the date of birth after."""
        years = self.choice((19, 19, 14, 16, 5, 4))
        new_dob = as_of - relativedelta(years=years) + self.shift()
        if self.randint(0, 5) == 0:
            new_dob = date(2000 - 4 * self.randint(0, 3), 2, 29)
        if new_dob <= as_of and all(date.fromisoformat(v) >= new_dob
                                    for v in all_dates(data)):
            data["child"]["date_of_birth"] = new_dob.isoformat()
            return new_dob
        return dob

    def at_deadlines(self, request: dict[str, Any], earliest: date, as_of: date) -> None:
        """A request (and its outcome) about a statutory-assessment deadline before as_of."""
        requested = as_of - timedelta(weeks=self.choice(_WEEKS)) + self.shift()
        if earliest <= requested <= as_of:
            request["requested_on"] = requested.isoformat()
            if request.get("outcome_on") is not None:
                done = requested + timedelta(weeks=self.choice(_WEEKS)) + self.shift()
                if requested <= done <= as_of:
                    request["outcome_on"] = done.isoformat()
                else:
                    request.pop("outcome_on")

    def at_review_due(self, statement: dict[str, Any], earliest: date, as_of: date) -> None:
        """The Statement, or its last review, about the review due date (or its notice)."""
        months = self.choice((6, 12))
        notice = self.choice((0, 56))
        last = as_of - relativedelta(months=months) + timedelta(days=notice) + self.shift()
        if earliest <= last <= as_of:
            if self.boolean() or not statement["reviews"]:
                statement["made_on"] = last.isoformat()
                statement["reviews"] = []
            elif date.fromisoformat(statement["made_on"]) <= last:
                statement["reviews"] = [{**statement["reviews"][-1],
                                         "held_on": last.isoformat()}]

    def on_statement_day(self, cessation: dict[str, Any], made: str) -> None:
        """Some grounds for ceasing dated the day the Statement was made."""
        for key in ("criteria_no_longer_met_on",
                    "placed_by_parents_in_independent_school_on", "left_school_on"):
            if key in cessation and self.boolean():
                cessation[key] = made
        if "placed_under_order" in cessation and self.boolean():
            cessation["placed_under_order"]["placed_on"] = made

    def corpus_input(self) -> tuple[dict[str, Any], date]:
        """What one line of a corpus holds: half plain cases, half pushed onto boundaries."""
        return self.boundary_input() if self.boolean() else self.evaluation_input()


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def all_dates(value: Any) -> list[str]:
    """Every ISO date string in JSON-like case data except the date of birth (shared with
    the hypothesis strategies, which draw the same cases)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, v in value.items():
            if key != "date_of_birth":
                found.extend(all_dates(v))
    elif isinstance(value, list):
        for v in value:
            found.extend(all_dates(v))
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            date.fromisoformat(value)
        except ValueError:  # free text that only looks like a date
            return found
        found.append(value)
    return found
