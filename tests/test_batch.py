"""Batch evaluation: streaming, ordered, robust to bad lines, the same with processes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sen_rules
from sen_rules.cli import main
from sen_rules.testing.strategies import evaluation_inputs

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"


def sample(n: int) -> list[tuple[dict[str, Any], date]]:
    found: list[tuple[dict[str, Any], date]] = []

    @settings(max_examples=n, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(evaluation_inputs())
    def collect(inputs: tuple[dict[str, Any], date]) -> None:
        found.append(inputs)

    collect()
    return found[:n]


def test_results_come_in_order_and_bad_items_do_not_stop_the_rest() -> None:
    items: list[Any] = [(d, a) for d, a in sample(20)]
    items.insert(3, ({"child": {"id": "X"}}, "2010-01-01"))
    items.insert(7, "{not json")
    results = list(sen_rules.evaluate_many(items))
    assert [r.index for r in results] == list(range(len(items)))
    assert [r.ok for r in results].count(False) == 2
    assert results[3].error is not None and "date_of_birth" in results[3].error.message
    assert results[7].error is not None and "not valid JSON" in results[7].error.message
    for r, item in zip(results, items, strict=True):
        if r.ok:
            assert r.evaluation is not None
            assert r.evaluation.to_json() == sen_rules.evaluate(item[0], as_of=item[1]).to_json()


def test_items_may_carry_their_own_date_or_share_one() -> None:
    case = json.loads((EXAMPLES / "school-action.json").read_text())
    results = list(sen_rules.evaluate_many([case, {"case": case, "as_of": "2011-01-01"}],
                                           as_of="2010-01-15"))
    assert [r.evaluation.as_of.isoformat() for r in results if r.evaluation] == [
        "2010-01-15", "2011-01-01"]
    missing = list(sen_rules.evaluate_many([case]))
    assert missing[0].error is not None and "as_of" in missing[0].error.message


def test_a_wrapped_item_names_its_unknown_fields_and_a_null_date_is_not_given() -> None:
    case = json.loads((EXAMPLES / "school-action.json").read_text())
    lines = [json.dumps({"case": case, "as_of": "2010-06-01", "backend": "native"}),
             json.dumps({"case": case, "as_of": None})]
    wrapped, dated = sen_rules.evaluate_many(lines, as_of="2010-01-15")
    assert wrapped.error is not None and wrapped.error.code == "SR200"
    assert wrapped.error.to_dict()["problems"] == [{
        "path": "backend",
        "message": 'unknown field: an item is a case, or {"case": ..., "as_of": ...}'}]
    assert dated.evaluation is not None and dated.evaluation.as_of == date(2010, 1, 15)


def test_a_bad_line_lists_every_problem_of_its_case() -> None:
    line = json.dumps({"child": {"id": "X", "nme": "a", "date_of_birth": "2010-02-30"},
                       "colour": "blue"})
    (result,) = sen_rules.evaluate_many([line], as_of="2011-01-01")
    error = json.loads(result.to_json())["error"]
    assert error["code"] == "SR200" and "and 2 more problems" in error["message"]
    assert sorted(p["path"] for p in error["problems"]) == [
        "child.date_of_birth", "child.nme", "colour"]


def test_processes_give_the_same_results_as_one() -> None:
    items = sample(40)
    one = [r.evaluation.to_json() for r in sen_rules.evaluate_many(items) if r.evaluation]
    two = [r.evaluation.to_json() for r in sen_rules.evaluate_many(items, workers=2)
           if r.evaluation]
    assert one == two and len(one) == 40


def test_jsonl_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps({"case": d, "as_of": a.isoformat()}) for d, a in sample(5)]
    lines.insert(2, "{oops")
    lines.insert(4, "")
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["evaluate", "--jsonl", str(source), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "line 3: error SR200" in err and "line 5: error SR200" in err
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["line"] for r in rows] == list(range(1, 8))
    assert [r["ok"] for r in rows] == [True, True, False, True, False, True, True]
    assert main(["evaluate", "--jsonl", str(source), "--workers", "2", "--out",
                 str(tmp_path / "two.jsonl")]) == 1
    assert (tmp_path / "two.jsonl").read_text() == out.read_text()
    assert main(["evaluate"]) == 2  # neither a case nor --jsonl


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.integers(), st.none(),
                          st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)),
                max_size=5))
def test_any_garbage_gives_one_error_per_item(items: list[Any]) -> None:
    results = list(sen_rules.evaluate_many(items, as_of="2010-01-01"))
    assert len(results) == len(items)
    assert all(not r.ok and r.error is not None for r in results)
