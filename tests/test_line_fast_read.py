"""A line of JSON Lines is read in one pass when it is valid, and any other line gets the
answer of the strict way (:func:`sen_rules.engine.batch.parse_line`, then the case model):
the same case and date, or the same error. Lines are valid lines changed at random (the
writer and changes of ``test_case_fast_read``), the wrapper's own keys included."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings

import sen_rules
from sen_rules.authoring.generate import generate_lines
from sen_rules.case import parse_case
from sen_rules.engine.batch import (
    BatchResult,
    evaluate_many,
    evaluate_many_written,
    parse_line,
    read_line,
    read_line_fast,
    split_item,
)
from sen_rules.engine.result import dumps
from sen_rules.errors import SenRulesError
from sen_rules.rulebase import Rulebase
from test_case_fast_read import hostile_texts, shape

AS_OF = "2007-03-04"


def strict(line: str | bytes, as_of: str | None) -> Any:
    try:
        case, day = split_item(parse_line(line), as_of)
        return ("read", shape(parse_case(case)), day)
    except SenRulesError as exc:
        return ("refused", exc.code, str(exc))


def fast(line: str | bytes, as_of: str | None) -> Any:
    try:
        case, day = read_line(line, as_of)
        return ("read", shape(parse_case(case)), day)
    except SenRulesError as exc:
        return ("refused", exc.code, str(exc))


def test_generated_lines_are_read_in_one_pass() -> None:
    for line in generate_lines(200, seed=5):
        for given_ in (line, line.encode()):
            quick = read_line_fast(given_, None)
            assert quick is not None
            assert fast(given_, None) == strict(given_, None)
        bare = json.dumps(json.loads(line)["case"])
        assert read_line_fast(bare, AS_OF) is not None
        assert read_line_fast(bare, None) is None  # no date: the strict way says so
        assert fast(bare, AS_OF) == strict(bare, AS_OF)
        assert fast(bare, None) == strict(bare, None)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(hostile_texts(lines=True))
def test_hostile_lines_get_the_strict_answer(line: str | bytes) -> None:
    for as_of in (AS_OF, None):
        assert fast(line, as_of) == strict(line, as_of)


def test_a_result_written_is_the_json_of_its_dict() -> None:
    lines = list(generate_lines(60, seed=8)) + ["{broken", '{"case": {"child": {}}}']
    results = list(evaluate_many(lines, rulebase=_rulebase(), as_of=date(2008, 1, 1)))
    assert any(r.error for r in results) and any(r.ok for r in results)
    for result in results:
        assert result.to_json() == dumps(result.to_dict(), indent=None)
        assert result.to_json(0) == dumps(result.to_dict(0), indent=None)
    written = list(evaluate_many_written(lines, rulebase=_rulebase(), as_of=date(2008, 1, 1)))
    assert [w.line for w in written] == [r.to_json() for r in results]
    assert [(w.index, w.error and w.error.code) for w in written] == [
        (r.index, r.error and r.error.code) for r in results]
    failed = BatchResult(3, None, results[-1].error)
    assert failed.to_json() == dumps(failed.to_dict(), indent=None)


def test_written_results_are_the_same_with_workers() -> None:
    lines = list(generate_lines(150, seed=9)) + ["[1]"]
    one = [w.line for w in evaluate_many_written(lines, rulebase=_rulebase())]
    two = [w.line for w in evaluate_many_written(lines, rulebase=_rulebase(), workers=2,
                                                 chunk_size=16)]
    assert one == two


def _rulebase() -> Rulebase:
    return sen_rules.bundled_rulebase()
