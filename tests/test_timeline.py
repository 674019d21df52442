"""Timelines: the decisions on every date where one changes, checked against every day.

The change points come from the compiled rules and the case, not from evaluating every day;
these tests evaluate every day of a bounded span on generated cases and on a small rulebase
with every kind of date comparison, and check the timeline found exactly the same dates and
decisions. Properties: a ceased Statement stays ceased, deadlines only pass once, and
decisions are constant between two change points.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sen_rules
from sen_rules.case import parse_case
from sen_rules.cli import main
from sen_rules.engine.service import evaluate_case
from sen_rules.rulebase import Rulebase
from sen_rules.testing.strategies import boundary_inputs, chain_inputs, evaluation_inputs
from sen_rules.timelines import build_timeline, decision_key
from sen_rules.timelines.points import candidate_days

ROOT = Path(__file__).parent.parent
CASES = ROOT / "examples" / "cases"
DATA = Path(__file__).parent / "data"
SETTINGS = settings(max_examples=6, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DAY = timedelta(days=1)
INPUTS = st.one_of(evaluation_inputs(), boundary_inputs())


def daily_changes(rulebase: Rulebase, case: Any, start: date, end: date
                  ) -> tuple[list[date], dict[date, dict[str, Any]]]:
    """The dates where the decisions change, by evaluating every day (the slow way)."""
    changes: list[date] = []
    keys: dict[date, dict[str, Any]] = {}
    before = None
    day = start
    while day <= end:
        key = decision_key(rulebase, evaluate_case(rulebase, case, day))
        if before is not None and key != before:
            changes.append(day)
            keys[day] = key
        before, day = key, day + DAY
    return changes, keys


def check_against_every_day(rulebase: Rulebase, case: Any, start: date, end: date) -> None:
    timeline = build_timeline(rulebase, case, start, end)
    changes, keys = daily_changes(rulebase, case, start, end)
    assert [p.date for p in timeline.points] == changes
    for point in timeline.points:
        assert decision_key(rulebase, point.evaluation) == keys[point.date]
    assert timeline.dates_evaluated <= timeline.days


@SETTINGS
@given(st.one_of(INPUTS, chain_inputs()))  # chain: ceasing the Statement is often due
def test_the_timeline_finds_every_change_that_daily_evaluation_finds(
        inputs: tuple[dict[str, Any], date]) -> None:
    data, as_of = inputs
    rulebase = sen_rules.bundled_rulebase()
    check_against_every_day(rulebase, parse_case(data), as_of, as_of + timedelta(days=1000))


@pytest.fixture(scope="module")
def dated_forms(tmp_path_factory: pytest.TempPathFactory) -> Rulebase:
    """The small rulebase with a rule for each form of date comparison the analysis solves
    (and one it has to scan day by day)."""
    directory = tmp_path_factory.mktemp("forms") / "rules"
    shutil.copytree(DATA / "minirules", directory)
    path = directory / "areas" / "funding.yaml"
    text = path.read_text(encoding="utf-8")
    forms = {
        "age": "age_on(child.date_of_birth, as_of) >= 7",
        "days-lived": "days_between(child.date_of_birth, as_of) >= 3000",
        "days-left": "days_between(as_of, birthday(child.date_of_birth, 9)) <= 40",
        "year-group": "year_group(child.date_of_birth, as_of) in [2, 4]",
        "latest": "latest(as_of, birthday(child.date_of_birth, 6)) > "
                  "birthday(child.date_of_birth, 8)",
        "plus-months": "as_of + 18 months >= birthday(child.date_of_birth, 10)",
        "leap-day": "is_leap_day(as_of)",
        "if-then": "(if of_compulsory_school_age then as_of else child.date_of_birth) "
                   "> birthday(child.date_of_birth, 7)",
    }
    rules = "".join(f"""  - id: funding.form-{name}
    title: A note when {name} holds
    when: {when}
    note: form-{name}
    details:
      age: age_on(child.date_of_birth, as_of)
      days_lived: days_between(child.date_of_birth, as_of)
    cites:
      - source: policy
        clause: funding.level
        quote: referred to the Panel
""" for name, when in forms.items())
    path.write_text(text.replace("otherwise:", rules + "otherwise:"), encoding="utf-8")
    return sen_rules.load_rulebase(directory)


@pytest.mark.parametrize("dob", ["2001-02-28", "2000-02-29", "2003-09-01", "2002-08-31"])
def test_every_form_of_date_comparison_against_every_day(dated_forms: Rulebase,
                                                         dob: str) -> None:
    data = {"child": {"id": "F1", "date_of_birth": dob}}
    start = date.fromisoformat(dob)
    check_against_every_day(dated_forms, data, start, start + timedelta(days=11 * 366))
    found = candidate_days(dated_forms, parse_case(data), start, start + timedelta(days=4000))
    assert found.scanned >= 1  # is_leap_day(as_of) is not monotone: scanned, still exact
    assert len(found.days) < 400


def test_the_bundled_rules_need_no_day_by_day_scan() -> None:
    rulebase = sen_rules.bundled_rulebase()
    assert rulebase.used_decisions  # some areas read other areas' decisions
    for path in sorted(CASES.glob("*.json")):
        case = parse_case(path.read_text(encoding="utf-8"))
        start = case._latest_date
        found = candidate_days(rulebase, case, start, start + timedelta(days=3652))
        assert (found.scanned, found.every_day) == (0, 0), path.name
        assert found.split >= 1, path.name  # "cease_from <= as_of", span by span
        assert len(found.days) < 100, path.name


@pytest.fixture(scope="module")
def chained(tmp_path_factory: pytest.TempPathFactory) -> Rulebase:
    """The small rulebase with a second area that reads the funding panel's decision: its
    outcome, a date detail moved by 18 months (a date no decision contains) and a detail
    that moves every day."""
    directory = tmp_path_factory.mktemp("chain") / "rules"
    shutil.copytree(DATA / "minirules", directory)
    cite = """    cites:
      - source: policy
        clause: funding.level
        quote: referred to the Panel
"""
    path = directory / "areas" / "funding.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("otherwise:", f"""  - id: funding.age
    title: A child of nine or over is referred
    when: age_on(child.date_of_birth, as_of) >= 9
    outcome: refer
    priority: 3
    details:
      panel_by: birthday(child.date_of_birth, 9)
      waited: days_between(birthday(child.date_of_birth, 9), as_of)
{cite}otherwise:"""), encoding="utf-8")
    (directory / "areas" / "follow-up.yaml").write_text(f"""area: follow_up
title: Following up a referral
summary: Whether a referral to the panel is followed up.
uses: [funding_panel]
applies_when: decisions.funding_panel.applies
hit_policy: first
outcomes:
  - value: follow_up
    label: Follow up the referral
  - value: wait
    label: Wait
rules:
  - id: follow-up.late
    title: A referral is followed up 18 months after the panel date
    when: >
      decisions.funding_panel.outcome = "refer"
      and decisions.funding_panel.panel_by + 18 months <= as_of
    outcome: follow_up
    details:
      since: decisions.funding_panel.panel_by
      waited: decisions.funding_panel.waited
{cite}  - id: follow-up.long-wait
    title: A long wait is noted
    when: decisions.funding_panel.waited >= 1000
    note: long-wait
{cite}otherwise:
  id: follow-up.wait
  title: Otherwise the referral waits
  outcome: wait
{cite[2:].replace(chr(10) + "  ", chr(10))}""", encoding="utf-8")
    manifest = directory / "rulebase.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "  - areas/funding.yaml\n", "  - areas/funding.yaml\n  - areas/follow-up.yaml\n"),
        encoding="utf-8")
    return sen_rules.load_rulebase(directory)


@pytest.mark.parametrize("dob", ["2000-02-29", "2001-06-30"])
def test_decisions_that_read_decisions_against_every_day(chained: Rulebase, dob: str) -> None:
    data = {"child": {"id": "C1", "date_of_birth": dob},
            "proposed_placement": {"id": "P1", "name": "Oak", "provision": "mainstream_school",
                                   "funding_level": 1}}
    start = date.fromisoformat(dob) + timedelta(days=8 * 365)
    end = start + timedelta(days=5 * 366)
    check_against_every_day(chained, data, start, end)
    timeline = build_timeline(chained, data, start, end)
    nine = date(date.fromisoformat(dob).year + 9, 3 if dob.endswith("02-29") else 6,
                1 if dob.endswith("02-29") else 30)
    late = [p.date for p in timeline.points
            if any(c.topic == "follow_up" and c.outcome == ("wait", "follow_up")
                   for c in p.changes)]
    assert late == [date(nine.year + 1, nine.month + 6, nine.day)]  # found by analysis
    found = candidate_days(chained, parse_case(data), start, end)
    assert found.split >= 1  # "panel_by + 18 months <= as_of", span by span
    assert found.scanned >= 1  # "waited >= 1000" moves every day: scanned, still exact
    assert found.every_day == 0


def _outcomes(timeline: sen_rules.Timeline, topic: str) -> list[str | None]:
    evaluations = [timeline.initial] + [p.evaluation for p in timeline.points]
    return [(d.outcome if (d := e.decision(topic)) else None) for e in evaluations]


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(INPUTS, st.integers(min_value=1, max_value=20 * 366))
def test_properties_of_timelines(inputs: tuple[dict[str, Any], date], span: int) -> None:
    data, as_of = inputs
    rulebase = sen_rules.bundled_rulebase()
    timeline = build_timeline(rulebase, data, as_of, as_of + timedelta(days=span))
    # a ceased Statement stays ceased (the case records no new Statement)
    cessation = _outcomes(timeline, "cessation")
    if "cease" in cessation:
        assert all(o == "cease" for o in cessation[cessation.index("cease"):]), cessation
    # deadlines pass only once: overdue never goes back without a new date in the case
    # (the review stops applying once the Statement is ceased, and does not come back)
    review = _outcomes(timeline, "annual_review")
    if "overdue" in review:
        after = review[review.index("overdue"):]
        stopped = after.index(None) if None in after else len(after)
        assert all(o == "overdue" for o in after[:stopped]), review
        assert all(o is None for o in after[stopped:]), review
    timescale = _outcomes(timeline, "assessment_timescale")
    if "final_statement_overdue" in timescale:
        after = timescale[timescale.index("final_statement_overdue"):]
        assert all(o == "final_statement_overdue" for o in after), timescale
    # dates are in order, each a real change
    dates = [p.date for p in timeline.points]
    assert dates == sorted(set(dates)) and all(as_of < d <= timeline.end for d in dates)
    assert all(p.changes for p in timeline.points)


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(INPUTS, st.lists(st.integers(min_value=0, max_value=4 * 366), min_size=1, max_size=8))
def test_decisions_are_constant_between_change_points(inputs: tuple[dict[str, Any], date],
                                                      offsets: list[int]) -> None:
    data, as_of = inputs
    rulebase = sen_rules.bundled_rulebase()
    timeline = build_timeline(rulebase, data, as_of, as_of + timedelta(days=4 * 366))
    probes = [as_of + timedelta(days=o) for o in offsets]
    probes += [p.date - DAY for p in timeline.points]  # the last day before each change
    for day in probes:
        assert decision_key(rulebase, evaluate_case(rulebase, data, day)) == \
            decision_key(rulebase, timeline.on(day)), day.isoformat()


def test_the_json_is_deterministic_and_the_same_on_both_backends() -> None:
    text = (CASES / "cessation-secure-unit.json").read_text(encoding="utf-8")
    native = sen_rules.timeline(text, "2010-05-10", "2015-05-10")
    again = sen_rules.timeline(json.loads(text), date(2010, 5, 10), date(2015, 5, 10))
    assert native.to_json() == again.to_json()
    pytest.importorskip("durable")
    durable = sen_rules.timeline(text, "2010-05-10", "2015-05-10", backend="durable")
    assert durable.to_json() == native.to_json()


def test_a_change_names_the_area_the_outcomes_and_the_rules() -> None:
    text = (CASES / "annual-review-transition.json").read_text(encoding="utf-8")
    data = json.loads(sen_rules.timeline(text, "2009-09-14", "2019-09-14").to_json())
    assert (data["from"], data["to"], data["days"]) == ("2009-09-14", "2019-09-14", 3653)
    assert {d["topic"] for d in data["start"]["decisions"]} >= {"annual_review", "cessation"}
    (review, ended) = [c for p in data["changes"] for c in p["changes"]
                       if c["topic"] == "annual_review"]
    assert review["outcome"] == {"before": "due_soon", "after": "overdue"}
    assert ended["outcome"] == {"before": "overdue", "after": None}  # ceased: no review
    assert review["rules"] == {"now": ["review.overdue"], "no_longer": ["review.due-soon"]}
    (ceased,) = [p for p in data["changes"]
                 if any(c["topic"] == "cessation" for c in p["changes"])]
    assert ceased["date"] == "2014-10-02"  # the 19th birthday
    (change,) = [c for c in ceased["changes"] if c["topic"] == "cessation"]
    assert change["outcome"] == {"before": "maintain", "after": "cease"}
    assert change["details"]["cease_from"] == {"before": None, "after": "2014-10-02"}
    assert "cessation.nineteenth-birthday" in change["rules"]["now"]
    assert next(d for d in ceased["decisions"] if d["topic"] == "cessation")["outcome"] == "cease"


@pytest.mark.parametrize(("level", "day"), [
    (2, date(2008, 7, 1)),  # the threshold setting rose from 2 to 3
    (3, date(2010, 1, 1)),  # version 2 of the rule needs level 4 (and on 2008-07-01 the
    # detail "threshold" of version 1 changed from 2 to 3: a change point too)
])
def test_a_law_change_is_a_change_point(tmp_path: Path, level: int, day: date) -> None:
    directory = tmp_path / "rules"
    shutil.copytree(DATA / "minirules", directory)
    shutil.copyfile(DATA / "effective" / "funding.yaml", directory / "areas" / "funding.yaml")
    shutil.copyfile(DATA / "effective" / "settings.yaml", directory / "settings.yaml")
    rulebase = sen_rules.load_rulebase(directory)
    data = {"child": {"id": "L1", "date_of_birth": "2000-03-01"},
            "proposed_placement": {"id": "P1", "name": "Oak", "provision": "mainstream_school",
                                   "funding_level": level}}
    timeline = build_timeline(rulebase, data, "2008-01-01", "2011-01-01")
    assert all(p.law_change for p in timeline.points)
    (point,) = [p for p in timeline.points if p.changes[0].outcome is not None]
    assert point.date == day
    (change,) = point.changes
    assert change.outcome == ("refer", "no_referral")
    assert change.rules == (("funding.none",), ("funding.level", "funding.parents-views"))
    assert change.flags == ((), ("parents-views-missing",))  # raised only with "refer"


def test_the_command_prints_the_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    case = str(CASES / "annual-review-transition.json")
    assert main(["timeline", case, "--from", "2009-09-14", "--to", "2015-01-01",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["date"] for p in data["changes"]] == ["2009-10-07", "2014-10-02"]
    assert main(["timeline", case, "--from", "2009-09-14", "--to", "2015-01-01"]) == 0
    out = capsys.readouterr().out
    assert "2009-10-07\n  annual_review: due_soon → overdue" in out
    assert "2014-10-02\n  annual_review: overdue → (does not apply)" in out  # ceased


@pytest.mark.parametrize(("start", "end", "code", "words"), [
    ("2014-01-01", "2013-01-01", "SR203", "'from' must not be after 'to'"),
    ("2010-01-01", "2013-01-01", "SR203", "start the timeline on or after 2010-05-10"),
    ("2010-02-30", "2013-01-01", "SR202", "the timeline's 'from' date"),
])
def test_bad_dates_are_refused(start: str, end: str, code: str, words: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    case = str(CASES / "cessation-secure-unit.json")
    assert main(["timeline", case, "--from", start, "--to", end]) == 2
    err = capsys.readouterr().err
    assert f"error {code}" in err and words in err


def test_a_moving_node_of_an_unknown_kind_makes_every_day_a_candidate() -> None:
    from dataclasses import dataclass

    from sen_rules.language import ir
    from sen_rules.language.types import BOOL, DATE
    from sen_rules.timelines.points import Candidates, _Piece

    @dataclass(frozen=True, slots=True, eq=False)
    class Unknown(ir.Expr):
        operand: ir.Expr

        def children(self) -> tuple[ir.Expr, ...]:
            return (self.operand,)

    rulebase = sen_rules.bundled_rulebase()
    start, end = date(2012, 1, 1), date(2012, 3, 1)
    found = Candidates()
    piece = _Piece(rulebase, rulebase.epoch(start), parse_case(
        {"child": {"id": "U1", "date_of_birth": "2001-01-01"}}), start, end, found)
    node = Unknown(type=BOOL, loc=None, source="?",
                   operand=ir.AsOf(type=DATE, loc=None, source="as_of"))
    assert piece.points(node, None, {}) == {start + DAY * i for i in range(1, 61)}
    assert found.every_day == 60
