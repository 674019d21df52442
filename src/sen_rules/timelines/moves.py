"""How the date functions move with the evaluation date, for finding the days on which a
condition can change (:mod:`.points`) and the details that change every day
(:mod:`.smooth`)."""

from __future__ import annotations

# how each date function moves with each argument (+1 with it, -1 against it)
MONOTONE: dict[str, tuple[int, ...]] = {
    "age_on": (-1, 1), "birthday": (1, 1), "compulsory_school_age_start": (1,),
    "compulsory_school_age_end": (1,), "academic_year_start": (1,), "academic_year_end": (1,),
    "year_group": (-1, 1), "year_group_start": (1, 1), "days_between": (-1, 1),
}
VARIADIC_INCREASING = frozenset({"earliest", "latest"})
# functions of a moving date that move every day with it (their parts are followed)
MOVING_EVERY_DAY = frozenset({"earliest", "latest", "days_between", "birthday"})
# functions whose value steps (changes on few days) rather than moving every day
STEPPING = frozenset({"age_on", "compulsory_school_age_start", "compulsory_school_age_end",
                      "academic_year_start", "academic_year_end", "year_group",
                      "year_group_start"})
