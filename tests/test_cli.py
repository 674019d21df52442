"""The command line: readable text, stable JSON, one-line errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sen_rules.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cases" / \
    "school-referral-without-action.json"


def test_evaluate_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2006-06-01"]) == 0
    out = capsys.readouterr().out
    assert "Statutory assessment panel: Pre Assessment Panel" in out
    assert "FLAG action-not-on-record" in out
    assert "“There are four of these Panels" in out
    assert "routing.school-or-parent" in out


@pytest.mark.durable
def test_evaluate_json_is_identical_on_both_backends(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for backend in ("native", "durable"):
        assert main(["evaluate", str(EXAMPLE), "--as-of", "2006-06-01", "--format", "json",
                     "--backend", backend]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert data["as_of"] == "2006-06-01" and data["decisions"]


def test_evaluate_reads_standard_input(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(EXAMPLE.read_text()))
    assert main(["evaluate", "-", "--as-of", "2006-06-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["case_id"] == "HK-2000-0933"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["evaluate", "missing.json"], "no such file"),
        (["evaluate", str(EXAMPLE), "--as-of", "2006-02-30"], "as_of"),
        (["evaluate", str(EXAMPLE), "--as-of", "2000-01-01"], "after the evaluation date"),
    ],
)
def test_bad_input_gets_a_located_message_and_status_2(
        args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert words in err
    first, *more = err.splitlines()
    assert first.startswith("sen-rules: ") and "Traceback" not in err
    assert all(line.startswith("  ") for line in more)  # each further problem, indented


def test_malformed_case_and_broken_rules_as_a_user_meets_them(
        tmp_path: Path, rules_copy: Callable[..., Path]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"child": {"id": "C1", "date_of_birth": "2010-01-01", "nme": 1}}')
    run = subprocess.run([sys.executable, "-m", "sen_rules", "evaluate", str(bad), "--as-of",
                          "2011-01-01"], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.startswith("sen-rules: error SR200: invalid case: child.nme: unknown field")
    assert "Traceback" not in run.stderr and run.stdout == ""
    rules = rules_copy({"areas/sen-stage.yaml": [("when: has_statement", "when: has_statment")]})
    run = subprocess.run([sys.executable, "-m", "sen_rules", "evaluate", str(EXAMPLE),
                          "--as-of", "2006-06-01", "--rules", str(rules)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "sen-stage.yaml:" in run.stderr and "SR111" in run.stderr
    assert "did you mean 'has_statement'" in run.stderr and "Traceback" not in run.stderr


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "sen-rules case"
    assert "child" in schema["required"]


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "sen-rules" in capsys.readouterr().out
    assert main(["evaluate"]) == 2  # neither a case nor --jsonl
    assert "either CASE.json or --jsonl" in capsys.readouterr().err


def test_jsonl_that_is_not_utf8_is_one_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"case": "\xff\xfe"}\n')
    assert main(["evaluate", "--jsonl", str(bad), "--as-of", "2010-01-01"]) == 1
    err = capsys.readouterr().err
    assert "line 1: error" in err and "not UTF-8 text" in err and "Traceback" not in err


def test_rule_file_errors_are_not_prefixed_twice(rules_copy: Callable[..., Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    rules = rules_copy({"areas/sen-stage.yaml": [("when: has_statement", "when: has_statment")]})
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2006-06-01", "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sen-rules: ") and err.count(": error ") == 1


@pytest.mark.parametrize(("make", "code"), [
    (lambda d: d / "missing.json", "SR010"),
    (lambda d: d, "SR010"),
    (lambda d: (d / "latin1.json").write_bytes(b'{"child": "\xe9"}') and d / "latin1.json",
     "SR010"),
])
def test_a_file_that_cannot_be_read_has_a_code_in_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path],
        code: str) -> None:
    assert main(["evaluate", str(make(tmp_path)), "--as-of", "2010-01-01",
                 "--format", "json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == code and str(tmp_path) in error["message"]


def test_a_command_that_cannot_be_carried_out_has_a_code_in_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "no" / "such" / "dir" / "x.json"
    case = Path(__file__).resolve().parent.parent / "examples" / "cases" / "school-action.json"
    assert main(["evaluate", str(case), "--as-of", "2010-01-01",
                 "--out", str(out), "--format", "json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "SR011" and error["message"].startswith("cannot write")
