"""The reasoning behind 'can never fire': sound (never claims unsat wrongly), and useful."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import sen_rules
from sen_rules.authoring.logic import Analyzer
from sen_rules.authoring.witness import CaseSearch, span_of
from sen_rules.engine.native import Matches
from sen_rules.rulebase import Rulebase

MINI = Path(__file__).parent / "data" / "minirules"

ATOMS = [
    "proposed_placement.funding_level >= {n}", "proposed_placement.funding_level <= {n}",
    "proposed_placement.funding_level = {n}", "proposed_placement.funding_level != {n}",
    "proposed_placement.funding_level < {n}", "proposed_placement.funding_level > {n}",
    "proposed_placement.funding_level is missing", "proposed_placement.funding_level is known",
    'proposed_placement.provision = "special_school"',
    'proposed_placement.provision = "mainstream_school"',
    'proposed_placement.provision in ["special_school", "resource_base"]',
    'proposed_placement.provision not in ["special_school", "mainstream_school"]',
    "proposed_placement.distance_km > 10.5", "proposed_placement.distance_km <= 10.5",
    "proposed_placement.peer_group_appropriate", "proposed_placement is missing",
    "significant_health_or_social_care_issues", "views.parents is missing",
    "views.parents.preferred_placement is known",
    "child.date_of_birth < 2000-01-01", "as_of > child.date_of_birth",
    "as_of < child.date_of_birth", 'setting.kind = "school"', 'setting.kind != "school"',
    "settings.funding_threshold > 2",
    "proposed_placement.funding_level >= settings.funding_threshold",
    "any c in candidate_placements where c.funding_level > 5",
    "count(c in candidate_placements) < 0", "count(c in candidate_placements) > 1",
]


def fires(key: str) -> Callable[[Matches], bool]:
    """Accept a witness only when the rule with this key fires on it."""
    return lambda matches: key in matches.rules


def condition(rng: random.Random, depth: int = 0) -> str:
    if depth >= 2 or rng.random() < 0.3:
        text = rng.choice(ATOMS).format(n=rng.randint(0, 6))
        return f"not ({text})" if rng.random() < 0.3 else text
    op = rng.choice(["and", "and", "or"])
    parts = [condition(rng, depth + 1) for _ in range(rng.randint(2, 3))]
    return "(" + f" {op} ".join(parts) + ")"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Rulebase, list[str]]:
    directory = tmp_path_factory.mktemp("logic") / "rules"
    shutil.copytree(MINI, directory)
    rng = random.Random(20240607)
    conditions = [condition(rng) for _ in range(80)]
    rules = "".join(
        f"""  - id: gen.r{i}
    title: Generated condition {i}
    when: '{text}'
    note: gen-{i}
    cites:
      - source: policy
        clause: funding.level
        quote: referred to the Panel
""" for i, text in enumerate(conditions))
    area = directory / "areas/funding.yaml"
    text = area.read_text(encoding="utf-8").replace("rules:\n", "rules:\n" + rules, 1)
    area.write_text(text, encoding="utf-8")
    return sen_rules.load_rulebase(directory), conditions


def test_unsat_verdicts_are_sound_and_there_are_some(generated: tuple[Rulebase, list[str]]
                                                     ) -> None:
    rulebase, _ = generated
    area = rulebase.areas[0]
    analyzer = Analyzer(rulebase, area.id)
    search = CaseSearch(rulebase, area, "soundness")
    unsat = possible = 0
    for rule in area.rules:
        if not rule.id.startswith("gen."):
            continue
        verdict = analyzer.analyse([area.applies_when, rule.condition])
        if verdict.status == "unsat":
            unsat += 1
            witness = search.search(span_of(), fires(rule.key), 150)
            assert witness is None, (rule.key, verdict.reason, witness.describe())
        elif verdict.status == "possible":
            possible += 1
    assert unsat >= 5 and possible >= 20, (unsat, possible)


def test_possible_verdicts_usually_come_with_a_real_witness(generated: tuple[Rulebase, list[str]]
                                                           ) -> None:
    rulebase, _ = generated
    area = rulebase.areas[0]
    analyzer = Analyzer(rulebase, area.id)
    search = CaseSearch(rulebase, area, "witnesses")
    found = tried = 0
    for rule in area.rules:
        if not rule.id.startswith("gen."):
            continue
        verdict = analyzer.analyse([area.applies_when, rule.condition])
        if verdict.status != "possible":
            continue
        tried += 1
        paths = {k: t.case_path for k, t in analyzer.terms.items() if t.case_path}
        witness = search.search(span_of(), fires(rule.key), 150,
                                verdict.models, paths)
        if witness is not None:
            found += 1
            evaluation = sen_rules.evaluate(witness.case, as_of=witness.as_of, rulebase=rulebase)
            decision = evaluation.decision(area.id)
            assert decision is not None
            assert rule.value in [n.code for n in decision.notes]
    assert found >= 0.8 * tried, (found, tried)


@pytest.mark.parametrize(("text", "status"), [
    ('not (setting.kind = "school") and not (setting.kind = "early_years") '
     'and not (setting.kind = "none") and not (setting.kind = "other_provider")', "unsat"),
    ('not (child.home_quadrant = "a") and not (child.home_quadrant = "b")', "possible"),
    ("statement is missing and statement.made_on is known", "unsat"),
    ("statement is missing and not (statement.made_on > 2000-01-01)", "possible"),
    ("assessment_request is known and assessment_request.route is missing", "unsat"),
    ("proposed_placement.distance_km > 3 and proposed_placement.distance_km < 3.5", "possible"),
    ("proposed_placement.distance_km > 3 and proposed_placement.distance_km < 3", "unsat"),
    ("as_of < child.date_of_birth and as_of > child.date_of_birth", "unsat"),
    ("as_of < child.date_of_birth or as_of > child.date_of_birth", "possible"),
    ("count(c in candidate_placements) < 0", "unsat"),
    ("any c in candidate_placements where (c.funding_level > 4 and c.funding_level < 5)", "unsat"),
    ("no c in candidate_placements where (c.funding_level > 4 and c.funding_level < 5)",
     "possible"),
    ("settings.funding_threshold = 7", "possible"),
])
def test_small_theories(tmp_path: Path, text: str, status: str) -> None:
    directory = tmp_path / "rules"
    shutil.copytree(MINI, directory)
    area = directory / "areas/funding.yaml"
    area.write_text(area.read_text(encoding="utf-8").replace("applies_when: proposed_placement is "
                                                             "known\n", ""), encoding="utf-8")
    area.write_text(area.read_text(encoding="utf-8").replace(
        "rules:\n", f"""rules:
  - id: probe
    title: Probe
    when: '{text}'
    note: probe
    cites:
      - source: policy
        clause: funding.level
        quote: referred to the Panel
""", 1), encoding="utf-8")
    rulebase = sen_rules.load_rulebase(directory)
    rule = rulebase.rule("probe")
    assert rule is not None
    verdict = Analyzer(rulebase, "funding_panel").analyse([rule.condition])
    assert verdict.status == status, verdict.reason
