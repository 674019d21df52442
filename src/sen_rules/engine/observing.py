"""What an observed evaluation reports, and the wrappers that make a closure report it.

An observed compiler (``engine.compiler``) wraps the closure of every node with one of
these; the trace (``explain.tracing``) and scenario coverage are observers. Without an
observer a wrapped closure only runs the closure it wraps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..language import ir

if TYPE_CHECKING:
    from .compiler import Env

Fn = Callable[["Env"], Any]

LEAVES = frozenset({ir.Const, ir.AsOf, ir.SettingRef, ir.FieldRef, ir.DecisionRef})


class Observer:
    """What an observed evaluation reports, as it happens (every method does nothing here).

    ``enter``/``leave``: a node's closure started, and the value it produced (a node the
    evaluation did not need is never entered: ``b`` in ``a and b`` when ``a`` is false).
    ``item``: a quantifier is about to test its condition on its next item (the first is
    item 0). ``area``: an area's conditions are about to be evaluated. ``bound``: a
    candidate of a ranking was bound to its variable. ``decided``: the decision engine
    resolved an area (its outcome, the deciding and overridden rule keys, and the role of
    every rule in force). An observer must not change ``env``."""

    def enter(self, node: ir.Expr, area: str | None, env: Env) -> None:
        """A node's closure started (in the scope of ``area``)."""

    def leave(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        """A node's closure produced ``value``."""

    def leaf(self, node: ir.Expr, area: str | None, value: Any, env: Env) -> None:
        """A node without parts (a constant, a field, a setting, a decision, the date)
        produced ``value``: one event instead of ``enter`` and ``leave``."""
        self.enter(node, area, env)
        self.leave(node, area, value, env)

    def item(self, node: ir.Quantifier, env: Env) -> None:
        """Quantifier ``node`` bound its next item and is about to test its condition."""

    def area(self, program: Any, env: Env) -> None:
        """An area (``AreaProgram``) is about to be matched."""

    def bound(self, variable: str, index: int, env: Env) -> None:
        """Candidate ``index`` of a ranking is bound to ``variable``."""

    def decided(self, area: str, outcome: str, deciding: tuple[str, ...],
                overridden: tuple[str, ...], roles: Mapping[str, str]) -> None:
        """The decision engine decided ``area``."""


def observe(e: ir.Expr, area: str | None, fn: Fn) -> Fn:
    """``fn`` (the closure of ``e``), reporting to the evaluation's observer if it has one."""

    def observed(env: Env) -> Any:
        observer = env.observer
        if observer is None:
            return fn(env)
        observer.enter(e, area, env)
        value = fn(env)
        observer.leave(e, area, value, env)
        return value

    return observed


def observe_items(e: ir.Quantifier, cond: Fn) -> Fn:
    """The condition of quantifier ``e``, telling the observer before each item's test."""

    def each(env: Env) -> Any:
        observer = env.observer
        if observer is not None:
            observer.item(e, env)
        return cond(env)

    return each


def observe_leaf(e: ir.Expr, area: str | None, fn: Fn) -> Fn:
    def observed(env: Env) -> Any:
        value = fn(env)
        observer = env.observer
        if observer is not None:
            observer.leaf(e, area, value, env)
        return value

    return observed
