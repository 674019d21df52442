"""How far a quantifier's ``where`` condition reaches, and the parts an author may have
meant outside it.

``any c in L where c.x >= 3 or y >= 3`` reads as ``any c in L where (c.x >= 3 or y >= 3)``:
the condition runs to the end of the expression. An author who meant ``(any ...) or
y >= 3`` gets a rule that never looks at ``y`` when ``L`` is empty. A part of the
condition's ``and``/``or`` that does not mention the item is such a part, unless the author
wrote it (or the whole condition) in parentheses, which says it is meant inside.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..language import ir


def loose_parts(roots: Iterable[ir.Expr]) -> Iterator[tuple[ir.Quantifier, ir.Expr]]:
    """Each quantifier under ``roots`` (once) with each part of its condition that does
    not mention its item and is not written in parentheses."""
    seen: set[int] = set()
    for root in roots:
        for node in ir.walk(root):
            if (not isinstance(node, ir.Quantifier) or id(node) in seen
                    or not isinstance(node.condition, ir.BoolOp)):
                continue
            seen.add(id(node))
            if _in_parentheses(node.source, node.condition.source):
                continue  # ``where (c.x or y)``: the author bounded it
            for part in node.condition.items:
                if not (_mentions(part, node.variable)
                        or _in_parentheses(node.source, part.source)):
                    yield node, part


def _in_parentheses(text: str, part: str) -> bool:
    """Whether ``part`` (its last occurrence in ``text``) opens with a parenthesis (a
    node's source text ends at its last token, before any closing parenthesis)."""
    at = text.rfind(part)
    return at >= 0 and text[:at].rstrip().endswith("(")


def _mentions(e: ir.Expr, variable: str) -> bool:
    return any(ref.root == variable for ref in ir.field_refs(e))
