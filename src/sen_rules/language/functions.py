"""The whitelist of functions a condition may call.

Nothing else can be called: a rule file cannot reach Python. Each function is a mechanism
(date arithmetic fixed by statute or by a setting), says which settings it reads so that
explanations and the linter can show them, and returns ``None`` (unknown) when an input
is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import dates
from ..dates import DateConventions
from .types import BOOL, DATE, INTEGER, Type, list_of

Impl = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    params: tuple[tuple[str, Type], ...]
    returns: Type
    impl: Impl  # impl(conventions, *args); never called with an unknown argument
    settings: tuple[str, ...]
    words: str  # plain words, with {0}, {1} for the arguments
    summary: str
    variadic: bool = False  # params[0] repeated, or a single list of it


def _age_on(conv: DateConventions, dob: date, on: date) -> int:
    return dates.age_on(dob, on, conv.leap_day_birthday)


def _birthday(conv: DateConventions, dob: date, years: int) -> date:
    return dates.anniversary(dob, int(years), conv.leap_day_birthday)


def _ay_start(conv: DateConventions, d: date) -> date:
    return dates.academic_year_start(d, conv.academic_year_start)


def _ay_end(conv: DateConventions, d: date) -> date:
    return dates.academic_year_end(d, conv.academic_year_start)


def _year_group(conv: DateConventions, dob: date, on: date) -> int:
    """National Curriculum year: Reception (0) is the academic year in which the child is 5."""
    fifth = dates.anniversary(dob, conv.compulsory_school_age_lower, conv.leap_day_birthday)
    reception = dates.academic_year_start(fifth, conv.academic_year_start)
    return dates.academic_year_start(on, conv.academic_year_start).year - reception.year


def _year_group_start(conv: DateConventions, dob: date, year: int) -> date:
    fifth = dates.anniversary(dob, conv.compulsory_school_age_lower, conv.leap_day_birthday)
    reception = dates.academic_year_start(fifth, conv.academic_year_start)
    return dates.academic_year_start(
        dates.add_duration(reception, years=int(year)), conv.academic_year_start
    )


def _earliest(conv: DateConventions, *values: date) -> date | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _latest(conv: DateConventions, *values: date) -> date | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _days_between(conv: DateConventions, a: date, b: date) -> int:
    return (b - a).days


def _is_leap_day(conv: DateConventions, d: date) -> bool:
    return d.month == 2 and d.day == 29


_LEAP = dates.convention_settings("leap_day_birthday")
_AY = dates.convention_settings("academic_year_start")
_CSA = dates.convention_settings(
    "leap_day_birthday", "prescribed_days", "compulsory_school_age_lower")
_END = dates.convention_settings(
    "leap_day_birthday", "compulsory_school_age_upper", "school_leaving_month",
    "school_leaving_weekday", "academic_year_start")
_YEAR_GROUP = _LEAP + _AY + dates.convention_settings("compulsory_school_age_lower")

FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec(
            "age_on", (("date of birth", DATE), ("on", DATE)), INTEGER, _age_on, _LEAP,
            "the age on {1} of someone born on {0}",
            "Age in whole years attained on a date (a person attains an age at the start of "
            "the anniversary of their birth).",
        ),
        FunctionSpec(
            "birthday", (("date of birth", DATE), ("age", INTEGER)), DATE, _birthday, _LEAP,
            "the day someone born on {0} turns {1}",
            "The day a person attains an age; 29 February birthdays follow the leap-day setting.",
        ),
        FunctionSpec(
            "compulsory_school_age_start", (("date of birth", DATE),), DATE,
            lambda conv, dob: dates.compulsory_school_age_start(dob, conv), _CSA,
            "the first day of compulsory school age for someone born on {0}",
            "The first prescribed day on or after the fifth birthday (Education Act 1996 s.8).",
        ),
        FunctionSpec(
            "compulsory_school_age_end", (("date of birth", DATE),), DATE,
            lambda conv, dob: dates.compulsory_school_age_end(dob, conv), _END,
            "the school leaving date (end of compulsory school age) for someone born on {0}",
            "The school leaving date: the last Friday in June of the school year in which the "
            "young person turns 16 (Education Act 1996 s.8).",
        ),
        FunctionSpec(
            "academic_year_start", (("date", DATE),), DATE, _ay_start, _AY,
            "the first day of the academic year containing {0}",
            "First day of the academic year containing a date (boundary is a setting).",
        ),
        FunctionSpec(
            "academic_year_end", (("date", DATE),), DATE, _ay_end, _AY,
            "the last day of the academic year containing {0}",
            "Last day of the academic year containing a date (boundary is a setting).",
        ),
        FunctionSpec(
            "year_group", (("date of birth", DATE), ("on", DATE)), INTEGER, _year_group,
            _YEAR_GROUP,
            "the school year group on {1} of a child born on {0} (Reception is 0)",
            "National Curriculum year group on a date: Reception is the academic year in which "
            "the child turns 5, Year 1 the next, and so on.",
        ),
        FunctionSpec(
            "year_group_start", (("date of birth", DATE), ("year", INTEGER)), DATE,
            _year_group_start, _YEAR_GROUP,
            "the day a child born on {0} starts Year {1}",
            "First day of the academic year in which the child is in the given year group.",
        ),
        FunctionSpec(
            "earliest", (("date", DATE),), DATE, _earliest, (),
            "the earliest of {0}", "The earliest known date (unknown dates are ignored).",
            variadic=True,
        ),
        FunctionSpec(
            "latest", (("date", DATE),), DATE, _latest, (),
            "the latest of {0}", "The latest known date (unknown dates are ignored).",
            variadic=True,
        ),
        FunctionSpec(
            "days_between", (("from", DATE), ("to", DATE)), INTEGER, _days_between, (),
            "the number of days from {0} to {1}", "Days from the first date to the second.",
        ),
        FunctionSpec(
            "is_leap_day", (("date", DATE),), BOOL, _is_leap_day, (),
            "{0} is 29 February", "Whether a date is 29 February.",
        ),
    )
}


def signature(spec: FunctionSpec) -> str:
    if spec.variadic:
        return f"{spec.name}({spec.params[0][0]}, ...) or {spec.name}(list of {spec.params[0][1]})"
    return f"{spec.name}(" + ", ".join(name for name, _ in spec.params) + ")"


def accepts_list(spec: FunctionSpec, arg_types: Sequence[Type]) -> bool:
    """A variadic function also takes one list (``latest(statement.reviews.held_on)``)."""
    return spec.variadic and len(arg_types) == 1 and arg_types[0] == list_of(spec.params[0][1])
