"""Load a rules directory into a checked, immutable :class:`Rulebase`.

Loading reads every file the rulebase manifest names, checks its structure, verifies each
quote against the clause it cites, type-checks every condition against the case model,
and collects *all* problems before failing, so a policy author sees the whole list at
once, each with ``file:line:col`` and what was expected.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..case import Case
from ..dates import WEEKDAYS, parse_month_day
from ..errors import Diagnostic, RulebaseError, SourceLocation
from ..language import ir
from ..language.checker import (
    CheckError,
    DecisionScope,
    Scope,
    compile_expression,
)
from ..language.printer import canonical
from ..language.syntax import ParseError
from ..language.types import (
    BOOL,
    DATE,
    INTEGER,
    NUMBER,
    STRING,
    ObjectType,
    Type,
    list_of,
    object_type,
)
from ..rulebase import (
    DEFAULT_CHECKS_TIERS,
    FOREVER_FROM,
    FOREVER_UNTIL,
    Area,
    Citation,
    Criterion,
    Definition,
    InForce,
    OutcomeSpec,
    Ranking,
    RegisterEntry,
    Rule,
    Rulebase,
    Setting,
    SettingVersion,
)
from ..sources import (
    Clause,
    Source,
    fold,
    quote_too_short,
    segment,
    sha256_text,
    suggest_quote_fix,
)
from ..versions import version_guard
from . import schema
from .decisions import DecisionGraphChecks
from .yamlfile import Path as YPath
from .yamlfile import YamlDocument, YamlFileError, read_rule_text, read_yaml

M = TypeVar("M", bound=BaseModel)

MANIFEST = "rulebase.yaml"
CONVENTION_SETTINGS: dict[str, str] = {
    "leap_day_birthday": "choice",
    "academic_year_start": "day_of_year",
    "prescribed_days": "list_of_days_of_year",
    "compulsory_school_age_lower": "integer",
    "compulsory_school_age_upper": "integer",
    "school_leaving_month": "integer",
    "school_leaving_weekday": "choice",
}
CONFLICT_POLICIES = ("ordered", "pareto")
MAX_FILES = 200
MAX_RULES = 2000


@dataclass
class _PendingDefinition:
    entry: schema.DefinitionEntry
    area: str | None
    doc: YamlDocument
    path: YPath
    variable: str | None
    variable_type: Type | None


class _Loader(DecisionGraphChecks):
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.diags: list[Diagnostic] = []
        self.case_type: ObjectType = object_type(Case)
        self.sources: dict[str, Source] = {}
        self.settings: dict[str, Setting] = {}
        self.setting_types: dict[str, Type] = {}
        self.pending_defs: dict[str, _PendingDefinition] = {}
        self.definitions: dict[str, Definition] = {}
        self.def_types: dict[str, Type] = {}
        self.def_needs_var: dict[str, str | None] = {}
        self.resolving: list[str] = []
        self.rule_keys: dict[str, SourceLocation] = {}
        self.order = 0
        self.register_ids: set[str] = set()
        self.register_refs: list[tuple[str, SourceLocation]] = []
        self.file_count = 0
        self.item_paths: dict[int, YPath] = {}  # checked list item -> its path in its file
        self.init_decision_graph()  # area files by id, what each uses and reads
        # rule id -> (version, canonical text of the date that chooses it or None, where)
        self.datings: dict[str, list[tuple[str, str | None, SourceLocation]]] = {}

    # ---------------------------------------------------------------- helpers
    def error(self, code: str, message: str, loc: SourceLocation | None,
              severity: str = "error") -> None:
        self.diags.append(Diagnostic(code, message, loc, severity))  # type: ignore[arg-type]

    def read(self, relative: str, model: type[M], what: str,
             at: SourceLocation | None = None) -> tuple[M | None, YamlDocument | None]:
        self.file_count += 1
        if self.file_count > MAX_FILES:
            self.error("SR101", f"the rulebase names more than {MAX_FILES} files", at)
            return None, None
        try:
            path = (self.dir / relative).resolve()
            inside = _inside(path, self.dir.resolve())
        except (OSError, RuntimeError) as exc:  # a symlink loop, for one
            self.error("SR101", f"cannot read {what} file {relative!r}: {exc}", at)
            return None, None
        if not inside:
            self.error("SR101", f"{relative!r} is outside the rules directory", at)
            return None, None
        display = display_path(path)
        try:
            text = read_rule_text(path)
        except FileNotFoundError:
            self.error("SR101", f"{what} file {relative!r} does not exist", at)
            return None, None
        except (OSError, UnicodeDecodeError) as exc:
            self.error("SR101", f"cannot read {what} file {relative!r}: {exc}", at)
            return None, None
        try:
            doc = read_yaml(text, display)
        except YamlFileError as exc:
            self.diags.append(exc.diagnostic)
            return None, None
        if not isinstance(doc.data, dict):
            self.error("SR102", f"a {what} file must be a block of 'key: value' lines",
                       SourceLocation(display, 1, 1))
            return None, None
        parsed, diags = schema.structure_errors(doc, model, what)
        self.diags.extend(diags)
        return parsed, doc  # type: ignore[return-value]

    # ---------------------------------------------------------------- sources
    def load_source(self, relative: str, at: SourceLocation) -> None:
        index, doc = self.read(relative, schema.SourceIndexFile, "source index", at)
        if index is None or doc is None:
            return
        text_path = (self.dir / relative).parent / index.file
        try:
            text = read_rule_text(text_path)
        except (OSError, UnicodeDecodeError) as exc:
            self.error("SR101", f"cannot read source text {index.file!r}: {exc}",
                       doc.where(("file",)))
            return
        digest = sha256_text(text)
        if index.sha256 and index.sha256 != digest:
            self.error("SR124", f"the text of {index.file!r} has changed: its sha256 is {digest}, "
                       f"the index expects {index.sha256}; check the clause index, then update "
                       "the sha256", doc.where(("sha256",)))
        blocks = segment(text, index.segmentation)
        claimed: dict[int, str] = {}
        clauses: dict[str, Clause] = {}
        for i, entry in enumerate(index.clauses):
            loc = doc.where(("clauses", i))
            if entry.id in clauses:
                self.error("SR105", f"clause id {entry.id!r} is used twice", loc)
                continue
            prefix = fold(entry.starts)
            matches = [b for b in blocks if fold(b.text).startswith(prefix)]
            if not matches:
                self.error("SR125", f"clause {entry.id!r}: no paragraph of {index.file} starts "
                           f"with {entry.starts!r}", doc.where(("clauses", i, "starts")))
                continue
            if len(matches) > 1:
                lines = ", ".join(str(b.line) for b in matches)
                self.error("SR125", f"clause {entry.id!r}: {len(matches)} paragraphs start with "
                           f"{entry.starts!r} (lines {lines}); quote more of the opening words",
                           doc.where(("clauses", i, "starts")))
                continue
            block = matches[0]
            if block.line in claimed:
                self.error("SR125", f"clause {entry.id!r} names the same paragraph as clause "
                           f"{claimed[block.line]!r}", loc)
                continue
            claimed[block.line] = entry.id
            clauses[entry.id] = Clause(entry.id, entry.kind, block.text, block.line,
                                       block.end_line, entry.normative,
                                       entry.title or fold(block.text)[:80])
        for block in blocks:
            if block.line not in claimed:
                self.error("SR126", f"{index.file} line {block.line} ({fold(block.text)[:50]!r}) "
                           "has no clause id: add it to the clause index",
                           doc.where(("clauses",)))
        if index.source in self.sources:
            self.error("SR105", f"source id {index.source!r} is used twice", doc.where(("source",)))
            return
        ordered = dict(sorted(clauses.items(), key=lambda kv: kv[1].line))
        self.sources[index.source] = Source(index.source, index.title, display_path(text_path),
                                            text, digest, index.reference, ordered)

    def citations(self, entries: list[schema.CitationEntry], doc: YamlDocument,
                  path: YPath) -> tuple[Citation, ...]:
        out: list[Citation] = []
        for i, c in enumerate(entries):
            loc = doc.where(path + (i,))
            source = self.sources.get(c.source)
            if source is None:
                self.error("SR120", f"unknown source {c.source!r}"
                           + _did_you_mean(c.source, list(self.sources)), loc)
                continue
            clause = source.clause(c.clause)
            if clause is None:
                self.error("SR121", f"source {c.source!r} has no clause {c.clause!r}"
                           + _did_you_mean(c.clause, list(source.clauses)),
                           doc.where(path + (i, "clause")))
                continue
            short = quote_too_short(c.quote)
            if short is not None:
                self.error("SR128", short, doc.where(path + (i, "quote")))
                continue
            if clause.contains_cut(c.quote):
                self.error("SR128", f"the quote {c.quote!r} cuts a word of clause {c.clause!r}: "
                           "a citation starts and ends with whole words",
                           doc.where(path + (i, "quote")))
                continue
            if not clause.contains(c.quote):
                elsewhere = [k.id for k in source.clauses.values() if k.contains(c.quote)]
                hint = (f"; it is in clause {elsewhere[0]!r}" if elsewhere
                        else suggest_quote_fix(c.quote, clause))
                self.error("SR122", f"the quote {c.quote!r} is not in clause {c.clause!r} of "
                           f"{c.source!r} word for word{hint}", doc.where(path + (i, "quote")))
                continue
            out.append(Citation(c.source, c.clause, fold(c.quote), c.reference))
        return tuple(out)

    # ---------------------------------------------------------------- settings
    def load_settings(self, relative: str, at: SourceLocation) -> None:
        parsed, doc = self.read(relative, schema.SettingsFile, "settings", at)
        if parsed is None or doc is None:
            return
        for i, entry in enumerate(parsed.settings):
            self.load_setting(entry, doc, ("settings", i))
        for name, kind in CONVENTION_SETTINGS.items():
            setting = self.settings.get(name)
            if setting is None:
                self.error("SR140", f"the setting {name!r} ({kind}) is missing: the date "
                           "functions need it", doc.where(("settings",)))
            elif setting.type != kind:
                self.error("SR140", f"the setting {name!r} must be of type {kind}",
                           setting.location)
        self.check_convention_values()

    def check_convention_values(self) -> None:
        allowed = {"leap_day_birthday": ("1 March", "28 February"),
                   "school_leaving_weekday": tuple(WEEKDAYS)}
        for name, values in allowed.items():
            s = self.settings.get(name)
            if s and s.choices and not set(s.choices) <= set(values):
                self.error("SR141", f"the choices of {name!r} must be among: "
                           + ", ".join(values), s.location)
        for name, low, high in (("school_leaving_month", 1, 12),
                                ("compulsory_school_age_lower", 2, 8),
                                ("compulsory_school_age_upper", 14, 19)):
            s = self.settings.get(name)
            if s:
                for v in s.versions:
                    if not (isinstance(v.value, int) and low <= v.value <= high):
                        self.error("SR141", f"{name} must be between {low} and {high}",
                                   s.location)

    def load_setting(self, entry: schema.SettingEntry, doc: YamlDocument, path: YPath) -> None:
        loc = doc.where(path)
        if entry.name in self.settings:
            self.error("SR105", f"the setting {entry.name!r} is defined twice", loc)
            return
        if (entry.value is None) == (entry.versions is None):
            self.error("SR103", f"setting {entry.name!r}: give either 'value' or 'versions'", loc)
            return
        if entry.type == "choice" and not entry.choices:
            self.error("SR103", f"setting {entry.name!r} is a choice: list its 'choices'", loc)
            return
        raw_versions = ([(entry.value, None, path + ("value",))] if entry.versions is None else
                        [(v.value, v.in_force, path + ("versions", j, "value"))
                         for j, v in enumerate(entry.versions)])
        versions: list[SettingVersion] = []
        for value, in_force, vpath in raw_versions:
            converted = self.setting_value(entry, value, doc.where(vpath))
            if converted is _INVALID:
                return
            span = self.in_force(in_force, doc, vpath[:-1] + ("in_force",))
            versions.append(SettingVersion(converted, span))
        versions.sort(key=lambda v: v.in_force.start)
        if not self.covers_all_dates([v.in_force for v in versions]):
            self.error("SR142", f"the versions of setting {entry.name!r} must follow one another "
                       "with no gap or overlap, from the earliest date to the latest", loc)
            return
        self.settings[entry.name] = Setting(
            entry.name, entry.title, entry.type,
            tuple(entry.choices) if entry.choices else None, tuple(versions),
            self.citations(entry.cites, doc, path + ("cites",)), tuple(entry.register_ids), loc)
        for rid in entry.register_ids:
            self.register_refs.append((rid, loc))
        self.setting_types[entry.name] = _setting_type(entry)

    @staticmethod
    def covers_all_dates(spans: list[InForce]) -> bool:
        if not spans or spans[0].start != FOREVER_FROM or spans[-1].end != FOREVER_UNTIL:
            return False
        for a, b in zip(spans, spans[1:], strict=False):
            if a.end == FOREVER_UNTIL or b.start.toordinal() != a.end.toordinal() + 1:
                return False
        return True

    def setting_value(self, entry: schema.SettingEntry, value: Any, loc: SourceLocation) -> Any:
        kind = entry.type

        def bad(expected: str) -> object:
            self.error("SR143", f"setting {entry.name!r} is {kind}: expected {expected}, "
                       f"found {value!r}", loc)
            return _INVALID

        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 1_000_000:
                return bad("a whole number")
            return value
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > 1e9:
                return bad("a number")
            return value
        if kind == "yes_no":
            return value if isinstance(value, bool) else bad("true or false")
        if kind == "date":
            return value if type(value) is date else bad("a date written YYYY-MM-DD")
        if kind in ("text", "choice"):
            if not isinstance(value, str):
                return bad("text")
            if kind == "choice" and value not in (entry.choices or []):
                return bad("one of " + ", ".join(repr(c) for c in entry.choices or []))
            return value
        if kind == "day_of_year":
            try:
                parse_month_day(value) if isinstance(value, str) else None
            except ValueError as exc:
                return bad(str(exc))
            return value if isinstance(value, str) else bad("a day such as '1 September'")
        if kind in ("list_of_text", "list_of_days_of_year"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return bad("a list of text")
            if kind == "list_of_days_of_year":
                try:
                    for v in value:
                        parse_month_day(v)
                except ValueError as exc:
                    return bad(str(exc))
            return tuple(value)
        return bad(kind)

    def in_force(self, entry: schema.InForceEntry | None, doc: YamlDocument,
                 path: YPath) -> InForce:
        if entry is None:
            return InForce()
        span = InForce(entry.from_ or FOREVER_FROM, entry.until or FOREVER_UNTIL)
        if span.start > span.end:
            self.error("SR144", "in_force: 'from' is after 'until'", doc.where(path))
        return span

    # ---------------------------------------------------------------- expressions
    def scope(self, area: str | None, variables: Mapping[str, Type] | None = None) -> Scope:
        def resolve(name: str, in_scope: Mapping[str, Type]) -> Type | None:
            key = self.def_key(name, area)
            if key is None:
                return None
            typ = self.resolve_definition(key)
            needs = self.def_needs_var.get(key)
            if typ is not None and needs and needs not in in_scope:
                raise CheckError(0, f"{name!r} is about each {needs} and can only be used in "
                                 "the ranking's checks and criteria")
            return typ

        def names() -> list[str]:
            return sorted({d.entry.name for d in self.pending_defs.values()
                           if d.area in (None, area)})

        refused = None
        if area is None:
            refused = ("a shared definition cannot read an area's decision; define it in the "
                       "area that uses the decision")
        elif variables:
            refused = ("the placement ranking's checks and criteria cannot read other areas' "
                       "decisions")
        loaded = self.area_files.get(area) if area is not None else None
        decisions = DecisionScope(area, tuple(loaded[0].uses) if loaded else (),
                                  self.decision_type, lambda: list(self.area_files), refused)
        return Scope(self.case_type, self.setting_types, resolve, names, dict(variables or {}),
                     decisions)

    def def_key(self, name: str, area: str | None) -> str | None:
        if area is not None and f"{area}:{name}" in self.pending_defs:
            return f"{area}:{name}"
        return name if name in self.pending_defs else None

    def resolve_definition(self, key: str) -> Type | None:
        if key in self.def_types:
            return self.def_types[key]
        pending = self.pending_defs[key]
        if key in self.resolving:
            circle = self.resolving[self.resolving.index(key):]
            cycle = " -> ".join(k.split(":")[-1] for k in circle)
            raise CheckError(0, f"definitions refer to each other in a circle: {cycle} -> "
                             f"{pending.entry.name}", "SR115")
        self.resolving.append(key)
        try:
            variables = ({pending.variable: pending.variable_type}
                         if pending.variable and pending.variable_type else {})
            expr = self.expression(pending.entry.means, pending.doc, pending.path + ("means",),
                                   self.scope(pending.area, variables))
        finally:
            self.resolving.pop()
        if expr is None:
            self.def_types[key] = Type("unknown")
            return self.def_types[key]
        needs = None
        if pending.variable and any(isinstance(n, ir.FieldRef) and n.root == pending.variable
                                    for n in ir.walk(expr)):
            needs = pending.variable
        for ref in ir.definition_refs(expr):
            other = self.def_key(ref, pending.area)
            if other and self.def_needs_var.get(other):
                needs = self.def_needs_var[other]
        self.def_types[key] = expr.type
        self.def_needs_var[key] = needs
        self.definitions[key] = Definition(
            pending.entry.name, pending.entry.title, expr, pending.area, needs,
            pending.doc.where(pending.path),
            self.citations(pending.entry.cites, pending.doc, pending.path + ("cites",)))
        return expr.type

    def expression(self, text: str, doc: YamlDocument, path: YPath, scope: Scope,
                   want: Type | None = None) -> ir.Expr | None:
        layout = doc.layouts.get(path)
        base = doc.where(path)

        def locate(offset: int) -> SourceLocation:
            if layout is None:
                return base
            return layout.locate(doc.file, offset, text)

        try:
            expr = compile_expression(text, scope, locate)
        except ParseError as exc:
            self.error("SR110", f"condition syntax: {exc.message}", locate(exc.offset))
            return None
        except CheckError as exc:
            self.error(exc.code, exc.message, locate(exc.offset))
            return None
        if want is not None and expr.type.kind not in (want.kind, "unknown"):
            what = "a yes/no condition" if want.kind == "bool" else str(want)
            self.error("SR113", f"expected {what}, but this is {expr.type}", base)
            return None
        if scope.decisions is not None:
            for ref in ir.decision_refs(expr):
                self.decision_reads.add((scope.decisions.reader, ref.area))
        return expr

    # ---------------------------------------------------------------- definitions
    def collect_definitions(self, entries: list[schema.DefinitionEntry], doc: YamlDocument,
                            path: YPath, area: str | None, variable: str | None = None,
                            variable_type: Type | None = None) -> None:
        for i, entry in enumerate(entries):
            entry_path = self.item_paths.get(id(entry), path + (i,))
            key = entry.name if area is None else f"{area}:{entry.name}"
            loc = doc.where(entry_path)
            clash = entry.name in self.pending_defs or key in self.pending_defs
            reserved = ("as_of", "settings", "decisions")
            if clash or entry.name in self.case_type.fields or entry.name in reserved:
                self.error("SR106", f"the name {entry.name!r} is already used (by a case field or "
                           "another definition)", loc)
                continue
            self.pending_defs[key] = _PendingDefinition(entry, area, doc, entry_path, variable,
                                                        variable_type)

    def resolve_all_definitions(self) -> None:
        for key in list(self.pending_defs):
            try:
                self.resolve_definition(key)
            except CheckError as exc:
                pending = self.pending_defs[key]
                self.error(exc.code, exc.message, pending.doc.where(pending.path + ("means",)))
                self.def_types.setdefault(key, Type("unknown"))

    # ---------------------------------------------------------------- areas
    def load_area(self, relative: str, at: SourceLocation, seen: dict[str, SourceLocation]
                  ) -> tuple[schema.AreaFile, YamlDocument] | None:
        parsed, doc = self.read(relative, schema.AreaFile, "area", at)
        if parsed is None or doc is None:
            return None
        if parsed.area in seen:
            self.error("SR105", f"area {parsed.area!r} is also defined at {seen[parsed.area]}",
                       doc.where(("area",)))
            return None
        seen[parsed.area] = doc.where(("area",))
        self.area_files[parsed.area] = (parsed, doc)
        variable, var_type = None, None
        if parsed.ranking is not None:
            variable, coll_path = parsed.ranking.candidates.split(" in ")
            var_type = self.collection_item_type(coll_path)
        definitions = self.items(doc, ("definitions",), parsed.definitions,
                                 schema.DefinitionEntry, "definition")
        self.collect_definitions(definitions, doc, ("definitions",), parsed.area, variable,
                                 var_type)
        return parsed, doc

    def items(self, doc: YamlDocument, path: YPath, raw: list[Any],
              model: type[M], what: str) -> list[M]:
        """Check each item of a list on its own, so one bad rule does not hide the others.

        Items that fail are reported and left out; ``self.item_paths`` keeps where each kept
        item is in its file.
        """
        kept: list[M] = []
        for i in range(len(raw)):
            parsed, diags = schema.structure_errors(doc, model, what, path + (i,))
            self.diags.extend(diags)
            if parsed is not None:
                kept.append(parsed)  # type: ignore[arg-type]
                self.item_paths[id(parsed)] = path + (i,)
        return kept

    def case_path_type(self, dotted: str) -> Type | None:
        """The type of a dotted path into the case, stepping through lists (None: no such
        field)."""
        typ = Type("object", obj=self.case_type)
        for part in dotted.split("."):
            base = typ.item if typ.kind == "list" and typ.item else typ
            if base.obj is None or part not in base.obj.fields:
                return None
            typ = base.obj.fields[part].type
        return typ

    def collection_item_type(self, dotted: str) -> Type | None:
        typ = self.case_path_type(dotted)
        return typ.item if typ is not None and typ.kind == "list" else None

    def build_area(self, parsed: schema.AreaFile, doc: YamlDocument, index: int) -> Area:
        aid = parsed.area
        outcome_values = [o.value for o in parsed.outcomes]
        if len(set(outcome_values)) != len(outcome_values):
            self.error("SR105", f"area {aid!r} lists an outcome twice", doc.where(("outcomes",)))
        scope = self.scope(aid)
        applies = None
        if parsed.applies_when is not None:
            applies = self.expression(parsed.applies_when, doc, ("applies_when",), scope, BOOL)
        applies_cites = self.citations(parsed.applies_cites, doc, ("applies_cites",))
        rules: list[Rule] = []
        for entry in self.items(doc, ("rules",), parsed.rules, schema.RuleEntry, "rule"):
            rule = self.build_rule(entry, aid, doc, self.item_paths[id(entry)], outcome_values,
                                   scope)
            if rule is not None:
                rules.append(rule)
        otherwise = None
        if parsed.otherwise is not None:
            o = parsed.otherwise
            otherwise = self.build_rule(
                schema.RuleEntry(id=o.id, title=o.title, when="true", outcome=o.outcome,
                                 message=o.message, details=o.details, cites=o.cites,
                                 register=o.register_ids, priority=10_000),
                aid, doc, ("otherwise",), outcome_values, scope)
        deciding_ids = {r.id for r in rules if r.effect == "outcome"}
        for r in rules:
            for rid in r.when_decided_by:
                if rid not in deciding_ids:
                    self.error("SR104", f"rule {r.id!r}: 'when_decided_by' names {rid!r}, which "
                               f"is not an outcome rule of area {aid!r}"
                               + _did_you_mean(rid, sorted(deciding_ids)), r.location)
        for key in parsed.combine:
            if not any(key in r.details for r in rules):
                self.error("SR107", f"combine names {key!r}, but no rule of {aid!r} gives that "
                           "detail", doc.where(("combine", key)))
        ranking = self.build_ranking(parsed.ranking, aid, doc) if parsed.ranking else None
        return Area(aid, parsed.title, parsed.summary, doc.file, applies, applies_cites,
                    parsed.hit_policy, tuple(OutcomeSpec(o.value, o.label)
                                             for o in parsed.outcomes),
                    otherwise, dict(parsed.combine), tuple(rules), ranking, index,
                    tuple(parsed.uses))

    def build_rule(self, entry: schema.RuleEntry, area: str, doc: YamlDocument, path: YPath,
                   outcomes: list[str], scope: Scope) -> Rule | None:
        loc = doc.where(path)
        effects = [(k, v) for k, v in (("outcome", entry.outcome), ("flag", entry.flag),
                                       ("note", entry.note)) if v is not None]
        ok = True
        if len(effects) != 1:
            self.error("SR103", f"rule {entry.id!r} must have exactly one of 'outcome', 'flag' "
                       f"or 'note' (it has {len(effects) or 'none'})", loc)
            ok = False
        if entry.when is None and entry.when_outcome is None:
            self.error("SR103", f"rule {entry.id!r} needs 'when' (a condition) or "
                       "'when_outcome' (the outcome it accompanies)", loc)
            ok = False
        for key, value in (("outcome", entry.outcome), ("when_outcome", entry.when_outcome)):
            if value is not None and value not in outcomes:
                self.error("SR104", f"{value!r} is not an outcome of area {area!r}"
                           + _did_you_mean(value, outcomes)
                           + f" (its outcomes: {', '.join(outcomes)})", doc.where(path + (key,)))
                ok = False
        if entry.when_outcome is not None and entry.outcome is not None:
            self.error("SR103", f"rule {entry.id!r}: 'when_outcome' is for flags and notes", loc)
            ok = False
        if entry.when_decided_by and entry.outcome is not None:
            self.error("SR103", f"rule {entry.id!r}: 'when_decided_by' is for flags and notes",
                       loc)
            ok = False
        if not entry.cites:
            self.error("SR123", f"rule {entry.id!r} cites nothing: every rule quotes the clause "
                       "of the policy (or statute) it implements", loc)
        when = entry.when
        if isinstance(when, bool):  # YAML reads an unquoted true/false as a yes/no value
            when = "true" if when else "false"
        condition = (self.expression(when, doc, path + ("when",), scope, BOOL)
                     if when is not None else
                     ir.Const(type=BOOL, loc=loc, source="true", value=True))
        details = {}
        for name, text in entry.details.items():
            expr = self.expression(text, doc, path + ("details", name), scope)
            if expr is not None:
                details[name] = expr
        cites = self.citations(entry.cites, doc, path + ("cites",))
        span = self.in_force(entry.in_force, doc, path + ("in_force",))
        dated_by = self.dated_by(entry, area, doc, path + ("in_force",), scope)
        if dated_by is _INVALID:
            ok = False
        rule_key = entry.id if entry.version == "1" else f"{entry.id}@{entry.version}"
        if rule_key in self.rule_keys:
            self.error("SR105", f"rule id {rule_key!r} is also used at {self.rule_keys[rule_key]}",
                       doc.where(path + ("id",)))
            ok = False
        self.rule_keys.setdefault(rule_key, loc)
        for rid in entry.register_ids:
            self.register_refs.append((rid, loc))
        if not ok or condition is None or len(details) != len(entry.details):
            return None
        effect, value = effects[0]
        self.order += 1
        message = fold(entry.message) if entry.message else None
        dated = dated_by if isinstance(dated_by, ir.Expr) else None
        self.datings.setdefault(entry.id, []).append(
            (entry.version, canonical(dated) if dated is not None else None,
             doc.where(path + ("in_force",)) if entry.in_force else loc))
        return Rule(entry.id, entry.version, entry.title, area, condition,
                    effect, value, message, details, entry.priority,  # type: ignore[arg-type]
                    self.order, span, cites, tuple(entry.register_ids), loc, entry.when_outcome,
                    tuple(entry.when_decided_by),
                    dated, entry.in_force.date_of if dated is not None and entry.in_force
                    else None,
                    version_guard(dated, span, condition) if dated is not None else None)

    def dated_by(self, entry: schema.RuleEntry, area: str, doc: YamlDocument, path: YPath,
                 scope: Scope) -> ir.Expr | object | None:
        """The date of the case that chooses the rule's version: None for the evaluation
        date (the default, or ``dated_by: as_of``), the checked expression, or _INVALID."""
        given = entry.in_force
        if given is None or given.dated_by is None:
            if given is not None and given.date_of is not None:
                self.error("SR145", f"rule {entry.id!r}: 'date_of' names the event whose date "
                           "chooses the version; give that date as 'dated_by'",
                           doc.where(path + ("date_of",)))
                return _INVALID
            return None
        if given.dated_by.strip() == "as_of":
            return None
        where = doc.where(path + ("dated_by",))
        expr = self.expression(given.dated_by, doc, path + ("dated_by",), scope)
        if expr is None:
            return _INVALID
        if expr.type.kind != "date":
            self.error("SR145", f"rule {entry.id!r}: 'dated_by' must be a date of the case "
                       f"(such as the date of a placement or a request), but this is "
                       f"{expr.type}", where)
            return _INVALID
        if self.reads_as_of(expr, area):
            self.error("SR146", f"rule {entry.id!r}: 'dated_by' must be a date recorded in or "
                       "derived from the case, not one that depends on the evaluation date "
                       "(as_of); leave 'dated_by' out to date the rule by the evaluation date",
                       where)
            return _INVALID
        return expr

    def reads_as_of(self, expr: ir.Expr, area: str | None) -> bool:
        """Whether an expression reads the evaluation date, directly or through definitions."""
        pending, seen = [(expr, area)], set()
        while pending:
            node, in_area = pending.pop()
            for n in ir.walk(node):
                if isinstance(n, ir.AsOf):
                    return True
                if isinstance(n, ir.DefinitionRef):
                    key = self.def_key(n.name, in_area)
                    found = self.definitions.get(key) if key is not None else None
                    if found is not None and key not in seen:
                        seen.add(key)
                        pending.append((found.expr, found.area))
        return False

    def check_datings(self) -> None:
        """Every version of one rule is chosen by the same date (SR147)."""
        for rule_id, versions in self.datings.items():
            first_version, first, _ = versions[0]
            for version, dating, loc in versions[1:]:
                if dating != first:
                    def said(d: str | None) -> str:
                        return "the evaluation date" if d is None else f"'dated_by: {d}'"
                    self.error("SR147", f"versions of rule {rule_id!r} must be chosen by the "
                               f"same date: version {first_version!r} is dated by "
                               f"{said(first)}, version {version!r} by {said(dating)}", loc)

    def build_ranking(self, entry: schema.RankingEntry, area: str,
                      doc: YamlDocument) -> Ranking | None:
        variable, coll_path = entry.candidates.split(" in ")
        item_type = self.collection_item_type(coll_path)
        loc = doc.where(("ranking", "candidates"))
        if item_type is None or item_type.kind != "object":
            self.error("SR111", f"{coll_path!r} is not a list of items in the case", loc)
            return None
        coll = self.expression(coll_path, doc, ("ranking", "candidates"), self.scope(area))
        setting = self.settings.get(entry.conflict_policy_setting)
        if setting is None or setting.type != "choice" or not set(setting.choices or ()) <= set(
                CONFLICT_POLICIES):
            self.error("SR116", f"conflict_policy_setting must name a choice setting whose "
                       f"choices are among {', '.join(CONFLICT_POLICIES)}",
                       doc.where(("ranking", "conflict_policy_setting")))
        scope = self.scope(area, {variable: item_type})
        items: list[Criterion] = []
        pairs: list[tuple[str, list[Any], str, str]] = [
            ("check", list(entry.checks), "met", "not_met"),
            ("criterion", list(entry.criteria), "prefer", "over")]
        for kind, entries, first, second in pairs:
            for i, c in enumerate(entries):
                path: YPath = ("ranking", "checks" if kind == "check" else "criteria", i)
                a = self.expression(getattr(c, first), doc, path + (first,), scope, BOOL)
                b = self.expression(getattr(c, second), doc, path + (second,), scope, BOOL)
                if not c.cites:
                    self.error("SR123", f"{kind} {c.id!r} cites nothing", doc.where(path))
                cites = self.citations(c.cites, doc, path + ("cites",))
                self.check_words(c.words, c.cites, doc, path + ("words",))
                if c.id in self.rule_keys:
                    self.error("SR105", f"id {c.id!r} is also used at {self.rule_keys[c.id]}",
                               doc.where(path + ("id",)))
                self.rule_keys.setdefault(c.id, doc.where(path))
                for rid in c.register_ids:
                    self.register_refs.append((rid, doc.where(path)))
                if a is None or b is None:
                    continue
                self.order += 1
                labels = ((c.prefer_label or "preferred", c.over_label or "less preferred")
                          if kind == "criterion" else ("met", "not met"))
                items.append(Criterion(c.id, kind, c.title, a, b, labels[0], labels[1],  # type: ignore[arg-type]
                                       self.order, cites, tuple(c.register_ids), doc.where(path),
                                       fold(c.words) if c.words else None))
        self.check_words(entry.checks_words, entry.cites, doc, ("ranking", "checks_words"))
        tiers = tuple(entry.checks_tiers or DEFAULT_CHECKS_TIERS)
        if sorted(tiers) != sorted(DEFAULT_CHECKS_TIERS):
            self.error("SR103", "checks_tiers must list met, not_met and not_known once each",
                       doc.where(("ranking", "checks_tiers")))
            tiers = DEFAULT_CHECKS_TIERS
        if not isinstance(coll, ir.FieldRef):
            return None
        return Ranking(variable, coll, tuple(i for i in items if i.kind == "check"),
                       tuple(i for i in items if i.kind == "criterion"),
                       entry.conflict_policy_setting,
                       self.citations(entry.cites, doc, ("ranking", "cites")),
                       doc.where(("ranking",)), tiers,
                       fold(entry.checks_words) if entry.checks_words else None)

    def check_words(self, words: str | None, cites: list[schema.CitationEntry],
                    doc: YamlDocument, path: YPath) -> None:
        """The words outputs name a check or criterion by are quoted from its citations."""
        if words is None:
            return
        if not any(fold(words) in fold(c.quote) for c in cites):
            self.error("SR122", f"the words {fold(words)!r} are not part of any quote this "
                       "item cites: name it by words quoted from the policy", doc.where(path))

    # ---------------------------------------------------------------- register
    def load_register(self, relative: str, at: SourceLocation) -> tuple[RegisterEntry, ...]:
        parsed, doc = self.read(relative, schema.RegisterFile, "ambiguity register", at)
        if parsed is None or doc is None:
            return ()
        out = []
        for i, item in enumerate(parsed.entries):
            loc = doc.where(("entries", i))
            if item.id in self.register_ids:
                self.error("SR105", f"register entry {item.id!r} is listed twice", loc)
                continue
            self.register_ids.add(item.id)
            for name in item.settings:
                if name not in self.settings:
                    self.error("SR116", f"register entry {item.id!r} names unknown setting "
                               f"{name!r}" + _did_you_mean(name, list(self.settings)), loc)
            for c in item.clauses:
                src = self.sources.get(c.source)
                if src is None or src.clause(c.clause) is None:
                    self.error("SR121", f"register entry {item.id!r} names unknown clause "
                               f"{c.source}/{c.clause}", loc)
            out.append(RegisterEntry(item.id, item.title, item.question, tuple(item.readings),
                                     item.chosen, item.why, tuple(item.settings),
                                     tuple((c.source, c.clause) for c in item.clauses),
                                     item.not_implemented, loc))
        return tuple(out)

    # ---------------------------------------------------------------- whole
    def load(self) -> Rulebase:
        manifest_loc = SourceLocation(display_path(self.dir / MANIFEST))
        manifest, mdoc = self.read(MANIFEST, schema.RulebaseFile, "rulebase manifest",
                                   manifest_loc)
        if manifest is None or mdoc is None:
            raise RulebaseError(self.diags or [Diagnostic("SR101", "no rulebase manifest",
                                                          manifest_loc)])
        for i, rel in enumerate(manifest.sources):
            self.load_source(rel, mdoc.where(("sources", i)))
        self.load_settings(manifest.settings, mdoc.where(("settings",)))
        for i, rel in enumerate(manifest.definitions):
            parsed, doc = self.read(rel, schema.DefinitionsFile, "definitions",
                                    mdoc.where(("definitions", i)))
            if parsed is not None and doc is not None:
                self.collect_definitions(parsed.definitions, doc, ("definitions",), None)
        loaded = []
        seen: dict[str, SourceLocation] = {}
        for i, rel in enumerate(manifest.areas):
            result = self.load_area(rel, mdoc.where(("areas", i)), seen)
            if result is not None:
                loaded.append(result)
        self.check_uses()
        self.resolve_all_definitions()
        areas = tuple(self.build_area(parsed, doc, i) for i, (parsed, doc) in enumerate(loaded))
        self.check_uses_read()
        self.check_datings()
        register = (self.load_register(manifest.register_file, mdoc.where(("register",)))
                    if manifest.register_file else ())
        for rid, loc in self.register_refs:
            if rid not in self.register_ids:
                self.error("SR127", f"{rid!r} is not an entry of the ambiguity register", loc)
        if sum(len(a.rules) for a in areas) > MAX_RULES:
            self.error("SR101", f"the rulebase has more than {MAX_RULES} rules", manifest_loc)
        for i, path in enumerate(manifest.fixed_facts):
            if not self.is_case_path(path):
                self.error("SR111", f"fixed fact {path!r} is not a field of the case",
                           mdoc.where(("fixed_facts", i)))
        if any(d.severity == "error" for d in self.diags):
            raise RulebaseError(self.diags)
        definitions = {d.name if d.area is None else f"{d.area}:{d.name}": d
                       for d in self.definitions.values()}
        return Rulebase(
            name=manifest.name, version=manifest.version, title=manifest.title,
            description=manifest.description or "", directory=str(self.dir),
            sources=self.sources, settings=self.settings,
            definitions=dict(sorted(definitions.items())), areas=areas, register=register,
            fixed_facts=tuple(manifest.fixed_facts),
            scenario_paths=tuple(manifest.scenarios), warnings=tuple(self.diags))

    def is_case_path(self, dotted: str) -> bool:
        return self.case_path_type(dotted) is not None


_INVALID = object()


def _setting_type(entry: schema.SettingEntry) -> Type:
    return {
        "integer": INTEGER, "number": NUMBER, "text": STRING, "yes_no": BOOL, "date": DATE,
        "day_of_year": STRING, "list_of_text": list_of(STRING),
        "list_of_days_of_year": list_of(STRING),
        "choice": Type("string", enum=tuple(entry.choices or ())),
    }[entry.type]


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def display_path(path: Path) -> str:
    """How a file is named in messages: relative to the working directory if inside it."""
    try:
        relative = os.path.relpath(path, Path.cwd())
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def bundled_rules_dir() -> Path:
    """The rules shipped with the package (or the repository's ``rules/`` when developing)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "bundled_rules"
    if (packaged / MANIFEST).is_file():
        return packaged
    return here.parent.parent / "rules"


def load_rulebase(directory: str | os.PathLike[str] | None = None) -> Rulebase:
    """Load and check a rules directory (the bundled rules when ``directory`` is None).

    Raises :class:`~sen_rules.errors.RulebaseError` listing every problem found.
    """
    path = Path(directory) if directory is not None else bundled_rules_dir()
    if not (path / MANIFEST).is_file():
        raise RulebaseError([Diagnostic("SR101", f"{path} has no {MANIFEST}: not a rules "
                                        "directory", SourceLocation(str(path)))])
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise RulebaseError([Diagnostic("SR101", f"cannot read {path}: {exc}",
                                        SourceLocation(str(path)))]) from None
    return _Loader(resolved).load()

