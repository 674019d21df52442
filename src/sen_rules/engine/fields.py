"""Reading the case: the closures of field references, specialised by their shape.

Most reads in the rules are a field of the case one to three names deep, or a field of an
item a quantifier or ranking has bound (``p.kind``); those get a closure without a loop.
A step through a list projects it (``statement.reviews.held_on`` is the list of dates).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from operator import attrgetter
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


def case_path(path: tuple[str, ...]) -> Fn:
    """A field of the case up to three names deep, read without a loop (the commonest
    reads of every rule)."""
    if len(path) == 1:  # ``env.case.a``: read in C, without a Python frame
        return attrgetter("case." + path[0])
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


def compare_field(e: ir.Expr, op: Callable[[Any, Any], bool], constant: Any) -> Fn | None:
    """``field <op> constant`` (``constant`` known) in one closure, for a field of a bound
    item (``p.kind``) or of the case one or two names deep: the commonest comparisons,
    without a closure for the read (None when ``e`` is not such a field)."""
    if type(e) is not ir.FieldRef or any(e.through_list):
        return None
    path, root = e.path, e.root
    if op is operator.eq:  # ``a == constant`` inline, as ``operator.eq`` gives it
        return _equal_field(root, path, constant)
    if root != "case":
        if len(path) != 1:
            return None
        (name,) = path

        def compare_item(env: Any) -> bool:
            v = env.vars[root]
            a = None if v is None else getattr(v, name)
            return a is not None and op(a, constant)

        return compare_item
    if len(path) > 2:
        return None
    read = case_path(path)

    def compare_case(env: Any) -> bool:
        a = read(env)
        return a is not None and op(a, constant)

    return compare_case


def _equal_field(root: str, path: tuple[str, ...], constant: Any) -> Fn | None:
    if root != "case":
        if len(path) != 1:
            return None
        (name,) = path

        def item_equals(env: Any) -> bool:
            v = env.vars[root]
            a = None if v is None else getattr(v, name)
            return a is not None and a == constant

        return item_equals
    if len(path) == 1:
        (a1,) = path

        def case_equals(env: Any) -> bool:
            a = getattr(env.case, a1)
            return a is not None and a == constant

        return case_equals
    if len(path) != 2:
        return None
    b1, b2 = path

    def case_equals2(env: Any) -> bool:
        v = getattr(env.case, b1)
        a = None if v is None else getattr(v, b2)
        return a is not None and a == constant

    return case_equals2


def member_field(e: ir.Expr, members: frozenset[Any], negated: bool) -> Fn | None:
    """``field in members`` (a fixed set) in one closure, for a field of a bound item or of
    the case one name deep (None when ``e`` is not such a field)."""
    if type(e) is not ir.FieldRef or any(e.through_list) or len(e.path) != 1:
        return None
    root, (name,) = e.root, e.path
    if root == "case":
        def case_member(env: Any) -> bool:
            a = getattr(env.case, name)
            return a is not None and (a in members) != negated

        return case_member

    def item_member(env: Any) -> bool:
        v = env.vars[root]
        if v is None:
            return False
        a = getattr(v, name)
        return a is not None and (a in members) != negated

    return item_member
