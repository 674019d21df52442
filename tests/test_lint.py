"""sen-rules lint: each check proven by a deliberately broken rule file (tests/data/lint/)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.authoring.lint import lint
from sen_rules.cli import main
from sen_rules.errors import ConflictingOutcomesError

DATA = Path(__file__).parent / "data"
MINI = DATA / "minirules"
BROKEN = DATA / "lint"


def rules_with(tmp_path: Path, broken: str | None = None, target: str = "areas/funding.yaml"
               ) -> Path:
    """A copy of the small rulebase with one file replaced by a broken one."""
    directory = tmp_path / "rules"
    shutil.copytree(MINI, directory)
    if broken is not None:
        shutil.copyfile(BROKEN / broken, directory / target)
    return directory


def codes(report: object, severity: str | None = None) -> list[str]:
    return [f.diagnostic.code for f in report.findings  # type: ignore[attr-defined]
            if severity is None or f.severity == severity]


def test_the_small_rulebase_is_clean(tmp_path: Path) -> None:
    report = lint(rules_with(tmp_path))
    assert report.loaded
    assert report.ok
    assert report.findings == [], [f.text() for f in report.findings]


# (broken file, file it replaces, code, severity, line of the finding, words in the message)
CASES = [
    ("syntax-error.yaml", "areas/funding.yaml", "SR101", "error", None, "YAML syntax"),
    ("schema-error.yaml", "areas/funding.yaml", "SR102", "error", 31, "unknown key 'wen'"),
    ("unknown-field.yaml", "areas/funding.yaml", "SR111", "error", 31,
     "no field 'fundng_level'; did you mean 'funding_level'"),
    ("unknown-function.yaml", "areas/funding.yaml", "SR112", "error", 41,
     "unknown function 'age_of'"),
    ("type-error.yaml", "areas/funding.yaml", "SR113", "error", 39,
     "cannot compare date with number"),
    ("duplicate-id.yaml", "areas/funding.yaml", "SR105", "error", 37,
     "rule id 'funding.level' is also used"),
    ("no-citation.yaml", "areas/funding.yaml", "SR123", "error", 37, "cites nothing"),
    ("quote-not-verbatim.yaml", "areas/funding.yaml", "SR122", "error", 36,
     "is not in clause 'funding.level' of 'policy' word for word"),
    ("unused-setting.yaml", "settings.yaml", "SR150", "warning", 7,
     "setting 'panel_quorum' is never used"),
    ("unused-definition.yaml", "definitions.yaml", "SR156", "warning", 8,
     "definition 'is_pre_school' is never used"),
    ("never-fires.yaml", "areas/funding.yaml", "SR151", "error", 41,
     "rule 'funding.special-school' can never fire"),
    ("conflict-any.yaml", "areas/funding.yaml", "SR152", "error", 38,
     "can both fire with different outcomes"),
    ("conflict-same-priority.yaml", "areas/funding.yaml", "SR153", "warning", 40,
     "with the same priority (1)"),
    ("overlapping-versions.yaml", "areas/funding.yaml", "SR157", "error", 38,
     "are both in force on 2010-01-01"),
    ("uncited-clause.yaml", "areas/funding.yaml", "SR155", "warning", 18,
     "normative clause policy/funding.views"),
]


@pytest.mark.parametrize(("broken", "target", "code", "severity", "line", "words"), CASES,
                         ids=[c[0].removesuffix(".yaml") for c in CASES])
def test_each_check_finds_its_broken_file(tmp_path: Path, broken: str, target: str, code: str,
                                          severity: str, line: int | None, words: str) -> None:
    report = lint(rules_with(tmp_path, broken, target))
    found = [f for f in report.findings if f.diagnostic.code == code]
    assert found, [f.text() for f in report.findings]
    finding = found[0]
    assert finding.severity == severity
    assert words in finding.diagnostic.message
    loc = finding.diagnostic.location
    assert loc is not None and loc.line > 0 and loc.column > 0
    # the finding points into the broken file (an uncited clause: into its clause index)
    expected = "policy.yaml" if code == "SR155" else Path(target).name
    assert Path(loc.file).name == expected
    if line is not None:
        assert loc.line == line
    assert report.ok == (severity != "error")
    # the finding is specific to this broken file: the clean rulebase does not have it
    assert code not in codes(lint(rules_with(tmp_path / "clean")))


def test_lint_reports_every_load_error_not_only_the_first(tmp_path: Path) -> None:
    report = lint(rules_with(tmp_path, "many-errors.yaml"))
    errors = [f for f in report.findings if f.severity == "error"]
    assert [f.diagnostic.code for f in errors] == ["SR111", "SR110", "SR104"]
    assert len({f.diagnostic.location.line for f in errors}) == 3  # type: ignore[union-attr]
    assert not report.loaded


def test_an_unsatisfiable_rule_is_explained(tmp_path: Path) -> None:
    report = lint(rules_with(tmp_path, "never-fires.yaml"))
    messages = [f.diagnostic.message for f in report.findings if f.diagnostic.code == "SR151"]
    assert len(messages) == 2
    assert "'proposed_placement.provision = \"mainstream_school\"' and " \
           "'proposed_placement.provision = \"special_school\"' cannot all hold" in messages[0]
    assert "between 1 and 5 in the case model" in messages[1]


def test_a_conflict_is_shown_with_a_case_that_really_triggers_both_rules(tmp_path: Path) -> None:
    directory = rules_with(tmp_path, "conflict-any.yaml")
    report = lint(directory)
    (finding,) = [f for f in report.findings if f.diagnostic.code == "SR152"]
    assert finding.example is not None
    rulebase = sen_rules.load_rulebase(directory)
    with pytest.raises(ConflictingOutcomesError) as caught:
        sen_rules.evaluate(finding.example["case"], as_of=finding.example["as_of"],
                           rulebase=rulebase)
    assert "funding.level" in str(caught.value) and "funding.special-school" in str(caught.value)
    assert "e.g. on " in finding.text()


def test_under_first_the_earlier_rule_decides_the_witness(tmp_path: Path) -> None:
    directory = rules_with(tmp_path, "conflict-same-priority.yaml")
    (finding,) = [f for f in lint(directory).findings if f.diagnostic.code == "SR153"]
    assert finding.example is not None
    result = sen_rules.evaluate(finding.example["case"], as_of=finding.example["as_of"],
                                rulebase=sen_rules.load_rulebase(directory))
    decision = result.decision("funding_panel")
    assert decision is not None
    assert decision.outcome == "refer" and decision.overridden == ("funding.special-school",)


def test_output_is_deterministic_across_processes(tmp_path: Path) -> None:
    directory = rules_with(tmp_path, "conflict-any.yaml")
    assert lint(directory).to_json() == lint(directory).to_json()
    outputs = set()
    for seed in ("1", "2"):
        run = subprocess.run([sys.executable, "-m", "sen_rules", "lint", str(directory),
                              "--format", "json"], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert run.returncode == 1, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_cli_exit_status_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = rules_with(tmp_path / "a")
    broken = rules_with(tmp_path / "b", "never-fires.yaml")
    assert main(["lint", str(clean)]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().out
    assert main(["lint", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "error SR151" in out and "funding.yaml:41:7:" in out
    assert main(["lint", str(broken), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["counts"]["error"] == 2
    first = data["findings"][0]
    assert set(first) >= {"code", "severity", "file", "line", "column", "message"}
    assert main(["lint", str(tmp_path / "nowhere")]) == 1
    assert "not a rules directory" in capsys.readouterr().out


def test_settings_switched_off_rules_are_info_not_errors(tmp_path: Path) -> None:
    directory = rules_with(tmp_path)
    area = directory / "areas/funding.yaml"
    area.write_text(area.read_text(encoding="utf-8").replace(
        "    when: proposed_placement.provision = \"special_school\"",
        "    when: >\n      proposed_placement.provision = \"special_school\"\n"
        "      and settings.funding_threshold > 4"), encoding="utf-8")
    report = lint(directory)
    assert report.ok
    (finding,) = [f for f in report.findings if f.diagnostic.code == "SR158"]
    assert finding.severity == "info"
    assert "funding_threshold = 3" in finding.diagnostic.message
    assert "switched off" in finding.diagnostic.message


def test_the_bundled_rulebase_is_lint_clean() -> None:
    started = time.perf_counter()
    report = lint()
    elapsed = time.perf_counter() - started
    assert report.loaded
    problems = [f.text() for f in report.findings if f.severity in ("error", "warning")]
    assert problems == []
    assert elapsed < 30


LEVEL = "settings.complex_needs_funding_level"
PENDING = f"pending_decision.funding_level >= {LEVEL}"
ANY = f"any c in candidate_placements where c.funding_level >= {LEVEL}"
FUNDING = f"      or {PENDING}\n      or {ANY}\n"


@pytest.mark.parametrize(("written", "flagged"), [
    # the part after the quantifier, unparenthesised: inside its condition, by the grammar
    (f"      or {ANY}\n      or {PENDING}\n", True),
    # in parentheses, the author says it is meant inside
    (f"      or {ANY.replace('where ', 'where (')}\n      or ({PENDING}))\n", False),
    # the quantifier in parentheses: the part is outside
    (f"      or ({ANY})\n      or {PENDING}\n", False),
])
def test_a_part_of_a_where_condition_that_does_not_mention_the_item_is_flagged(
        rules_copy: Any, written: str, flagged: bool) -> None:
    directory = rules_copy({"areas/complex-needs-panel.yaml": [(FUNDING, written)]})
    found = [f.diagnostic for f in lint(directory, search=False).findings
             if f.diagnostic.code == "SR161"]
    assert len(found) == (1 if flagged else 0), [str(d) for d in found]
    if flagged:
        assert repr(PENDING) in found[0].message and found[0].severity == "warning"
        assert found[0].location is not None and found[0].location.line == 39
