"""Decision records: deterministic, replayable, and any hand edit is detected."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.audit import (
    EXIT_DIFFERS,
    EXIT_HOLDS,
    EXIT_RECORD_ERROR,
    EXIT_RULEBASE_CHANGED_DIFFERS,
    EXIT_RULEBASE_CHANGED_SAME,
    canonical_case,
    make_record,
    record_to_json,
    sha256_of,
    verify_record,
)
from sen_rules.audit.record import seal_of
from sen_rules.case import iter_dates, parse_case
from sen_rules.cli import main
from sen_rules.errors import RecordError
from sen_rules.rulebase import Rulebase

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "cases"
MINI = ROOT / "tests" / "data" / "explain" / "rules"
CASE = EXAMPLES / "school-referral-without-action.json"
AS_OF = "2006-06-01"

MINI_CASE: dict[str, Any] = {
    "child": {"id": "T1", "date_of_birth": "2000-02-29"},
    "proposed_placement": {"id": "P", "name": "Oak", "provision": "mainstream_school",
                           "funding_level": 3},
}


@pytest.fixture(scope="module")
def record_text() -> str:
    return record_to_json(make_record(CASE.read_text(), as_of=AS_OF))


def mini_copy(tmp_path: Path, old: str = "", new: str = "") -> Rulebase:
    target = tmp_path / "mini"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(MINI, target)
    if old:
        settings = target / "settings.yaml"
        text = settings.read_text()
        assert old in text
        settings.write_text(text.replace(old, new, 1))
    return sen_rules.load_rulebase(target)


def reseal(data: dict[str, Any], key: bytes | None = None) -> str:
    """What someone who edits a record and recomputes an unkeyed digest would produce."""
    data["seal"] = seal_of(data, key)
    return json.dumps(data)


# ---------------------------------------------------------------------------- contents


def test_a_record_holds_everything_to_replay_it(record_text: str) -> None:
    data = json.loads(record_text)
    assert list(data) == ["record", "package", "rulebase", "backend", "as_of", "case",
                          "case_sha256", "evaluation", "trace", "seal"]
    rulebase = sen_rules.bundled_rulebase()
    case = parse_case(CASE.read_text())
    assert data["case"] == canonical_case(case)
    assert data["case_sha256"] == sha256_of(canonical_case(case))
    assert data["rulebase"] == rulebase.identity()
    assert data["package"] == {"name": "sen-rules", "version": sen_rules.__version__}
    assert data["backend"] == "native" and data["as_of"] == AS_OF
    assert data["evaluation"] == json.loads(sen_rules.evaluate(case, as_of=AS_OF).to_json())
    assert {a["topic"] for a in data["trace"]["areas"]} == {a.id for a in rulebase.areas}
    assert data["seal"]["algorithm"] == "sha256" and len(data["seal"]["digest"]) == 64


def test_records_are_byte_identical(record_text: str) -> None:
    again = record_to_json(make_record(json.loads(CASE.read_text()), as_of=AS_OF))
    assert again == record_text
    # the same case written differently (defaults spelled out, keys reordered) is the same
    spelled = dict(reversed(list(json.loads(CASE.read_text()).items())))
    spelled["disputes"] = []
    assert record_to_json(make_record(spelled, as_of=AS_OF)) == record_text


def test_a_fresh_record_holds(record_text: str) -> None:
    result = verify_record(record_text)
    assert result.status == "holds" and result.exit_code == EXIT_HOLDS == 0
    assert not result.differences and result.trace_matches
    assert result.to_text().startswith("holds:")
    assert result.to_dict()["recorded_rulebase"] == result.to_dict()["current_rulebase"]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_example_records_and_verifies(name: str) -> None:
    text = (EXAMPLES / name).read_text()
    as_of = max(d for _, d in iter_dates(parse_case(text)))
    for backend in sen_rules.BACKENDS:
        record = record_to_json(make_record(text, as_of=as_of, backend=backend))
        result = verify_record(record)
        assert result.holds, result.to_text()


# ---------------------------------------------------------------------------- tampering


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value(target[path[-1]]) if callable(value) else value

    return edit


EDITS = {
    "date of birth": _set(("case", "child", "date_of_birth"), "2000-06-22"),
    "a support period": _set(("case", "sen_support", 0, "outside_advice_sought"), True),
    "an outcome": _set(("evaluation", "decisions", 1, "outcome"), "early_years_panel"),
    "a flag": _set(("evaluation", "decisions", 1, "flags"), []),
    "a quote": _set(("evaluation", "decisions", 0, "rules", 0, "citations", 0, "quote"),
                    lambda q: q.replace("Plus", "Minus")),
    "the trace": _set(("trace", "areas", 0, "rules", 0, "fired"), True),
    "the rulebase hash": _set(("rulebase", "sha256"), "0" * 64),
    "the rulebase version": _set(("rulebase", "version"), "9.9.9"),
    "the date": _set(("as_of",), "2006-06-02"),
    "the backend": _set(("backend",), "durable"),
    "the package version": _set(("package", "version"), "0.0.1"),
    "the case hash": _set(("case_sha256",), "f" * 64),
    "the seal": _set(("seal", "digest"), lambda d: ("0" if d[0] != "0" else "1") + d[1:]),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_any_hand_edit_is_detected(what: str, record_text: str) -> None:
    data = json.loads(record_text)
    EDITS[what](data)
    with pytest.raises(RecordError, match="altered") as err:
        verify_record(json.dumps(data, ensure_ascii=False))
    assert err.value.code == "SR502"


def test_an_edit_of_one_character_in_the_file_is_detected(record_text: str) -> None:
    assert record_text.count("Pre Assessment Panel") > 0
    edited = record_text.replace("Pre Assessment Panel", "Pre Assessment Panels", 1)
    with pytest.raises(RecordError) as err:
        verify_record(edited)
    assert err.value.code == "SR502"


@pytest.mark.parametrize(("text", "why"), [
    ("not json", "not JSON"),
    ("[1, 2]", "JSON object"),
    ("{}", "missing"),
])
def test_malformed_records(text: str, why: str) -> None:
    with pytest.raises(RecordError, match=why) as err:
        verify_record(text)
    assert err.value.code == "SR501"


def test_malformed_fields_are_named(record_text: str) -> None:
    edits: list[tuple[Callable[[dict[str, Any]], object], str]] = [
        (lambda d: d.update(extra=1), "unexpected field extra"),
        (lambda d: d["record"].update(format=2), "format 2 is not supported"),
        (lambda d: d.update(backend="drools"), "unknown backend"),
        (lambda d: d.update(as_of="yesterday"), "as_of"),
        (lambda d: d.update(case=[]), "'case' must be an object"),
        (lambda d: d["rulebase"].pop("sha256"), "'rulebase' must hold exactly"),
    ]
    for edit, why in edits:
        data = json.loads(record_text)
        edit(data)
        with pytest.raises(RecordError, match=why) as err:
            verify_record(json.dumps(data))
        assert err.value.code == "SR501"


def test_a_resealed_edit_of_the_decisions_differs(record_text: str) -> None:
    data = json.loads(record_text)
    data["evaluation"]["decisions"][1]["outcome"] = "early_years_panel"
    data["evaluation"]["decisions"][1]["flags"] = []
    result = verify_record(reseal(data))
    assert result.status == "differs" and result.exit_code == EXIT_DIFFERS == 1
    texts = [d.text for d in result.differences]
    assert 'assessment_routing: outcome was "early_years_panel", now "pre_assessment_panel"' \
        in texts
    assert 'assessment_routing: flags was [], now ["action-not-on-record"]' in texts


def test_a_resealed_edit_of_the_case_alone_is_detected(record_text: str) -> None:
    data = json.loads(record_text)
    data["case"]["assessment_request"]["route"] = "parent"
    with pytest.raises(RecordError, match="case does not match its sha256"):
        verify_record(reseal(data))
    data["case_sha256"] = sha256_of(data["case"])
    # now consistent in itself: the replay shows the recorded decisions no longer follow
    result = verify_record(reseal(data))
    assert result.status == "differs"


def test_keyed_seals(tmp_path: Path) -> None:
    key = b"kept apart from the records"
    record = record_to_json(make_record(CASE.read_text(), as_of=AS_OF, key=key))
    assert json.loads(record)["seal"]["algorithm"] == "hmac-sha256"
    assert verify_record(record, key=key).holds
    with pytest.raises(RecordError) as err:
        verify_record(record)
    assert err.value.code == "SR503"
    with pytest.raises(RecordError) as err:
        verify_record(record, key=b"another key")
    assert err.value.code == "SR502"
    # without the key, an edit cannot be resealed so that it verifies with the key
    data = json.loads(record)
    data["evaluation"]["decisions"][0]["outcome"] = "statement"
    for forged in (reseal(copy.deepcopy(data)), reseal(copy.deepcopy(data), b"guess")):
        with pytest.raises(RecordError) as err:
            verify_record(forged, key=key)
        assert err.value.code == "SR502"


# ---------------------------------------------------------------------------- rulebase


def test_rulebase_changed_but_the_decision_would_be_the_same(tmp_path: Path) -> None:
    original = sen_rules.load_rulebase(MINI)
    record = record_to_json(make_record(MINI_CASE, as_of="2012-01-01", rulebase=original))
    changed = mini_copy(tmp_path, "    value: 10\n", "    value: 11\n")  # local_km
    assert changed.sha256 != original.sha256
    result = verify_record(record, rulebase=changed)
    assert result.status == "rulebase-changed"
    assert result.exit_code == EXIT_RULEBASE_CHANGED_SAME == 3
    assert not result.would_differ
    text = result.to_text()
    assert original.sha256 in text and changed.sha256 in text
    assert "would be the same" in text
    assert verify_record(record, rulebase=original).holds


def test_rulebase_changed_and_the_decision_would_differ(tmp_path: Path) -> None:
    original = sen_rules.load_rulebase(MINI)
    record = record_to_json(make_record(MINI_CASE, as_of="2012-01-01", rulebase=original))
    changed = mini_copy(tmp_path, "    value: 3\n", "    value: 4\n")  # funding_threshold
    result = verify_record(record, rulebase=changed)
    assert result.status == "rulebase-changed"
    assert result.exit_code == EXIT_RULEBASE_CHANGED_DIFFERS == 4
    texts = [d.text for d in result.differences]
    assert 'referral: outcome was "refer", now "team"' in texts
    assert "would differ" in result.to_text()
    data = result.to_dict()
    assert data["recorded_rulebase"]["sha256"] == original.sha256
    assert data["current_rulebase"]["sha256"] == changed.sha256
    assert data["decisions_differ"] is True


def test_a_case_the_current_model_rejects_cannot_be_replayed(record_text: str) -> None:
    data = json.loads(record_text)
    data["case"]["unknown_field"] = 1
    data["case_sha256"] = sha256_of(data["case"])
    with pytest.raises(RecordError, match="cannot be replayed") as err:
        verify_record(reseal(data))
    assert err.value.code == "SR504"


# ---------------------------------------------------------------------------- command line


def test_record_and_verify_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "record.json"
    assert main(["record", str(CASE), "--as-of", AS_OF, "--out", str(out)]) == 0
    assert out.read_text() == record_to_json(make_record(CASE.read_text(), as_of=AS_OF))
    capsys.readouterr()
    assert main(["verify", str(out)]) == EXIT_HOLDS
    assert capsys.readouterr().out.startswith("holds:")
    assert main(["verify", str(out), "--format", "json"]) == EXIT_HOLDS
    assert json.loads(capsys.readouterr().out)["status"] == "holds"
    out.write_text(out.read_text().replace("Pre Assessment Panel", "Early Years Panel", 1))
    assert main(["verify", str(out)]) == EXIT_RECORD_ERROR == 5
    err = capsys.readouterr().err
    assert err.startswith("sen-rules: error SR502:") and err.count("\n") == 1
    assert "Traceback" not in err
    assert main(["verify", str(tmp_path / "missing.json")]) == 2


def test_verify_command_exit_codes_for_a_changed_rulebase(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(MINI_CASE))
    record = tmp_path / "record.json"
    assert main(["record", str(case), "--as-of", "2012-01-01", "--rules", str(MINI),
                 "--out", str(record)]) == 0
    assert main(["verify", str(record), "--rules", str(MINI)]) == 0
    same = mini_copy(tmp_path, "    value: 10\n", "    value: 11\n")
    assert main(["verify", str(record), "--rules", same.directory]) == 3
    differs = mini_copy(tmp_path, "    value: 3\n", "    value: 4\n")
    assert main(["verify", str(record), "--rules", differs.directory]) == 4
    out = capsys.readouterr().out
    assert "rulebase changed" in out and 'outcome was "refer", now "team"' in out


def test_keyed_records_on_the_command_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key"
    key.write_bytes(b"secret key")
    record = tmp_path / "record.json"
    assert main(["record", str(CASE), "--as-of", AS_OF, "--key-file", str(key),
                 "--out", str(record)]) == 0
    assert main(["verify", str(record), "--key-file", str(key)]) == 0
    assert main(["verify", str(record)]) == 5
    assert "SR503" in capsys.readouterr().err
    assert main(["record", str(CASE), "--as-of", AS_OF, "--key-file",
                 str(tmp_path / "nokey")]) == 2
