"""Date mechanisms the policy takes for granted (Education Act 1996 s.8, FLRA 1969 s.9).

These functions are *mechanisms*, not policy: every choice the law leaves open (the
29 February convention, the academic-year boundary, the prescribed days, the school
leaving day) is a parameter whose value lives in the rulebase settings. Calendar
arithmetic follows python-dateutil's ``relativedelta`` (month ends clip).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

MonthDay = tuple[int, int]
LeapDayConvention = Literal["1 March", "28 February"]

WEEKDAYS: dict[str, weekday] = {
    "Monday": MO,
    "Tuesday": TU,
    "Wednesday": WE,
    "Thursday": TH,
    "Friday": FR,
    "Saturday": SA,
    "Sunday": SU,
}

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def parse_month_day(text: str) -> MonthDay:
    """Read a day of the year written as "1 September" (as a policy officer would)."""
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in MONTHS:
        raise ValueError(f"expected a day and a month such as '1 September', got {text!r}")
    day, month = int(parts[0]), MONTHS.index(parts[1]) + 1
    try:
        date(2000, month, day)  # 2000 is a leap year, so 29 February is allowed here
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the year") from None
    return month, day


@dataclass(frozen=True, slots=True)
class DateConventions:
    """The settings the date mechanisms read. Built from the rulebase settings."""

    leap_day_birthday: LeapDayConvention = "1 March"
    academic_year_start: MonthDay = (9, 1)
    prescribed_days: tuple[MonthDay, ...] = ((8, 31), (12, 31), (3, 31))
    compulsory_school_age_lower: int = 5
    compulsory_school_age_upper: int = 16
    school_leaving_month: int = 6
    school_leaving_weekday: str = "Friday"


# The settings that hold the date conventions, by name, with the type each must have in the
# rulebase. The one list of these names: the loader checks the settings against it and the
# date functions of the condition language name what they read from it.
CONVENTION_SETTINGS: dict[str, str] = {
    "leap_day_birthday": "choice",
    "academic_year_start": "day_of_year",
    "prescribed_days": "list_of_days_of_year",
    "compulsory_school_age_lower": "integer",
    "compulsory_school_age_upper": "integer",
    "school_leaving_month": "integer",
    "school_leaving_weekday": "choice",
}


def convention_settings(*names: str) -> tuple[str, ...]:
    """``names``, each checked to be a convention setting (a misspelt name fails at import)."""
    unknown = [n for n in names if n not in CONVENTION_SETTINGS]
    if unknown:
        raise ValueError(f"not date-convention settings: {', '.join(unknown)}")
    return names


def anniversary(dob: date, years: int, convention: LeapDayConvention) -> date:
    """The day a person born on ``dob`` attains age ``years``.

    A person attains an age at the start of the anniversary of their birth. For a
    29 February birthday in a common year the convention decides: 1 March (default) or
    28 February. ``relativedelta`` alone would always give 28 February.
    """
    target_year = dob.year + years
    if dob.month == 2 and dob.day == 29:
        try:
            return date(target_year, 2, 29)
        except ValueError:
            return date(target_year, 3, 1) if convention == "1 March" else date(target_year, 2, 28)
    return dob.replace(year=target_year)  # the same as dob + relativedelta(years=years), faster


def age_on(dob: date, on: date, convention: LeapDayConvention) -> int:
    """Age in whole years attained on ``on`` (negative dates of birth give -1 and so on)."""
    years = on.year - dob.year
    if anniversary(dob, years, convention) > on:
        years -= 1
    return years


def academic_year_start(d: date, boundary: MonthDay) -> date:
    """First day of the academic year that contains ``d``."""
    start = _year_start(d.year, boundary)
    if d >= start:
        return start
    return _year_start(d.year - 1, boundary)


def _year_start(year: int, boundary: MonthDay) -> date:
    try:
        return date(year, boundary[0], boundary[1])
    except ValueError:  # 29 February boundary in a common year
        return date(year, 3, 1)


def academic_year_end(d: date, boundary: MonthDay) -> date:
    """Last day of the academic year that contains ``d``."""
    start = academic_year_start(d, boundary)
    return _year_start(start.year + 1, boundary) - timedelta(days=1)


def first_prescribed_day_on_or_after(d: date, prescribed: tuple[MonthDay, ...]) -> date:
    """The first of the prescribed days (31 Aug, 31 Dec, 31 Mar by default) on or after ``d``."""
    candidates = []
    for year in (d.year, d.year + 1):
        for month, day in prescribed:
            candidate = _year_start(year, (month, day))
            if candidate >= d:
                candidates.append(candidate)
    return min(candidates)


@lru_cache(maxsize=65536)
def compulsory_school_age_start(dob: date, conv: DateConventions) -> date:
    """First day of compulsory school age (s.8(2) and the prescribed days)."""
    birthday = anniversary(dob, conv.compulsory_school_age_lower, conv.leap_day_birthday)
    return first_prescribed_day_on_or_after(birthday, conv.prescribed_days)


@lru_cache(maxsize=4096)
def school_leaving_date(year: int, conv: DateConventions) -> date:
    """The school leaving date of a year: by default the last Friday in June."""
    day = WEEKDAYS[conv.school_leaving_weekday]
    return date(year, conv.school_leaving_month, 1) + relativedelta(day=31, weekday=day(-1))


@lru_cache(maxsize=65536)
def compulsory_school_age_end(dob: date, conv: DateConventions) -> date:
    """Last day of compulsory school age (the school leaving date, s.8(3)-(4)).

    A child who attains the upper age after that year's leaving date but before the next
    school year starts leaves on that leaving date (so July and August birthdays leave at
    15); one who attains it on the leaving date leaves that day; otherwise the first
    leaving date after the birthday.
    """
    birthday = anniversary(dob, conv.compulsory_school_age_upper, conv.leap_day_birthday)
    leaving = school_leaving_date(birthday.year, conv)
    if birthday <= leaving:
        return leaving
    next_year_start = _year_start(leaving.year, conv.academic_year_start)
    if next_year_start <= leaving:  # a boundary earlier in the year than the leaving date
        next_year_start = _year_start(leaving.year + 1, conv.academic_year_start)
    if birthday < next_year_start:
        return leaving
    return school_leaving_date(birthday.year + 1, conv)


@lru_cache(maxsize=65536)
def add_duration(d: date, years: int = 0, months: int = 0, weeks: int = 0, days: int = 0) -> date:
    """Calendar arithmetic: month ends clip (31 January + 1 month = 28/29 February).

    The months first, then the days, as ``d + relativedelta(...)`` does (the same dates
    and the same errors: ValueError off the calendar's years, OverflowError past its
    days), without building a ``relativedelta`` for every date."""
    if years or months:
        year, month = divmod(d.year * 12 + d.month - 1 + years * 12 + months, 12)
        month += 1
        d = d.replace(year=year, month=month, day=min(d.day, monthrange(year, month)[1]))
    if weeks or days:
        d = d + timedelta(days=weeks * 7 + days)
    return d


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(text: str) -> date:
    """A date written ``YYYY-MM-DD`` and nothing else: Python's ``date.fromisoformat`` also
    reads ``2006-W22-4`` and ``20060601``, which no input of sen-rules means. ValueError
    otherwise."""
    if not isinstance(text, str) or not _DAY.fullmatch(text):
        raise ValueError(f"expected a date written YYYY-MM-DD, got {text!r}")
    return date.fromisoformat(text)
