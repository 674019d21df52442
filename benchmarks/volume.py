"""Volume: a million fuzzed inputs and a million differential cases, with their figures.

    python benchmarks/volume.py [--fuzz 1000000] [--differential 1000000] [--workers 2]
                                [--seed 1] [--failures volume-failures.jsonl]

Offline, not CI (CI runs a small fixed-seed slice in tests/test_volume_slice.py). Two parts,
each spread over ``--workers`` processes:

* fuzz: hypothesis (its ``fuzz_one_input`` entry point, fed deterministic bytes) mutates
  valid case JSON and the bundled area files with the hostile tokens each reader must refuse
  (repeated keys, NaN, 5,000-digit numbers, deep nesting, bad UTF-8, bare CRs, anchors,
  tags...). The JSON case reader (``parse_case``, and ``parse_line`` on the same bytes) must
  give a case or a ``CaseError``; a case it accepts is evaluated and must give decisions or a
  documented error. The rule-file reader (``read_yaml`` then the area file's structure check)
  must give a document or a located diagnostic. Anything else is a failure.
* differential: hypothesis draws valid cases (ordinary and on the rules' boundaries); the
  native backend, the durable backend and the reference implementation
  (tests/reference/policy.py) must agree on every topic.

Prints counts, failures, seconds and rates; exits 1 if anything failed, and writes each
failing input (up to 100 per part) to ``--failures``. Same seed, same inputs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import sys
import time
import traceback
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.reference

CHUNK = 500

JSON_TOKENS = [
    '"', "{", "}", "[", "]", ",", ":", "NaN", "Infinity", "-Infinity", "1e999", "-0", "1" * 5000,
    "0." + "1" * 60, "[" * 5000, "{" * 500, '"\\ud800"', '"\\u0000"', "\r", "\x00", "\xff",
    "\u202e", "\x1b[2J", "null", "true", '""', '"a":1,', '"child":{},', '"id":"X",',
    "\ufeff", "/*", "\\", '"2006-W22-4"', '"2006-02-30"', '"20060101"', " " * 100,
]
YAML_TOKENS = [
    ": ", "- ", "\t", "'", '"', "&a ", "*a", "!!python/object:os.system ", "!!binary ", "? ",
    "|", ">", "#", "%YAML 1.1\n", "---\n", "...\n", "1" * 5000, "2006-02-30", "0x" + "f" * 60,
    "[" * 200, "{" * 200, "\x00", "\x1b", "\r", "\u2028", "~", "null", ".inf", "1e999",
    "when: ", "  ", "\n", "id: x\n", "quote: 'a'\n",
]


def _mutants(tokens: list[str]) -> Any:
    from hypothesis import strategies as st

    op = st.tuples(st.sampled_from(["insert", "delete", "replace", "splice", "flip"]),
                   st.floats(0, 1), st.integers(1, 400), st.sampled_from(tokens))
    return st.tuples(st.integers(0, 10**6), st.lists(op, min_size=1, max_size=6))


def _mutate(text: str, ops: list[tuple[str, float, int, str]]) -> str:
    for kind, where, size, token in ops:
        at = int(where * len(text))
        if kind == "insert":
            text = text[:at] + token + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + size:]
        elif kind == "replace":
            text = text[:at] + token + text[at + len(token):]
        elif kind == "splice":  # a piece of the text repeated: duplicate keys, for one
            text = text[:at] + text[at:at + size] + text[at:]
        elif at < len(text):
            text = text[:at] + chr((ord(text[at]) ^ (1 << (size % 8))) or 32) + text[at + 1:]
    return text


class _State:
    """What each worker process reads once."""

    def __init__(self) -> None:
        self.cases = [p.read_text(encoding="utf-8")
                      for p in sorted((ROOT / "examples" / "cases").glob("*.json"))]
        self.areas = [p.read_text(encoding="utf-8")
                      for p in sorted((ROOT / "rules" / "areas").glob("*.yaml"))]


_state: _State | None = None


def _fuzz_one(state: _State, i: int, rule_file: bool, pick: int, ops: list[Any]) -> str | None:
    """None when the readers behaved; otherwise the failing input and what went wrong."""
    import sen_rules
    from sen_rules.case import parse_case
    from sen_rules.engine.batch import parse_line
    from sen_rules.errors import CaseError, SenRulesError
    from sen_rules.loading.schema import AreaFile, structure_errors
    from sen_rules.loading.yamlfile import YamlFileError, read_yaml

    base = state.areas if rule_file else state.cases
    text = _mutate(base[pick % len(base)], ops)
    try:
        if rule_file:
            try:
                doc = read_yaml(text, "fuzz.yaml")
            except YamlFileError:
                return None
            if isinstance(doc.data, dict):
                structure_errors(doc, AreaFile, "area")
            return None
        raw = text.encode("utf-8", "surrogatepass")
        for form in (text, raw):
            try:
                case = parse_case(form)
            except CaseError:
                continue
            with contextlib.suppress(SenRulesError):
                sen_rules.evaluate(case, as_of="2030-01-01")
        with contextlib.suppress(CaseError):
            parse_line(raw.replace(b"\n", b" "))
        return None
    except Exception:
        return json.dumps({"part": "fuzz", "index": i, "reader": "yaml" if rule_file else "json",
                           "input": text[:20000], "error": traceback.format_exc(limit=4)})


def _differential_one(data: dict[str, Any], as_of: date) -> str | None:
    from tests.reference.engine_view import differences, summarise
    from tests.reference.policy import ReferenceSettings, decide

    import sen_rules
    from sen_rules.case import parse_case

    try:
        rulebase = sen_rules.bundled_rulebase()
        native = sen_rules.evaluate(data, as_of=as_of, rulebase=rulebase)
        durable = sen_rules.evaluate(data, as_of=as_of, rulebase=rulebase, backend="durable")
        problems: list[str] = []
        if native.to_json() != durable.to_json():
            problems.append("native and durable differ")
        expected = decide(parse_case(data), as_of,
                          ReferenceSettings.from_values(rulebase.epoch(as_of).settings))
        problems.extend(differences(expected, summarise(native.to_dict())))
        if not problems:
            return None
        why = "; ".join(problems)
    except Exception:
        why = traceback.format_exc(limit=4)
    return json.dumps({"part": "differential", "case": data, "as_of": as_of.isoformat(),
                       "error": why})


def _chunk(task: tuple[str, int, int, int]) -> tuple[str, int, list[str], float]:
    """Run inputs ``start`` to ``stop`` of a part: hypothesis generates them from a seed
    made of the run's seed and ``start``, so a chunk is the same in any process."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    from sen_rules.testing.strategies import boundary_inputs, evaluation_inputs

    global _state
    part, seed, start, stop = task
    if _state is None:
        _state = _State()
    state = _state
    failures: list[str] = []
    runs = [0]
    config = settings(max_examples=stop - start, phases=[Phase.generate], database=None,
                      deadline=None, suppress_health_check=list(HealthCheck))

    if part == "fuzz":
        @config
        @given(st.one_of(st.tuples(st.just(False), _mutants(JSON_TOKENS)),
                         st.tuples(st.just(True), _mutants(YAML_TOKENS))))
        def check(mutant: tuple[bool, tuple[int, list[Any]]]) -> None:
            rule_file, (pick, ops) = mutant
            found = _fuzz_one(state, start + runs[0], rule_file, pick, ops)
            runs[0] += 1
            if found is not None:
                failures.append(found)
    else:
        @config
        @given(st.one_of(evaluation_inputs(), boundary_inputs()))
        def check(inputs: tuple[dict[str, Any], date]) -> None:
            found = _differential_one(*inputs)
            runs[0] += 1
            if found is not None:
                failures.append(found)

    began = time.perf_counter()
    hypothesis_seed(f"{seed}:{part}:{start}")(check)()
    return part, runs[0], failures, time.perf_counter() - began


def run_part(part: str, count: int, seed: int, workers: int, out: Any) -> int:
    """Run one part; print its figures; return its number of failures."""
    if count <= 0:
        return 0
    tasks = [(part, seed, s, min(s + CHUNK, count)) for s in range(0, count, CHUNK)]
    # hypothesis may run a few fewer examples than asked when a chunk's space is small;
    # the figures count the inputs actually checked
    began = time.perf_counter()
    done = failed = 0
    busy = 0.0
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        for _, n, failures, seconds in pool.imap_unordered(_chunk, tasks):
            done += n
            busy += seconds
            failed += len(failures)
            for line in failures[:max(0, 100 - (failed - len(failures)))]:
                out.write(line + "\n")
                out.flush()
            if len(tasks) < 40 or (busy and (done // n) % 40 == 0):
                elapsed = time.perf_counter() - began
                print(f"  {part}: {done:,}/{count:,} done, {failed} failed, "
                      f"{elapsed:,.0f} s, {done / elapsed:,.0f}/s", flush=True)
    elapsed = time.perf_counter() - began
    print(f"{part}: {done:,} inputs, {failed} failures, {elapsed:,.1f} s wall, "
          f"{busy:,.1f} s in workers, {done / elapsed:,.1f} inputs/s with {workers} "
          f"worker(s)", flush=True)
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuzz", type=int, default=1_000_000)
    parser.add_argument("--differential", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--failures", default="volume-failures.jsonl")
    args = parser.parse_args(argv)
    import hypothesis

    import sen_rules

    print(f"sen-rules {sen_rules.__version__}, hypothesis {hypothesis.__version__}, python "
          f"{sys.version.split()[0]}, {args.workers} worker(s), seed {args.seed}", flush=True)
    with open(args.failures, "w", encoding="utf-8") as out:
        failed = run_part("fuzz", args.fuzz, args.seed, args.workers, out)
        failed += run_part("differential", args.differential, args.seed, args.workers, out)
    print(f"total failures: {failed}" + (f" (inputs in {args.failures})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
