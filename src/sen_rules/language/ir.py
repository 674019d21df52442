"""The compiled form of conditions: a small typed tree every consumer reads.

Backends (native closures, durable-rules), the explainer, the linter and the renderer all
read these nodes, so they cannot disagree about what a rule says. Nodes are immutable and
carry their type, where they were written, and the text as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import SourceLocation
from .types import Type


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class Expr:
    type: Type
    loc: SourceLocation | None
    source: str
    # the node's texts (``language.printer``: canonical, words), each written once and kept
    # with the node: explanations print the same nodes for every case
    texts: dict[str, str] = field(init=False, default_factory=dict, repr=False, compare=False)

    def children(self) -> tuple[Expr, ...]:
        return ()


@dataclass(frozen=True, slots=True, eq=False)
class Const(Expr):
    value: object


@dataclass(frozen=True, slots=True, eq=False)
class FieldRef(Expr):
    """A case field (``root == "case"``) or a field of a named item (``root`` = its name).

    A step through a list projects it: ``statement.reviews.held_on`` is the list of dates.
    """

    root: str
    path: tuple[str, ...]
    through_list: tuple[bool, ...]  # per step: is the value before this step a list?
    # worked out once, for the explainer's reads: the path after the root, joined, and
    # whether any step goes through a list
    joined: str = field(init=False, repr=False)
    projects: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "joined", ".".join(self.path))
        object.__setattr__(self, "projects", any(self.through_list))

    @property
    def dotted(self) -> str:
        parts = ([] if self.root == "case" else [self.root]) + list(self.path)
        return ".".join(parts)


@dataclass(frozen=True, slots=True, eq=False)
class SettingRef(Expr):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class DefinitionRef(Expr):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class AsOf(Expr):
    pass


DECISION_FIELDS = ("applies", "outcome")  # every decision has these; details are the rest


@dataclass(frozen=True, slots=True, eq=False)
class DecisionRef(Expr):
    """A field of another area's decision: ``decisions.AREA.FIELD`` (``applies``,
    ``outcome`` or one of its details). Read only by an area that declares ``uses: [AREA]``
    and is decided after it."""

    area: str
    field: str


@dataclass(frozen=True, slots=True, eq=False)
class Call(Expr):
    function: str
    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True, slots=True, eq=False)
class Compare(Expr):
    op: str  # = != < <= > >=
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, eq=False)
class BoolOp(Expr):
    op: str  # and | or
    items: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.items


@dataclass(frozen=True, slots=True, eq=False)
class Not(Expr):
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Known(Expr):
    operand: Expr
    negated: bool  # True: "is missing"

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Membership(Expr):
    item: Expr
    collection: Expr
    negated: bool

    def children(self) -> tuple[Expr, ...]:
        return (self.item, self.collection)


@dataclass(frozen=True, slots=True, eq=False)
class Quantifier(Expr):
    kind: str  # any | every | no | count
    variable: str
    collection: Expr
    condition: Expr | None

    def children(self) -> tuple[Expr, ...]:
        return (self.collection,) + ((self.condition,) if self.condition is not None else ())


@dataclass(frozen=True, slots=True, eq=False)
class Arith(Expr):
    op: str  # + | -
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, eq=False)
class Negate(Expr):
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class IfThenElse(Expr):
    condition: Expr
    then: Expr
    otherwise: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.condition, self.then, self.otherwise)


@dataclass(frozen=True, slots=True, eq=False)
class ListOf(Expr):
    items: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.items


def is_constant(e: Expr) -> bool:
    """A constant, or a list written out as constants (``["a", "b"]``): nothing in it
    depends on the case."""
    kind = type(e)
    return kind is Const or (kind is ListOf and all(type(i) is Const for i in e.children()))


def constant_values(e: Expr) -> tuple[object, ...] | None:
    """The values of a list written out as constants, in order (None for any other node)."""
    if type(e) is not ListOf or not is_constant(e):
        return None
    return tuple(i.value for i in e.children())  # type: ignore[attr-defined]


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of a tree, parents before children."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


def field_refs(expr: Expr) -> Iterator[FieldRef]:
    for node in walk(expr):
        if isinstance(node, FieldRef):
            yield node


def definition_refs(expr: Expr) -> set[str]:
    return {n.name for n in walk(expr) if isinstance(n, DefinitionRef)}


def decision_refs(expr: Expr) -> Iterator[DecisionRef]:
    for node in walk(expr):
        if isinstance(node, DecisionRef):
            yield node


def setting_refs(expr: Expr) -> set[str]:
    return {n.name for n in walk(expr) if isinstance(n, SettingRef)}


# Every concrete kind of node. A new kind is added here (and to each exhaustive visitor:
# see ``language.visitor`` and the checklist in docs/ARCHITECTURE.md).
NODE_KINDS: tuple[type[Expr], ...] = (
    Const, FieldRef, SettingRef, DefinitionRef, AsOf, DecisionRef, Call, Compare, BoolOp, Not,
    Known, Membership, Quantifier, Arith, Negate, IfThenElse, ListOf,
)
