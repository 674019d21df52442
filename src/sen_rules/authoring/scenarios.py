"""Scenario tests: cases, dates and the decisions a policy officer expects, in YAML.

A scenario file sits beside the rules (``rules/scenarios/*.yaml``)::

    scenarios:
      - name: A school referral without School Action on record is flagged
        as_of: 2008-03-01
        case:                       # the case inline, or a path to a JSON file
          child: {id: HK-1, date_of_birth: 2000-06-21}
          setting: {kind: school, quadrant: North-West}
          assessment_request: {route: school, requested_on: 2006-05-15}
        expect:
          sen_stage: school_action_plus          # topic: outcome
          assessment_routing:                    # or topic: details
            outcome: pre_assessment_panel
            details: {quadrant: North-West}      # these details (others not checked)
            flags: [action-not-on-record]        # exactly these flags
            notes: [criteria-for-statutory-assessment]
            rules: [routing.school-or-parent]    # the deciding rules (id or id@version)
          cessation: null                        # the area does not apply
        backend: both                            # native (default), durable or both

Topics not listed under ``expect`` are not checked. Which files: the manifest's
``scenarios:`` list when it has one (paths relative to the rules directory), otherwise
every ``scenarios/*.yaml`` of the rules directory. Case files are relative to the
scenario file.

Running scenarios also measures **coverage**: which rules fired in some scenario (every
rule version, ``otherwise`` rules and ranking checks and criteria), which atoms of each
condition (the parts joined by ``and``, ``or`` and ``not``) were seen both true and false,
and which cited clauses of the policy were exercised by a rule that fired.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import jsonread
from ..case import MAX_CASE_BYTES
from ..engine.decide import decide
from ..engine.native import Compiler, Env, Fn, Matches
from ..engine.result import Evaluation, thaw
from ..engine.service import BACKENDS, check_backend, compiled, match, prepare
from ..errors import BackendUnavailableError, Diagnostic, SenRulesError, SourceLocation
from ..language import ir
from ..language.printer import canonical, words
from ..loading import schema
from ..loading.loader import display_path
from ..loading.yamlfile import YamlDocument, YamlFileError, read_yaml
from ..rulebase import Epoch, InForce, Rule, Rulebase, Setting, SettingVersion

SCENARIO_DIR = "scenarios"
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ExpectedDecision(_Strict):
    outcome: Name | None = None  # not checked when left out
    details: dict[str, Any] = {}
    flags: list[str] | None = None
    notes: list[str] | None = None
    rules: list[str] | None = None


class ScenarioEntry(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    as_of: date
    case: dict[str, Any] | Annotated[str, Field(min_length=1, max_length=500)]
    backend: Literal["native", "durable", "both"] | None = None
    settings: dict[Name, Any] = {}
    expect: dict[Name, Any]  # each value: an outcome, null, or an ExpectedDecision


class ScenarioFile(_Strict):
    description: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    scenarios: list[dict[str, Any]]


@dataclass(frozen=True)
class Expectation:
    topic: str
    applies: bool  # False: the area must not apply (``topic: null``)
    outcome: str | None  # None: not checked
    details: Mapping[str, Any]
    flags: tuple[str, ...] | None
    notes: tuple[str, ...] | None
    rules: tuple[str, ...] | None
    location: SourceLocation


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str
    location: SourceLocation
    case: Mapping[str, Any]
    case_source: str  # "inline" or the JSON file
    as_of: date
    backend: str | None
    expectations: tuple[Expectation, ...]
    description: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)  # values that replace settings

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


# ---------------------------------------------------------------------------- loading


def scenario_files(rulebase: Rulebase) -> list[Path]:
    directory = Path(rulebase.directory)
    if rulebase.scenario_paths:
        return [directory / p for p in rulebase.scenario_paths]
    return sorted((directory / SCENARIO_DIR).glob("*.yaml"))


def _plain(value: Any) -> Any:
    """YAML values as JSON data: dates become ``YYYY-MM-DD`` text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_scenario_file(rulebase: Rulebase, path: Path
                       ) -> tuple[list[Scenario], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return [], [Diagnostic("SR175", f"cannot read scenario file: {exc.strerror or exc}",
                               SourceLocation(shown))]
    try:
        doc = read_yaml(text, shown)
    except YamlFileError as exc:
        return [], [exc.diagnostic]
    if not isinstance(doc.data, dict):
        return [], [Diagnostic("SR102", "a scenario file is a block of 'key: value' lines "
                               "with a 'scenarios:' list", SourceLocation(shown, 1, 1))]
    parsed, errors = schema.structure_errors(doc, ScenarioFile, "scenario file")
    if parsed is None:
        return [], errors
    out: list[Scenario] = []
    names: dict[str, SourceLocation] = {}
    for i in range(len(doc.data["scenarios"])):
        at = ("scenarios", i)
        entry, errors = schema.structure_errors(doc, ScenarioEntry, "scenario", at)
        diags.extend(errors)
        if not isinstance(entry, ScenarioEntry):
            continue
        loc = doc.where(at)
        if entry.name in names:
            diags.append(Diagnostic("SR171", f"scenario name {entry.name!r} is also used at "
                                    f"{names[entry.name]}", doc.where(at + ("name",))))
            continue
        names[entry.name] = loc
        case, source = _case(entry, path, doc, at, diags)
        expectations = _expectations(rulebase, entry, doc, at, diags)
        overrides = _settings(rulebase, entry, doc, at, diags)
        if case is None or expectations is None or overrides is None:
            continue
        out.append(Scenario(entry.name, shown, loc, case, source, entry.as_of, entry.backend,
                            expectations, entry.description, overrides))
    return out, diags


def _case(entry: ScenarioEntry, path: Path, doc: YamlDocument, at: tuple[str | int, ...],
          diags: list[Diagnostic]) -> tuple[dict[str, Any] | None, str]:
    if isinstance(entry.case, dict):
        return _plain(entry.case), "inline"
    case_path = (path.parent / entry.case).resolve()
    where = doc.where(at + ("case",))
    try:
        with case_path.open("rb") as handle:
            data = jsonread.loads(jsonread.read_limited(handle, MAX_CASE_BYTES),
                                  limit=MAX_CASE_BYTES)
    except FileNotFoundError:
        diags.append(Diagnostic("SR173", f"case file {entry.case!r} does not exist (paths are "
                                "relative to the scenario file)", where))
        return None, entry.case
    except (OSError, jsonread.JsonInputError) as exc:
        diags.append(Diagnostic("SR173", f"case file {entry.case!r} is not JSON text: {exc}",
                                where))
        return None, entry.case
    if not isinstance(data, dict):
        diags.append(Diagnostic("SR173", f"case file {entry.case!r} must hold a JSON object",
                                where))
        return None, entry.case
    return data, entry.case


def _expectations(rulebase: Rulebase, entry: ScenarioEntry, doc: YamlDocument,
                  at: tuple[str | int, ...], diags: list[Diagnostic]
                  ) -> tuple[Expectation, ...] | None:
    import difflib

    out: list[Expectation] = []
    ok = True
    topics = [a.id for a in rulebase.areas]
    for topic, value in entry.expect.items():
        where = doc.where(at + ("expect", topic))
        area = rulebase.area(topic)
        if area is None:
            close = difflib.get_close_matches(topic, topics, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            diags.append(Diagnostic("SR172", f"{topic!r} is not a policy area of the rulebase"
                                    f"{hint} (its areas: {', '.join(topics)})",
                                    doc.key_location(at + ("expect", topic))))
            ok = False
            continue
        spec: ExpectedDecision | None = None
        if isinstance(value, str):
            spec = ExpectedDecision(outcome=value)
        elif isinstance(value, dict):
            parsed, errors = schema.structure_errors(doc, ExpectedDecision, "expected decision",
                                                     at + ("expect", topic))
            if not isinstance(parsed, ExpectedDecision):
                diags.extend(errors)
                ok = False
                continue
            spec = parsed
        elif value is not None:
            diags.append(Diagnostic("SR102", f"expect.{topic}: expected an outcome, null (the "
                                    "area does not apply) or a block with 'outcome', "
                                    "'details', 'flags', 'notes', 'rules'", where))
            ok = False
            continue
        if spec is not None and spec.outcome is not None and \
                area.outcome(spec.outcome) is None:
            values = [o.value for o in area.outcomes]
            close = difflib.get_close_matches(spec.outcome, values, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            diags.append(Diagnostic("SR172", f"{spec.outcome!r} is not an outcome of area "
                                    f"{topic!r}{hint} (its outcomes: {', '.join(values)})",
                                    where))
            ok = False
            continue
        if spec is not None and spec.rules:
            known = ({r.key for r in rulebase.rules} | {r.id for r in rulebase.rules}
                     | {f"{r.id}@{r.version}" for r in rulebase.rules})
            unknown = [r for r in spec.rules if r not in known]
            if unknown:
                diags.append(Diagnostic("SR174", f"no rule is called {unknown[0]!r}", where))
                ok = False
                continue
        if spec is None:
            out.append(Expectation(topic, False, None, {}, None, None, None, where))
        else:
            out.append(Expectation(
                topic, True, spec.outcome, _plain(spec.details),
                None if spec.flags is None else tuple(spec.flags),
                None if spec.notes is None else tuple(spec.notes),
                None if spec.rules is None else tuple(spec.rules), where))
    return tuple(out) if ok else None


def _settings(rulebase: Rulebase, entry: ScenarioEntry, doc: YamlDocument,
              at: tuple[str | int, ...], diags: list[Diagnostic]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for name, value in entry.settings.items():
        where = doc.where(at + ("settings", name))
        setting = rulebase.settings.get(name)
        if setting is None:
            diags.append(Diagnostic("SR176", f"{name!r} is not a setting of the rulebase",
                                    where))
            return None
        problem = setting_problem(setting, value)
        if problem:
            diags.append(Diagnostic("SR176", f"setting {name!r}: {problem}", where))
            return None
        out[name] = tuple(value) if isinstance(value, list) else value
    return out


def setting_problem(setting: Setting, value: Any) -> str | None:
    """Why ``value`` cannot be a value of ``setting`` (None when it can)."""
    kind = setting.type
    if kind == "choice":
        return None if value in (setting.choices or ()) else (
            "expected one of " + ", ".join(repr(c) for c in setting.choices or ()))
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "expected a whole number"
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "expected a number"
    if kind == "yes_no":
        return None if isinstance(value, bool) else "expected true or false"
    if kind == "date":
        return None if type(value) is date else "expected a date written YYYY-MM-DD"
    if kind in ("text", "day_of_year"):
        return None if isinstance(value, str) else "expected text"
    if kind in ("list_of_text", "list_of_days_of_year"):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "expected a list of text"
    return f"settings of type {kind} cannot be replaced in a scenario"


def with_settings(rulebase: Rulebase, values: Mapping[str, Any]) -> Rulebase:
    """The rulebase with some settings replaced (in force on every date)."""
    if not values:
        return rulebase
    settings = dict(rulebase.settings)
    for name, value in values.items():
        settings[name] = replace(settings[name], versions=(SettingVersion(value, InForce()),))
    return replace(rulebase, settings=settings)


def load_scenarios(rulebase: Rulebase, files: Iterable[Path] | None = None
                   ) -> tuple[list[Scenario], list[Diagnostic]]:
    """Every scenario of the rulebase (or of ``files``), and every problem found."""
    scenarios: list[Scenario] = []
    diags: list[Diagnostic] = []
    for path in (scenario_files(rulebase) if files is None else files):
        if not path.is_file():
            diags.append(Diagnostic("SR175", f"scenario file {display_path(path)} does not exist",
                                    SourceLocation(display_path(path))))
            continue
        found, problems = load_scenario_file(rulebase, path)
        scenarios.extend(found)
        diags.extend(problems)
    return scenarios, diags


# ---------------------------------------------------------------------------- running


@dataclass
class ScenarioResult:
    scenario: Scenario
    backend: str
    evaluation: Evaluation | None
    problems: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    skipped: str | None = None  # why the run could not happen here (a backend not installed)

    @property
    def passed(self) -> bool:
        return not self.problems

    def report(self) -> str:
        s = self.scenario
        state = "SKIP" if self.skipped else ("PASS" if self.passed else "FAIL")
        head = (f"{state} {s.location}: {s.name} "
                f"[{self.backend}, as of {s.as_of.isoformat()}]")
        if self.skipped:
            return f"{head}: {self.skipped}"
        if self.passed:
            return head
        return "\n".join([head] + ["  " + p for p in self.problems]
                         + ["  " + t for t in self.trace])


def _show(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def atoms(e: ir.Expr) -> list[ir.Expr]:
    """The parts of a condition joined by and, or and not (constants left out)."""
    if isinstance(e, ir.BoolOp):
        return [a for i in e.items for a in atoms(i)]
    if isinstance(e, ir.Not):
        return atoms(e.operand)
    if isinstance(e, ir.Const):
        return []
    return [e]


class _Compilers:
    """Compiled atoms per epoch (the engine's own compiler, so values agree)."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.compilers: dict[date, Compiler] = {}
        self.fns: dict[tuple[date, int], Fn] = {}

    def fn(self, epoch: Epoch, area: str | None, e: ir.Expr) -> Fn:
        key = (epoch.start, id(e))
        found = self.fns.get(key)
        if found is None:
            compiler = self.compilers.get(epoch.start)
            if compiler is None:
                compiler = self.compilers[epoch.start] = Compiler(self.rulebase, epoch)
            compiler.area = area
            try:
                found = compiler.compile(e)
            finally:
                compiler.area = None
            self.fns[key] = found
        return found

    def value(self, epoch: Epoch, area: str | None, e: ir.Expr, env: Env) -> Any:
        try:
            return self.fn(epoch, area, e)(env)
        except (SenRulesError, KeyError):
            return None


@dataclass
class Coverage:
    """What a set of scenarios exercised."""

    rulebase: Rulebase
    fired: dict[str, list[str]] = field(default_factory=dict)  # item key -> scenario names
    seen_true: set[tuple[str, int]] = field(default_factory=set)
    seen_false: set[tuple[str, int]] = field(default_factory=set)
    scenarios: int = 0

    # the items measured
    def rule_items(self) -> list[tuple[str, str, str]]:
        """(key, area, kind) of every rule version, otherwise rule, check and criterion."""
        out: list[tuple[str, str, str]] = [(r.key, r.area, r.effect)
                                           for r in self.rulebase.rules]
        for area in self.rulebase.areas:
            if area.ranking is not None:
                out += [(c.id, area.id, c.kind)
                        for c in area.ranking.checks + area.ranking.criteria]
        return out

    def condition_items(self) -> list[tuple[str, int, ir.Expr, str | None]]:
        """(owner, index, atom, area): each atom of each condition and applies_when."""
        out: list[tuple[str, int, ir.Expr, str | None]] = []
        for area in self.rulebase.areas:
            if area.applies_when is not None:
                out += [(f"{area.id}:applies_when", i, a, area.id)
                        for i, a in enumerate(atoms(area.applies_when))]
            for rule in area.rules:
                out += [(rule.key, i, a, area.id) for i, a in enumerate(atoms(rule.condition))]
        return out

    def clause_items(self) -> dict[tuple[str, str], list[str]]:
        """Each clause cited by a rule, with the rules (and criteria) that cite it."""
        out: dict[tuple[str, str], list[str]] = {}
        for rule in self.rulebase.rules:
            for c in rule.citations:
                out.setdefault((c.source, c.clause), []).append(rule.key)
        for area in self.rulebase.areas:
            if area.ranking is not None:
                for k in area.ranking.checks + area.ranking.criteria:
                    for c in k.citations:
                        out.setdefault((c.source, c.clause), []).append(k.id)
        return out

    # the figures
    def rules_figure(self) -> tuple[int, int]:
        items = self.rule_items()
        return sum(1 for k, _, _ in items if k in self.fired), len(items)

    def conditions_figure(self) -> tuple[int, int]:
        items = self.condition_items()
        both = sum(1 for o, i, _, _ in items
                   if (o, i) in self.seen_true and (o, i) in self.seen_false)
        return both, len(items)

    def clauses_figure(self) -> tuple[int, int]:
        items = self.clause_items()
        done = sum(1 for users in items.values() if any(u in self.fired for u in users))
        return done, len(items)

    @staticmethod
    def percent(done: int, total: int) -> float:
        return 100.0 if total == 0 else 100.0 * done / total

    def rule_percent(self) -> float:
        return self.percent(*self.rules_figure())

    def summary_lines(self) -> list[str]:
        lines = []
        for label, (done, total) in (("rules fired", self.rules_figure()),
                                     ("conditions seen true and false",
                                      self.conditions_figure()),
                                     ("cited clauses exercised", self.clauses_figure())):
            lines.append(f"  {label:<32} {done:>4} / {total:<4} "
                         f"{self.percent(done, total):6.1f}%")
        return lines

    def missing_lines(self, limit: int = 50) -> list[str]:
        lines = []
        never = [k for k, _, _ in self.rule_items() if k not in self.fired]
        if never:
            lines.append("  rules never fired: " + ", ".join(never[:limit])
                         + (" …" if len(never) > limit else ""))
        half = []
        for owner, i, atom, _ in self.condition_items():
            t, f = (owner, i) in self.seen_true, (owner, i) in self.seen_false
            if not (t and f):
                half.append(f"{owner}: {canonical(atom)} (never "
                            f"{'true' if not t else 'false'}"
                            f"{'' if t or f else ' nor false'})")
        if half:
            lines.append(f"  condition parts not seen both ways ({len(half)}):")
            lines.extend("    " + h for h in half[:limit])
            if len(half) > limit:
                lines.append("    …")
        return lines

    def to_dict(self) -> dict[str, Any]:
        rules_done, rules_total = self.rules_figure()
        cond_done, cond_total = self.conditions_figure()
        cl_done, cl_total = self.clauses_figure()
        return {
            "scenarios": self.scenarios,
            "rules": {"fired": rules_done, "total": rules_total,
                      "percent": round(self.percent(rules_done, rules_total), 1),
                      "items": [{"rule": k, "area": a, "kind": kind,
                                 "scenarios": self.fired.get(k, [])}
                                for k, a, kind in self.rule_items()]},
            "conditions": {"both_ways": cond_done, "total": cond_total,
                           "percent": round(self.percent(cond_done, cond_total), 1),
                           "items": [{"owner": o, "atom": canonical(a),
                                      "seen_true": (o, i) in self.seen_true,
                                      "seen_false": (o, i) in self.seen_false}
                                     for o, i, a, _ in self.condition_items()]},
            "clauses": {"exercised": cl_done, "total": cl_total,
                        "percent": round(self.percent(cl_done, cl_total), 1),
                        "items": [{"source": s, "clause": c, "rules": users,
                                   "exercised": any(u in self.fired for u in users)}
                                  for (s, c), users in sorted(self.clause_items().items())]},
        }


class Runner:
    """Runs scenarios against one rulebase and accumulates coverage."""

    def __init__(self, rulebase: Rulebase, default_backend: str = "native") -> None:
        check_backend(default_backend, (*BACKENDS, "both"))
        self.rulebase = rulebase
        self.default_backend = default_backend
        self.coverage = Coverage(rulebase)
        self._conditions = self.coverage.condition_items()
        self.recorded: set[str] = set()
        self._variants: dict[tuple[tuple[str, Any], ...], tuple[Rulebase, _Compilers]] = {}
        self.compilers = self.variant({})[1]

    def variant(self, settings: Mapping[str, Any]) -> tuple[Rulebase, _Compilers]:
        """The rulebase a scenario runs against (its settings replaced), and its compilers."""
        key = tuple(sorted((k, repr(v)) for k, v in settings.items()))
        found = self._variants.get(key)
        if found is None:
            rb = with_settings(self.rulebase, settings)
            found = self._variants[key] = (rb, _Compilers(rb))
        return found

    def backends(self, scenario: Scenario) -> list[str]:
        choice = scenario.backend or self.default_backend
        return list(BACKENDS) if choice == "both" else [choice]

    def run(self, scenario: Scenario, backends: Iterable[str] | None = None
            ) -> list[ScenarioResult]:
        """Run a scenario on its backends (or on ``backends``) and record its coverage."""
        rb, self.compilers = self.variant(scenario.settings)
        chosen = list(self.backends(scenario) if backends is None else backends)
        try:
            valid, day, epoch = prepare(rb, dict(scenario.case), scenario.as_of)
        except SenRulesError as exc:
            return [ScenarioResult(scenario, b, None, [f"the case cannot be evaluated: {exc}"])
                    for b in chosen]
        program = compiled(rb).program(epoch)
        native = match(rb, program, Env(valid, day), "native")
        results = []
        for backend in chosen:
            try:
                matches = native if backend == "native" else match(rb, program,
                                                                   Env(valid, day), backend)
                evaluation = decide(program, Env(valid, day), matches)
            except BackendUnavailableError as exc:
                results.append(ScenarioResult(scenario, backend, None, skipped=exc.message))
                continue
            except SenRulesError as exc:
                results.append(ScenarioResult(scenario, backend, None,
                                              [f"evaluation failed: {exc}"]))
                continue
            result = ScenarioResult(scenario, backend, evaluation)
            self.compare(rb, result, evaluation, matches, Env(valid, day), epoch)
            results.append(result)
        if scenario.id not in self.recorded:
            self.recorded.add(scenario.id)
            try:
                recorded: Evaluation | None = decide(program, Env(valid, day), native)
            except SenRulesError:
                recorded = None
            self.record(scenario, native, recorded, Env(valid, day), epoch)
        return results

    # ------------------------------------------------------------------ expectations
    def compare(self, rb: Rulebase, result: ScenarioResult, evaluation: Evaluation,
                matches: Matches, env: Env, epoch: Epoch) -> None:
        for exp in result.scenario.expectations:
            decision = evaluation.decision(exp.topic)
            problems: list[str] = []
            if not exp.applies:
                if decision is not None:
                    problems.append(f"{exp.topic}: expected the area not to apply, got "
                                    f"{decision.outcome}")
            elif decision is None:
                problems.append(f"{exp.topic}: expected {exp.outcome or 'a decision'}, but the "
                                "area does not apply to this case")
            else:
                if exp.outcome is not None and decision.outcome != exp.outcome:
                    problems.append(f"{exp.topic}: expected {exp.outcome}, got "
                                    f"{decision.outcome}")
                actual = thaw(decision.details)
                for key, want in exp.details.items():
                    got = actual.get(key, None) if isinstance(actual, dict) else None
                    if key not in actual or got != want:
                        problems.append(f"{exp.topic}: detail {key}: expected {_show(want)}, "
                                        f"got {_show(got) if key in actual else 'no such detail'}")
                for label, want_codes, found in (
                        ("flags", exp.flags, [f.code for f in decision.flags]),
                        ("notes", exp.notes, [n.code for n in decision.notes])):
                    if want_codes is not None and sorted(want_codes) != sorted(found):
                        problems.append(f"{exp.topic}: {label}: expected "
                                        f"[{', '.join(sorted(want_codes))}], got "
                                        f"[{', '.join(sorted(found))}]")
                if exp.rules is not None:
                    deciding = [r for r in decision.rules if r.role in ("outcome", "otherwise")]
                    accepted = {r.id for r in deciding} | {f"{r.id}@{r.version}"
                                                            for r in deciding}
                    if not all(w in accepted for w in exp.rules) or \
                            len(exp.rules) != len(deciding):
                        shown = sorted(r.id if r.version == "1" else f"{r.id}@{r.version}"
                                       for r in deciding)
                        problems.append(f"{exp.topic}: deciding rules: expected "
                                        f"[{', '.join(exp.rules)}], got [{', '.join(shown)}]")
            if problems:
                result.problems.extend(problems)
                result.trace.extend(self.trace(rb, exp, evaluation, matches, env, epoch))

    # ------------------------------------------------------------------ traces
    def atom_line(self, epoch: Epoch, area: str, e: ir.Expr, env: Env) -> str:
        value = self.compilers.value(epoch, area, e, env)
        text = f"{canonical(e)}: {_show(bool(value)) if e.type.kind == 'bool' else _show(value)}"
        if isinstance(e, (ir.Compare, ir.Membership)):
            parts = (e.left, e.right) if isinstance(e, ir.Compare) else (e.item, e.collection)
            shown = [f"{canonical(p)} = {_show(self.compilers.value(epoch, area, p, env))}"
                     for p in parts if not isinstance(p, (ir.Const, ir.ListOf))]
            if shown:
                text += f" ({'; '.join(shown)})"
        return text

    def rule_trace(self, rule: Rule, env: Env, epoch: Epoch, indent: str) -> list[str]:
        lines = [f"{indent}when: {words(rule.condition)}"]
        for a in atoms(rule.condition):
            lines.append(f"{indent}  {self.atom_line(epoch, rule.area, a, env)}")
        return lines

    def trace(self, rb: Rulebase, exp: Expectation, evaluation: Evaluation, matches: Matches,
              env: Env, epoch: Epoch) -> list[str]:
        area = rb.area(exp.topic)
        if area is None:
            return []
        lines: list[str] = []
        decision = evaluation.decision(exp.topic)
        if decision is None:
            if area.applies_when is not None:
                lines.append(f"trace: area {area.id} applies when "
                             f"{words(area.applies_when)}")
                for a in atoms(area.applies_when):
                    lines.append(f"    {self.atom_line(epoch, area.id, a, env)}")
            return lines
        for ref in decision.rules:
            if ref.role not in ("outcome", "otherwise"):
                continue
            rule = rb.rules_by_key.get(ref.id if ref.version == "1" else f"{ref.id}@{ref.version}")
            if rule is None:
                continue
            lines.append(f"trace: {decision.outcome} was decided by {rule.key} "
                         f"({ref.role}): {rule.title}")
            if ref.role == "otherwise":
                lines.append("    (the area's 'otherwise' rule: no rule of the area gave an "
                             "outcome)")
            else:
                lines.extend(self.rule_trace(rule, env, epoch, "    "))
        if exp.outcome is not None and exp.outcome != decision.outcome:
            wanted = [r for r in area.rules if r.effect == "outcome" and r.value == exp.outcome
                      and r.key in epoch.rule_keys]
            if area.otherwise is not None and area.otherwise.value == exp.outcome:
                lines.append(f"trace: {exp.outcome} is the area's 'otherwise' outcome: it is "
                             "given only when no rule of the area gives an outcome")
            named = [r for r in wanted if exp.rules and (r.id in exp.rules or r.key in exp.rules
                                                         or f"{r.id}@{r.version}" in exp.rules)]
            others = sorted((r for r in wanted if r not in named),
                            key=lambda r: (-self.closeness(r, env, epoch), r.order))
            shown = named + others[:max(0, 3 - len(named))]
            for rule in shown:
                if rule.key in matches.rules:
                    lines.append(f"trace: {rule.key} (giving {exp.outcome}) matched, but did "
                                 f"not decide under hit policy {area.hit_policy!r} (priority "
                                 f"{rule.priority})")
                else:
                    lines.append(f"trace: {rule.key} (giving {exp.outcome}) did not match:")
                    lines.extend(self.rule_trace(rule, env, epoch, "    "))
            if len(wanted) > len(shown):
                rest = len(wanted) - len(shown)
                lines.append(f"trace: {rest} more rule{'s' if rest != 1 else ''} giving "
                             f"{exp.outcome} did not match either")
        return lines

    def closeness(self, rule: Rule, env: Env, epoch: Epoch) -> float:
        """The share of a rule's condition parts that hold (to show the nearest misses)."""
        parts = atoms(rule.condition)
        if not parts:
            return 0.0
        held = sum(1 for a in parts if self.compilers.value(epoch, rule.area, a, env))
        return held / len(parts)

    # ------------------------------------------------------------------ coverage
    def record(self, scenario: Scenario, matches: Matches, evaluation: Evaluation | None,
               env: Env, epoch: Epoch) -> None:
        cov = self.coverage
        cov.scenarios += 1
        name = scenario.name
        if evaluation is not None:
            for d in evaluation.decisions:
                for ref in d.rules:
                    if ref.role in ("check", "criterion"):
                        continue
                    key = ref.id if ref.version == "1" else f"{ref.id}@{ref.version}"
                    users = cov.fired.setdefault(key, [])
                    if name not in users:
                        users.append(name)
        for area in self.rulebase.areas:
            if area.ranking is None or area.id not in matches.areas:
                continue
            for c in area.ranking.checks + area.ranking.criteria:
                if any(cid in (f"{c.id}:prefer", f"{c.id}:over")
                       for cid, _ in matches.elements):
                    users = cov.fired.setdefault(c.id, [])
                    if name not in users:
                        users.append(name)
        for owner, i, atom, area_id in self._conditions:
            applies_atom = owner.endswith(":applies_when")
            if not applies_atom and (area_id not in matches.areas
                                     or owner not in epoch.rule_keys):
                continue
            value = self.compilers.value(epoch, area_id, atom, env)
            (cov.seen_true if value else cov.seen_false).add((owner, i))


def run_scenarios(rulebase: Rulebase, scenarios: Iterable[Scenario],
                  default_backend: str = "native",
                  progress: Callable[[int], None] | None = None
                  ) -> tuple[list[ScenarioResult], Coverage]:
    runner = Runner(rulebase, default_backend)
    results: list[ScenarioResult] = []
    for n, scenario in enumerate(scenarios, start=1):
        results.extend(runner.run(scenario))
        if progress is not None:
            progress(n)
    return results, runner.coverage
