"""Compiling the conditions of rule files against what the compilation knows so far.

A condition is parsed and type-checked (:mod:`sen_rules.language.checker`) in a scope: the
case model, the settings, the definitions (compiled on first use, in any order, circles
reported), the decisions of the areas it declares in ``uses`` (typed from the expressions of
their outcome rules) and the ranking's item. Every problem is a located diagnostic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import codes
from ..errors import SourceLocation
from ..language import ir
from ..language.checker import (
    CheckError,
    DecisionScope,
    DecisionType,
    Scope,
    compile_expression,
)
from ..language.syntax import ParseError
from ..language.types import NUMBER, STRING, Type
from ..rulebase import Definition
from .citing import citations
from .compilation import Compilation
from .yamlfile import Path as YPath
from .yamlfile import YamlDocument


def scope(c: Compilation, area: str | None,
          variables: Mapping[str, Type] | None = None) -> Scope:
    """What a condition of ``area`` (None: a shared definition) may name."""
    def resolve(name: str, in_scope: Mapping[str, Type]) -> Type | None:
        key = def_key(c, name, area)
        if key is None:
            return None
        typ = resolve_definition(c, key)
        needs = c.def_needs_var.get(key)
        if typ is not None and needs and needs not in in_scope:
            raise CheckError(0, f"{name!r} is about each {needs} and can only be used in "
                             "the ranking's checks and criteria")
        return typ

    def names() -> list[str]:
        return sorted({d.entry.name for d in c.pending_defs.values() if d.area in (None, area)})

    refused = None
    if area is None:
        refused = ("a shared definition cannot read an area's decision; define it in the "
                   "area that uses the decision")
    elif variables:
        refused = ("the placement ranking's checks and criteria cannot read other areas' "
                   "decisions")
    loaded = c.area_files.get(area) if area is not None else None
    decisions = DecisionScope(area, tuple(loaded[0].uses) if loaded else (),
                              lambda a: decision_type(c, a), lambda: list(c.area_files),
                              refused)
    return Scope(c.case_type, c.setting_types, resolve, names, dict(variables or {}),
                 decisions)


def def_key(c: Compilation, name: str, area: str | None) -> str | None:
    """The key of the definition a name means in an area (its own before a shared one)."""
    if area is not None and f"{area}:{name}" in c.pending_defs:
        return f"{area}:{name}"
    return name if name in c.pending_defs else None


def resolve_definition(c: Compilation, key: str) -> Type | None:
    """Compile a definition (once) and give its type; a circle raises SR115."""
    if key in c.def_types:
        return c.def_types[key]
    pending = c.pending_defs[key]
    if key in c.resolving:
        circle = c.resolving[c.resolving.index(key):]
        cycle = " -> ".join(k.split(":")[-1] for k in circle)
        raise CheckError(0, f"definitions refer to each other in a circle: {cycle} -> "
                         f"{pending.entry.name}", codes.SR115)
    c.resolving.append(key)
    try:
        variables = ({pending.variable: pending.variable_type}
                     if pending.variable and pending.variable_type else {})
        expr = expression(c, pending.entry.means, pending.doc, pending.path + ("means",),
                          scope(c, pending.area, variables))
    finally:
        c.resolving.pop()
    if expr is None:
        c.def_types[key] = Type("unknown")
        return c.def_types[key]
    needs = None
    if pending.variable and any(isinstance(n, ir.FieldRef) and n.root == pending.variable
                                for n in ir.walk(expr)):
        needs = pending.variable
    for ref in ir.definition_refs(expr):
        other = def_key(c, ref, pending.area)
        if other and c.def_needs_var.get(other):
            needs = c.def_needs_var[other]
    c.def_types[key] = expr.type
    c.def_needs_var[key] = needs
    c.definitions[key] = Definition(
        pending.entry.name, pending.entry.title, expr, pending.area, needs,
        pending.doc.where(pending.path),
        citations(c, pending.entry.cites, pending.doc, pending.path + ("cites",)))
    return expr.type


def expression(c: Compilation, text: str, doc: YamlDocument, path: YPath, in_scope: Scope,
               want: Type | None = None) -> ir.Expr | None:
    """The typed IR of a condition written at ``path`` (None: reported)."""
    layout = doc.layouts.get(path)
    base = doc.where(path)

    def locate(offset: int) -> SourceLocation:
        if layout is None:
            return base
        return layout.locate(doc.file, offset, text)

    try:
        expr = compile_expression(text, in_scope, locate)
    except ParseError as exc:
        c.error(codes.SR110, f"condition syntax: {exc.message}", locate(exc.offset))
        return None
    except CheckError as exc:
        c.error(exc.code, exc.message, locate(exc.offset))
        return None
    if want is not None and expr.type.kind not in (want.kind, "unknown"):
        what = "a yes/no condition" if want.kind == "bool" else str(want)
        c.error(codes.SR113, f"expected {what}, but this is {expr.type}", base)
        return None
    if in_scope.decisions is not None:
        for ref in ir.decision_refs(expr):
            c.decision_reads.add((in_scope.decisions.reader, ref.area))
    return expr


def reads_as_of(c: Compilation, expr: ir.Expr, area: str | None) -> bool:
    """Whether an expression reads the evaluation date, directly or through definitions."""
    pending, seen = [(expr, area)], set()
    while pending:
        node, in_area = pending.pop()
        for n in ir.walk(node):
            if isinstance(n, ir.AsOf):
                return True
            if isinstance(n, ir.DefinitionRef):
                key = def_key(c, n.name, in_area)
                found = c.definitions.get(key) if key is not None else None
                if found is not None and key not in seen:
                    seen.add(key)
                    pending.append((found.expr, found.area))
    return False


def case_path_type(c: Compilation, dotted: str) -> Type | None:
    """The type of a dotted path into the case, stepping through lists (None: no such
    field)."""
    typ = Type("object", obj=c.case_type)
    for part in dotted.split("."):
        base = typ.item if typ.kind == "list" and typ.item else typ
        if base.obj is None or part not in base.obj.fields:
            return None
        typ = base.obj.fields[part].type
    return typ


def collection_item_type(c: Compilation, dotted: str) -> Type | None:
    """The type of the items of a list in the case (None: not a list of the case)."""
    typ = case_path_type(c, dotted)
    return typ.item if typ is not None and typ.kind == "list" else None


def decision_type(c: Compilation, area: str) -> DecisionType | None:
    """What can be read of an area's decision: its outcomes, and its details typed from
    the expressions of its outcome rules (None: no such area)."""
    found = c.decision_types.get(area)
    if found is not None:
        return found
    loaded = c.area_files.get(area)
    if loaded is None:
        return None
    parsed = loaded[0]
    outcomes = tuple(o.value for o in parsed.outcomes)
    if area in c.typing_decisions:  # a circle of areas: reported as SR134
        return DecisionType(area, outcomes, {})
    c.typing_decisions.add(area)
    texts: list[tuple[str, Any]] = []
    for raw in parsed.rules:
        if isinstance(raw, dict) and raw.get("outcome") is not None \
                and isinstance(raw.get("details"), dict):
            texts.extend(raw["details"].items())
    if parsed.otherwise is not None:
        texts.extend(parsed.otherwise.details.items())
    details: dict[str, Type | str] = {}
    try:
        area_scope = scope(c, area)
        for name, text in texts:
            if not isinstance(text, str):
                continue
            try:
                expr = compile_expression(text, area_scope, lambda offset: None)
            except (ParseError, CheckError):
                continue  # reported where the area itself is built
            details[name] = _merge_detail(details.get(name), expr.type)
    finally:
        c.typing_decisions.discard(area)
    found = DecisionType(area, outcomes, details)
    c.decision_types[area] = found
    return found


_READABLE = ("bool", "number", "string", "date")


def _merge_detail(before: Type | str | None, typ: Type) -> Type | str:
    """The type of a detail given by several rules (or why another area cannot read it)."""
    if typ.kind not in _READABLE:
        return f"it is {typ}; only yes/no, number, text and date details can be read"
    if before is None or isinstance(before, str):
        return before if isinstance(before, str) else typ
    if before.kind != typ.kind:
        return f"its rules give it as {before} and as {typ}"
    if before.enum and typ.enum:
        return Type("string", enum=tuple(dict.fromkeys(before.enum + typ.enum)))
    if before.kind == "string" and before.enum != typ.enum:
        return STRING
    if before.kind == "number" and before.integer != typ.integer:
        return NUMBER
    return before
