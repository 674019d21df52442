"""Effective dates end to end: versions of a rule and of a setting, chosen by a date.

tests/data/effective/ holds a rule in two versions (the second from 1 January 2010) and a
setting whose value changed on 1 July 2008, copied over the small rulebase. The versions of
funding.yaml are chosen by the evaluation date (the default); those of funding-dated.yaml by
a date in the case, the date of the request for assessment.
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
from sen_rules.engine.batch import evaluation_from_json
from sen_rules.errors import Diagnostic, RulebaseError
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


def test_the_bundled_secure_unit_rule_is_chosen_by_the_date_of_the_placement() -> None:
    rulebase = sen_rules.bundled_rulebase()
    versions = [r for r in rulebase.rules if r.id == "cessation.placed-under-order"]
    assert [r.dated_by.source if r.dated_by else None for r in versions] == [
        "cessation.placed_under_order.placed_on"] * 2
    data = json.loads((Path(__file__).parent.parent / "rules" / "scenarios" / "cases"
                       / "cessation-secure-unit.json").read_text(encoding="utf-8"))
    refs = {}
    for placed_on, day in (("2010-05-10", "2010-08-31"), ("2010-05-10", "2010-09-01"),
                           ("2010-10-04", "2010-10-04")):
        data["cessation"]["placed_under_order"]["placed_on"] = placed_on
        data["education"]["since"] = placed_on
        result = json.loads(sen_rules.evaluate(data, as_of=day, rulebase=rulebase).to_json())
        (decision,) = [d for d in result["decisions"] if d["topic"] == "cessation"]
        refs[day] = (decision["outcome"], [(r["id"], r["version"], r.get("in_force"))
                                           for r in decision["rules"] if r["role"] == "outcome"])
    v1 = ("cessation.placed-under-order", "1", {"from": None, "until": "2010-08-31"})
    assert refs["2010-08-31"] == ("cease", [v1])
    assert refs["2010-09-01"] == ("cease", [v1])  # the law on the date of the placement
    assert refs["2010-10-04"] == ("maintain", [("cessation.placed-under-order", "2",
                                                {"from": "2010-09-01", "until": None})])


# ---------------------------------------------------------------------------- by an event


@pytest.fixture(scope="module")
def dated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("dated") / "rules"
    shutil.copytree(DATA / "minirules", directory)
    shutil.copyfile(DATA / "effective" / "funding-dated.yaml",
                    directory / "areas" / "funding.yaml")
    shutil.copyfile(DATA / "effective" / "settings.yaml", directory / "settings.yaml")
    return directory


@pytest.fixture(scope="module")
def dated(dated_dir: Path) -> Rulebase:
    return sen_rules.load_rulebase(dated_dir)


def requested(level: int, requested_on: str | None) -> dict[str, Any]:
    data = case(level)
    if requested_on is not None:
        data["assessment_request"] = {"route": "parent", "requested_on": requested_on}
    return data


def dated_decision(rulebase: Rulebase, data: dict[str, Any], day: str,
                   backend: str = "native") -> dict[str, Any]:
    result = sen_rules.evaluate(data, as_of=day, rulebase=rulebase, backend=backend)
    (decision,) = [d for d in json.loads(result.to_json())["decisions"]
                   if d["topic"] == "funding_panel"]
    return decision  # type: ignore[no-any-return]


@pytest.mark.parametrize("backend", ["native", "durable"])
@pytest.mark.parametrize(("requested_on", "day", "outcome", "version"), [
    ("2009-12-31", "2009-12-31", "refer", "1"),
    ("2009-12-31", "2011-06-01", "refer", "1"),  # evaluated later: the request still decides
    ("2010-01-01", "2010-01-01", "no_referral", "2"),
    ("2010-01-01", "2011-06-01", "no_referral", "2"),
])
def test_the_date_of_the_event_chooses_the_version(dated: Rulebase, backend: str,
                                                   requested_on: str, day: str, outcome: str,
                                                   version: str) -> None:
    if backend == "durable":
        pytest.importorskip("durable")
    at_three = dated_decision(dated, requested(3, requested_on), day, backend)
    assert at_three["outcome"] == outcome
    at_five = dated_decision(dated, requested(5, requested_on), day, backend)
    (ref,) = [r for r in at_five["rules"] if r["role"] == "outcome"]
    assert (ref["id"], ref["version"]) == ("funding.level", version)
    span = "on or before 2009-12-31" if version == "1" else "on or after 2010-01-01"
    assert ref["version_chosen_by"] == {
        "dated_by": "assessment_request.requested_on", "date": requested_on,
        "reason": f"version {version} applies because the date of the request for assessment "
                  f"is {requested_on}, {span}"}


def test_without_the_date_no_version_applies(dated: Rulebase) -> None:
    decision = dated_decision(dated, requested(5, None), "2011-06-01")
    assert decision["outcome"] == "no_referral"
    assert [r["id"] for r in decision["rules"] if r["role"] != "note"] == ["funding.none"]


def test_a_rule_dated_by_an_event_does_not_cut_epochs(dated: Rulebase) -> None:
    assert dated.epoch(date(2009, 12, 31)) is dated.epoch(date(2010, 1, 1))
    assert {"funding.level", "funding.level@2"} <= dated.epoch(date(2009, 1, 1)).rule_keys
    assert dated.epoch(date(2008, 6, 30)) is not dated.epoch(date(2008, 7, 1))  # the setting


def test_both_backends_agree_byte_for_byte_on_event_dated_versions(dated: Rulebase) -> None:
    pytest.importorskip("durable")
    for requested_on in ("2009-12-30", "2009-12-31", "2010-01-01", "2010-01-02", None):
        for level in (2, 3, 4, 5):
            data = requested(level, requested_on)
            native = sen_rules.evaluate(data, as_of="2010-02-01", rulebase=dated)
            durable = sen_rules.evaluate(data, as_of="2010-02-01", rulebase=dated,
                                         backend="durable")
            assert native.to_json() == durable.to_json()
            assert evaluation_from_json(native.to_json()).to_json() == native.to_json()


def test_the_evaluation_date_is_named_when_it_chooses(rulebase: Rulebase) -> None:
    (ref,) = [r for r in deciding(rulebase, 4, "2010-01-01")["rules"] if r["role"] == "outcome"]
    assert ref["version_chosen_by"] == {
        "dated_by": "as_of", "date": "2010-01-01",
        "reason": "version 2 applies because the evaluation date is 2010-01-01, "
                  "on or after 2010-01-01"}


def test_the_explanation_shows_the_version_guard(dated: Rulebase) -> None:
    explanation = sen_rules.explain_case(requested(5, "2010-03-01"), as_of="2010-06-01",
                                         rulebase=dated)
    text = json.dumps(explanation.to_dict())
    assert "assessment_request.requested_on >= 2010-01-01" in text
    assert "version 2 applies because the date of the request for assessment" in text


def _load_errors(dated_dir: Path, tmp_path: Path, old: str, new: str) -> list[Diagnostic]:
    directory = tmp_path / "rules"
    shutil.copytree(dated_dir, directory)
    path = directory / "areas" / "funding.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulebaseError) as info:
        sen_rules.load_rulebase(directory)
    return [d for d in info.value.diagnostics if d.severity == "error"]


@pytest.mark.parametrize(("old", "new", "code", "words"), [
    ("dated_by: assessment_request.requested_on", "dated_by: proposed_placement.funding_level",
     "SR145", "must be a date of the case"),
    ("      dated_by: assessment_request.requested_on\n", "",
     "SR145", "give that date as 'dated_by'"),
    ("dated_by: assessment_request.requested_on", "dated_by: latest(as_of, child.date_of_birth)",
     "SR146", "not one that depends on the evaluation date"),
    ("dated_by: assessment_request.requested_on", "dated_by: assessment_request.requested",
     "SR111", "requested"),
    ("dated_by: assessment_request.requested_on", "dated_by: assessment_request.requested_on +",
     "SR110", "syntax"),
])
def test_bad_dating_is_refused_with_its_place(dated_dir: Path, tmp_path: Path, old: str, new: str,
                                              code: str, words: str) -> None:
    errors = _load_errors(dated_dir, tmp_path, old, new)
    found = [d for d in errors if d.code == code]
    assert found, [str(d) for d in errors]
    assert words in found[0].message
    assert found[0].location is not None and found[0].location.line in range(15, 22)


def test_versions_of_one_rule_must_be_dated_the_same_way(dated_dir: Path,
                                                          tmp_path: Path) -> None:
    errors = _load_errors(dated_dir, tmp_path, """      from: 2010-01-01
      dated_by: assessment_request.requested_on
      date_of: the request for assessment
""", "      from: 2010-01-01\n")
    (error,) = [d for d in errors if d.code == "SR147"]
    assert "version '1' is dated by 'dated_by: assessment_request.requested_on', version '2' " \
           "by the evaluation date" in error.message
    assert error.location is not None and error.location.line == 33  # its in_force


def test_overlapping_event_dated_versions_are_still_an_error(dated_dir: Path,
                                                              tmp_path: Path) -> None:
    directory = tmp_path / "rules"
    shutil.copytree(dated_dir, directory)
    path = directory / "areas" / "funding.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("from: 2010-01-01",
                                                             "from: 2009-06-01"),
                    encoding="utf-8")
    report = lint(directory, search=False)
    (finding,) = [f for f in report.findings if f.diagnostic.code == "SR157"]
    assert "both in force on 2009-06-01" in finding.diagnostic.message
