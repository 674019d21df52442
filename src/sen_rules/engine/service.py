"""Evaluation: a pure function of (case, rulebase, as_of), on the backend the caller picks.

Compiled programs are cached per rulebase and per epoch (span of dates with the same rules
and settings in force), built once under a lock, and shared between threads: nothing a
program holds changes after it is built, and each evaluation has its own state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any, Literal, TypeVar, cast
from weakref import WeakKeyDictionary

from .. import codes
from ..case import EARLIEST_DATE, LATEST_DATE, Case, check_against_date, parse_case
from ..dates import parse_day
from ..errors import CaseError, SenRulesError
from ..rulebase import Epoch, Rulebase
from . import durable
from .decide import decide
from .native import AreaProgram, Env, Matches, Program, compile_program, match_native
from .result import Evaluation

Backend = Literal["native", "durable"]
BACKENDS: tuple[str, ...] = ("native", "durable")


class _Compiled:
    """Per-rulebase cache, one entry per epoch: the native program (with its decision plans),
    the durable ruleset (lowered on first use) and what other modules derive from them
    (:meth:`derived`)."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.lock = threading.RLock()
        self.native: dict[date, Program] = {}
        self.durable: dict[date, durable.DurableProgram] = {}
        self.extra: dict[tuple[date, str], Any] = {}

    def program(self, epoch: Epoch) -> Program:
        found = self.native.get(epoch.start)
        if found is None:
            with self.lock:
                found = self.native.get(epoch.start)
                if found is None:
                    found = compile_program(self.rulebase, epoch)
                    self.native[epoch.start] = found
        return found

    def durable_program(self, epoch: Epoch) -> durable.DurableProgram:
        found = self.durable.get(epoch.start)
        if found is None:
            durable.require()
            program = self.program(epoch)
            with self.lock:
                found = self.durable.get(epoch.start)
                if found is None:
                    found = durable.DurableProgram(self.rulebase, program)
                    self.durable[epoch.start] = found
        return found

    def derived(self, epoch: Epoch, name: str, build: Callable[[Program], T]) -> T:
        """Something worked out once per epoch from its program (``name`` tells what)."""
        key = (epoch.start, name)
        found = self.extra.get(key, _NONE)
        if found is _NONE:
            program = self.program(epoch)
            with self.lock:
                found = self.extra.get(key, _NONE)
                if found is _NONE:
                    found = self.extra[key] = build(program)
        return cast(T, found)


_NONE: Any = object()
T = TypeVar("T")


_caches: WeakKeyDictionary[Rulebase, _Compiled] = WeakKeyDictionary()
_caches_lock = threading.Lock()


def compiled(rulebase: Rulebase) -> _Compiled:
    found = _caches.get(rulebase)
    if found is None:
        with _caches_lock:
            found = _caches.get(rulebase)
            if found is None:
                found = _Compiled(rulebase)
                _caches[rulebase] = found
    return found


def parse_as_of(as_of: date | str) -> date:
    """The evaluation date, from a ``date`` or ``YYYY-MM-DD`` text."""
    if isinstance(as_of, str):
        try:
            value = parse_day(as_of)
        except ValueError:
            value = None
        if value is None:
            raise CaseError([("as_of", f"expected a date written YYYY-MM-DD, got {as_of!r}")],
                            code=codes.SR202)
        as_of = value
    if type(as_of) is not date:
        raise CaseError([("as_of", f"expected a date, got {type(as_of).__name__}")],
                        code=codes.SR202)
    if not EARLIEST_DATE <= as_of <= LATEST_DATE:
        raise CaseError([("as_of", f"{as_of.isoformat()} is outside the years 1900 to 2199")],
                        code=codes.SR202)
    return as_of


def prepare(rulebase: Rulebase, case: Case | Mapping[str, Any] | str | bytes,
            as_of: date | str) -> tuple[Case, date, Epoch]:
    day = parse_as_of(as_of)
    valid = parse_case(case)
    check_against_date(valid, day)
    return valid, day, rulebase.epoch(day)


def unknown_backend(backend: str, choices: tuple[str, ...] = BACKENDS) -> SenRulesError:
    return SenRulesError(f"unknown backend {backend!r}: choose one of {', '.join(choices)}",
                         code=codes.SR403)


def check_backend(backend: str, choices: tuple[str, ...] = BACKENDS) -> None:
    """Refuse a backend name that is not one of ``choices`` (SR403)."""
    if backend not in choices:
        raise unknown_backend(backend, choices)


def match(rulebase: Rulebase, program: Program, env: Env, backend: str) -> Matches:
    if backend == "native":
        return match_native(program, env)
    if backend == "durable":
        return compiled(rulebase).durable_program(program.epoch).match(env)
    raise unknown_backend(backend)


def evaluate_case(rulebase: Rulebase, case: Case | Mapping[str, Any] | str | bytes,
                  as_of: date | str, backend: str = "native",
                  areas: frozenset[str] | None = None) -> Evaluation:
    """The evaluation of a case; with ``areas``, of those areas alone (which must hold
    every area whose decision one of them uses): what ``sen-rules diff`` needs of the areas
    a change can affect."""
    check_backend(backend)
    valid, day, epoch = prepare(rulebase, case, as_of)
    if areas is None:
        program = compiled(rulebase).program(epoch)
    else:
        program = compiled(rulebase).derived(epoch, "areas " + " ".join(sorted(areas)),
                                             lambda whole: _only(whole, areas))
    env = Env(valid, day)
    matches = match(rulebase, program, env, backend)
    env.vars.clear()
    return decide(program, env, matches)


def _only(program: Program, areas: frozenset[str]) -> Program:
    """The program of some areas: their decisions are made as in the whole program."""
    missing = {u for ap in program.areas if ap.area.id in areas for u in ap.area.uses} - areas
    if missing:
        raise ValueError(f"the areas use decisions of areas not given: {sorted(missing)}")

    def kept(aps: tuple[AreaProgram, ...]) -> tuple[AreaProgram, ...]:
        return tuple(ap for ap in aps if ap.area.id in areas)

    return replace(program, areas=kept(program.areas), order=kept(program.order),
                   observed=kept(program.observed))
