"""Re-verifying stored records: the fast check (rebuild the record, compare the bytes)
says "holds" only for a record exactly as the rules make it; everything else gets the
answers of ``verify_record``, with orjson and without; keyed records need their key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from conftest import EXAMPLES
from resealed import RESEALED
from sen_rules.audit.record import seal_of
from sen_rules.decision_log import replay
from sen_rules.decision_log.reverify import (
    ALTERED,
    CHANGED_DIFFERS,
    CHANGED_SAME,
    DIFFERS,
    HOLDS,
    NEEDS_KEY,
    check_one,
    reverify,
)
from sen_rules.decision_log.store import DecisionLog, pack
from sen_rules.errors import RecordError

AS_OF = "2006-06-01"
KEY = b"a key kept apart from the records"
CASE = (EXAMPLES / "school-referral-without-action.json").read_text()


@pytest.fixture(params=["orjson", "no orjson"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "no orjson":
        monkeypatch.setattr(replay, "orjson", None)
    return str(request.param)


@pytest.fixture(scope="module")
def rulebase() -> sen_rules.Rulebase:
    return sen_rules.bundled_rulebase()


def _check(rulebase: sen_rules.Rulebase, text: str, key: bytes | None = None
           ) -> tuple[str, dict[str, Any] | None]:
    return check_one(rulebase, "id-1", *pack(text), key=key)


def _record(key: bytes | None = None) -> dict[str, Any]:
    return sen_rules.make_record(CASE, as_of=AS_OF, key=key)




def test_an_honest_record_holds_by_its_bytes(rulebase: sen_rules.Rulebase) -> None:
    text = sen_rules.record_to_json(_record())
    assert replay.holds_as_stored(text.encode(), rulebase, None)
    assert _check(rulebase, text) == (HOLDS, None)
    assert replay.read_stored(text.encode()) == json.loads(text)


@pytest.mark.parametrize("what", list(RESEALED))
def test_a_resealed_change_differs(what: str, reader: str,
                                   rulebase: sen_rules.Rulebase) -> None:
    data = _record()
    RESEALED[what](data)
    data["seal"] = seal_of(data, None)
    text = sen_rules.record_to_json(data)
    assert not replay.holds_as_stored(text.encode(), rulebase, None)
    kind, entry = _check(rulebase, text)
    assert kind == DIFFERS, what
    assert entry is not None and entry["changes"]
    assert sen_rules.verify_record(text, rulebase=rulebase).status == "differs"


def test_an_edit_without_a_new_seal_is_altered(reader: str,
                                               rulebase: sen_rules.Rulebase) -> None:
    text = sen_rules.record_to_json(_record())
    edited = text.replace('"outcome": "pre_assessment_panel"',
                          '"outcome": "early_years_panel"', 1)
    assert edited != text
    kind, entry = _check(rulebase, edited)
    assert kind == ALTERED and entry is not None
    assert "seal does not match" in entry["changes"][0]


def test_a_repeated_key_is_refused(reader: str, rulebase: sen_rules.Rulebase) -> None:
    text = sen_rules.record_to_json(_record(KEY))
    needle = '"outcome": "pre_assessment_panel"'
    forged = text.replace(needle, '"outcome": "early_years_panel",\n      ' + needle, 1)
    with pytest.raises(RecordError, match="appears twice"):
        replay.read_stored(forged.encode())
    kind, entry = _check(rulebase, forged, KEY)
    assert kind == ALTERED and entry is not None and "appears twice" in entry["changes"][0]


def test_a_compact_record_takes_the_general_path(reader: str,
                                                 rulebase: sen_rules.Rulebase) -> None:
    text = json.dumps(_record(), separators=(",", ":"))
    assert not replay.holds_as_stored(text.encode(), rulebase, None)
    assert _check(rulebase, text) == (HOLDS, None)


def test_keyed_records_need_their_key(reader: str, rulebase: sen_rules.Rulebase) -> None:
    keyed = sen_rules.record_to_json(_record(KEY))
    plain = sen_rules.record_to_json(_record())
    assert _check(rulebase, keyed, KEY) == (HOLDS, None)
    kind, entry = _check(rulebase, keyed)
    assert kind == NEEDS_KEY and entry is not None
    assert "sealed with a key" in entry["changes"][0]
    kind, entry = _check(rulebase, keyed, b"another key")
    assert kind == ALTERED and entry is not None
    kind, entry = _check(rulebase, plain, KEY)  # a keyed log cannot be downgraded
    assert kind == ALTERED and entry is not None and "unkeyed" in entry["changes"][0]


@pytest.fixture
def log(tmp_path: Path) -> Iterator[DecisionLog]:
    opened = DecisionLog(f"sqlite:///{tmp_path / 'log.db'}")
    yield opened
    opened.close()


def test_the_answer_does_not_depend_on_the_workers(log: DecisionLog, level_4_rules: Path
                                                   ) -> None:
    names = ["school-action", "complex-needs-referral", "placement-candidates",
             "school-referral-without-action"]
    for i in range(8):
        case = json.loads((EXAMPLES / f"{names[i % len(names)]}.json").read_text())
        case["child"]["id"] = f"ORDER-{i}"
        if i % 3 == 0:
            case = json.loads(json.dumps(case).replace('"funding_level": 4',
                                                       '"funding_level": 3'))
        log.store(sen_rules.make_record(case, as_of="2026-11-28"))
    rules = sen_rules.load_rulebase(level_4_rules)
    one = reverify(log, rules, workers=1)
    two = reverify(log, rules, workers=2, chunk_size=1)
    assert one.to_dict() == two.to_dict()
    assert one.counts[CHANGED_DIFFERS] >= 1
    assert one.counts[CHANGED_DIFFERS] + one.counts[CHANGED_SAME] == 8


def test_the_fast_seal_is_the_writers_where_text_is_not_ascii() -> None:
    if not replay.fast():
        pytest.skip("orjson is not installed")
    data: dict[str, Any] = {"quote": "“a clause” — £5", "del": "a\x7fb", "astral": "\U0001f600",
                            "n": [1, 2.5, -3], "seal": {"algorithm": "sha256", "digest": ""}}
    for key in (None, KEY):
        assert replay._seal_digest(data, key) == seal_of(data, key)["digest"]


def test_the_newest_records_are_read_in_pages(log: DecisionLog) -> None:
    stored = []
    for i in range(5):
        case = json.loads(CASE)
        case["child"]["id"] = f"PAGE-{i}"
        stored.append(log.store(sen_rules.make_record(case, as_of=AS_OF)).id)
    found = [row.id for row in log.newest_blobs(limit=3, page=2)]
    assert found == stored[::-1][:3]
    assert [row.id for row in log.newest_blobs(limit=10, page=2)] == stored[::-1]
