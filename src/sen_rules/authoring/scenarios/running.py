"""Running scenarios: each case evaluated on its backends, compared with what is expected,
and counted for coverage by an observer of its native evaluation (once per scenario)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine.decide import decide
from ...engine.native import Env, Matches, Program, match_native, match_observed
from ...engine.result import Evaluation
from ...engine.service import BACKENDS, check_backend, compiled, match, prepare
from ...errors import BackendUnavailableError, SenRulesError
from ...rulebase import Rulebase
from .coverage import Coverage, CoverageObserver
from .failures import FailureTrace, expectation_problems
from .files import Scenario
from .loading import with_settings


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


class Runner:
    """Runs scenarios against one rulebase and accumulates coverage."""

    def __init__(self, rulebase: Rulebase, default_backend: str = "native") -> None:
        check_backend(default_backend, (*BACKENDS, "both"))
        self.rulebase = rulebase
        self.default_backend = default_backend
        self.coverage = Coverage(rulebase)
        self._conditions = self.coverage.condition_items()
        self.recorded: set[str] = set()
        self._variants: dict[tuple[tuple[str, Any], ...], Rulebase] = {}

    def variant(self, settings: Mapping[str, Any]) -> Rulebase:
        """The rulebase a scenario runs against (its settings replaced)."""
        key = tuple(sorted((k, repr(v)) for k, v in settings.items()))
        found = self._variants.get(key)
        if found is None:
            found = self._variants[key] = with_settings(self.rulebase, settings)
        return found

    def backends(self, scenario: Scenario) -> list[str]:
        choice = scenario.backend or self.default_backend
        return list(BACKENDS) if choice == "both" else [choice]

    def run(self, scenario: Scenario, backends: Iterable[str] | None = None
            ) -> list[ScenarioResult]:
        """Run a scenario on its backends (or on ``backends``) and record its coverage."""
        rb = self.variant(scenario.settings)
        chosen = list(self.backends(scenario) if backends is None else backends)
        try:
            valid, day, epoch = prepare(rb, dict(scenario.case), scenario.as_of)
        except SenRulesError as exc:
            return [ScenarioResult(scenario, b, None, [f"the case cannot be evaluated: {exc}"])
                    for b in chosen]
        program = compiled(rb).program(epoch)
        counting = scenario.id not in self.recorded
        observer = CoverageObserver(self._conditions) if counting else None
        env = Env(valid, day, observer)
        native = (match_observed if counting else match_native)(program, env)
        results = [self.run_on(rb, program, scenario, backend, native, Env(valid, day))
                   for backend in chosen]
        if observer is not None:
            self.recorded.add(scenario.id)
            try:
                decide(program, env, native)
                decided = True
            except SenRulesError:
                decided = False
            self.coverage.count(scenario.name, program, self._conditions, observer, native,
                                decided, env)
        return results

    def run_on(self, rb: Rulebase, program: Program, scenario: Scenario, backend: str,
               native: Matches, env: Env) -> ScenarioResult:
        """One backend's run of a scenario, compared with what it expects."""
        try:
            matches = native if backend == "native" else match(rb, program, env, backend)
            evaluation = decide(program, Env(env.case, env.as_of), matches)
        except BackendUnavailableError as exc:
            return ScenarioResult(scenario, backend, None, skipped=exc.message)
        except SenRulesError as exc:
            return ScenarioResult(scenario, backend, None, [f"evaluation failed: {exc}"])
        result = ScenarioResult(scenario, backend, evaluation)
        failures = FailureTrace(rb, program, Env(env.case, env.as_of))
        for exp in scenario.expectations:
            problems = expectation_problems(exp, evaluation)
            if problems:
                result.problems.extend(problems)
                result.trace.extend(failures.lines(exp, evaluation, matches))
        return result


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
