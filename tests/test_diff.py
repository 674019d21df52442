"""sen-rules generate-cases (deterministic, valid, varied) and sen-rules diff (impact)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.authoring.diff import diff, read_corpus
from sen_rules.authoring.generate import case_line, generate_lines
from sen_rules.cli import main

DATA = Path(__file__).parent / "data"
RULES = Path(__file__).parent.parent / "rules"


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return list(generate_lines(300, seed=11))


def test_generation_is_deterministic_for_a_seed(corpus: list[str]) -> None:
    again = list(generate_lines(40, seed=11))
    assert again == corpus[:40]
    assert list(generate_lines(40, seed=12)) != again
    assert case_line(11, 7) == corpus[7]


def test_generation_is_the_same_in_another_process_and_with_workers(corpus: list[str],
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    run = subprocess.run([sys.executable, "-m", "sen_rules", "generate-cases", "25", "--seed",
                          "11", "--out", str(out), "--workers", "2"], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8").splitlines() == corpus[:25]


def test_generated_cases_are_valid_and_varied(corpus: list[str]) -> None:
    rulebase = sen_rules.bundled_rulebase()
    outcomes: Counter[tuple[str, str]] = Counter()
    dates = set()
    for line in corpus:
        item = json.loads(line)
        assert set(item) == {"case", "as_of"}
        case = sen_rules.parse_case(item["case"])  # valid, or this raises
        result = sen_rules.evaluate(case, as_of=item["as_of"], rulebase=rulebase)
        outcomes.update((d.topic, d.outcome) for d in result.decisions)
        dates.add(item["as_of"])
    assert len(dates) > 150
    topics = {t for t, _ in outcomes}
    assert topics == {a.id for a in rulebase.areas}
    assert len(outcomes) >= 20, outcomes


def test_every_generated_case_passes_the_strict_model_on_its_date() -> None:
    from sen_rules.case import check_against_date

    for line in generate_lines(3000, seed=3):
        item = json.loads(line)
        check_against_date(sen_rules.parse_case(item["case"]), date.fromisoformat(item["as_of"]))


def test_generated_cases_lean_towards_the_boundaries(corpus: list[str]) -> None:
    """Dates near birthdays and leaving dates, 29 February, the local-distance threshold."""
    leap_days = thresholds = birthdays = 0
    for line in corpus:
        item = json.loads(line)
        leap_days += "-02-29" in line
        thresholds += any(c.get("distance_km") in (9.99, 10.0, 10.01)
                          for c in item["case"]["candidate_placements"])
        dob, as_of = item["case"]["child"]["date_of_birth"], item["as_of"]
        birthdays += abs(int(as_of[5:7] + as_of[8:]) - int(dob[5:7] + dob[8:])) <= 1
    assert leap_days > 10 and thresholds > 20 and birthdays > 30, (leap_days, thresholds,
                                                                  birthdays)


def test_author_tools_work_without_hypothesis(tmp_path: Path) -> None:
    """generate-cases and diff never import hypothesis (it comes with the test extra only)."""
    corpus = tmp_path / "c.jsonl"
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'hypothesis': raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from sen_rules.cli import main\n"
        f"assert main(['generate-cases', '40', '--seed', '2', '--out', {str(corpus)!r}]) == 0\n"
        f"assert main(['diff', {str(RULES)!r}, {str(RULES)!r}, '--cases', {str(corpus)!r},\n"
        "             '--format', 'json', '--out', '-']) == 0\n"
        "assert 'hypothesis' not in sys.modules\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["cases"] == 40


def test_diff_with_workers_gives_the_same_report(corpus: list[str], tmp_path: Path,
                                                level_4_rules: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(corpus[:120]) + "\n{broken\n", encoding="utf-8")
    old, new = sen_rules.bundled_rulebase(), sen_rules.load_rulebase(level_4_rules)
    one = diff(old, new, read_corpus(path))
    two = diff(old, new, read_corpus(path), workers=2)
    assert one.changed > 0 and one.unreadable
    assert one.to_dict() == two.to_dict()


def test_cli_writes_the_corpus(tmp_path: Path, corpus: list[str],
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate-cases", "5", "--seed", "11"]) == 0
    assert capsys.readouterr().out.splitlines() == corpus[:5]
    assert main(["generate-cases", "-1"]) == 2


def mini_rules(tmp_path: Path, threshold: int) -> Path:
    directory = tmp_path / f"rules-{threshold}"
    shutil.copytree(DATA / "minirules", directory)
    settings = directory / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "    value: 3\n", f"    value: {threshold}\n", 1), encoding="utf-8")
    return directory


def placement_case(n: int, level: int, provision: str = "mainstream_school") -> dict[str, Any]:
    return {"child": {"id": f"D{n}", "date_of_birth": "2000-04-03"},
            "proposed_placement": {"id": "P", "name": "Oak", "provision": provision,
                                   "funding_level": level}}


def test_diff_groups_changes_by_area_and_rule(tmp_path: Path) -> None:
    old, new = mini_rules(tmp_path, 3), mini_rules(tmp_path, 4)
    lines = [json.dumps({"case": placement_case(1, 3), "as_of": "2009-01-05"}),
             json.dumps({"case": placement_case(2, 4), "as_of": "2009-01-05"}),
             json.dumps({"case": placement_case(3, 3, "special_school"), "as_of": "2009-01-05"}),
             json.dumps(placement_case(4, 3)),  # uses --as-of
             "{not json",
             json.dumps({"case": {"child": {"id": "X"}}, "as_of": "2009-01-05"}),
             json.dumps({"case": placement_case(7, 2), "as_of": "2009-01-05"})]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = diff(sen_rules.load_rulebase(old), sen_rules.load_rulebase(new),
                  read_corpus(path), as_of="2009-02-01")
    assert report.cases == 7 and report.changed == 3
    assert report.unreadable and report.unreadable[0].startswith("cases.jsonl:5")
    assert report.invalid == {"SR200": 1}
    data = report.to_dict()
    (area,) = data["areas"]
    assert area["topic"] == "funding_panel" and area["changed"] == 3
    assert {"rule": "funding.level", "no_longer_deciding": 3, "now_deciding": 0} in area["rules"]
    changes = {(c["kind"], c["old"], c["new"], tuple(c["no_longer_deciding"]),
                tuple(c["now_deciding"])): c for c in area["changes"]}
    outcome = changes[("outcome", "refer", "no_referral", ("funding.level",), ("funding.none",))]
    assert outcome["count"] == 2
    assert [e["where"] for e in outcome["examples"]] == ["cases.jsonl:1", "cases.jsonl:4"]
    assert outcome["examples"][1]["as_of"] == "2009-02-01"
    same = changes[("rules", "refer", "refer", ("funding.level",), ("funding.special-school",))]
    assert same["count"] == 1 and same["examples"][0]["case_id"] == "D3"
    text = report.to_text()
    assert "funding_panel: 3 cases changed" in text
    assert "refer → no_referral: 2 cases" in text
    assert "no longer decided by funding.level; now by funding.none" in text


def test_no_change_no_report(tmp_path: Path) -> None:
    rules = mini_rules(tmp_path, 3)
    folder = tmp_path / "cases"
    folder.mkdir()
    for n in range(3):
        (folder / f"c{n}.json").write_text(json.dumps(
            {"case": placement_case(n, n + 1), "as_of": "2010-01-01"}), encoding="utf-8")
    rulebase = sen_rules.load_rulebase(rules)
    report = diff(rulebase, sen_rules.load_rulebase(rules), read_corpus(folder))
    assert report.cases == 3 and report.changed == 0 and not report.groups
    assert "no decision changed" in report.to_text()


def test_the_level_3_to_4_change_on_the_bundled_rules(corpus: list[str], tmp_path: Path,
                                                     level_4_rules: Path) -> None:
    new = level_4_rules
    old_rb = sen_rules.bundled_rulebase()
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(corpus) + "\n", encoding="utf-8")
    report = diff(old_rb, sen_rules.load_rulebase(new), read_corpus(path))
    # the only area that changes is the Complex Needs Panel, and only through the rule that
    # reads the threshold; independently: exactly the cases whose highest funding level is 3
    expected_changed = 0
    expected_outcome = 0
    for line in corpus:
        item = json.loads(line)
        result = sen_rules.evaluate(item["case"], as_of=item["as_of"], rulebase=old_rb)
        decision = result.decision("complex_needs_panel")
        if decision is None:
            continue
        rules = [r.id for r in decision.rules if r.role == "outcome"]
        case = item["case"]
        levels = [p.get("funding_level") for p in
                  ([case["proposed_placement"]] if "proposed_placement" in case else [])
                  + case.get("candidate_placements", [])]
        top = max((x for x in levels if x is not None), default=None)
        if "cnp.funding-level" in rules and top == 3:
            expected_changed += 1
            expected_outcome += rules == ["cnp.funding-level"]
    assert expected_changed > 5
    assert report.changed == expected_changed
    assert set(report.per_topic) == {"complex_needs_panel"}
    outcome_changes = sum(g.count for g in report.groups.values() if g.kind == "outcome")
    assert outcome_changes == expected_outcome
    assert all("cnp.funding-level" in g.dropped for g in report.groups.values())


def test_cli_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = mini_rules(tmp_path, 3), mini_rules(tmp_path, 4)
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"case": placement_case(1, 3), "as_of": "2009-01-05"}) + "\n",
                    encoding="utf-8")
    assert main(["diff", str(old), str(new), "--cases", str(path)]) == 0
    assert "1 cases evaluated; 1 (100.0%) have a changed decision" in capsys.readouterr().out
    assert main(["diff", str(old), str(new), "--cases", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == 1
    assert main(["diff", str(old), str(new), "--cases", str(tmp_path / "none.jsonl")]) == 2
