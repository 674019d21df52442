"""A small, fixed-seed slice of benchmarks/volume.py, and the fuzzer's oracles catching
what they are there to catch (so a clean slice means something)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import volume  # noqa: E402
import volume_fuzz  # noqa: E402

from sen_rules.errors import CaseError  # noqa: E402

SEED = 7


def test_fuzzed_readers_slice() -> None:
    _, counts, failures, _, _ = volume.run_chunk(("fuzz", SEED, 0, 250))
    assert sum(counts.values()) == 250
    assert {"case-json", "jsonl", "record", "rule-yaml"} <= set(counts)
    assert failures == []


def test_differential_slice() -> None:
    _, counts, failures, _, _ = volume.run_chunk(("differential", SEED, 0, 40))
    assert counts == {"case": 40}
    assert failures == []


def test_an_input_is_a_function_of_its_seed_and_index() -> None:
    shown = volume_fuzz.describe(volume.rng_for("fuzz", SEED, 11))
    assert volume_fuzz.describe(volume.rng_for("fuzz", SEED, 11)) == shown
    assert volume_fuzz.describe(volume.rng_for("fuzz", SEED, 12)) != shown


@pytest.mark.parametrize("text", [
    b'{"a": 1, "a": 2}', b'{"a": NaN}', b'{"a": 1e999}', b'{"a": ' + b"1" * 41 + b"}",
    b"[" * 65 + b"]" * 65, b'{"a": "\\ud800"}', b'{"a": "\xff"}', b'{"a": 1',
])
def test_the_strict_reader_refuses_what_the_project_refuses(text: bytes) -> None:
    with pytest.raises(volume_fuzz.StrictJsonError):
        volume_fuzz.strict_json(text)


def test_the_strict_reader_reads_a_case() -> None:
    raw = (ROOT / "examples" / "cases" / "school-action.json").read_bytes()
    assert volume_fuzz.strict_json(raw) == json.loads(raw)


def test_an_exception_without_a_code_is_a_failure() -> None:
    assert volume_fuzz.check_error(CaseError([("x", "bad")]), (CaseError,)) is None
    assert "KeyError" in (volume_fuzz.check_error(KeyError("x"), (CaseError,)) or "")
    unnamed = CaseError([("x", "bad")], code="E1")
    assert "without an SR code" in (volume_fuzz.check_error(unnamed, (CaseError,)) or "")


def test_a_reader_that_accepts_bad_json_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    import sen_rules.case

    real = sen_rules.case.parse_case
    monkeypatch.setattr(sen_rules.case, "parse_case",
                        lambda data: real(data.replace(b"NaN", b"1")))
    raw = (ROOT / "examples" / "cases" / "placement-candidates.json").read_bytes()
    raw = raw.replace(b'"distance_km": 4.5', b'"distance_km": NaN', 1)
    assert b"NaN" in raw
    found = volume_fuzz.run_case_json({"raw": raw, "as_of": "2030-01-01", "cli": False,
                                       "durable": False})
    assert found is not None and "strict reader refuses" in found


def test_a_verifier_that_accepts_an_altered_record_is_caught(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sen_rules.audit

    raw, key = volume_fuzz.corpus().records()[0]
    holds = sen_rules.audit.verify_record(raw, key=key)
    monkeypatch.setattr(sen_rules.audit, "verify_record", lambda *a, **k: holds)
    altered = raw.replace(b'"as_of": "2030-01-01"', b'"as_of": "2030-01-02"', 1)
    assert altered != raw
    found = volume_fuzz.run_record({"raw": altered, "key": key, "original": raw,
                                    "resealed": False})
    assert found is not None and "altered record was verified" in found
    assert volume_fuzz.run_record({"raw": raw, "key": key, "original": raw,
                                   "resealed": False}) is None


def test_a_replay_shows_the_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert volume.main(["--replay", "fuzz", str(SEED), "3"]) == 0
    assert "no failure" in capsys.readouterr().out


def test_a_loop_is_a_hang() -> None:
    with pytest.raises(volume_fuzz.Hang, match="CPU time"), volume_fuzz.time_limit(0.2):
        while True:
            pass
