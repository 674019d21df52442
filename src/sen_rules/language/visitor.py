"""One way to walk the IR: dispatch on the kind of node, with a generic fallback.

Every module that does something per kind of node (compile it, lower it to durable-rules,
print it, explain it, search it) subclasses :class:`Visitor` and names its methods after
the node classes (``visit_Compare``). A visitor that must understand every kind says so
with ``exhaustive = True``; a test then fails for it as soon as a new kind is added to
:data:`ir.NODE_KINDS` without a method, which is how a new kind of node is found in every
place it matters. A partial visitor (one that only cares about a few kinds) inherits
:meth:`Visitor.generic_visit`, which by default visits the children.

The dispatch table is built once per class, so visiting costs one dictionary lookup.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from . import ir

R = TypeVar("R")


class Visitor(Generic[R]):
    """Call ``visit_<Kind>`` for a node of that kind, else :meth:`generic_visit`."""

    exhaustive: ClassVar[bool] = False
    _table: ClassVar[dict[type[ir.Expr], Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._table = {kind: getattr(cls, "visit_" + kind.__name__)
                      for kind in ir.NODE_KINDS if hasattr(cls, "visit_" + kind.__name__)}

    def visit(self, node: ir.Expr, *args: Any, **kwargs: Any) -> R:
        method = self._table.get(type(node))
        if method is None:
            return self.generic_visit(node, *args, **kwargs)
        result: R = method(self, node, *args, **kwargs)
        return result

    def generic_visit(self, node: ir.Expr, *args: Any, **kwargs: Any) -> R:
        """The children in order (a visitor that returns values overrides this)."""
        for child in node.children():
            self.visit(child, *args, **kwargs)
        return None  # type: ignore[return-value]

    @classmethod
    def missing_kinds(cls) -> tuple[str, ...]:
        """The node kinds this visitor has no method for (empty for a complete one)."""
        return tuple(kind.__name__ for kind in ir.NODE_KINDS if kind not in cls._table)
