"""Effective dates end to end: versions of a rule and of a setting, chosen by the date.

tests/data/effective/ holds a rule in two versions (the second from 1 January 2010) and a
setting whose value changed on 1 July 2008, copied over the small rulebase.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.authoring.lint import lint
from sen_rules.authoring.scenarios import load_scenarios, run_scenarios
from sen_rules.rulebase import Rulebase

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def effective(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("effective") / "rules"
    shutil.copytree(DATA / "minirules", directory)
    shutil.copyfile(DATA / "effective" / "funding.yaml", directory / "areas" / "funding.yaml")
    shutil.copyfile(DATA / "effective" / "settings.yaml", directory / "settings.yaml")
    return directory


@pytest.fixture(scope="module")
def rulebase(effective: Path) -> Rulebase:
    return sen_rules.load_rulebase(effective)


def case(level: int) -> dict[str, Any]:
    return {"child": {"id": "E1", "date_of_birth": "2000-03-01"},
            "proposed_placement": {"id": "P1", "name": "Oak", "provision": "mainstream_school",
                                   "funding_level": level},
            "views": {"parents": {"summary": "Yes please."}}}


def deciding(rulebase: Rulebase, level: int, day: str, backend: str = "native"
             ) -> dict[str, Any]:
    result = sen_rules.evaluate(case(level), as_of=day, rulebase=rulebase, backend=backend)
    data = json.loads(result.to_json())
    (decision,) = [d for d in data["decisions"] if d["topic"] == "funding_panel"]
    return decision  # type: ignore[no-any-return]


def test_two_versions_of_one_rule_coexist(rulebase: Rulebase) -> None:
    versions = [r for r in rulebase.rules if r.id == "funding.level"]
    assert [(r.version, r.in_force.describe()) for r in versions] == [
        ("1", "until 2009-12-31"), ("2", "from 2010-01-01")]
    assert rulebase.rule("funding.level@2") is versions[1]


@pytest.mark.parametrize("backend", ["native", "durable"])
def test_the_version_in_force_on_the_date_decides_and_is_named(rulebase: Rulebase,
                                                                backend: str) -> None:
    if backend == "durable":
        pytest.importorskip("durable")
    before = deciding(rulebase, 3, "2009-12-31", backend)
    assert before["outcome"] == "refer"
    (ref,) = [r for r in before["rules"] if r["role"] == "outcome"]
    assert (ref["id"], ref["version"]) == ("funding.level", "1")
    assert ref["in_force"] == {"from": None, "until": "2009-12-31"}
    assert before["details"] == {"threshold": 3}

    after = deciding(rulebase, 3, "2010-01-01", backend)
    assert after["outcome"] == "no_referral"  # level 3 is below version 2's threshold
    at_four = deciding(rulebase, 4, "2010-01-01", backend)
    (ref,) = [r for r in at_four["rules"] if r["role"] == "outcome"]
    assert (ref["id"], ref["version"]) == ("funding.level", "2")
    assert ref["in_force"] == {"from": "2010-01-01", "until": None}
    assert at_four["details"] == {"threshold": 4}


def test_setting_versions_follow_the_date(rulebase: Rulebase) -> None:
    assert deciding(rulebase, 2, "2008-06-30")["outcome"] == "refer"  # threshold 2
    assert deciding(rulebase, 2, "2008-07-01")["outcome"] == "no_referral"  # threshold 3
    assert deciding(rulebase, 2, "2008-06-30")["details"] == {"threshold": 2}
    assert rulebase.epoch(date(2008, 6, 30)).settings["funding_threshold"] == 2
    assert rulebase.epoch(date(2008, 7, 1)).settings["funding_threshold"] == 3


def test_epochs_cut_at_every_boundary(rulebase: Rulebase) -> None:
    spans = []
    day = date(2008, 1, 1)
    while day <= date(2011, 1, 1):
        epoch = rulebase.epoch(day)
        spans.append((epoch.start, sorted(epoch.rule_keys)))
        if epoch.end >= date(2011, 1, 1):
            break
        day = date.fromordinal(epoch.end.toordinal() + 1)
    starts = [s for s, _ in spans]
    assert starts[1:] == [date(2008, 7, 1), date(2010, 1, 1)]
    assert "funding.level@2" not in rulebase.epoch(date(2009, 12, 31)).rule_keys
    assert "funding.level" not in rulebase.epoch(date(2010, 1, 1)).rule_keys


def test_both_backends_agree_on_either_side_of_every_boundary(rulebase: Rulebase) -> None:
    pytest.importorskip("durable")
    for day in ("2008-06-30", "2008-07-01", "2009-12-31", "2010-01-01"):
        for level in (1, 2, 3, 4, 5):
            native = sen_rules.evaluate(case(level), as_of=day, rulebase=rulebase)
            durable = sen_rules.evaluate(case(level), as_of=day, rulebase=rulebase,
                                         backend="durable")
            assert native.to_json() == durable.to_json()


def test_lint_accepts_versions_that_follow_one_another(effective: Path) -> None:
    report = lint(effective)
    assert report.ok, [f.text() for f in report.findings]
    assert not [f for f in report.findings if f.diagnostic.code == "SR157"]


def test_scenarios_cover_each_version_separately(effective: Path, rulebase: Rulebase) -> None:
    (effective / "scenarios").mkdir(exist_ok=True)
    (effective / "scenarios" / "versions.yaml").write_text("""
scenarios:
  - name: before 2010 the first version refers level 3
    as_of: 2009-12-31
    case:
      child: {id: E1, date_of_birth: 2000-03-01}
      proposed_placement: {id: P1, name: Oak, provision: mainstream_school, funding_level: 3}
    expect:
      funding_panel: {outcome: refer, rules: ["funding.level@1"]}
  - name: from 2010 the second version needs level 4
    as_of: 2010-01-01
    case:
      child: {id: E1, date_of_birth: 2000-03-01}
      proposed_placement: {id: P1, name: Oak, provision: mainstream_school, funding_level: 4}
    expect:
      funding_panel: {outcome: refer, rules: ["funding.level@2"]}
""", encoding="utf-8")
    scenarios, diags = load_scenarios(rulebase, [effective / "scenarios" / "versions.yaml"])
    assert diags == []
    results, coverage = run_scenarios(rulebase, scenarios)
    assert all(r.passed for r in results), [r.report() for r in results]
    assert {"funding.level", "funding.level@2"} <= set(coverage.fired)


def test_the_bundled_secure_unit_rule_changes_on_1_september_2010() -> None:
    rulebase = sen_rules.bundled_rulebase()
    versions = [r for r in rulebase.rules if r.id == "cessation.placed-under-order"]
    if len(versions) < 2:
        pytest.skip("the bundled rulebase has no versioned secure-unit rule")
    data = (Path(__file__).parent.parent / "rules" / "scenarios" / "cases"
            / "cessation-secure-unit.json").read_text(encoding="utf-8")
    refs = {}
    for day in ("2010-08-31", "2010-09-01"):
        result = json.loads(sen_rules.evaluate(data, as_of=day, rulebase=rulebase).to_json())
        (decision,) = [d for d in result["decisions"] if d["topic"] == "cessation"]
        refs[day] = (decision["outcome"], [(r["id"], r["version"], r.get("in_force"))
                                           for r in decision["rules"] if r["role"] == "outcome"])
    assert refs["2010-08-31"] == ("cease", [("cessation.placed-under-order", "1",
                                             {"from": None, "until": "2010-08-31"})])
    assert refs["2010-09-01"] == ("maintain", [("cessation.placed-under-order", "2",
                                                {"from": "2010-09-01", "until": None})])
