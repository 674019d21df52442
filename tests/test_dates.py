"""The date mechanisms, at every boundary the law draws (Education Act 1996 s.8)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sen_rules import dates
from sen_rules.dates import DateConventions

CONV = DateConventions()
FEB28 = DateConventions(leap_day_birthday="28 February")
dobs = st.dates(min_value=date(1980, 1, 1), max_value=date(2030, 12, 31))


@pytest.mark.parametrize(
    ("fifth_birthday", "start"),
    [
        (date(2010, 8, 31), date(2010, 8, 31)),  # on a prescribed day: that day
        (date(2010, 9, 1), date(2010, 12, 31)),
        (date(2010, 12, 30), date(2010, 12, 31)),
        (date(2010, 12, 31), date(2010, 12, 31)),
        (date(2011, 1, 1), date(2011, 3, 31)),
        (date(2011, 3, 31), date(2011, 3, 31)),
        (date(2011, 4, 1), date(2011, 8, 31)),
    ],
)
def test_compulsory_school_age_starts_on_the_next_prescribed_day(fifth_birthday: date,
                                                                 start: date) -> None:
    dob = fifth_birthday.replace(year=fifth_birthday.year - 5)
    assert dates.compulsory_school_age_start(dob, CONV) == start


@pytest.mark.parametrize(
    ("sixteenth", "end"),
    [
        (date(2006, 7, 15), date(2006, 6, 30)),  # July birthday leaves at 15 (domain example)
        (date(2007, 9, 22), date(2008, 6, 27)),  # domain example
        (date(2006, 6, 30), date(2006, 6, 30)),  # on the leaving date: that day
        (date(2006, 7, 1), date(2006, 6, 30)),
        (date(2006, 8, 31), date(2006, 6, 30)),  # last day before the school year
        (date(2006, 9, 1), date(2007, 6, 29)),  # first day of the school year
        (date(2007, 1, 1), date(2007, 6, 29)),
        (date(2007, 6, 29), date(2007, 6, 29)),
    ],
)
def test_school_leaving_date(sixteenth: date, end: date) -> None:
    dob = sixteenth.replace(year=sixteenth.year - 16)
    assert dates.compulsory_school_age_end(dob, CONV) == end


def test_the_school_leaving_date_is_the_last_friday_in_june() -> None:
    assert dates.school_leaving_date(2006, CONV) == date(2006, 6, 30)
    assert dates.school_leaving_date(2008, CONV) == date(2008, 6, 27)
    assert dates.school_leaving_date(2012, CONV) == date(2012, 6, 29)


def test_29_february_birthdays_follow_the_convention() -> None:
    dob = date(2000, 2, 29)
    assert dates.anniversary(dob, 19, CONV.leap_day_birthday) == date(2019, 3, 1)
    assert dates.anniversary(dob, 19, FEB28.leap_day_birthday) == date(2019, 2, 28)
    assert dates.anniversary(dob, 20, CONV.leap_day_birthday) == date(2020, 2, 29)
    assert dates.age_on(dob, date(2019, 2, 28), "1 March") == 18
    assert dates.age_on(dob, date(2019, 2, 28), "28 February") == 19
    assert dates.age_on(dob, date(2019, 3, 1), "1 March") == 19


def test_academic_year_boundary() -> None:
    sep1 = (9, 1)
    assert dates.academic_year_end(date(2010, 8, 31), sep1) == date(2010, 8, 31)
    assert dates.academic_year_start(date(2010, 8, 31), sep1) == date(2009, 9, 1)
    assert dates.academic_year_start(date(2010, 9, 1), sep1) == date(2010, 9, 1)
    assert dates.academic_year_end(date(2010, 9, 1), sep1) == date(2011, 8, 31)
    aug1 = (8, 1)
    assert dates.academic_year_end(date(2010, 7, 31), aug1) == date(2010, 7, 31)


def test_month_day_settings_are_read_as_written() -> None:
    assert dates.parse_month_day("1 September") == (9, 1)
    assert dates.parse_month_day("29 February") == (2, 29)
    for bad in ("31 February", "September 1", "1 Sept", "", "1  September x"):
        with pytest.raises(ValueError):
            dates.parse_month_day(bad)


@given(dobs, st.integers(0, 25))
def test_a_person_attains_an_age_on_the_anniversary(dob: date, years: int) -> None:
    day = dates.anniversary(dob, years, "1 March")
    assert dates.age_on(dob, day, "1 March") == years
    assert dates.age_on(dob, day - timedelta(days=1), "1 March") == years - 1


@given(dobs, st.dates(min_value=date(1980, 1, 1), max_value=date(2060, 1, 1)),
       st.integers(1, 400))
def test_age_never_goes_down(dob: date, on: date, later: int) -> None:
    assert dates.age_on(dob, on, "1 March") <= dates.age_on(dob, on + timedelta(days=later),
                                                            "1 March")


@given(dobs)
def test_compulsory_school_age_start_is_the_first_prescribed_day_after_age_five(dob: date) -> None:
    start = dates.compulsory_school_age_start(dob, CONV)
    fifth = dates.anniversary(dob, 5, CONV.leap_day_birthday)
    assert (start.month, start.day) in CONV.prescribed_days
    assert fifth <= start < fifth + timedelta(days=153)
    day = fifth
    while day < start:
        assert (day.month, day.day) not in CONV.prescribed_days
        day += timedelta(days=1)


@given(dobs)
def test_compulsory_school_age_ends_on_a_leaving_date_at_15_or_16(dob: date) -> None:
    end = dates.compulsory_school_age_end(dob, CONV)
    assert end.month == 6 and end.weekday() == 4 and (end + timedelta(days=7)).month == 7
    assert dates.age_on(dob, end, "1 March") in (15, 16)
    if dates.age_on(dob, end, "1 March") == 15:  # turns 16 after the leaving date, before Sept
        sixteenth = dates.anniversary(dob, 16, "1 March")
        assert end < sixteenth < date(end.year, 9, 1)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))
def test_every_date_lies_in_its_academic_year(day: date) -> None:
    for boundary in ((9, 1), (8, 1), (2, 29)):
        start = dates.academic_year_start(day, boundary)
        end = dates.academic_year_end(day, boundary)
        assert start <= day <= end
        assert 364 <= (end - start).days <= 365
