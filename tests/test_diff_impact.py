"""sen-rules diff evaluates only the areas a change can affect, and reports exactly what
evaluating every area under both rulebases reports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import sen_rules
from sen_rules.authoring.diff import diff, read_corpus
from sen_rules.authoring.generate import generate_lines
from sen_rules.authoring.impact import changed_areas, needed_areas
from sen_rules.engine.service import evaluate_case

RULES = Path(__file__).parent.parent / "rules"


EDITS: dict[str, tuple[str, str, str, frozenset[str]]] = {
    # name: (file, pattern, replacement (once), the areas the edit can affect)
    "a setting one area reads": (
        "settings.yaml", r"(- name: complex_needs_funding_level\n(?:    .*\n)*?    value: )3\n",
        r"\g<1>4\n", frozenset({"complex_needs_panel"})),
    "an area others use": (
        "areas/cessation.yaml", r"cessation\.criteria_no_longer_met_on - 1 day",
        "cessation.criteria_no_longer_met_on",
        frozenset({"cessation", "sen_stage", "annual_review", "transport"})),
    "an area's title only": (
        "areas/transport.yaml", r"title: Home to school transport",
        "title: Home to school travel", frozenset({"transport"})),
    "a comment that moves every line": (
        "areas/placement.yaml", r"area: placement", "# said again\n#\narea: placement",
        frozenset()),
}


def edited(tmp_path: Path, name: str) -> Path:
    """A copy of the bundled rules with the edit ``name`` made."""
    file, pattern, replacement, _ = EDITS[name]
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / file
    text, n = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1)
    assert n == 1, pattern
    path.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "cases.jsonl"
    path.write_text("\n".join(generate_lines(400, seed=23)) + "\n{broken\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(EDITS))
def test_the_areas_a_change_can_affect(tmp_path: Path, name: str) -> None:
    rules, expected = edited(tmp_path, name), EDITS[name][3]
    old, new = sen_rules.bundled_rulebase(), sen_rules.load_rulebase(rules)
    assert changed_areas(old, new) == expected
    assert changed_areas(new, old) == expected


@pytest.mark.parametrize("name", list(EDITS))
def test_the_report_is_the_one_every_area_gives(tmp_path: Path, corpus: Path,
                                                name: str) -> None:
    rules = edited(tmp_path, name)
    old, new = sen_rules.bundled_rulebase(), sen_rules.load_rulebase(rules)
    some = diff(old, new, read_corpus(corpus), as_of="2008-01-01")
    every = diff(old, new, read_corpus(corpus), as_of="2008-01-01", only_changed=False)
    assert some.to_dict() == every.to_dict()
    assert some.unreadable
    # the edits to what is decided change decisions in the corpus; the others change none
    assert (some.changed > 0) == (name in ("a setting one area reads", "an area others use"))


def test_an_area_only_one_side_has_is_a_change(tmp_path: Path) -> None:
    rules = tmp_path / "fewer"
    shutil.copytree(RULES, rules)
    manifest = rules / "rulebase.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "areas/assessment-timescale.yaml" in text
    manifest.write_text("".join(line for line in text.splitlines(keepends=True)
                                if "assessment-timescale" not in line), encoding="utf-8")
    old, new = sen_rules.bundled_rulebase(), sen_rules.load_rulebase(rules)
    assert changed_areas(old, new) == {"assessment_timescale"}


def test_the_areas_evaluated_hold_every_decision_they_use() -> None:
    rb = sen_rules.bundled_rulebase()
    assert needed_areas(rb, frozenset({"transport"})) == {"transport", "cessation"}
    assert needed_areas(rb, frozenset()) == frozenset()
    with pytest.raises(ValueError, match="cessation"):
        evaluate_case(rb, _example(), "2009-01-05", areas=frozenset({"transport"}))


def _example() -> str:
    return (RULES.parent / "examples" / "cases" / "annual-review-transition.json").read_text(
        encoding="utf-8")


@pytest.mark.parametrize("backend", ["native", "durable"])
def test_some_areas_decide_as_in_the_whole_evaluation(backend: str) -> None:
    if backend == "durable":
        pytest.importorskip("durable")
    rb = sen_rules.bundled_rulebase()
    whole = evaluate_case(rb, _example(), "2009-01-05", backend)
    areas = frozenset({"transport", "cessation"})
    part = evaluate_case(rb, _example(), "2009-01-05", backend, areas)
    assert {d.topic for d in part.decisions} | {n.topic for n in part.not_applicable} == areas
    for topic in areas:
        assert part.decision(topic) == whole.decision(topic)
