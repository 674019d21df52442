"""The compact explanation JSON: deterministic, much smaller than the full form, holding
every decision, rule role, evaluated node and fact relied on, with what it leaves out read
back from the rulebase it names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.authoring.generate import generate_lines
from sen_rules.cli import main
from sen_rules.explain import Explanation, explain, rule_of
from sen_rules.language.printer import canonical
from sen_rules.rulebase import Rule, Rulebase

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cases" / \
    "school-referral-without-action.json"


@pytest.fixture(scope="module")
def rulebase() -> Rulebase:
    return sen_rules.bundled_rulebase()


@pytest.fixture(scope="module")
def explained(rulebase: Rulebase) -> list[Explanation]:
    out = []
    for line in generate_lines(40, 11):
        item = json.loads(line)
        out.append(explain(item["case"], as_of=date.fromisoformat(item["as_of"]),
                           rulebase=rulebase, counterfactuals=False))
    return out


def nodes(d: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """A node of either form and every node below it."""
    if d is None:
        return
    yield d
    for c in d.get("children", ()):
        yield from nodes(c)
    for item in d.get("items", ()):
        yield from nodes(item.get("condition"))


def roots(trace: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for area in trace["areas"]:
        if "applies_when" in area:
            yield area["applies_when"]
        for rule in area.get("rules", ()):
            yield rule["condition"]
        for candidate in area.get("ranking", ()):
            for criterion in candidate["criteria"]:
                yield criterion["prefer"]
                yield criterion["over"]
    for d in trace["definitions"].values():
        if "condition" in d:
            yield d["condition"]


def evaluated(d: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The nodes of a full-form tree the engine evaluated."""
    if d.get("evaluated", True):
        yield d
        for c in d.get("children", ()):
            yield from evaluated(c)
        for item in d.get("items", ()):
            if "condition" in item:
                yield from evaluated(item["condition"])


def test_compact_is_deterministic_and_a_fraction_of_the_full(
        rulebase: Rulebase, explained: list[Explanation]) -> None:
    full = compact = 0
    for x in explained:
        text = x.to_json(indent=None, form="compact")
        again = explain(x.case, as_of=x.as_of, rulebase=rulebase, counterfactuals=False)
        assert again.to_json(indent=None, form="compact") == text
        assert json.loads(text) == x.to_dict(form="compact")
        assert x.to_json() == x.to_json(form="full")
        full += len(x.to_json(indent=None))
        compact += len(text)
    assert compact < full / 2.5


def test_compact_holds_every_decision_and_rule_role(explained: list[Explanation]) -> None:
    for x in explained:
        full, compact = x.to_dict(), x.to_dict(form="compact")
        assert compact["form"] == "compact" and "form" not in full
        for key in ("rulebase", "as_of", "case_id", "backend"):
            assert compact[key] == full[key]
        for f, c in zip(full["evaluation"]["decisions"], compact["evaluation"]["decisions"],
                        strict=True):
            assert (f["topic"], f["outcome"], f["details"]) == (c["topic"], c["outcome"],
                                                                c["details"])
            assert [(r["id"], r["version"], r["role"]) for r in f["rules"]] == \
                [(r["id"], r["version"], r["role"]) for r in c["rules"]]
            assert [(s["name"], s["value"]) for s in f["settings"]] == \
                [(s["name"], s["value"]) for s in c["settings"]]
        assert [n["topic"] for n in full["evaluation"]["not_applicable"]] == \
            [n["topic"] for n in compact["evaluation"]["not_applicable"]]
        for f, c in zip(full["trace"]["areas"], compact["trace"]["areas"], strict=True):
            assert (f["topic"], f["applies"], f.get("outcome"), f.get("deciding")) == \
                (c["topic"], c["applies"], c.get("outcome"), c.get("deciding"))
            assert [(r["id"], r["version"], r["fired"], r["role"]) for r in f.get("rules", ())] \
                == [(r["id"], r["version"], r["fired"], r["role"]) for r in c.get("rules", ())]


def test_compact_holds_every_evaluated_node_and_fact(explained: list[Explanation]) -> None:
    for x in explained:
        full, compact = x.to_dict(), x.to_dict(form="compact")
        used = {k: d for k, d in full["trace"]["definitions"].items()
                if d.get("evaluated", True)}
        assert list(compact["trace"]["definitions"]) == list(used)
        full_trace = {**full["trace"], "definitions": used}
        kept = [n for root in roots(compact["trace"]) for n in nodes(root)]
        wanted = [n for root in roots(full_trace) for n in evaluated(root)]
        assert len(kept) == len(wanted)
        assert [n["value"] for n in kept] == [n["value"] for n in wanted]
        assert all("expr" not in n and "evaluated" not in n for n in kept)
        reads = {(r["path"], json.dumps(r["value"])) for n in kept for r in n.get("reads", ())}
        for area in full["trace"]["areas"]:
            for rule in area.get("rules", ()):
                for fact in rule["facts"]:
                    assert (fact["path"], json.dumps(fact["value"])) in reads


def test_what_compact_leaves_out_is_read_back_from_the_rulebase(
        rulebase: Rulebase, explained: list[Explanation]) -> None:
    for x in explained:
        full, compact = x.to_dict(), x.to_dict(form="compact")
        assert compact["rulebase"]["sha256"] == rulebase.sha256
        for f, c in zip(full["evaluation"]["decisions"], compact["evaluation"]["decisions"],
                        strict=True):
            for fr, cr in zip(f["rules"], c["rules"], strict=True):
                rule = rule_of(rulebase, cr["id"], cr["version"])
                assert rule.title == fr["title"]
                assert [q.as_dict() for q in rule.citations] == fr["citations"]
        for f, c in zip(full["trace"]["areas"], compact["trace"]["areas"], strict=True):
            assert rulebase.area(c["topic"]).title == f["title"]  # type: ignore[union-attr]
            for fr, cr in zip(f.get("rules", ()), c.get("rules", ()), strict=True):
                rule = rule_of(rulebase, cr["id"], cr["version"])
                assert isinstance(rule, Rule)
                assert canonical(rule.when_in_force) == fr["condition"]["expr"]
                assert (rule.title, rule.priority) == (fr["title"], fr["priority"])
        for key, d in compact["trace"]["definitions"].items():
            assert rulebase.definitions[key].title == full["trace"]["definitions"][key]["title"]
            assert d["value"] == full["trace"]["definitions"][key]["value"]


def test_an_unknown_form_is_refused(explained: list[Explanation]) -> None:
    with pytest.raises(ValueError, match="form must be one of full, compact"):
        explained[0].to_json(form="short")


def test_cli_compact_json(rulebase: Rulebase, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", str(EXAMPLE), "--as-of", "2006-06-01", "--format", "json",
            "--no-counterfactuals"]
    assert main(args + ["--compact"]) == 0
    out = capsys.readouterr().out
    x = explain(EXAMPLE.read_text(), as_of="2006-06-01", rulebase=rulebase,
                counterfactuals=False)
    assert out.rstrip("\n") == x.to_json(form="compact")
    assert main(args) == 0
    assert len(out) < len(capsys.readouterr().out) / 2
    assert main(["explain", str(EXAMPLE), "--as-of", "2006-06-01", "--compact"]) == 2
    assert "--format json" in capsys.readouterr().err
