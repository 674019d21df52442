"""pytest collects scenario files as tests, like OpenFisca's YAML tests.

Registered through the ``pytest11`` entry point, so ``python -m pytest`` in a project that
has ``rules/scenarios/*.yaml`` in its test paths runs each scenario as a test item (one per
backend when a scenario names ``backend: both``), shows expected against actual and the
trace of the deciding rule when one fails, and prints the scenarios' coverage at the end.

Which files: ``scenarios/*.yaml`` beside a ``rulebase.yaml`` (or the files the manifest's
``scenarios:`` list names). The ini option ``sen_rules_scenario_dirs`` (a list of rules
directories) limits collection to those rulebases, so that rules directories kept as test
data are not collected by accident.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

INI = "sen_rules_scenario_dirs"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(INI, "rules directories whose scenario files pytest collects "
                  "(default: any scenarios/*.yaml beside a rulebase.yaml)", type="paths",
                  default=[])


class _State:
    def __init__(self) -> None:
        self.runners: dict[Path, Any] = {}

    def runner(self, rules_dir: Path) -> Any:
        from ..loading.loader import load_rulebase
        from .scenarios import Runner

        if rules_dir not in self.runners:
            self.runners[rules_dir] = Runner(load_rulebase(rules_dir))
        return self.runners[rules_dir]


_STATE = pytest.StashKey[_State]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = _State()


def _manifest_scenarios(rules_dir: Path) -> list[Path] | None:
    import yaml

    try:
        data = yaml.safe_load((rules_dir / "rulebase.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    listed = data.get("scenarios") if isinstance(data, dict) else None
    if not listed:
        return None
    return [(rules_dir / str(p)).resolve() for p in listed]


def _rules_dir_for(path: Path, config: pytest.Config) -> Path | None:
    configured = [Path(p).resolve() for p in config.getini(INI)]
    candidates = configured or [path.parent.parent, path.parent]
    resolved = path.resolve()
    for rules_dir in candidates:
        rules_dir = rules_dir.resolve()
        if not (rules_dir / "rulebase.yaml").is_file():
            continue
        listed = _manifest_scenarios(rules_dir)
        if listed is not None:
            if resolved in listed:
                return rules_dir
        elif resolved.parent == rules_dir / "scenarios":
            return rules_dir
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    rules_dir = _rules_dir_for(file_path, parent.config)
    if rules_dir is None:
        return None
    return ScenarioFile.from_parent(parent, path=file_path, rules_dir=rules_dir)


class ScenarioFailure(Exception):  # noqa: N818 (pytest's own word)
    """A scenario whose decisions differ from those expected."""


class ScenarioFile(pytest.File):
    def __init__(self, *, rules_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rules_dir = rules_dir

    def collect(self) -> Iterator[pytest.Item]:
        from ..errors import SenRulesError
        from .scenarios import load_scenario_file

        try:
            runner = self.config.stash[_STATE].runner(self.rules_dir)
        except SenRulesError as exc:
            raise self.CollectError(f"the rulebase {self.rules_dir} does not load: {exc}"
                                    ) from None
        scenarios, diags = load_scenario_file(runner.rulebase, Path(self.path))
        errors = [d for d in diags if d.severity == "error"]
        if errors:
            raise self.CollectError("\n".join(str(d) for d in errors))
        for scenario in scenarios:
            backends = runner.backends(scenario)
            for backend in backends:
                name = scenario.name if len(backends) == 1 else f"{scenario.name}[{backend}]"
                yield ScenarioItem.from_parent(self, name=name, scenario=scenario,
                                               backend=backend, runner=runner)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Any, backend: str, runner: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.backend = backend
        self.runner = runner

    def runtest(self) -> None:
        (result,) = self.runner.run(self.scenario, [self.backend])
        if result.skipped:
            pytest.skip(result.skipped)
        if not result.passed:
            raise ScenarioFailure(result.report())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return Path(self.path), max(self.scenario.location.line - 1, 0), \
            f"scenario: {self.scenario.name}"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    for rules_dir, runner in sorted(state.runners.items()):
        cov = runner.coverage
        if not cov.scenarios:
            continue
        terminalreporter.write_sep("-", f"sen-rules scenario coverage ({rules_dir.name})")
        for line in cov.summary_lines():
            terminalreporter.write_line(line)
