"""Every exhaustive visitor of the IR handles every kind of node."""

from __future__ import annotations

import importlib
import pkgutil

import sen_rules
from sen_rules.language import ir
from sen_rules.language.visitor import Visitor


def _all_visitors() -> list[type[Visitor[object]]]:
    for info in pkgutil.walk_packages(sen_rules.__path__, "sen_rules."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an extra that is not installed
            continue
    found: list[type[Visitor[object]]] = []
    stack = list(Visitor.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def test_every_node_kind_is_listed() -> None:
    kinds = {cls for cls in vars(ir).values()
             if isinstance(cls, type) and issubclass(cls, ir.Expr) and cls is not ir.Expr}
    assert kinds == set(ir.NODE_KINDS)


def test_exhaustive_visitors_handle_every_kind() -> None:
    missing = {cls.__qualname__: cls.missing_kinds() for cls in _all_visitors()
               if cls.exhaustive and cls.missing_kinds()}
    assert missing == {}


def test_generic_visit_walks_children() -> None:
    class Fields(Visitor[None]):
        def __init__(self) -> None:
            self.seen: list[str] = []

        def visit_FieldRef(self, node: ir.FieldRef) -> None:
            self.seen.append(node.dotted)

    from sen_rules import bundled_rulebase

    rulebase = bundled_rulebase()
    rule = rulebase.areas[0].all_rules[0]
    v = Fields()
    v.visit(rule.condition)
    assert v.seen == [f.dotted for f in ir.field_refs(rule.condition)]
