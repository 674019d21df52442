"""Markdown decision reports: decisions, clauses quoted in full, facts, why not, what would
change the outcome; deterministic; and the example report in examples/reports is current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sen_rules.case import iter_dates, parse_case
from sen_rules.cli import main
from sen_rules.explain import Explanation, explain
from sen_rules.reports.markdown import esc, markdown_report
from sen_rules.rulebase import Rulebase
from sen_rules.sources import fold

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "cases"
REPORTS = ROOT / "examples" / "reports"
# the example report: (case, as_of); regenerate with the command in the failure message
EXAMPLE_REPORT = ("school-referral-without-action", "2006-06-01")


def plain(md: str) -> str:
    """Markdown back to its words: escapes and bold markers removed, whitespace folded."""
    text = md.replace("**", "")
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"^> ?", "", text, flags=re.M)
    return fold(text)


def check_report(x: Explanation, md: str, rulebase: Rulebase) -> None:
    words = plain(md)
    for d in x.evaluation.decisions:
        assert f"{esc(d.title)}: {esc(d.outcome_label)}" in md
        for ref in d.rules:
            if ref.role in ("check", "criterion"):
                continue
            for c in ref.citations:
                clause = rulebase.sources[c.source].clauses[c.clause]
                assert fold(clause.text) in words, (ref.id, c.clause)  # quoted in full
                assert f"**{esc(fold(c.quote)).strip()}" in md or fold(c.quote) in plain(
                    " ".join(re.findall(r"\*\*(.+?)\*\*", md)))  # the quote is marked
        for f in d.flags:
            assert f"`{f.code}`" in md
    for cf in x.counterfactuals:
        assert esc(cf.text) in md
    for at in x.trace.areas:
        if not at.applies:
            continue
        for rt in at.rules:
            if not rt.fired and rt.rule is not at.area.otherwise:
                assert f"`{rt.rule.id}` ({rt.rule.effect})" in md


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_example_has_a_full_markdown_report(name: str, rulebase: Rulebase) -> None:
    text = (EXAMPLES / name).read_text()
    as_of = max(d for _, d in iter_dates(parse_case(text)))
    x = explain(text, as_of=as_of)
    md = markdown_report(x)
    check_report(x, md, rulebase)
    assert md == markdown_report(explain(text, as_of=as_of))  # deterministic


def test_the_report_names_facts_and_reasons(rulebase: Rulebase) -> None:
    text = (EXAMPLES / "school-referral-without-action.json").read_text()
    md = markdown_report(explain(text, as_of="2006-06-01"))
    assert "| `assessment_request.route` | \"school\" |" in md
    assert "| `sen_support[0].outside_advice_sought` | no |" in md
    assert "### Rules that did not apply" in md
    assert ('- `routing.notification` (outcome) — Health and Social Services notifications go to '
            "the Early Years Panel") in md
    assert "**FLAG** `action-not-on-record`" in md
    assert "an added sen support entry" in md  # what would clear the flag
    # the full clause, with the quoted sentence in bold inside it
    assert ("> · school referral to Pre Assessment Panel. **School (or other education provider)"
            " referral will follow attempts") in md


def test_markdown_escaping_keeps_words_readable() -> None:
    assert esc("school_action_plus") == "school_action_plus"
    assert esc("_x_ *y* [z] <b> a|b #c") == r"\_x\_ \*y\* \[z\] \<b\> a\|b \#c"


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = EXAMPLES / "school-action.json"
    out = tmp_path / "report.md"
    assert main(["report", str(case), "--as-of", "2010-01-15", "--format", "md",
                 "--out", str(out)]) == 0
    assert out.read_text() == markdown_report(explain(case.read_text(), as_of="2010-01-15"))
    assert main(["report", str(case), "--as-of", "2010-01-15"]) == 0
    assert capsys.readouterr().out.startswith("# Decision report: case HK-1998-0571")
    assert main(["report", str(tmp_path / "nothing.json"), "--as-of", "2010-01-15"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["report", str(case), "--as-of", "2009-01-01"]) == 2  # facts after as_of
    err = capsys.readouterr().err
    assert err.startswith("sen-rules: error SR201") and err.count("\n") == 1


@pytest.mark.durable
def test_explain_command_with_the_durable_backend(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    case = EXAMPLES / "school-referral-without-action.json"
    assert main(["explain", str(case), "--as-of", "2006-06-01", "--format", "json",
                 "--backend", "durable", "--no-counterfactuals"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backend"] == "durable" and data["counterfactuals"] == []


def test_explain_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    case = EXAMPLES / "school-referral-without-action.json"
    assert main(["explain", str(case), "--as-of", "2006-06-01", "--full"]) == 0
    out = capsys.readouterr().out
    assert "✓ routing.school-or-parent" in out and "what would change it:" in out
    assert main(["explain", str(case), "--as-of", "2006-06-01", "--format", "json",
                 "--no-counterfactuals"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backend"] == "native" and data["counterfactuals"] == []
    with pytest.raises(SystemExit) as stop:  # argparse refuses an unknown backend
        main(["explain", str(case), "--as-of", "2006-06-01", "--backend", "drools"])
    assert stop.value.code == 2
    assert main(["explain", str(case), "--as-of", "2005-01-01"]) == 2  # facts after as_of
    assert "SR201" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_example_report_is_up_to_date(fmt: str) -> None:
    name, as_of = EXAMPLE_REPORT
    from sen_rules.reports.html import html_report

    x = explain((EXAMPLES / f"{name}.json").read_text(), as_of=as_of)
    expected = markdown_report(x) if fmt == "md" else html_report(x)
    path = REPORTS / f"{name}.{fmt}"
    command = (f"sen-rules report examples/cases/{name}.json --as-of {as_of} --format {fmt} "
               f"--out examples/reports/{name}.{fmt}")
    assert path.is_file(), f"missing {path}; write it with: {command}"
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path} is out of date (the rules or the report changed); regenerate it with: "
        f"{command}")
