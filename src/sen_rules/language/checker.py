"""Name resolution and type checking: syntax tree in, typed IR out.

Every name is resolved here, once, at load time: case fields (checked against the case
model), settings, definitions, the items named by ``any``/``every``/``count``, and
``as_of``. Anything unknown, or of the wrong type, is an error that says what was
expected and suggests the nearest known name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .. import codes
from ..errors import SourceLocation
from ..suggest import did_you_mean
from . import ir, syntax
from .functions import FUNCTIONS, accepts_list, signature
from .types import (
    BOOL,
    DATE,
    DURATION,
    INTEGER,
    NUMBER,
    STRING,
    UNKNOWN,
    ObjectType,
    Type,
    comparable,
    list_of,
    ordered,
)


class CheckError(Exception):
    def __init__(self, offset: int, message: str, code: str = codes.SR113) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.code = code


@dataclass(frozen=True)
class DecisionType:
    """What another area's decision offers to read: its outcomes and its typed details."""

    area: str
    outcomes: tuple[str, ...]
    details: Mapping[str, Type | str]  # a detail's type, or why it cannot be read


@dataclass(frozen=True)
class DecisionScope:
    """Which decisions an expression may read: those of the areas its area ``uses``."""

    reader: str | None  # the area whose expression this is
    uses: tuple[str, ...]
    resolve: Callable[[str], DecisionType | None]  # None: no such area
    areas: Callable[[], list[str]]
    refused: str | None = None  # why no decision can be read here (None: they can)


@dataclass
class Scope:
    """What names mean where an expression is written."""

    case: ObjectType
    settings: Mapping[str, Type]
    resolve_definition: Callable[[str, Mapping[str, Type]], Type | None]
    definition_names: Callable[[], list[str]]
    variables: dict[str, Type] = field(default_factory=dict)
    decisions: DecisionScope | None = None

    def with_variable(self, name: str, typ: Type) -> Scope:
        return Scope(self.case, self.settings, self.resolve_definition, self.definition_names,
                     {**self.variables, name: typ}, self.decisions)


def suggest(name: str, candidates: list[str]) -> str:
    return did_you_mean(name, candidates, most=3)


class Checker:
    def __init__(self, text: str, scope: Scope,
                 locate: Callable[[int], SourceLocation | None]) -> None:
        self.text = text
        self.scope = scope
        self.locate = locate

    def node_info(self, node: syntax.Node, typ: Type) -> dict[str, object]:
        return {"type": typ, "loc": self.locate(node.start),
                "source": self.text[node.start:node.end]}

    def check(self, node: syntax.Node, scope: Scope | None = None) -> ir.Expr:
        scope = scope or self.scope
        method = getattr(self, "_" + type(node).__name__)
        result: ir.Expr = method(node, scope)
        return result

    def expect_bool(self, node: syntax.Node, scope: Scope, what: str) -> ir.Expr:
        expr = self.check(node, scope)
        if expr.type.kind not in ("bool", "unknown"):
            raise CheckError(node.start, f"{what} must be a yes/no condition, but "
                             f"{self.text[node.start:node.end]!r} is {expr.type}")
        return expr

    # ------------------------------------------------------------------ leaves
    def _Literal(self, node: syntax.Literal, scope: Scope) -> ir.Expr:
        typ = {"bool": BOOL, "number": NUMBER, "string": STRING, "date": DATE,
               "duration": DURATION}[node.kind]
        if node.kind == "number" and isinstance(node.value, int):
            typ = INTEGER
        return ir.Const(value=node.value, **self.node_info(node, typ))  # type: ignore[arg-type]

    def _Name(self, node: syntax.Name, scope: Scope) -> ir.Expr:
        head, rest = node.parts[0], node.parts[1:]
        if head == "as_of":
            if rest:
                raise CheckError(node.part_offsets[1], "'as_of' is a date and has no fields")
            return ir.AsOf(**self.node_info(node, DATE))  # type: ignore[arg-type]
        if head == "settings":
            if len(rest) != 1:
                raise CheckError(node.start, "write a setting as settings.NAME")
            name = rest[0]
            if name not in scope.settings:
                raise CheckError(node.part_offsets[1], f"unknown setting {name!r}"
                                 + suggest(name, sorted(scope.settings)), codes.SR116)
            return ir.SettingRef(name=name, **self.node_info(node, scope.settings[name]))  # type: ignore[arg-type]
        if head == "decisions" and head not in scope.variables:
            return self.decision(node, scope)
        if head in scope.variables:
            return self.field_path(node, head, scope.variables[head], rest)
        def_type = scope.resolve_definition(head, scope.variables)
        if def_type is not None:
            if rest:
                raise CheckError(node.part_offsets[1],
                                 f"{head!r} is a definition and has no fields")
            return ir.DefinitionRef(name=head, **self.node_info(node, def_type))  # type: ignore[arg-type]
        if head in scope.case.fields:
            return self.field_path(node, "case", Type("object", obj=scope.case), node.parts)
        known = (list(scope.case.fields) + list(scope.variables) + scope.definition_names()
                 + ["as_of", "settings"])
        raise CheckError(node.start, f"unknown name {head!r}: not a case field, definition, "
                         "setting or item" + suggest(head, known), codes.SR111)

    def decision(self, node: syntax.Name, scope: Scope) -> ir.Expr:
        """``decisions.AREA.FIELD``: a field of the decision of an area this one uses."""
        ds = scope.decisions
        if ds is None or ds.refused is not None:
            raise CheckError(node.start, ds.refused if ds is not None and ds.refused else
                             "decisions of areas can only be read in area files", codes.SR131)
        if len(node.parts) != 3:
            raise CheckError(node.start, "write a field of a decision as decisions.AREA.FIELD, "
                             "for example decisions.cessation.outcome", codes.SR132)
        area, name = node.parts[1], node.parts[2]
        dtype = ds.resolve(area)
        if dtype is None:
            raise CheckError(node.part_offsets[1], f"unknown area {area!r}"
                             + suggest(area, ds.areas()), codes.SR130)
        if area == ds.reader:
            raise CheckError(node.part_offsets[1], f"area {area!r} cannot read its own "
                             "decision: it is being made", codes.SR134)
        if area not in ds.uses:
            raise CheckError(node.part_offsets[1], f"area {ds.reader!r} reads the decision of "
                             f"{area!r} but does not declare it: add 'uses: [{area}]' at the "
                             "top of its file", codes.SR131)
        typ: Type | str
        if name == "applies":
            typ = BOOL
        elif name == "outcome":
            typ = Type("string", enum=dtype.outcomes)
        elif name in dtype.details:
            typ = dtype.details[name]
        else:
            fields = ["applies", "outcome", *dtype.details]
            raise CheckError(node.part_offsets[2], f"the decision of {area!r} has no field "
                             f"{name!r}" + suggest(name, fields)
                             + f" (its fields: {', '.join(fields)})", codes.SR132)
        if isinstance(typ, str):
            raise CheckError(node.part_offsets[2], f"the detail {name!r} of the decision of "
                             f"{area!r} cannot be read by another area: {typ}", codes.SR132)
        return ir.DecisionRef(area=area, field=name, **self.node_info(node, typ))  # type: ignore[arg-type]

    def field_path(self, node: syntax.Name, root: str, typ: Type,
                   steps: tuple[str, ...]) -> ir.Expr:
        offsets = node.part_offsets[len(node.parts) - len(steps):]
        through: list[bool] = []
        in_list = False
        for step, offset in zip(steps, offsets, strict=True):
            base = typ.item if typ.kind == "list" and typ.item else typ
            through.append(typ.kind == "list")
            in_list = in_list or typ.kind == "list"
            if base.kind != "object" or base.obj is None:
                raise CheckError(offset, f"{step!r} cannot be read: the value before it is {typ}")
            if step not in base.obj.fields:
                raise CheckError(offset, f"{base.obj.name} has no field {step!r}"
                                 + suggest(step, list(base.obj.fields))
                                 + f" (its fields: {', '.join(base.obj.fields)})", codes.SR111)
            typ = base.obj.fields[step].type
        if in_list and typ.kind != "list":
            typ = list_of(typ)
        return ir.FieldRef(root=root, path=steps, through_list=tuple(through),
                           **self.node_info(node, typ))  # type: ignore[arg-type]

    def _Attribute(self, node: syntax.Attribute, scope: Scope) -> ir.Expr:
        raise CheckError(node.start, "fields can only be read from case fields and items, "
                         "not from the result of a calculation")

    # ------------------------------------------------------------------ compound
    def _Call(self, node: syntax.Call, scope: Scope) -> ir.Expr:
        spec = FUNCTIONS.get(node.function)
        if spec is None:
            raise CheckError(node.start, f"unknown function {node.function!r}"
                             + suggest(node.function, sorted(FUNCTIONS))
                             + "; the functions are: " + ", ".join(sorted(FUNCTIONS)), codes.SR112)
        args = tuple(self.check(a, scope) for a in node.args)
        types = [a.type for a in args]
        if spec.variadic:
            if not args:
                raise CheckError(node.start, f"{signature(spec)} needs at least one value")
            if not accepts_list(spec, types):
                for a, t in zip(node.args, types, strict=True):
                    if t.kind not in (spec.params[0][1].kind, "unknown"):
                        raise CheckError(a.start, f"{node.function} takes {spec.params[0][1]}s, "
                                         f"but this is {t}")
        else:
            if len(args) != len(spec.params):
                raise CheckError(node.start, f"{node.function} takes {len(spec.params)} "
                                 f"value(s): {signature(spec)}")
            for a, t, (pname, ptype) in zip(node.args, types, spec.params, strict=True):
                if t.kind not in (ptype.kind, "unknown") or t.kind == "list":
                    raise CheckError(a.start, f"the {pname} given to {node.function} must be "
                                     f"{ptype}, but this is {t}")
                if ptype.integer and isinstance(a, syntax.Literal) and not isinstance(a.value, int):
                    raise CheckError(a.start, f"the {pname} given to {node.function} must be a "
                                     "whole number")
        return ir.Call(function=spec.name, args=args, **self.node_info(node, spec.returns))  # type: ignore[arg-type]

    def _ListExpr(self, node: syntax.ListExpr, scope: Scope) -> ir.Expr:
        items = tuple(self.check(i, scope) for i in node.items)
        kinds = {i.type.kind for i in items}
        if len(kinds) > 1:
            raise CheckError(node.start, "a list must hold values of one kind")
        if any(i.type.kind == "list" for i in items):
            raise CheckError(node.start, "a list cannot hold lists")
        item_type = items[0].type if items else UNKNOWN
        return ir.ListOf(items=items, **self.node_info(node, list_of(item_type)))  # type: ignore[arg-type]

    def _Unary(self, node: syntax.Unary, scope: Scope) -> ir.Expr:
        if node.op == "not":
            operand = self.expect_bool(node.operand, scope, "what follows 'not'")
            return ir.Not(operand=operand, **self.node_info(node, BOOL))  # type: ignore[arg-type]
        operand = self.check(node.operand, scope)
        if operand.type.kind != "number":
            raise CheckError(node.start, f"only numbers can be negative, not {operand.type}")
        return ir.Negate(operand=operand, **self.node_info(node, operand.type))  # type: ignore[arg-type]

    def _Binary(self, node: syntax.Binary, scope: Scope) -> ir.Expr:
        if node.op in ("and", "or"):
            items: list[ir.Expr] = []
            for side in (node.left, node.right):
                expr = self.expect_bool(side, scope, f"each side of '{node.op}'")
                if isinstance(expr, ir.BoolOp) and expr.op == node.op and side is node.left:
                    items.extend(expr.items)
                else:
                    items.append(expr)
            return ir.BoolOp(op=node.op, items=tuple(items), **self.node_info(node, BOOL))  # type: ignore[arg-type]
        left = self.check(node.left, scope)
        right = self.check(node.right, scope)
        if node.op in ("in", "not in"):
            return self.membership(node, left, right)
        if node.op in ("+", "-"):
            return self.arithmetic(node, left, right)
        return self.comparison(node, left, right)

    def comparison(self, node: syntax.Binary, left: ir.Expr, right: ir.Expr) -> ir.Expr:
        lt, rt = left.type, right.type
        if lt.kind == "list" or rt.kind == "list":
            raise CheckError(node.op_start, "a list cannot be compared with '"
                             f"{node.op}'; use 'any ... in ... where', 'count(...)' or 'in'")
        if not comparable(lt, rt):
            raise CheckError(node.op_start, f"cannot compare {lt} with {rt}: "
                             f"{self.text[node.left.start:node.left.end]!r} is {lt} but "
                             f"{self.text[node.right.start:node.right.end]!r} is {rt}")
        if node.op not in ("=", "!=") and not (ordered(lt) or lt.kind == "unknown"):
            raise CheckError(node.op_start, f"'{node.op}' compares numbers or dates, not {lt}")
        self.check_enum(left, right, node.right)
        self.check_enum(right, left, node.left)
        return ir.Compare(op=node.op, left=left, right=right, **self.node_info(node, BOOL))  # type: ignore[arg-type]

    def check_enum(self, field_expr: ir.Expr, other: ir.Expr, other_node: syntax.Node) -> None:
        enum = field_expr.type.enum
        if not enum:
            return
        values: list[tuple[object, int]] = []
        if isinstance(other, ir.Const):
            values = [(other.value, other_node.start)]
        elif isinstance(other, ir.ListOf) and isinstance(other_node, syntax.ListExpr):
            values = [(i.value, n.start) for i, n in zip(other.items, other_node.items, strict=True)
                      if isinstance(i, ir.Const)]
        for value, offset in values:
            if (isinstance(value, str) and value not in enum
                    and isinstance(field_expr, ir.DecisionRef)):
                raise CheckError(offset, f"{value!r} is not an outcome of area "
                                 f"{field_expr.area!r}" + suggest(value, list(enum))
                                 + f" (its outcomes: {', '.join(enum)})", codes.SR133)
            if isinstance(value, str) and value not in enum:
                raise CheckError(offset, f"{value!r} is never a value of {field_expr.source}; "
                                 f"expected one of: {', '.join(repr(v) for v in enum)}"
                                 + suggest(value, list(enum)), codes.SR114)
        if other.type.enum and not set(other.type.enum) & set(enum):
            raise CheckError(other_node.start, f"{field_expr.source} and {other.source} can never "
                             "be equal: they share no possible value", codes.SR114)

    def membership(self, node: syntax.Binary, left: ir.Expr, right: ir.Expr) -> ir.Expr:
        if right.type.kind != "list":
            raise CheckError(node.right.start, f"'in' needs a list after it, such as "
                             f"[\"a\", \"b\"] or a list setting; this is {right.type}")
        item = right.type.item or UNKNOWN
        if not left.type.is_scalar and left.type.kind != "unknown":
            raise CheckError(node.left.start, f"'in' tests a single value, not {left.type}")
        if not comparable(left.type, item):
            raise CheckError(node.op_start, f"cannot look for {left.type} in a list of {item}")
        self.check_enum(left, right, node.right)
        return ir.Membership(item=left, collection=right, negated=node.op == "not in",
                             **self.node_info(node, BOOL))  # type: ignore[arg-type]

    def arithmetic(self, node: syntax.Binary, left: ir.Expr, right: ir.Expr) -> ir.Expr:
        lt, rt = left.type.kind, right.type.kind
        if lt == "number" and rt == "number":
            typ = INTEGER if left.type.integer and right.type.integer else NUMBER
        elif lt == "date" and rt == "duration":
            typ = DATE
        else:
            raise CheckError(node.op_start, f"cannot {'add' if node.op == '+' else 'subtract'} "
                             f"{right.type} {'to' if node.op == '+' else 'from'} {left.type}; "
                             "dates take durations such as '12 months', numbers take numbers")
        return ir.Arith(op=node.op, left=left, right=right, **self.node_info(node, typ))  # type: ignore[arg-type]

    def _IsKnown(self, node: syntax.IsKnown, scope: Scope) -> ir.Expr:
        operand = self.check(node.operand, scope)
        if operand.type.kind == "list":
            raise CheckError(node.start, "a list is always known; use 'count(...) > 0' to ask "
                             "whether it has items")
        return ir.Known(operand=operand, negated=node.negated, **self.node_info(node, BOOL))  # type: ignore[arg-type]

    def _Quantified(self, node: syntax.Quantified, scope: Scope) -> ir.Expr:
        coll = self.check(node.collection, scope)
        if coll.type.kind != "list" or coll.type.item is None:
            raise CheckError(node.collection.start, f"'{node.quantifier}' needs a list after "
                             f"'in', but this is {coll.type}")
        if node.variable in scope.variables or node.variable in scope.case.fields:
            raise CheckError(node.start, f"the item name {node.variable!r} is already in use; "
                             "choose another")
        inner = scope.with_variable(node.variable, coll.type.item)
        cond = (self.expect_bool(node.condition, inner, "the condition after 'where'")
                if node.condition is not None else None)
        typ = INTEGER if node.quantifier == "count" else BOOL
        return ir.Quantifier(kind=node.quantifier, variable=node.variable, collection=coll,
                             condition=cond, **self.node_info(node, typ))  # type: ignore[arg-type]

    def _Conditional(self, node: syntax.Conditional, scope: Scope) -> ir.Expr:
        cond = self.expect_bool(node.condition, scope, "the condition of 'if'")
        then = self.check(node.then, scope)
        other = self.check(node.otherwise, scope)
        if then.type.kind != other.type.kind and "unknown" not in (then.type.kind, other.type.kind):
            raise CheckError(node.otherwise.start, f"'then' gives {then.type} but 'else' gives "
                             f"{other.type}; both must give the same kind of value")
        typ = then.type if then.type.kind != "unknown" else other.type
        if then.type.enum and other.type.enum:
            typ = Type("string", enum=tuple(dict.fromkeys(then.type.enum + other.type.enum)))
        elif then.type.enum != other.type.enum:
            typ = STRING if typ.kind == "string" else typ
        return ir.IfThenElse(condition=cond, then=then, otherwise=other,
                             **self.node_info(node, typ))  # type: ignore[arg-type]


def compile_expression(text: str, scope: Scope,
                       locate: Callable[[int], SourceLocation | None]) -> ir.Expr:
    """Parse and check an expression (raises ParseError or CheckError)."""
    tree = syntax.parse(text)
    return Checker(text, scope, locate).check(tree)


__all__ = ["INTEGER", "CheckError", "Checker", "DecisionScope", "DecisionType", "Scope",
           "compile_expression"]
