"""A compiled program: everything in force in one epoch, complete and immutable once built.

It holds the plain closures the engine runs, the observed closures explanations and
coverage run (the same node semantics, reporting to an observer), and the decision plans
of every area (``engine.decide.AreaPlan``). Nothing in it changes after
``engine.native.compile_program`` returns but the plans' caches of what follows from a set
of fired rules (``engine.decide.Outline``), which hold values equal for every case and
thread, so one program is shared by every thread without a lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..language import ir
from ..rulebase import Area, Epoch, Rulebase
from .compiler import Compiler
from .observing import Fn

if TYPE_CHECKING:
    from .decide import AreaPlan


@dataclass(frozen=True)
class AreaProgram:
    area: Area
    applies: Fn | None
    rules: tuple[tuple[str, Fn], ...]  # (rule key, condition) in force, in order
    details: Mapping[str, Mapping[str, Fn]]  # rule key -> detail name -> value
    elements: tuple[tuple[str, Fn], ...]  # (criterion id:side, condition) for each candidate
    collection: Fn | None
    variable: str | None
    always: tuple[str, ...] = ()  # rules in force whose condition is a true constant
    tests: tuple[tuple[str, Fn], ...] = ()  # the rules whose conditions are run, in order
    # the conditions on each candidate: equalities grouped by the field they read
    # (field -> value -> ids; plain programs), and the others, run one by one
    lookups: tuple[tuple[str, Mapping[Any, tuple[str, ...]]], ...] = ()
    checks: tuple[tuple[str, Fn], ...] = ()


@dataclass(frozen=True, slots=True)
class Matches:
    """What a backend found true for a case: the shared input of decision-making."""

    areas: frozenset[str]
    rules: frozenset[str]
    elements: frozenset[tuple[str, int]]


Closures = Mapping[tuple[int, str | None], tuple[ir.Expr, Fn]]


@dataclass(frozen=True)
class Program:
    """Everything in force in one epoch, compiled."""

    rulebase: Rulebase
    epoch: Epoch
    areas: tuple[AreaProgram, ...]  # in manifest order (the order of the JSON)
    order: tuple[AreaProgram, ...]  # in decision order (decision_graph)
    observed: tuple[AreaProgram, ...]  # in decision order, each node reporting to an observer
    plans: Mapping[str, AreaPlan]  # per area: what decide.py needs, worked out once
    identity: Mapping[str, str]  # the rulebase's name, version and sha256 (read-only)
    used: frozenset[str]  # areas whose decisions other areas read
    plain_closures: Closures  # the closure of every node compiled, by (node, scope)
    observed_closures: Closures

    def function(self, e: ir.Expr, area: str | None, observed: bool = False) -> Fn:
        """The closure of a node of the rulebase in the scope of ``area`` (an expression
        that is not part of the rulebase is compiled for the call, nothing is kept)."""
        found = (self.observed_closures if observed else self.plain_closures).get((id(e), area))
        if found is not None and found[0] is e:
            return found[1]
        return Compiler(self.rulebase, self.epoch, observed).compile(e, area)

    def value(self, e: ir.Expr, area: str | None, env: Any) -> Any:
        """The value of a node for one evaluation's state (observed if ``env`` has an
        observer)."""
        return self.function(e, area, env.observer is not None)(env)
