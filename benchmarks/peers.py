"""Side by side with other rule engines, on the same policy and the same cases.

    python benchmarks/peers.py [--cases 2000] [--repeat 3] [--seed 2024]

Two areas of the policy, the Complex Needs Panel (rules/areas/complex-needs-panel.yaml)
and the SEN threshold (rules/areas/sen-stage.yaml), are encoded for two peers:

* GoRules zen (``zen-engine``): a JDM decision graph (benchmarks/peers/sen-policy.jdm.json,
  written by benchmarks/peers/make_jdm.py) evaluated by zen's Rust core through
  ``ZenEngine`` with a loader;
* ``rule-engine``: one expression per rule (benchmarks/peers/sen-policy.rule-engine.json),
  with the area's hit policy applied around them.

The threshold reads two facts the peers are not given the machinery for: whether the
Statement has been ceased (the cessation area's decision, from a date on or before the
evaluation date) and whether the child is below compulsory school age (the school-age
calendar). Both are computed once per case by the hand-written reference, outside the timed
runs, and handed to the peers as ``derived`` beside the case (docs/peers.md says why).

sen-rules evaluates the same two areas (a copy of the bundled rules whose manifest lists
only them and the cessation area the threshold uses; its decision is not compared).
Before anything is timed, every case must get the same outcome from every engine, and the
same deciding rules (every fired category of the panel; the one threshold rule): the script
stops with an error naming the case if any disagrees. The hand-written
reference (tests/reference/policy.py, the same two areas) is the limit. Not a test:
nothing asserts a time. Needs the ``bench`` extra (pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEERS = Path(__file__).resolve().parent / "peers"
sys.path.insert(0, str(ROOT))  # for tests.reference

from tests.reference import policy as reference  # noqa: E402

import sen_rules  # noqa: E402
from sen_rules.authoring.generate import generate_lines  # noqa: E402
from sen_rules.case import Case, check_against_date  # noqa: E402
from sen_rules.engine.native import Env, match_native  # noqa: E402
from sen_rules.engine.service import compiled, evaluate_case  # noqa: E402
from sen_rules.rulebase import Rulebase  # noqa: E402

AREAS = ("sen_stage", "complex_needs_panel")
# sen_stage uses the cessation decision, so the copy of the rules keeps that area too
AREA_FILES = ("areas/sen-stage.yaml", "areas/complex-needs-panel.yaml", "areas/cessation.yaml")
# the figures the project aims at: native with validation and provenance faster than every
# peer on the same work; native evaluation within 2x of the hand-written reference
TARGET_VS_REFERENCE = 2.0

Answer = dict[str, tuple[str, tuple[str, ...]]]  # topic -> (outcome, deciding rules, sorted)


@contextmanager
def two_area_rules() -> Iterator[Rulebase]:
    """The bundled rules with only the two areas the peers encode (and the one they use)."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", target)
        manifest = target / "rulebase.yaml"
        text, n = re.subn(r"areas:\n(?:  - .*\n)+",
                          "areas:\n" + "".join(f"  - {f}\n" for f in AREA_FILES),
                          manifest.read_text(encoding="utf-8"))
        assert n == 1
        manifest.write_text(text, encoding="utf-8")
        yield sen_rules.load_rulebase(target)


# ----------------------------------------------------------------------------- the peers

class Zen:
    """The JDM graph, loaded by key through ZenEngine's loader."""

    KEY = "sen-policy.jdm.json"

    def __init__(self) -> None:
        import zen

        def loader(key: str) -> str:
            return (PEERS / key).read_text(encoding="utf-8")

        self.engine = zen.ZenEngine({"loader": loader})
        self.decision = self.engine.get_decision(self.KEY)

    def from_json(self, text: str) -> str:
        return json.dumps(self.decision.evaluate(text)["result"])

    def from_dict(self, data: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.decision.evaluate(data)["result"]
        return result


class RuleEngine:
    """rule-engine expressions, one per rule, under each area's hit policy."""

    def __init__(self) -> None:
        import rule_engine

        model = json.loads((PEERS / "sen-policy.rule-engine.json").read_text(encoding="utf-8"))
        context = rule_engine.Context(default_value=None)
        self.areas = []
        for topic, area in model["areas"].items():
            rules = [(r["id"], r["outcome"], rule_engine.Rule(r["when"], context=context))
                     for r in area["rules"]]
            self.areas.append((topic, area["hit_policy"],
                               rule_engine.Rule(area["applies_when"], context=context),
                               rules, area["otherwise"]))

    def from_dict(self, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for topic, policy, applies, rules, otherwise in self.areas:
            if not applies.matches(data):
                continue
            fired: list[tuple[str, str]] = []
            for rule_id, outcome, rule in rules:
                if rule.matches(data):
                    fired.append((rule_id, outcome))
                    if policy == "first":
                        break
            if not fired:
                fired = [(otherwise["id"], otherwise["outcome"])]
            if len({o for _, o in fired}) != 1:  # hit policy any: all must agree
                raise ValueError(f"{topic}: rules disagree")
            out[topic] = {"outcome": fired[0][1], "rules": [r for r, _ in fired]}
        return out

    def from_json(self, text: str) -> str:
        return json.dumps(self.from_dict(json.loads(text)))


CALENDAR = reference.calendar(reference.DEFAULTS)


def ceased_on(case: Case, day: date) -> date | None:
    """The date the Statement was ceased from (on or before ``day``), by the reference."""
    if case.statement is None:
        return None
    return reference.ceased_from(reference.cessation(case, day, CALENDAR), day)


def derived_facts(case: Case, day: date) -> dict[str, bool]:
    """What the peers are given beside the case: the facts their encodings do not compute."""
    return {"statement_ceased": ceased_on(case, day) is not None,
            "below_compulsory_school_age": day < CALENDAR.compulsory_start(
                case.child.date_of_birth)}


def peer_item(line: str) -> dict[str, Any]:
    """A corpus line as the peers read it: the case, the date and the derived facts."""
    item: dict[str, Any] = json.loads(line)
    case = sen_rules.parse_case(item["case"])
    item["derived"] = derived_facts(case, date.fromisoformat(item["as_of"]))
    return item


def reference_two(case: Case, day: date) -> dict[str, dict[str, Any]]:
    out = {"sen_stage": reference.sen_stage(case, day, CALENDAR, ceased_on(case, day))}
    if (case.proposed_placement is not None or case.candidate_placements
            or case.pending_decision is not None
            or (case.statement is not None
                and case.education.status in ("out_of_school", "education_otherwise"))):
        out["complex_needs_panel"] = reference.complex_needs_panel(case, reference.DEFAULTS)
    return out


# ----------------------------------------------------------------------------- answers

def native_answer(evaluation: sen_rules.Evaluation) -> Answer:
    return {d.topic: (d.outcome, tuple(sorted(r.id for r in d.rules
                                              if r.role in ("outcome", "otherwise"))))
            for d in evaluation.decisions if d.topic in AREAS}


def peer_answer(result: dict[str, Any]) -> Answer:
    return {t: (d["outcome"], tuple(sorted(d["rules"]))) for t, d in result.items()
            if t in AREAS and d is not None}


def reference_answer(result: dict[str, dict[str, Any]]) -> Answer:
    return {t: (d["outcome"], tuple(d["because"])) for t, d in result.items()}


def check_same_answers(rulebase: Rulebase, lines: list[str], zen: Zen,
                       rules: RuleEngine) -> None:
    """Every engine decides every case alike, or the script stops here."""
    for number, line in enumerate(lines, start=1):
        item = peer_item(line)
        case = sen_rules.parse_case(item["case"])
        day = date.fromisoformat(item["as_of"])
        native = native_answer(evaluate_case(rulebase, case, day))
        answers = {
            "durable": native_answer(evaluate_case(rulebase, case, day, "durable")),
            "zen": peer_answer(zen.from_dict(item)),
            "rule-engine": peer_answer(rules.from_dict(item)),
            "reference": reference_answer(reference_two(case, day)),
        }
        for name, answer in answers.items():
            if answer != native:
                sys.exit(f"error: case {number} (as_of {item['as_of']}): {name} decides "
                         f"{answer}, native decides {native}; the encodings disagree, "
                         "so no figure would mean anything")


# ----------------------------------------------------------------------------- timing

def cpu_seconds(runs: list[Callable[[], None]], repeat: int) -> list[float]:
    """The least CPU time of each run over ``repeat`` rounds, the runs interleaved.

    CPU time of this process, not wall time, and the runs taken in turn in every round: on
    a shared machine, the load then changes every figure alike and the ratios hold.
    """
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, fn in enumerate(runs):
            gc.collect()
            start = time.process_time()
            fn()
            best[i] = min(best[i], time.process_time() - start)
    return best


def corpus(n: int, seed: int) -> list[str]:
    return list(generate_lines(n, seed))


def measure(lines: list[str], repeat: int) -> list[tuple[str, float, str]]:
    """(what, seconds for all cases, target) per row; the first row is the reference."""
    items = [peer_item(line) for line in lines]  # the derived facts computed here, untimed
    peer_lines = [json.dumps(i) for i in items]
    texts = [(json.dumps(i["case"]), i["as_of"]) for i in items]
    dicts = [(i["case"], i["as_of"]) for i in items]
    cases = [(Case.model_validate_json(t), date.fromisoformat(d)) for t, d in texts]
    zen, rules = Zen(), RuleEngine()
    full = sen_rules.bundled_rulebase()
    with two_area_rules() as rulebase:
        check_same_answers(rulebase, lines, zen, rules)
        program = {day: compiled(rulebase).program(rulebase.epoch(day)) for _, day in cases}

        def ref() -> None:
            for case, day in cases:
                reference_two(case, day)

        def native_json(rb: Rulebase) -> Callable[[], None]:
            def go() -> None:
                for text, day in texts:
                    evaluate_case(rb, text, day).to_json(indent=None)
            return go

        def native_dict() -> None:
            for data, day in dicts:
                evaluate_case(rulebase, data, day)

        def native_case() -> None:
            for case, day in cases:
                evaluate_case(rulebase, case, day)

        def native_matches() -> None:
            for case, day in cases:
                check_against_date(case, day)
                match_native(program[day], Env(case, day))

        def durable_case() -> None:
            for case, day in cases:
                evaluate_case(rulebase, case, day, "durable")

        def derived() -> None:
            for case, day in cases:
                derived_facts(case, day)

        def zen_json() -> None:
            for line in peer_lines:
                zen.from_json(line)

        def zen_dict() -> None:
            for item in items:
                zen.from_dict(item)

        def rules_json() -> None:
            for line in peer_lines:
                rules.from_json(line)

        def rules_dict() -> None:
            for item in items:
                rules.from_dict(item)

        runs: list[tuple[str, Callable[[], None], str]] = [
            ("hand-written reference, validated case (the limit)", ref, ""),
            ("native, JSON in -> decisions JSON out (strict, provenance)",
             native_json(rulebase), "< every peer"),
            ("native, dict in -> decisions (strict, provenance)", native_dict, ""),
            ("native, validated case -> decisions (provenance)", native_case,
             f"<= {TARGET_VS_REFERENCE:.0f}x ref"),
            ("native, validated case -> fired rules (no provenance)", native_matches, ""),
            ("durable-rules backend, validated case -> decisions", durable_case, ""),
            ("the peers' derived facts, by the reference (untimed below)", derived, ""),
            ("zen (GoRules JDM), JSON in -> JSON out (no validation)", zen_json, ""),
            ("zen (GoRules JDM), dict in -> dict out (no validation)", zen_dict, ""),
            ("rule-engine, JSON in -> JSON out (no validation)", rules_json, ""),
            ("rule-engine, dict in -> dict out (no validation)", rules_dict, ""),
            ("native, all 8 areas, JSON in -> JSON out (context)", native_json(full), ""),
        ]
        for _, fn, _ in runs:  # compile once, warm caches
            fn()
        seconds = cpu_seconds([fn for _, fn, _ in runs], repeat)
        return [(name, s, target) for (name, _, target), s in zip(runs, seconds, strict=True)]


PEERS_ROWS = ("zen", "rule-engine", "durable-rules")  # the rows of other engines


def report(rows: list[tuple[str, float, str]], n: int, seed: int, repeat: int) -> None:
    print(f"peers: {n} generated cases (seed {seed}); the same answers from every engine on "
          f"every case (checked); least CPU time of {repeat} interleaved rounds")
    ref_s = rows[0][1]
    native_json_s = rows[1][1]
    print(f"{'what (2 areas: complex_needs_panel, sen_stage)':<62}{'cases/s':>9}"
          f"{'vs native':>10}{'vs ref':>8}  target")
    fastest_peer = min(s for name, s, _ in rows if name.startswith(PEERS_ROWS))
    for name, seconds, target in rows:
        met = ""
        if target.startswith("< every peer"):
            met = " ✓" if seconds < fastest_peer else " ✗"
        elif target.startswith("<= "):
            met = " ✓" if seconds / ref_s <= float(target[3:].split("x")[0]) else " ✗"
        print(f"{name:<62}{n / seconds:>9,.0f}{seconds / native_json_s:>9.2f}x"
              f"{seconds / ref_s:>7.1f}x  {target}{met}")
    print("(vs native: time relative to native JSON in -> JSON out; above 1 is slower)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    lines = corpus(args.cases, args.seed)
    report(measure(lines, args.repeat), len(lines), args.seed, args.repeat)


if __name__ == "__main__":
    main()
