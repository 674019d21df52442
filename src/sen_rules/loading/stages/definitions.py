"""Stages "definitions" and "definitions compiled": the named expressions shared by every
area (``definitions.yaml``) and each area's own are collected first (their names checked),
so that any condition can use any of them; then each is compiled, on first use or at the
latest in the second stage, with circles between them reported."""

from __future__ import annotations

from ... import codes
from ...errors import SourceLocation
from ...language.checker import CheckError
from ...language.types import Type
from .. import schema
from ..compilation import Compilation, PendingDefinition
from ..expressions import resolve_definition
from ..files import read
from ..yamlfile import Path as YPath
from ..yamlfile import YamlDocument

RESERVED = ("as_of", "settings", "decisions")


def collect_shared(c: Compilation) -> None:
    for i, rel in enumerate(c.manifest.definitions):
        at: SourceLocation = c.mdoc.where(("definitions", i))
        parsed, doc = read(c, rel, schema.DefinitionsFile, "definitions", at)
        if parsed is not None and doc is not None:
            collect_definitions(c, parsed.definitions, doc, ("definitions",), None)


def collect_definitions(c: Compilation, entries: list[schema.DefinitionEntry],
                        doc: YamlDocument, path: YPath, area: str | None,
                        variable: str | None = None,
                        variable_type: Type | None = None) -> None:
    """Note each definition under its key (``name``, or ``area:name`` for an area's own)."""
    for i, entry in enumerate(entries):
        entry_path = c.item_paths.get(id(entry), path + (i,))
        key = entry.name if area is None else f"{area}:{entry.name}"
        loc = doc.where(entry_path)
        clash = entry.name in c.pending_defs or key in c.pending_defs
        if clash or entry.name in c.case_type.fields or entry.name in RESERVED:
            c.error(codes.SR106, f"the name {entry.name!r} is already used (by a case field or "
                    "another definition)", loc)
            continue
        c.pending_defs[key] = PendingDefinition(entry, area, doc, entry_path, variable,
                                                variable_type)


def resolve_all(c: Compilation) -> None:
    """Compile every definition not compiled yet."""
    for key in list(c.pending_defs):
        try:
            resolve_definition(c, key)
        except CheckError as exc:
            pending = c.pending_defs[key]
            c.error(exc.code, exc.message, pending.doc.where(pending.path + ("means",)))
            c.def_types.setdefault(key, Type("unknown"))
