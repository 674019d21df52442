"""Fuzzing: random and mutated cases and rule files get a documented error or a right answer.

Never another exception, never a hang, never a partial result. Example counts are set by
SEN_RULES_FUZZ_EXAMPLES (default 80 per test).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sen_rules
from sen_rules import CaseError, EvaluationError, RulebaseError
from sen_rules.testing.strategies import evaluation_inputs

EXAMPLES = int(os.environ.get("SEN_RULES_FUZZ_EXAMPLES", "80"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
RULES = Path(__file__).resolve().parent.parent / "rules"

ODD_TEXT = st.sampled_from([
    "__import__('os').system('id')", "{0.__class__.__mro__}", "%s%s%n", "${jndi:x}",
    "\u202e\u0000\ufeff", "𝔖𝔈𝔑", "a" * 5000, "' or 1=1 --", "<script>x</script>", "NaN",
    "1e309", "-0", "\\u0000", "\ud7ff", "null"])
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                      st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
                      ODD_TEXT)
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=10)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(paths(v, prefix + (k,)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(paths(v, prefix + (i,)))
    return found


@st.composite
def mutated_cases(draw: st.DrawFn) -> tuple[Any, date]:
    data, as_of = draw(evaluation_inputs())
    for _ in range(draw(st.integers(1, 3))):
        targets = paths(data)
        target = draw(st.sampled_from(targets))
        action = draw(st.sampled_from(["replace", "delete", "add", "nest"]))
        if not target:
            if action == "replace":
                data = draw(JSON_VALUE)
            continue
        parent: Any = data
        for part in target[:-1]:
            parent = parent[part]
        last = target[-1]
        if action == "replace":
            parent[last] = draw(JSON_VALUE)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(JSON_VALUE)
        else:
            deep: Any = parent[last]
            for _ in range(draw(st.integers(1, 200))):
                deep = [deep]
            parent[last] = deep
    return data, as_of


def check_case(data: Any, as_of: date | str) -> None:
    results = []
    for backend in sen_rules.BACKENDS:
        try:
            results.append(sen_rules.evaluate(data, as_of=as_of, backend=backend).to_json())
        except CaseError as exc:
            assert exc.code in ("SR200", "SR201", "SR202") and exc.problems
            results.append("CaseError")
    assert results[0] == results[1]  # the same verdict on both backends, never partial


@FUZZ
@given(mutated_cases())
def test_mutated_cases(inputs: tuple[Any, date]) -> None:
    data, as_of = inputs
    check_case(data, as_of)
    check_case(json.dumps(data), as_of)


@FUZZ
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), JSON_VALUE),
       st.one_of(st.dates().map(date.isoformat), st.text(max_size=12)))
def test_random_input(data: Any, as_of: str) -> None:
    for backend in sen_rules.BACKENDS:
        try:
            sen_rules.evaluate(data, as_of=as_of, backend=backend)
        except CaseError as exc:
            assert exc.problems


def test_huge_and_deep_cases_are_refused_quickly() -> None:
    with pytest.raises(CaseError, match="larger than"):
        sen_rules.evaluate("[" * 2_000_000, as_of="2010-01-01")
    deep = '{"child": ' * 5000 + "1" + "}" * 5000
    with pytest.raises(CaseError):
        sen_rules.evaluate(deep, as_of="2010-01-01")
    with pytest.raises(CaseError):
        sen_rules.evaluate({"child": {"id": "A", "date_of_birth": "2000-01-01"},
                            "disputes": [{"party": "parent", "resolved": 10**400}]},
                           as_of="2010-01-01")


# ---------------------------------------------------------------------------- rule files

HOSTILE = st.sampled_from([
    "__import__('os').system('touch /tmp/pwned')", "child.__class__", "child.id.__len__()",
    "{0.__class__}", "eval('1')", "exec", "lambda: 1", "().__class__.__bases__[0]",
    "settings.__dict__", "open('/etc/passwd')", "1 if 1 else 2", "x[0]", "f'{1}'",
    "9" * 400, "1e308", "not " * 500 + "true", "(" * 500, "a or " * 2000 + "a",
    "\u202e\u0000", "‘quote’", "as_of + 1000 years + 1000 years", "statement.made_on - 99 years",
])
YAML_ATTACKS = st.sampled_from([
    "a: &a [x,x,x]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n",
    "!!python/object/apply:os.system ['id']\n",
    "x: " + "[" * 300 + "]" * 300 + "\n",
    "x: !!binary aGVsbG8=\n",
    "rules:\n" + "  - id: x\n" * 3,
    "\t- tab\n", "? [a]\n: b\n", "%YAML 1.1\n---\na: 1\n...\n---\nb: 2\n",
])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "rules"
    shutil.copytree(RULES, target)
    return target


def load_or_refuse(directory: Path) -> None:
    try:
        rulebase = sen_rules.load_rulebase(directory)
    except RulebaseError as exc:
        assert exc.diagnostics and all(d.code.startswith("SR") for d in exc.diagnostics)
        return
    case = {"child": {"id": "F1", "date_of_birth": "2005-01-01"},
            "statement": {"made_on": "2008-01-01"}}
    for backend in sen_rules.BACKENDS:
        with contextlib.suppress(EvaluationError, CaseError):
            sen_rules.evaluate(case, as_of="2012-01-01", rulebase=rulebase, backend=backend)


@FUZZ
@given(st.data())
def test_mutated_rule_files(scratch: Path, data: st.DataObject) -> None:
    area = data.draw(st.sampled_from(sorted((RULES / "areas").glob("*.yaml"))))
    original = area.read_text(encoding="utf-8")
    text = original
    kind = data.draw(st.sampled_from(["condition", "insert", "delete", "replace-file"]))
    if kind == "condition" and "when: " in text:
        starts = [i for i in range(len(text)) if text.startswith("when: ", i)]
        at = data.draw(st.sampled_from(starts)) + len("when: ")
        end = text.find("\n", at)
        payload = data.draw(st.one_of(HOSTILE, st.text(max_size=40)))
        text = text[:at] + json.dumps(payload) + text[end:]
    elif kind == "insert":
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(st.one_of(st.text(max_size=30), YAML_ATTACKS)) + text[at:]
    elif kind == "delete":
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + text[at + data.draw(st.integers(1, 200)):]
    else:
        text = data.draw(YAML_ATTACKS)
    target = scratch / "areas" / area.name
    try:
        target.write_text(text, encoding="utf-8")
        load_or_refuse(scratch)
    finally:
        target.write_text(original, encoding="utf-8")
    assert not Path("/tmp/pwned").exists()
