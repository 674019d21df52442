"""Scenario tests: the bundled scenarios, failures with traces, coverage, the pytest plugin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sen_rules
from sen_rules.authoring.scenarios import load_scenarios, run_scenarios
from sen_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "data" / "minirules"

PASSING = """
scenarios:
  - name: level 3 is referred
    as_of: 2009-03-02
    case:
      child: {id: S1, date_of_birth: 2000-04-03}
      proposed_placement: {id: P1, name: Oak, provision: mainstream_school, funding_level: 3}
      views: {parents: {summary: fine}}
    expect:
      funding_panel:
        outcome: refer
        details: {level: 3}
        flags: []
        notes: [compulsory-school-age]
        rules: [funding.level]
"""

FAILING = """
scenarios:
  - name: level 2 is referred (wrongly expected)
    as_of: 2009-03-02
    case:
      child: {id: S2, date_of_birth: 2000-04-03}
      proposed_placement: {id: P1, name: Oak, provision: mainstream_school, funding_level: 2}
    expect:
      funding_panel: {outcome: refer, rules: [funding.level]}
"""


def mini(tmp_path: Path, **files: str) -> Path:
    directory = tmp_path / "rules"
    shutil.copytree(MINI, directory)
    (directory / "scenarios").mkdir()
    for name, text in files.items():
        (directory / "scenarios" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


def test_the_bundled_scenarios_pass_with_full_rule_coverage() -> None:
    rulebase = sen_rules.bundled_rulebase()
    scenarios, diags = load_scenarios(rulebase)
    assert diags == []
    assert len(scenarios) >= 40
    results, coverage = run_scenarios(rulebase, scenarios)
    assert [r.report() for r in results if not r.passed] == []
    assert coverage.rules_figure()[0] == coverage.rules_figure()[1]
    assert coverage.rule_percent() == 100.0
    areas_covered = {rulebase.rules_by_key[k].area for k in coverage.fired
                     if k in rulebase.rules_by_key}
    assert areas_covered == {a.id for a in rulebase.areas}


def test_cli_runs_the_bundled_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "--min-coverage", "100"]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and "100.0%" in out


def test_a_failure_shows_expected_actual_and_the_trace(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    directory = mini(tmp_path, ok=PASSING, bad=FAILING)
    assert main(["test", str(directory)]) == 1
    out = capsys.readouterr().out
    assert "FAIL " in out and "bad.yaml:3:5: level 2 is referred (wrongly expected)" in out
    assert "funding_panel: expected refer, got no_referral" in out
    assert "deciding rules: expected [funding.level], got [funding.none]" in out
    assert "trace: funding.level (giving refer) did not match:" in out
    assert ("proposed_placement.funding_level >= settings.funding_threshold: no "
            "(proposed_placement.funding_level = 2; settings.funding_threshold = 3)") in out
    assert "when: proposed placement › funding level is at least the setting" in out
    assert "2 scenarios, 2 runs: 1 passed, 1 failed" in out


def test_changing_the_bundled_threshold_fails_the_level_3_scenario(
        level_4_rules: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = level_4_rules
    assert main(["test", str(directory), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    names = sorted({f["scenario"] for f in data["failures"]})
    assert names == ["Additional spending at Level 3 goes to the Complex Needs Panel"]
    problems = data["failures"][0]["problems"]
    assert "complex_needs_panel: expected complex_needs_panel, got sen_assessment_team" in problems


def test_min_coverage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = mini(tmp_path, ok=PASSING)
    assert main(["test", str(directory)]) == 0
    capsys.readouterr()
    assert main(["test", str(directory), "--min-coverage", "40"]) == 0
    assert main(["test", str(directory), "--min-coverage", "90"]) == 1
    out = capsys.readouterr().out
    assert "rule coverage 40.0% is below the minimum 90%" in out
    assert "rules never fired: funding.special-school, funding.parents-views, funding.none" in out
    assert main(["test", str(directory), "--min-coverage", "101"]) == 2


def test_coverage_counts_rules_conditions_and_clauses(tmp_path: Path) -> None:
    directory = mini(tmp_path, ok=PASSING)
    rulebase = sen_rules.load_rulebase(directory)
    scenarios, _ = load_scenarios(rulebase)
    _, coverage = run_scenarios(rulebase, scenarios)
    # fired: funding.level, funding.school-age (note) and funding.parents-views? no: views given
    assert sorted(coverage.fired) == ["funding.level", "funding.school-age"]
    assert coverage.rules_figure() == (2, 5)
    seen = coverage.to_dict()["conditions"]["items"]
    level = next(i for i in seen if i["owner"] == "funding.level")
    assert level["seen_true"] and not level["seen_false"]
    assert coverage.clauses_figure() == (1, 3)  # funding.level is exercised, not the others


def test_scenario_file_problems_are_located(tmp_path: Path) -> None:
    broken = """
scenarios:
  - name: one
    as_of: 2009-03-02
    case: cases/missing.json
    expect: {funding_panel: refer}
  - name: two
    as_of: 2009-03-02
    case: {child: {id: A, date_of_birth: 2000-01-01}}
    expect: {funding_panle: refer}
  - name: three
    as_of: 2009-03-02
    case: {child: {id: A, date_of_birth: 2000-01-01}}
    expect: {funding_panel: refered}
  - name: three
    as_of: 2009-03-02
    case: {child: {id: A, date_of_birth: 2000-01-01}}
    expect: {funding_panel: refer}
  - name: five
    as_of: 2009-03-02
    case: {child: {id: A, date_of_birth: 2000-01-01}}
    settings: {funding_threshold: high}
    expect: {funding_panel: refer}
  - name: six
    case: {child: {id: A, date_of_birth: 2000-01-01}}
    expect: {funding_panel: {outcome: refer, rules: [funding.nope]}}
"""
    directory = mini(tmp_path, broken=broken)
    rulebase = sen_rules.load_rulebase(directory)
    scenarios, diags = load_scenarios(rulebase)
    assert scenarios == []
    found = [(d.code, d.location.line if d.location else 0) for d in diags]
    assert found == [("SR173", 5), ("SR172", 10), ("SR172", 14), ("SR171", 15), ("SR176", 22),
                     ("SR102", 24)], [str(d) for d in diags]
    assert "did you mean 'funding_panel'" in diags[1].message
    assert "did you mean 'refer'" in diags[2].message


def test_lint_reports_scenario_file_problems(tmp_path: Path) -> None:
    from sen_rules.authoring.lint import lint

    directory = mini(tmp_path, broken="scenarios:\n  - name: x\n    as_of: 2009-01-01\n")
    report = lint(directory)
    assert [f.diagnostic.code for f in report.findings if f.severity == "error"] == \
        ["SR102", "SR102"]
    assert not report.ok


def test_an_area_that_must_not_apply_and_setting_overrides(tmp_path: Path) -> None:
    text = """
scenarios:
  - name: no placement, no panel
    as_of: 2009-03-02
    case: {child: {id: A, date_of_birth: 2000-01-01}}
    expect: {funding_panel: null}
  - name: with a lower threshold level 2 is referred
    as_of: 2009-03-02
    settings: {funding_threshold: 2}
    case:
      child: {id: A, date_of_birth: 2000-01-01}
      proposed_placement: {id: P1, name: Oak, provision: mainstream_school, funding_level: 2}
    expect:
      funding_panel: {outcome: refer, details: {level: 2}, flags: [parents-views-missing]}
  - name: an area expected not to apply that does
    as_of: 2009-03-02
    case:
      child: {id: A, date_of_birth: 2000-01-01}
      proposed_placement: {id: P1, name: Oak, provision: mainstream_school}
    expect: {funding_panel: null}
"""
    directory = mini(tmp_path, s=text)
    rulebase = sen_rules.load_rulebase(directory)
    scenarios, diags = load_scenarios(rulebase)
    assert diags == []
    results, _ = run_scenarios(rulebase, scenarios)
    assert [r.passed for r in results] == [True, True, False]
    assert results[2].problems == ["funding_panel: expected the area not to apply, got "
                                   "no_referral"]


def test_the_manifest_list_wins_over_discovery(tmp_path: Path) -> None:
    directory = mini(tmp_path, ok=PASSING, bad=FAILING)
    manifest = directory / "rulebase.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8")
                        + "scenarios:\n  - scenarios/ok.yaml\n", encoding="utf-8")
    rulebase = sen_rules.load_rulebase(directory)
    scenarios, _ = load_scenarios(rulebase)
    assert [s.name for s in scenarios] == ["level 3 is referred"]


def test_pytest_collects_scenario_files(tmp_path: Path) -> None:
    directory = mini(tmp_path, ok=PASSING, bad=FAILING)
    (tmp_path / "pytest.ini").write_text("[pytest]\nsen_rules_scenario_dirs = rules\n",
                                         encoding="utf-8")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(directory / "scenarios")], cwd=tmp_path, capture_output=True,
                         text=True, env=env, timeout=120)
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "1 failed, 1 passed" in out
    assert "funding_panel: expected refer, got no_referral" in out
    assert "trace: funding.level (giving refer) did not match:" in out
    assert "sen-rules scenario coverage" in out


def test_pytest_in_the_repository_collects_the_bundled_scenarios() -> None:
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                          "-p", "no:cacheprovider", "rules/scenarios"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    collected = [line for line in run.stdout.splitlines() if "::" in line]
    assert any(line.startswith("rules/scenarios/cessation.yaml::") for line in collected)
    assert len(collected) >= 40


def test_a_backend_that_is_not_installed_is_skipped_not_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sen_rules.engine import durable
    from sen_rules.errors import BackendUnavailableError

    def missing() -> None:
        raise BackendUnavailableError("durable-rules is not installed")

    monkeypatch.setattr(durable, "require", missing)
    directory = mini(tmp_path, ok=PASSING.replace("    expect:", "    backend: both\n    expect:"))
    assert main(["test", str(directory)]) == 0
    out = capsys.readouterr().out
    assert "1 run skipped: durable-rules is not installed" in out
    assert "1 scenarios, 2 runs: 1 passed, 0 failed, 1 skipped" in out
