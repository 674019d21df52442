"""Epochs: the spans of dates over which the same rule versions and setting values are in
force, found from the dates rules and setting versions start and end."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from .dates import DateConventions, parse_month_day
from .elements import FOREVER_FROM, FOREVER_UNTIL, InForce, Rule, Setting


@dataclass(frozen=True)
class Epoch:
    """A span of dates over which the same rule versions and setting values are in force."""

    start: date
    end: date
    rules: tuple[Rule, ...]
    settings: Mapping[str, Any]

    @cached_property
    def conventions(self) -> DateConventions:
        return conventions_from(self.settings)

    @cached_property
    def rule_keys(self) -> frozenset[str]:
        return frozenset(r.key for r in self.rules)



def conventions_from(settings: Mapping[str, Any]) -> DateConventions:
    defaults = DateConventions()
    return DateConventions(
        leap_day_birthday=settings.get("leap_day_birthday", defaults.leap_day_birthday),
        academic_year_start=parse_month_day(settings["academic_year_start"])
        if "academic_year_start" in settings else defaults.academic_year_start,
        prescribed_days=tuple(parse_month_day(d) for d in settings["prescribed_days"])
        if "prescribed_days" in settings else defaults.prescribed_days,
        compulsory_school_age_lower=settings.get(
            "compulsory_school_age_lower", defaults.compulsory_school_age_lower),
        compulsory_school_age_upper=settings.get(
            "compulsory_school_age_upper", defaults.compulsory_school_age_upper),
        school_leaving_month=settings.get("school_leaving_month", defaults.school_leaving_month),
        school_leaving_weekday=settings.get(
            "school_leaving_weekday", defaults.school_leaving_weekday),
    )


def boundaries(rules: Iterable[Rule], settings: Mapping[str, Setting]) -> list[date]:
    """The first day of every epoch, in order (rules dated by the case are in all of them)."""
    points = {FOREVER_FROM}
    spans: list[InForce] = [r.in_force for r in rules if r.dated_by is None]
    spans += [v.in_force for s in settings.values() for v in s.versions]
    for span in spans:
        points.add(span.start)
        if span.end < FOREVER_UNTIL:
            points.add(date.fromordinal(span.end.toordinal() + 1))
    return sorted(points)


def epoch_on(day: date, bounds: list[date], rules: Iterable[Rule],
             settings: Mapping[str, Setting]) -> Epoch:
    """The epoch that contains ``day``, given the epochs' first days."""
    i = bisect.bisect_right(bounds, day) - 1
    end = (date.fromordinal(bounds[i + 1].toordinal() - 1)
           if i + 1 < len(bounds) else FOREVER_UNTIL)
    return Epoch(
        start=bounds[i],
        end=end,
        # a rule dated by an event of the case is in every epoch; its guard chooses
        rules=tuple(r for r in rules if r.dated_by is not None or r.in_force.covers(day)),
        settings={name: value for name, s in settings.items()
                  if (value := s.value_on(day)) is not None},
    )
