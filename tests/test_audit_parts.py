"""Every part of a record is checked: the whole evaluation (every key, the order of the
decisions, the JSON type of every value) and the trace against the replay, the envelope
(``record``, ``package``, ``rulebase``, ``seal``) against exactly what the writer writes,
and the rulebase's name and version against the rulebase with the recorded sha256. An edit
resealed with an unkeyed digest never verifies as "holds" unnoticed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.audit import make_record, record_to_json, verify_record
from sen_rules.audit.record import seal_of
from sen_rules.cli import main
from sen_rules.decision_log.reverify import DIFFERS, check_one
from sen_rules.decision_log.store import pack
from sen_rules.errors import RecordError

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "cases" / "school-referral-without-action.json"
MINI = ROOT / "tests" / "data" / "explain" / "rules"
AS_OF = "2006-06-01"
MINI_CASE: dict[str, Any] = {
    "child": {"id": "T1", "date_of_birth": "2000-02-29"},
    "proposed_placement": {"id": "P", "name": "Oak", "provision": "mainstream_school",
                           "funding_level": 3},
}

Edit = Callable[[dict[str, Any]], Any]


@pytest.fixture(scope="module")
def record_text() -> str:
    return record_to_json(make_record(CASE.read_text(), as_of=AS_OF))


def resealed(text: str, edit: Edit) -> str:
    data = json.loads(text)
    edit(data)
    data["seal"] = seal_of(data, None)
    return record_to_json(data)


def _both_rulebases(name: str, value: str) -> Edit:
    """The rulebase identity edited in the header and in the evaluation alike."""
    def edit(data: dict[str, Any]) -> None:
        data["rulebase"][name] = value
        data["evaluation"]["rulebase"][name] = value

    return edit


# ------------------------------------------------------------------ the whole evaluation

DIFFERS_EDITS: dict[str, tuple[Edit, str]] = {
    "a key added to the evaluation": (
        lambda d: d["evaluation"].update(approved_by="Panel chair"), "approved_by"),
    "a key taken out of the evaluation": (
        lambda d: d["evaluation"].pop("not_applicable"), "not_applicable"),
    "the decisions reordered": (
        lambda d: d["evaluation"]["decisions"].reverse(), "order of the decisions"),
    "an area not in play dropped": (
        lambda d: d["evaluation"]["not_applicable"].pop(), "not_applicable"),
    "an area not in play retitled": (
        lambda d: d["evaluation"]["not_applicable"][0].update(title="Approved"),
        "not_applicable[0].title"),
    "a decision's setting of another JSON type (5.0 for 5)": (
        lambda d: d["evaluation"]["decisions"][0]["settings"][0].update(value=5.0),
        "settings"),
    "a key taken out of a decision": (
        lambda d: d["evaluation"]["decisions"][0].pop("settings"), "settings"),
    "a trace value of another JSON type (true for 1)": (
        lambda d: d["trace"]["areas"][0]["rules"][0].update(priority=True),
        "trace.areas[0].rules[0].priority"),
    "a key added to the trace": (lambda d: d["trace"].update(extra="x"), "trace.extra"),
}


@pytest.mark.parametrize("what", list(DIFFERS_EDITS))
def test_a_resealed_edit_of_any_part_of_the_evaluation_differs(what: str,
                                                               record_text: str) -> None:
    edit, named = DIFFERS_EDITS[what]
    result = verify_record(resealed(record_text, edit))
    assert result.status == "differs" and result.exit_code == 1, what
    assert any(named in d.what for d in result.differences), result.to_text()
    assert not result.holds


def test_a_reordering_is_shown_with_both_orders(record_text: str) -> None:
    result = verify_record(resealed(record_text,
                                    lambda d: d["evaluation"]["decisions"].reverse()))
    (difference,) = result.differences
    assert difference.what == "order of the decisions"
    assert difference.recorded == list(reversed(difference.now))
    assert "order of the decisions was" in result.to_text()


def test_under_another_rulebase_an_added_key_would_differ(tmp_path: Path) -> None:
    original = sen_rules.load_rulebase(MINI)
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    settings = target / "settings.yaml"
    settings.write_text(settings.read_text().replace("    value: 10\n", "    value: 11\n", 1))
    changed = sen_rules.load_rulebase(target)
    text = record_to_json(make_record(MINI_CASE, as_of="2012-01-01", rulebase=original))
    assert verify_record(text, rulebase=changed).exit_code == 3  # the rulebase identity
    forged = resealed(text, lambda d: d["evaluation"].update(approved_by="Panel chair"))
    result = verify_record(forged, rulebase=changed)
    assert result.status == "rulebase-changed" and result.exit_code == 4
    assert [d.what for d in result.differences] == [
        "approved_by (a part the replay does not give)"]


def test_the_decision_log_reverification_sees_an_added_key_too(record_text: str) -> None:
    forged = resealed(record_text, lambda d: d["evaluation"].update(approved_by="x"))
    kind, entry = check_one(sen_rules.bundled_rulebase(), "id-1", *pack(forged))
    assert kind == DIFFERS and entry is not None and entry["changes"]


# ------------------------------------------------------------------ the envelope

MALFORMED_EDITS: dict[str, tuple[Edit, str]] = {
    "a key added to 'record'": (lambda d: d["record"].update(note="x"),
                                "unexpected field note in 'record'"),
    "the format as a float": (lambda d: d["record"].update(format=1.0), "format 1.0"),
    "the format as true": (lambda d: d["record"].update(format=True), "format True"),
    "another package": (lambda d: d["package"].update(name="other"), "'package.name'"),
    "a package version that is not one": (
        lambda d: d["package"].update(version="0.1.1\n; rm -rf"), "'package.version'"),
    "a rulebase sha256 that is not one": (_both_rulebases("sha256", "x" * 64),
                                          "'rulebase.sha256'"),
}


@pytest.mark.parametrize("what", list(MALFORMED_EDITS))
def test_an_envelope_the_writer_does_not_write_is_malformed(what: str,
                                                            record_text: str) -> None:
    edit, why = MALFORMED_EDITS[what]
    with pytest.raises(RecordError, match=why) as err:
        verify_record(resealed(record_text, edit))
    assert err.value.code == "SR501", what


@pytest.mark.parametrize("part", ["name", "version"])
def test_a_rulebase_name_or_version_that_is_not_its_sha256s_is_altered(
        part: str, record_text: str) -> None:
    with pytest.raises(RecordError, match="the rulebase with its sha256 is") as err:
        verify_record(resealed(record_text, _both_rulebases(part, "other")))
    assert err.value.code == "SR502"


def test_a_record_of_another_package_version_holds_and_says_so(record_text: str) -> None:
    result = verify_record(resealed(record_text,
                                    lambda d: d["package"].update(version="9.9.9")))
    assert result.status == "holds" and result.exit_code == 0
    assert result.package_changed
    assert result.to_dict()["recorded_package"] == "9.9.9"
    first, *rest = result.to_text().splitlines()
    assert first == ("holds: replaying the record gives the recorded decisions (made by "
                     "another version of sen-rules, 9.9.9)")
    assert any(line.endswith("(another version)") for line in rest)


def test_a_record_of_this_version_says_nothing_of_versions(record_text: str) -> None:
    result = verify_record(record_text)
    assert result.holds and not result.package_changed and not result.differences
    assert result.to_text().splitlines()[0] == (
        "holds: replaying the record gives the recorded decisions")
    assert "another version" not in result.to_text()


# ------------------------------------------------------------------ the command line


@pytest.mark.parametrize(("edit", "code"), [
    (lambda d: d["evaluation"].update(approved_by="Panel chair"), 1),
    (lambda d: d["record"].update(note="x"), 5),
    (_both_rulebases("name", "other"), 5),
    (lambda d: d["evaluation"]["decisions"].reverse(), 1),
])
def test_verify_answers_each_reported_edit(edit: Edit, code: int, record_text: str,
                                           tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "record.json"
    path.write_text(resealed(record_text, edit))
    assert main(["verify", str(path)]) == code
    assert not capsys.readouterr().out.startswith("holds")
