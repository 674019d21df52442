"""Reading the case: the closures of field references, specialised by their shape.

Most reads in the rules are a field of the case one to three names deep, or a field of an
item a quantifier or ranking has bound (``p.kind``); those get a closure without a loop.
A step through a list projects it (``statement.reviews.held_on`` is the list of dates).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..language import ir

Fn = Callable[[Any], Any]  # takes the evaluation's state (compiler.Env)


def field_reader(e: ir.FieldRef) -> Fn:
    """The closure that reads a field of the case or of a bound item (``None`` where a step
    on the way is missing; a step through a list projects it)."""
    path = e.path
    root_name = e.root
    if not any(e.through_list):
        if root_name == "case" and 1 <= len(path) <= 3:
            return case_path(path)
        if len(path) == 1:  # an item bound by a quantifier or a ranking: ``p.kind``
            (a,) = path

            def get_item(env: Any) -> Any:
                v = env.vars[root_name]
                return None if v is None else getattr(v, a)

            return get_item

        def get(env: Any) -> Any:
            v = env.case if root_name == "case" else env.vars[root_name]
            for name in path:
                if v is None:
                    return None
                v = getattr(v, name)
            return v

        return get
    through = e.through_list

    def project(env: Any) -> Any:
        values = [env.case if root_name == "case" else env.vars[root_name]]
        for name, over_list in zip(path, through, strict=True):
            if over_list:
                values = [item for v in values if v is not None for item in v]
            values = [getattr(v, name) for v in values if v is not None]
        flat: list[Any] = []
        for v in values:
            if isinstance(v, tuple):
                flat.extend(x for x in v if x is not None)
            elif v is not None:
                flat.append(v)
        return tuple(flat)

    return project


def item_field(e: ir.Expr) -> tuple[str, str] | None:
    """(item, field) for a field of a bound item read directly (``p.kind``), else None."""
    if (type(e) is ir.FieldRef and e.root != "case" and len(e.path) == 1
            and not e.through_list[0]):
        return e.root, e.path[0]
    return None


def case_path(path: tuple[str, ...]) -> Fn:
    """A field of the case up to three names deep, read without a loop (the commonest
    reads of every rule)."""
    if len(path) == 1:
        (a,) = path
        return lambda env: getattr(env.case, a)
    if len(path) == 2:
        a, b = path

        def get2(env: Any) -> Any:
            v = getattr(env.case, a)
            return None if v is None else getattr(v, b)

        return get2
    a, b, c = path

    def get3(env: Any) -> Any:
        v = getattr(env.case, a)
        if v is None:
            return None
        v = getattr(v, b)
        return None if v is None else getattr(v, c)

    return get3
