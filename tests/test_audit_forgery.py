"""A record cannot be forged past verification: repeated keys, resealed text and crafted
types are refused or reported, never read as "holds"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from resealed import RESEALED
from sen_rules.audit import make_record, record_to_json, verify_record
from sen_rules.audit.record import seal_of
from sen_rules.errors import RecordError

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "cases" / "school-referral-without-action.json"
AS_OF = "2006-06-01"
KEY = b"a key kept apart from the records"


@pytest.fixture(scope="module")
def keyed_text() -> str:
    return record_to_json(make_record(CASE.read_text(), as_of=AS_OF, key=KEY))


@pytest.fixture(scope="module")
def plain_text() -> str:
    return record_to_json(make_record(CASE.read_text(), as_of=AS_OF))


def test_a_forged_outcome_placed_before_the_real_one_is_refused(keyed_text: str) -> None:
    needle = '"outcome": "pre_assessment_panel"'
    assert needle in keyed_text
    forged = keyed_text.replace(needle, '"outcome": "early_years_panel",\n      ' + needle, 1)
    with pytest.raises(RecordError, match="appears twice") as err:
        verify_record(forged, key=KEY)
    assert err.value.code == "SR501"


def test_a_whole_forged_case_placed_first_is_refused(keyed_text: str) -> None:
    data = json.loads(keyed_text)
    forged_case = dict(data["case"], significant_health_or_social_care_issues=True)
    text = '{"case": ' + json.dumps(forged_case) + "," + keyed_text.lstrip()[1:]
    with pytest.raises(RecordError, match="appears twice") as err:
        verify_record(text, key=KEY)
    assert err.value.code == "SR501"


def _reseal(data: dict[str, Any]) -> str:
    data["seal"] = seal_of(data, None)
    return json.dumps(data)




@pytest.mark.parametrize("what", list(RESEALED))
def test_a_resealed_change_of_anything_a_reader_relies_on_differs(what: str,
                                                                  plain_text: str) -> None:
    data = json.loads(plain_text)
    RESEALED[what](data)
    result = verify_record(_reseal(data))
    assert result.status == "differs", what
    assert result.exit_code == 1 and result.differences


@pytest.mark.parametrize("value", [["x"], {"a": 1}, 3, None])
def test_a_crafted_type_in_a_decision_is_an_invalid_record(value: Any, plain_text: str) -> None:
    data = json.loads(plain_text)
    data["evaluation"]["decisions"][0]["topic"] = value
    with pytest.raises(RecordError) as err:
        verify_record(_reseal(data))
    assert err.value.code == "SR501"


@pytest.mark.parametrize("part", ["flags", "rules", "notes", "overridden", "details"])
def test_crafted_parts_of_a_decision_are_an_invalid_record(part: str, plain_text: str) -> None:
    data = json.loads(plain_text)
    data["evaluation"]["decisions"][0][part] = 7
    with pytest.raises(RecordError) as err:
        verify_record(_reseal(data))
    assert err.value.code == "SR501"


def test_a_crafted_case_child_is_an_invalid_record(plain_text: str) -> None:
    data = json.loads(plain_text)
    data["case"]["child"] = ["x"]
    from sen_rules.audit import sha256_of

    data["case_sha256"] = sha256_of(data["case"])
    with pytest.raises(RecordError) as err:
        verify_record(_reseal(data))
    assert err.value.code in ("SR501", "SR502", "SR504")


@pytest.mark.parametrize("text", [
    '{"record": NaN}',
    '{"record": 1' + "0" * 5000 + "}",
    "[" * 100_000 + "]" * 100_000,
])
def test_hostile_json_is_a_malformed_record(text: str) -> None:
    with pytest.raises(RecordError) as err:
        verify_record(text)
    assert err.value.code == "SR501"


@pytest.mark.parametrize("digest", ["é" * 64, "\u0663" * 64, "0" * 63 + "\U0001F600"])
def test_a_seal_digest_that_is_not_ascii_is_an_altered_record(digest: str,
                                                                plain_text: str) -> None:
    data = json.loads(plain_text)
    data["seal"]["digest"] = digest
    with pytest.raises(RecordError, match="seal does not match") as err:
        verify_record(json.dumps(data))
    assert err.value.code == "SR502"
