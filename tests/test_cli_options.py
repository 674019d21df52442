"""The command line's options and errors: every problem reachable, JSON errors for programs,
help texts that say what each option does, exit codes documented and kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sen_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "cases" / "school-referral-without-action.json"
THREE_PROBLEMS = ('{"child": {"id": "C1", "nme": "a", "date_of_birth": "2010-02-30"}, '
                  '"foo": 1}')


def test_every_problem_of_a_bad_case_is_listed(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(THREE_PROBLEMS)
    assert main(["evaluate", str(bad), "--as-of", "2011-01-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sen-rules: error SR200: invalid case: 3 problems\n")
    for words in ("  foo: unknown field", "  child.nme: unknown field",
                  "  child.date_of_birth: '2010-02-30' is not a real date"):
        assert words in err
    assert "more problems" not in err and "Traceback" not in err


def test_with_format_json_an_error_is_json_on_standard_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(THREE_PROBLEMS)
    for command in ("evaluate", "explain"):
        assert main([command, str(bad), "--as-of", "2011-01-01", "--format", "json"]) == 2
        captured = capsys.readouterr()
        error = json.loads(captured.out)["error"]
        assert error["code"] == "SR200" and captured.err == ""
        assert sorted(p["path"] for p in error["problems"]) == ["child.date_of_birth",
                                                                "child.nme", "foo"]
    assert main(["evaluate", str(tmp_path / "missing.json"), "--format", "json"]) == 2
    assert "no such file" in json.loads(capsys.readouterr().out)["error"]["message"]


def test_every_rule_file_error_is_listed(rules_copy: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    rules = rules_copy({"areas/sen-stage.yaml": [("when: has_statement", "when: has_statment")],
                        "areas/assessment-routing.yaml": [("priority: 1", "priority: one")]})
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2006-06-01", "--rules", str(rules)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= 2 and "more error" not in lines[0]
    assert any("SR111" in line for line in lines) and any("SR102" in line or "SR1" in line
                                                          for line in lines[1:])
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2006-06-01", "--rules", str(rules),
                 "--format", "json"]) == 2
    diagnostics = json.loads(capsys.readouterr().out)["error"]["diagnostics"]
    assert len(diagnostics) == len(lines) and all(d["file"] for d in diagnostics)


def test_verify_json_on_a_tampered_record_is_json_on_standard_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "record.json"
    assert main(["record", str(EXAMPLE), "--as-of", "2006-06-01", "--out", str(record)]) == 0
    record.write_text(record.read_text().replace("Pre Assessment Panel", "Early Years Panel"))
    assert main(["verify", str(record), "--format", "json"]) == 5
    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert answer["status"] == "error" and answer["exit_code"] == 5
    assert answer["error"]["code"] == "SR502"


def test_verify_key_file_help_is_about_verifying(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--key-file FILE the key file the record was sealed with" in text
    assert "seal with HMAC" not in text


@pytest.mark.parametrize("command", [["evaluate", "--jsonl", "-"], ["generate-cases", "1"]])
def test_a_negative_number_of_workers_is_refused(command: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = main([*command, "--workers", "-1"])
    except SystemExit as exc:  # argparse refuses it while reading the options
        status = int(exc.code or 0)
    assert status == 2
    err = capsys.readouterr().err
    assert "-1" in err and "0 for one per core" in err and "Traceback" not in err


def test_diff_exit_code(tmp_path: Path, level_4_rules: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "cases.jsonl"
    case = json.loads((ROOT / "examples" / "cases" / "complex-needs-referral.json").read_text())
    case["proposed_placement"]["funding_level"] = 3
    corpus.write_text(json.dumps({"case": case, "as_of": "2009-03-02"}) + "\n")
    rules = str(ROOT / "rules")
    assert main(["diff", rules, rules, "--cases", str(corpus), "--exit-code"]) == 0
    assert main(["diff", rules, str(level_4_rules), "--cases", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "1 (100.0%) have a changed decision" in out
    assert main(["diff", rules, str(level_4_rules), "--cases", str(corpus),
                 "--exit-code"]) == 1
