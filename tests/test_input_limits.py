"""Every input has a bounded cost and a documented error: list limits, hostile numbers and
nesting, rule files that are loops or pipes, dates that are not YYYY-MM-DD, quotes that cut
words, control characters in text output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.case import (
    MAX_CANDIDATE_PLACEMENTS,
    MAX_DISPUTES,
    MAX_REVIEWS,
    MAX_SUPPORT_PERIODS,
    parse_case,
)
from sen_rules.cli import main
from sen_rules.errors import CaseError, RulebaseError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from explain_by_candidates import case_with  # noqa: E402

AS_OF = "2012-02-01"
SMALL = {"child": {"id": "T1", "date_of_birth": "2004-05-06"}}
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


# ---------------------------------------------------------------------------- case limits


def test_a_case_at_every_limit_is_valid_and_both_backends_agree() -> None:
    case = case_with(MAX_CANDIDATE_PLACEMENTS)
    valid = parse_case(case)
    assert (len(valid.candidate_placements), len(valid.disputes), len(valid.sen_support)) == (
        MAX_CANDIDATE_PLACEMENTS, MAX_DISPUTES, MAX_SUPPORT_PERIODS)
    assert valid.statement is not None and len(valid.statement.reviews) == MAX_REVIEWS
    native = sen_rules.evaluate(case, as_of=AS_OF)
    durable = sen_rules.evaluate(case, as_of=AS_OF, backend="durable")
    assert native.to_json() == durable.to_json()


@pytest.mark.parametrize(("field", "limit"), [
    ("candidate_placements", MAX_CANDIDATE_PLACEMENTS),
    ("disputes", MAX_DISPUTES),
    ("sen_support", MAX_SUPPORT_PERIODS),
])
def test_one_more_than_a_limit_is_a_clear_error(field: str, limit: int) -> None:
    case = case_with(MAX_CANDIDATE_PLACEMENTS)
    items = case[field]
    case[field] = items + [dict(items[-1], id="EXTRA") if field == "candidate_placements"
                           else items[-1]]
    with pytest.raises(CaseError) as err:
        parse_case(case)
    assert err.value.problems == (
        (field, f"holds {limit + 1} items, more than the limit of {limit} "
                "(see docs/limits-and-faults.md)"),)


def test_too_many_reviews_is_a_clear_error() -> None:
    case = case_with(1)
    case["statement"]["reviews"].append(case["statement"]["reviews"][-1])
    with pytest.raises(CaseError, match="more than the limit of"):
        parse_case(case)


def test_thousands_of_disputes_are_refused_by_both_backends_alike() -> None:
    case = dict(SMALL, disputes=[{"party": "parent", "resolved": False}] * 23_397)
    for backend in sen_rules.BACKENDS:
        with pytest.raises(CaseError, match="limit of 100") as err:
            sen_rules.evaluate(case, as_of=AS_OF, backend=backend)
        assert err.value.code == "SR200"


# ---------------------------------------------------------------------------- hostile JSON


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_a_case_nested_100000_levels_through_the_api_is_a_case_error() -> None:
    deep = dict(SMALL, views=_nested(100_000))
    with pytest.raises(CaseError, match="nested more than"):
        parse_case(deep)
    results = list(sen_rules.evaluate_many([deep, SMALL], as_of=AS_OF))
    assert results[0].error is not None and results[1].ok


@pytest.mark.parametrize(("text", "why"), [
    ('{"child": {"id": "A", "id": "B", "date_of_birth": "2004-05-06"}}', "appears twice"),
    ('{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "x": NaN}', "NaN"),
    ('{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "x": 1e999}', "too large"),
    ('{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "x": ' + "9" * 5000 + "}",
     "too long"),
    ("[" * 100_000 + "]" * 100_000, "nested"),
])
def test_hostile_case_text_is_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(CaseError, match=why):
        parse_case(text)


@pytest.mark.parametrize("day", ["2006-W22-4", "20060601", "2006-06-01T00:00", "", " 2006-06-01"])
def test_only_yyyy_mm_dd_is_a_date(day: str) -> None:
    with pytest.raises(CaseError) as err:
        sen_rules.evaluate(SMALL, as_of=day)
    assert err.value.code == "SR202"
    with pytest.raises(CaseError):
        parse_case({"child": {"id": "A", "date_of_birth": day}})


def test_an_empty_as_of_option_is_refused(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(SMALL))
    assert main(["evaluate", str(case), "--as-of", ""]) != 0
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_a_diff_corpus_with_a_5000_digit_number_is_an_item_error(tmp_path: Path) -> None:
    corpus = tmp_path / "cases"
    corpus.mkdir()
    (corpus / "a.json").write_text('{"case": {"x": ' + "9" * 5000 + '}, "as_of": "2010-01-01"}')
    (corpus / "b.jsonl").write_text('{"x": ' + "9" * 5000 + "}\n")
    done = subprocess.run([sys.executable, "-m", "sen_rules", "diff", str(ROOT / "rules"),
                           str(ROOT / "rules"), "--cases", str(corpus)], capture_output=True,
                          env=ENV, timeout=120, check=False)
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    assert done.returncode in (0, 1)


# ---------------------------------------------------------------------------- rule files


def test_a_rule_file_with_a_5000_digit_integer_is_a_located_error(
        rules_copy: Callable[..., Path]) -> None:
    rules = rules_copy({"settings.yaml": [("value: 3\n", "value: " + "3" * 5000 + "\n")]})
    with pytest.raises(RulebaseError) as err:
        sen_rules.load_rulebase(rules)
    assert any(d.code == "SR101" and "too long" in d.message and d.location is not None
               and d.location.line > 0 for d in err.value.diagnostics)


def test_an_area_file_that_is_a_symlink_to_itself_is_an_error(
        rules_copy: Callable[..., Path]) -> None:
    rules = rules_copy()
    area = rules / "areas" / "sen-stage.yaml"
    area.unlink()
    area.symlink_to(area)
    with pytest.raises(RulebaseError) as err:
        sen_rules.load_rulebase(rules)
    assert any("sen-stage.yaml" in d.message for d in err.value.diagnostics)


def test_a_named_pipe_in_the_rules_directory_does_not_hang_lint_or_load(
        rules_copy: Callable[..., Path]) -> None:
    rules = rules_copy()
    area = rules / "areas" / "sen-stage.yaml"
    area.unlink()
    os.mkfifo(area)
    os.mkfifo(rules / "areas" / "stray.yaml")
    done = subprocess.run([sys.executable, "-m", "sen_rules", "lint", str(rules)],
                          capture_output=True, env=ENV, timeout=120, check=False)
    assert done.returncode != 0 and b"not a regular file" in done.stdout + done.stderr
    assert b"Traceback" not in done.stderr


def test_a_quote_that_cuts_a_word_or_is_too_short_is_refused(
        rules_copy: Callable[..., Path]) -> None:
    text = (ROOT / "rules" / "areas" / "sen-stage.yaml").read_text()
    quotes = [line.split("quote:", 1)[1].strip() for line in text.splitlines()
              if "quote:" in line]
    first = quotes[0]
    inner = json.loads(first) if first.startswith('"') else first.strip("'")
    cut = inner[1:-1]  # a letter off each end: the words are cut
    for bad, why in ((cut, "cuts a word"), (inner.split()[0], "at least 3 whole words")):
        rules = rules_copy({"areas/sen-stage.yaml": [(first, json.dumps(bad))]})
        with pytest.raises(RulebaseError) as err:
            sen_rules.load_rulebase(rules)
        found = [d for d in err.value.diagnostics if d.code == "SR128"]
        assert found and why in found[0].message and found[0].location is not None


def test_every_bundled_quote_is_whole_words_of_its_clause() -> None:
    sen_rules.load_rulebase(ROOT / "rules")  # raises if one is not


# ---------------------------------------------------------------------------- text output


def test_control_characters_in_a_case_do_not_reach_the_terminal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = case_with(3)
    case["candidate_placements"][1]["name"] = "Oak\x1b[2J\x1b]0;owned\x07\u202eloot"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    for command in ("evaluate", "explain", "report"):
        capsys.readouterr()
        assert main([command, str(path), "--as-of", AS_OF]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
