"""Loading rule files: every problem is reported with file:line:col and what was expected."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import sen_rules
from sen_rules import RulebaseError
from sen_rules.errors import Diagnostic

STAGE = "areas/sen-stage.yaml"
ROUTING = "areas/assessment-routing.yaml"
SETTINGS = "settings.yaml"
Edits = dict[str, list[tuple[str, str]]]


def errors_for(rules_copy: Callable[..., Path], edits: Edits) -> list[Diagnostic]:
    with pytest.raises(RulebaseError) as info:
        sen_rules.load_rulebase(rules_copy(edits))
    return list(info.value.diagnostics)


def only(diags: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diags if d.code == code]
    assert found, [str(d) for d in diags]
    return found[0]


CASES: list[tuple[str, Edits, str, str, int]] = [
    # (name, edits, code, words in message, line or 0)
    ("yaml syntax", {STAGE: [("hit_policy: first", "hit_policy: [first")]}, "SR101",
     "YAML syntax", 0),
    ("alias", {STAGE: [("hit_policy: first", "hit_policy: &a first\nx: *a")]}, "SR101",
     "anchors and aliases", 0),
    ("tag", {STAGE: [("hit_policy: first", "hit_policy: !!python/object:os.system first")]},
     "SR101", "tags", 0),
    ("duplicate key", {STAGE: [("hit_policy: first", "hit_policy: first\nhit_policy: any")]},
     "SR101", "appears twice", 0),
    ("unknown key", {STAGE: [("    priority: 1\n", "    priorty: 1\n")]}, "SR102",
     "did you mean 'priority'", 0),
    ("missing key", {STAGE: [("  - id: stage.statement\n    title: A pupil subject to a "
                              "Statement is at the Statements threshold\n",
                              "  - id: stage.statement\n")]}, "SR102", "'title' is missing", 0),
    ("wrong kind", {STAGE: [("    priority: 1\n", "    priority: high\n")]}, "SR102",
     "whole number", 0),
    ("yes/no trap", {STAGE: [("    outcome: statement\n", "    outcome: no\n")]}, "SR102",
     "put the word in quotes", 0),
    ("unknown outcome", {STAGE: [("    outcome: statement\n", "    outcome: statemnt\n")]},
     "SR104", "did you mean 'statement'", 0),
    ("two effects", {STAGE: [("    outcome: statement\n",
                              "    outcome: statement\n    flag: x\n")]}, "SR103",
     "exactly one of", 0),
    ("duplicate id", {STAGE: [("id: stage.action.school", "id: stage.action.early-years")]},
     "SR105", "also used", 0),
    ("no citation", {STAGE: [("""    priority: 1
    cites:
      - source: learning-trust-sen-policy
        clause: stages.statements
        quote: where a pupil is subject to a statement of special educational needs
""", "    priority: 1\n")]}, "SR123", "cites nothing", 0),
    ("quote not verbatim", {STAGE: [("quote: There are three ‘thresholds’",
                                     "quote: There are three 'thresholds'")]}, "SR122",
     "the source writes", 0),
    ("quote in another clause", {STAGE: [("quote: There are three ‘thresholds’",
                                          "quote: Placements and Resources")]}, "SR122",
     "it is in clause 'placements.heading'", 0),
    ("unknown clause", {STAGE: [("clause: stages.thresholds", "clause: stages.threshold")]},
     "SR121", "did you mean 'stages.thresholds'", 0),
    ("unknown source", {STAGE: [("- source: learning-trust-sen-policy\n      clause: "
                                 "stages.thresholds",
                                 "- source: learning-trust-policy\n      clause: "
                                 "stages.thresholds")]}, "SR120", "unknown source", 0),
    ("unknown field", {STAGE: [("when: has_statement", "when: has_statment")]}, "SR111",
     "did you mean 'has_statement'", 0),
    ("condition syntax", {STAGE: [("when: has_statement", "when: has_statement and")]},
     "SR110", "condition syntax", 0),
    ("type error", {STAGE: [("when: has_statement", "when: child.date_of_birth > 3")]},
     "SR113", "cannot compare date with number", 0),
    ("not yes/no", {STAGE: [("when: subject_to_statement",
                             "when: child.date_of_birth")]}, "SR113",
     "expected a yes/no condition", 0),
    ("unknown setting", {ROUTING: [("settings.pre_school_requests_panel",
                                    "settings.pre_school_panel")]}, "SR116", "unknown setting", 0),
    ("enum value", {ROUTING: [('assessment_request.route = "parent"',
                               'assessment_request.route = "parents"')]}, "SR114",
     "did you mean 'parent'", 0),
    ("definition cycle", {"definitions.yaml": [
        ("means: statement is known",
         "means: statement is known and undergoing_statutory_assessment"),
        ('means: assessment_request is known and assessment_request.outcome = "pending"',
         'means: has_statement')]}, "SR115", "circle", 0),
    ("missing convention", {SETTINGS: [("  - name: prescribed_days", "  - name: prescribed_dayz")]},
     "SR140", "'prescribed_days'", 0),
    ("setting value type", {SETTINGS: [("value: 16", 'value: "sixteen"')]}, "SR143",
     "whole number", 0),
    ("setting choice", {SETTINGS: [('value: "1 March"', 'value: "2 March"')]}, "SR143",
     "one of", 0),
    ("unknown register entry", {ROUTING: [("register: [pre-school-referral]",
                                           "register: [pre-school-referal]")]}, "SR127",
     "ambiguity register", 0),
    ("in force backwards", {STAGE: [("    priority: 1\n", "    priority: 1\n    in_force: {from: "
                                     "2010-01-01, until: 2009-01-01}\n")]}, "SR144",
     "'from' is after 'until'", 0),
    ("path escape", {"rulebase.yaml": [("settings: settings.yaml",
                                        "settings: ../../../etc/passwd")]}, "SR101",
     "outside the rules directory", 0),
    ("edited source", {"sources/learning-trust-sen-policy.txt": [
        ("Annual Reviews", "Annual  Reviews")]}, "SR124", "has changed", 0),
]


@pytest.mark.parametrize(("name", "edits", "code", "words", "line"), CASES,
                         ids=[c[0] for c in CASES])
def test_load_errors_are_precise(rules_copy: Callable[..., Path], name: str, edits: Edits,
                                 code: str, words: str, line: int) -> None:
    diag = only(errors_for(rules_copy, edits), code)
    assert words in diag.message, str(diag)
    assert diag.location is not None and diag.location.line > 0, str(diag)
    assert diag.location.file.endswith(".yaml") or diag.location.file.endswith(".txt")


def test_error_positions_point_into_multi_line_conditions(rules_copy: Callable[..., Path]) -> None:
    edits = {STAGE: [("when: undergoing_statutory_assessment and not early_years_names_apply",
                      'when: |\n      undergoing_statutory_assessment and\n      '
                      'setting.kind = "schol"')]}
    diag = only(errors_for(rules_copy, edits), "SR114")
    path = Path(diag.location.file) if diag.location else Path()
    text = (path if path.is_absolute() else Path.cwd() / path).read_text().splitlines()
    assert diag.location is not None
    assert text[diag.location.line - 1][diag.location.column - 1:].startswith('"schol"')


def test_every_problem_is_reported_not_only_the_first(rules_copy: Callable[..., Path]) -> None:
    diags = errors_for(rules_copy, {STAGE: [("    priority: 3\n", "    priorty: 3\n"),
                                            ("when: has_statement", "when: has_statment"),
                                            ("clause: stages.thresholds", "clause: nope")]})
    assert {"SR102", "SR111", "SR121"} <= {d.code for d in diags}
    assert str(RulebaseError(diags)).endswith("more errors)")


def test_yaml_bomb_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    from sen_rules.loading.yamlfile import YamlFileError, read_yaml

    bomb = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    with pytest.raises(YamlFileError, match="anchors and aliases"):
        read_yaml(bomb, "bomb.yaml")
    block = "".join(f"{'  ' * i}a:\n" for i in range(600)) + "  " * 600 + "1\n"
    for deep in ("a: " + "[" * 100 + "]" * 100, "a: " + "[" * 100_000 + "]" * 100_000,
                 "a: " + "{a: " * 3000 + "1" + "}" * 3000, block):
        with pytest.raises(YamlFileError, match="nested more than"):  # not a RecursionError
            read_yaml(deep, "deep.yaml")
    with pytest.raises(YamlFileError, match="larger than"):
        read_yaml("a: " + "x" * 1_100_000, "big.yaml")


def test_not_a_rules_directory(tmp_path: Path) -> None:
    with pytest.raises(RulebaseError, match=r"rulebase\.yaml"):
        sen_rules.load_rulebase(tmp_path)


def test_uncovered_or_ambiguous_source_text(rules_copy: Callable[..., Path]) -> None:
    index = "sources/learning-trust-sen-policy.yaml"
    diags = errors_for(rules_copy, {index: [("  - id: stages.support-services\n    starts: At the "
                                             "School Action and School Action Plus thresholds\n"
                                             "    kind: paragraph\n    normative: true\n", "")]})
    assert any(d.code == "SR126" and "line 10" in d.message for d in diags)
    diags = errors_for(rules_copy, {index: [("starts: This Panel considers all requests",
                                             "starts: \"·\"")]})
    assert any(d.code == "SR125" for d in diags)


def test_hash_is_stable_across_processes_and_ignores_layout(rules_copy: Callable[..., Path],
                                                            rulebase: sen_rules.Rulebase) -> None:
    code = "import sen_rules; print(sen_rules.bundled_rulebase().sha256)"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert other.stdout.strip() == rulebase.sha256
    reformatted = sen_rules.load_rulebase(rules_copy({STAGE: [
        ("when: subject_to_statement",
         "when:   subject_to_statement   # a comment"),
        ("# SEN thresholds", "# Edited comment. SEN thresholds")]}))
    assert reformatted.sha256 == rulebase.sha256
    changed = sen_rules.load_rulebase(rules_copy({STAGE: [("    priority: 1\n",
                                                           "    priority: 0\n")]}))
    assert changed.sha256 != rulebase.sha256


def test_bundled_rulebase_loads_quickly_and_cleanly(rulebase: sen_rules.Rulebase) -> None:
    assert rulebase.name == "learning-trust-sen-policy"
    assert not [d for d in rulebase.warnings if d.severity == "error"]
    assert len(rulebase.sha256) == 64
    for rule in rulebase.rules:
        assert rule.citations, rule.id
        for c in rule.citations:
            assert rulebase.sources[c.source].clauses[c.clause].contains(c.quote)
