"""Reading scenario files: the files of a rulebase, their cases, expectations and settings,
each problem a diagnostic with its place in the file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from ... import codes, jsonread
from ...case import MAX_CASE_BYTES
from ...errors import Diagnostic, SourceLocation
from ...loading import schema
from ...loading.loader import display_path
from ...loading.yamlfile import YamlDocument, YamlFileError, read_yaml
from ...rulebase import InForce, Rulebase, Setting, SettingVersion
from ...suggest import did_you_mean
from .files import (
    SCENARIO_DIR,
    Expectation,
    ExpectedDecision,
    Scenario,
    ScenarioEntry,
    ScenarioFile,
)


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
        return [], [Diagnostic(codes.SR175, f"cannot read scenario file: {exc.strerror or exc}",
                               SourceLocation(shown))]
    try:
        doc = read_yaml(text, shown)
    except YamlFileError as exc:
        return [], [exc.diagnostic]
    if not isinstance(doc.data, dict):
        return [], [Diagnostic(codes.SR102, "a scenario file is a block of 'key: value' lines "
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
            diags.append(Diagnostic(codes.SR171, f"scenario name {entry.name!r} is also used at "
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
        diags.append(Diagnostic(codes.SR173, f"case file {entry.case!r} does not exist (paths are "
                                "relative to the scenario file)", where))
        return None, entry.case
    except (OSError, jsonread.JsonInputError) as exc:
        diags.append(Diagnostic(codes.SR173, f"case file {entry.case!r} is not JSON text: {exc}",
                                where))
        return None, entry.case
    if not isinstance(data, dict):
        diags.append(Diagnostic(codes.SR173, f"case file {entry.case!r} must hold a JSON object",
                                where))
        return None, entry.case
    return data, entry.case


def _expectations(rulebase: Rulebase, entry: ScenarioEntry, doc: YamlDocument,
                  at: tuple[str | int, ...], diags: list[Diagnostic]
                  ) -> tuple[Expectation, ...] | None:
    out: list[Expectation] = []
    ok = True
    for topic, value in entry.expect.items():
        found = _expectation(rulebase, topic, value, doc, at, diags)
        if found is None:
            ok = False
        else:
            out.append(found)
    return tuple(out) if ok else None


def _expectation(rulebase: Rulebase, topic: str, value: Any, doc: YamlDocument,
                 at: tuple[str | int, ...], diags: list[Diagnostic]) -> Expectation | None:
    """One topic's expectation (None, with a diagnostic, when it is wrong)."""
    where = doc.where(at + ("expect", topic))
    area = rulebase.area(topic)
    if area is None:
        topics = [a.id for a in rulebase.areas]
        diags.append(Diagnostic(codes.SR172, f"{topic!r} is not a policy area of the rulebase"
                                f"{did_you_mean(topic, topics)} (its areas: {', '.join(topics)})",
                                doc.key_location(at + ("expect", topic))))
        return None
    spec: ExpectedDecision | None = None
    if isinstance(value, str):
        spec = ExpectedDecision(outcome=value)
    elif isinstance(value, dict):
        parsed, errors = schema.structure_errors(doc, ExpectedDecision, "expected decision",
                                                 at + ("expect", topic))
        if not isinstance(parsed, ExpectedDecision):
            diags.extend(errors)
            return None
        spec = parsed
    elif value is not None:
        diags.append(Diagnostic(codes.SR102, f"expect.{topic}: expected an outcome, null (the "
                                "area does not apply) or a block with 'outcome', "
                                "'details', 'flags', 'notes', 'rules'", where))
        return None
    if spec is None:
        return Expectation(topic, False, None, {}, None, None, None, where)
    if spec.outcome is not None and area.outcome(spec.outcome) is None:
        values = [o.value for o in area.outcomes]
        diags.append(Diagnostic(codes.SR172, f"{spec.outcome!r} is not an outcome of area "
                                f"{topic!r}{did_you_mean(spec.outcome, values)} (its outcomes: "
                                f"{', '.join(values)})", where))
        return None
    if spec.rules:
        known = ({r.key for r in rulebase.rules} | {r.id for r in rulebase.rules}
                 | {f"{r.id}@{r.version}" for r in rulebase.rules})
        unknown = [r for r in spec.rules if r not in known]
        if unknown:
            diags.append(Diagnostic(codes.SR174, f"no rule is called {unknown[0]!r}", where))
            return None
    return Expectation(
        topic, True, spec.outcome, _plain(spec.details),
        None if spec.flags is None else tuple(spec.flags),
        None if spec.notes is None else tuple(spec.notes),
        None if spec.rules is None else tuple(spec.rules), where)


def _settings(rulebase: Rulebase, entry: ScenarioEntry, doc: YamlDocument,
              at: tuple[str | int, ...], diags: list[Diagnostic]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for name, value in entry.settings.items():
        where = doc.where(at + ("settings", name))
        setting = rulebase.settings.get(name)
        if setting is None:
            diags.append(Diagnostic(codes.SR176, f"{name!r} is not a setting of the rulebase",
                                    where))
            return None
        problem = setting_problem(setting, value)
        if problem:
            diags.append(Diagnostic(codes.SR176, f"setting {name!r}: {problem}", where))
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
            diags.append(Diagnostic(codes.SR175, f"scenario file {display_path(path)} does not "
                                                 "exist",
                                    SourceLocation(display_path(path))))
            continue
        found, problems = load_scenario_file(rulebase, path)
        scenarios.extend(found)
        diags.extend(problems)
    return scenarios, diags
