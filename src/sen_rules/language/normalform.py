"""Conditions as alternatives: the disjunctive normal form both the durable-rules lowering
and the linter's logic build.

A condition is turned into a list of *alternatives*, each a conjunction the consumer
represents its own way (a durable-rules test with its joins; a set of atoms with their
signs). This module owns what does not depend on that representation: ``not`` is pushed
down by flipping a polarity (De Morgan), ``and``/``or`` combine the alternatives of their
parts (``and`` under ``not`` combines as ``or``), a constant is every alternative or none,
and a condition with too many alternatives is handed back to the consumer. Every other
kind of node is a *leaf* (a comparison, a quantifier, a definition) that the consumer
lowers itself, with a ``visit_<Kind>`` method or in :meth:`NormalForm.leaf`.

The visitors pass ``positive`` (whether the node is wanted true) and then the consumer's
own arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, ClassVar, Generic, TypeVar

from . import ir
from .visitor import Visitor

C = TypeVar("C")  # one alternative: a conjunction, as the consumer represents it
H = TypeVar("H", bound=Hashable)


class TooComplex(Exception):  # noqa: N818 (a signal, not an error)
    """The condition has too many alternatives to handle (nothing is concluded)."""


class NormalForm(Visitor[list[C]], Generic[C]):
    """The alternatives of a condition: ``visit(expr, positive, *args)``."""

    limit: ClassVar[int | None] = None  # the most alternatives an ``and``/``or`` may have

    # what the consumer supplies -----------------------------------------------------
    def always(self) -> list[C]:
        """The alternatives of a condition that always holds."""
        raise NotImplementedError

    def both(self, a: list[C], b: list[C]) -> list[C]:
        """The alternatives of ``a and b``."""
        raise NotImplementedError

    def either(self, a: list[C], b: list[C]) -> list[C]:
        """The alternatives of ``a or b``."""
        raise NotImplementedError

    def leaf(self, e: ir.Expr, positive: bool, *args: Any) -> list[C]:
        """A node this module does not decompose."""
        raise NotImplementedError

    def too_complex(self, e: ir.Expr, positive: bool, *args: Any) -> list[C]:
        """What an ``and``/``or`` with more than :attr:`limit` alternatives becomes."""
        raise TooComplex

    # the shared part ----------------------------------------------------------------
    def generic_visit(self, node: ir.Expr, *args: Any, **kwargs: Any) -> list[C]:
        return self.leaf(node, *args, **kwargs)

    def visit_Not(self, e: ir.Not, positive: bool, *args: Any) -> list[C]:
        return self.visit(e.operand, not positive, *args)

    def visit_Const(self, e: ir.Const, positive: bool, *args: Any) -> list[C]:
        return self.always() if bool(e.value) == positive else []

    def visit_BoolOp(self, e: ir.BoolOp, positive: bool, *args: Any) -> list[C]:
        parts = [self.visit(item, positive, *args) for item in e.items]
        conjunction = (e.op == "and") == positive
        result = parts[0]
        for part in parts[1:]:
            result = self.both(result, part) if conjunction else self.either(result, part)
            if self.limit is not None and len(result) > self.limit:
                return self.too_complex(e, positive, *args)
        return result


def product(a: Iterable[C], b: list[C], combine: Callable[[C, C], C | None],
            limit: int | None = None) -> list[C]:
    """Every alternative of ``a`` combined with every one of ``b`` (``combine`` gives
    ``None`` for an impossible or repeated one); :class:`TooComplex` past ``limit``."""
    out: list[C] = []
    for x in a:
        for y in b:
            z = combine(x, y)
            if z is None:
                continue
            out.append(z)
            if limit is not None and len(out) > limit:
                raise TooComplex
    return out


def union(a: list[H], b: list[H], limit: int | None = None) -> list[H]:
    """The alternatives of ``a or b``, each once, in order; :class:`TooComplex` past
    ``limit``."""
    out = list(dict.fromkeys(a + b))
    if limit is not None and len(out) > limit:
        raise TooComplex
    return out
