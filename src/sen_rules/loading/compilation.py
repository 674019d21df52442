"""What a compilation of a rules directory knows, stage after stage, and its diagnostics.

One :class:`Compilation` is passed through the stages of :mod:`.pipeline`. Each stage reads
what the earlier ones built (the sources before any citation, the settings and definitions
before any condition) and adds its own part; every problem any stage finds goes to the one
list ``diags``, located (file:line:col), with its SR code and a sentence, in the order found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..case import Case
from ..errors import Diagnostic, SourceLocation
from ..language.checker import DecisionType
from ..language.types import ObjectType, Type, object_type
from ..rulebase import Area, Definition, RegisterEntry, Setting
from ..sources import Source
from . import schema
from .yamlfile import Path as YPath
from .yamlfile import YamlDocument

INVALID = object()  # a value or expression that was reported as wrong


@dataclass
class PendingDefinition:
    """A definition collected but not yet compiled (definitions may use one another)."""

    entry: schema.DefinitionEntry
    area: str | None
    doc: YamlDocument
    path: YPath
    variable: str | None
    variable_type: Type | None


@dataclass
class Compilation:
    """The rulebase being built, in the order the stages build it."""

    dir: Path
    diags: list[Diagnostic] = field(default_factory=list)
    # each place a value was refused as written (a number not in plain decimal), with the
    # diagnostic that refused it: any other error there only follows from it, and is not
    # reported
    refused: dict[SourceLocation, Diagnostic] = field(default_factory=dict)
    file_count: int = 0
    item_paths: dict[int, YPath] = field(default_factory=dict)  # checked list item -> its path
    # the manifest (stage "manifest")
    manifest_file: schema.RulebaseFile | None = None
    manifest_doc: YamlDocument | None = None
    # stage "sources"
    sources: dict[str, Source] = field(default_factory=dict)
    # stage "settings"
    settings: dict[str, Setting] = field(default_factory=dict)
    setting_types: dict[str, Type] = field(default_factory=dict)
    # stages "definitions" (collected) and "definitions resolved" (compiled)
    case_type: ObjectType = field(default_factory=lambda: object_type(Case))
    pending_defs: dict[str, PendingDefinition] = field(default_factory=dict)
    definitions: dict[str, Definition] = field(default_factory=dict)
    def_types: dict[str, Type] = field(default_factory=dict)
    def_needs_var: dict[str, str | None] = field(default_factory=dict)
    resolving: list[str] = field(default_factory=list)
    # stage "area files": each area's file by id, in manifest order
    area_files: dict[str, tuple[schema.AreaFile, YamlDocument]] = field(default_factory=dict)
    loaded_areas: list[tuple[schema.AreaFile, YamlDocument]] = field(default_factory=list)
    # the decision graph: what each area's decision offers, who reads whom
    decision_types: dict[str, DecisionType] = field(default_factory=dict)
    typing_decisions: set[str] = field(default_factory=set)
    decision_reads: set[tuple[str | None, str]] = field(default_factory=set)  # (reader, read)
    # stage "areas": the built areas, rule ids, file order, how each rule version is dated
    areas: tuple[Area, ...] = ()
    rule_keys: dict[str, SourceLocation] = field(default_factory=dict)
    order: int = 0
    # rule id -> (version, canonical text of the date that chooses it or None, where)
    datings: dict[str, list[tuple[str, str | None, SourceLocation]]] = field(
        default_factory=dict)
    # stage "register"
    register_ids: set[str] = field(default_factory=set)
    register_refs: list[tuple[str, SourceLocation]] = field(default_factory=list)
    register: tuple[RegisterEntry, ...] = ()

    def error(self, code: str, message: str, loc: SourceLocation | None,
              severity: str = "error") -> None:
        """Collect a diagnostic (an error unless ``severity`` says otherwise)."""
        self.diags.append(Diagnostic(code, message, loc, severity))  # type: ignore[arg-type]

    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diags)

    @property
    def manifest(self) -> schema.RulebaseFile:
        """The manifest (the stages after "manifest" only run when it was read)."""
        assert self.manifest_file is not None, "the manifest stage runs first"
        return self.manifest_file

    @property
    def mdoc(self) -> YamlDocument:
        assert self.manifest_doc is not None, "the manifest stage runs first"
        return self.manifest_doc


