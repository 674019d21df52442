"""The fast read of a case accepts exactly what the strict way accepts, with an equal case,
and every input it does not take gets the strict way's own problems.

The strict way (:func:`sen_rules.case.read_strictly`) is the reference (the model's native
date check is compared with the Python date validator in ``test_iso_dates.py``). Valid cases
come from the generator and the test strategies; hostile ones are valid cases changed at
random, as text by a small JSON writer of its own (repeated keys at any depth, escapes, odd
spacing, numbers and strings that the strict reader refuses, bytes that are not UTF-8) and as
Python data (values of types JSON has not, subclasses, keys that are not text, cycles, deep
nesting).
"""

from __future__ import annotations

import collections
import enum
import json
import marshal
import re
from collections.abc import Callable
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sen_rules.authoring.generate import generate_lines
from sen_rules.case import (
    MAX_CASE_BYTES,
    Case,
    Child,
    _fast_read,
    _read_data_fast,
    _read_text_fast,
    parse_case,
    read_strictly,
)
from sen_rules.errors import CaseError
from sen_rules.testing.strategies import evaluation_inputs

# ---------------------------------------------------------------------------- the strict way


def strict_parse(data: Any) -> Case:
    """The strict way alone, which ``parse_case`` must match on every input."""
    return data if isinstance(data, Case) else read_strictly(data)


def shape(value: Any) -> Any:
    """A value with everything that makes two cases the same: types, fields given, private."""
    if isinstance(value, BaseModel):
        return (type(value).__name__, sorted(value.model_fields_set), value.__pydantic_private__,
                {name: shape(v) for name, v in value.__dict__.items()})
    if isinstance(value, tuple):
        return ("tuple", [shape(v) for v in value])
    return (type(value).__name__, value)


def outcome(read: Callable[[Any], Case], data: Any) -> Any:
    try:
        return ("case", shape(read(data)))
    except CaseError as exc:
        return ("refused", exc.code, exc.problems)
    except Exception as exc:  # what the old way let escape, the new must let escape too
        return ("raised", type(exc).__name__, str(exc))


def assert_same(data: Any) -> Any:
    expected = outcome(strict_parse, data)
    assert outcome(parse_case, data) == expected
    return expected


# ---------------------------------------------------------------------------- a writer of JSON
# A document is ["obj", [(key_token, node), ...]] (keys may repeat), ["arr", [node, ...]] or
# ["lit", token]: the tokens are written as they are, so a mutation can spell anything.


def tree(value: Any) -> Any:
    if isinstance(value, dict):
        return ["obj", [(json.dumps(k), tree(v)) for k, v in value.items()]]
    if isinstance(value, (list, tuple)):
        return ["arr", [tree(v) for v in value]]
    return ["lit", json.dumps(value)]


def write(node: Any, space: str) -> str:
    kind, body = node
    if kind == "lit":
        return str(body)
    if kind == "arr":
        return "[" + space + ("," + space).join(write(n, space) for n in body) + space + "]"
    return "{" + space + ("," + space).join(
        f"{key}{space}:{space}{write(n, space)}" for key, n in body) + space + "}"


def nodes(node: Any) -> list[Any]:
    """Every node of a document, the document first."""
    found = [node]
    kind, body = node
    if kind == "obj":
        for _, child in body:
            found.extend(nodes(child))
    elif kind == "arr":
        for child in body:
            found.extend(nodes(child))
    return found


def _escaped(text: str, every: bool) -> str:
    """A JSON string token of ``text``, with some or all of its characters as ``\\u`` escapes."""
    return '"' + "".join(f"\\u{ord(c):04x}" if every or i % 2 else json.dumps(c)[1:-1]
                         for i, c in enumerate(text)) + '"'


_BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "1E+2", "-0", "0.0",
                "9" * 10_000, "1" + "0" * 39, "1" + "0" * 40, "143.2807205070953" + "0" * 30,
                "0." + "0" * 44 + "1", "1e-0000000000000000000000000000000000000001", "00", "1.",
                ".5", "+1", "0x10", "12", "3", "5", "6", "20000", "20000.5", "1e4"]
_BAD_STRINGS = ['"\\ud800"', '"\\udc00"', '"a\\ud83d\\ude00b"', '"\\ud83d"', '"x\\u003ay"',
                '"\\u003A"', '"a:b"', '":"', '" : "', '"\\"id\\": 1"', '"\x01"', '"\\u0000"',
                '"\\/"', '"\\x"', '"' + "x" * 5000 + '"', '"2004-05-06"', '""', '"\u00e9\u2028"',
                '"\\"', '"u003a"', '"' + "-" * 50 + '"', '"' + "1" * 45 + '"']
_ODD_DAYS = ['"2004-02-30"', '"2004-5-6"', '"20040506"', '"2004-05-06T00:00"', '"1850-01-01"',
             '"2004-05-06\\n"', '"\u0662\u0660\u0660\u0664-05-06"', '"0"', '"2004\\u002d05-06"']
_SPACES = ["", " ", "\n  ", "\t", "\r\n", "\f", "\v", "\u00a0", "\x00"]


@st.composite
def hostile_texts(draw: st.DrawFn, lines: bool = False) -> str | bytes:
    """A valid case changed at random, as text; with ``lines``, often as a line of JSON
    Lines (``{"case": ..., "as_of": ...}``, the keys in either order, or no ``as_of``)."""
    data, day = draw(evaluation_inputs())
    if lines and draw(st.integers(0, 3)):
        item = {"case": data, "as_of": day.isoformat()}
        data = draw(st.sampled_from([item, {"as_of": item["as_of"], "case": data},
                                     {"case": data}]))
    doc = tree(data)
    for _ in range(draw(st.integers(0, 3))):
        _mutate(draw, doc)
    text = write(doc, draw(st.sampled_from(_SPACES[:5]) | st.sampled_from(_SPACES)))
    text = draw(st.sampled_from(["", "", "", "\ufeff", " ", "\n"])) + text + draw(
        st.sampled_from(["", "", "", " ", "\n", "x", "}", "\x00", " " * MAX_CASE_BYTES]))
    form = draw(st.sampled_from(["str", "bytes", "bytes", "bad bytes"]))
    if form == "str":
        return text
    raw = text.encode("utf-8", "surrogatepass")
    if form == "bad bytes" and b'"' in raw:
        at = draw(st.sampled_from([m.end() for m in re.finditer(rb'"', raw)]))
        bad = draw(st.sampled_from([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x80"]))
        raw = raw[:at] + bad + raw[at:]
    return raw


def _mutate(draw: st.DrawFn, doc: Any) -> None:
    every = nodes(doc)
    objects = [n for n in every if n[0] == "obj" and n[1]]
    literals = [n for n in every if n[0] == "lit"]
    what = draw(st.sampled_from(["repeat", "repeat", "escape key", "number", "string", "swap",
                                 "nest", "colon mask", "distance", "before birth"]))
    if what in ("colon mask", "distance", "before birth"):
        _targeted(draw, what, objects)
        return
    if what in ("repeat", "escape key", "colon mask") and objects:
        body = draw(st.sampled_from(objects))[1]
        i = draw(st.integers(0, len(body) - 1))
        key, value = body[i]
        if what == "escape key":
            body[i] = (_escaped(json.loads(key), draw(st.booleans())), value)
            return
        again = _escaped(json.loads(key), False) if draw(st.booleans()) else key
        other = draw(st.sampled_from([value, ["lit", "null"], ["lit", '"x"'], ["obj", []]]))
        body.insert(draw(st.integers(0, len(body))), (again, other))
        return
    if not literals:
        return
    node = draw(st.sampled_from(literals))
    if what == "number":
        node[1] = draw(st.sampled_from(_BAD_NUMBERS))
    elif what == "string":
        node[1] = draw(st.sampled_from(_BAD_STRINGS) | st.sampled_from(_ODD_DAYS).map(json.dumps))
    elif what == "swap":
        node[1] = draw(st.sampled_from(["true", "false", "null", "0", '"x"', "[]", "{}"]))
    else:
        depth = draw(st.sampled_from([2, 63, 64, 65, 3000]))
        node[1] = "[" * depth + node[1] + "]" * depth


_TEXT_KEYS = {"name", "quadrant", "home_quadrant", "about", "summary", "description"}
_DATE_KEYS = {"started", "ended", "requested_on", "outcome_on", "made_on", "held_on", "since",
              "placed_on", "left_school_on", "criteria_no_longer_met_on",
              "placed_by_parents_in_independent_school_on"}


def _targeted(draw: st.DrawFn, what: str, objects: list[Any]) -> None:
    """Changes aimed where only the fast read's own checks can see them."""
    pairs = [(body, i) for _, body in objects for i in range(len(body))]
    wanted = {"colon mask": _TEXT_KEYS, "distance": {"distance_km"}, "before birth": _DATE_KEYS}
    hits = [(b, i) for b, i in pairs if json.loads(b[i][0]) in wanted[what]
            and b[i][1][0] == "lit" and b[i][1][1] != "null"]
    if not hits:
        return
    body, i = draw(st.sampled_from(hits))
    node = body[i][1]
    if what == "colon mask":  # an escaped colon kept, a key repeated elsewhere: both must count
        node[1] = node[1][:-1] + draw(st.sampled_from(["\\u003a", "\\u003A", ":"])) + '"'
        if draw(st.integers(0, 3)):
            other, j = draw(st.sampled_from(pairs))
            other.insert(j, other[j])
    elif what == "distance":  # in range, but longer than a number may be
        node[1] = draw(st.sampled_from(["1.5" + "0" * 38, "1.5" + "0" * 37, "7",  # 41, 40, 1
                                        "0." + "0" * 39 + "1", "12.5e-" + "0" * 33 + "1"]))
    else:
        node[1] = '"1900-01-02"'


# ---------------------------------------------------------------------------- the tests


def _corpus() -> list[dict[str, Any]]:
    return [json.loads(line)["case"] for line in generate_lines(300, 2024)]


def test_the_fast_read_is_in_use() -> None:
    """If pydantic changed so that the fast read cannot be made, every case would be read the
    strict way: still right, but slow, which this is here to notice."""
    fast = _fast_read()
    assert fast is not None and fast.data is not None


def test_generated_cases_are_read_fast_and_as_the_strict_way_reads_them() -> None:
    fast = _fast_read()
    assert fast is not None
    for data in _corpus():
        text = json.dumps(data)
        expected = ("case", shape(strict_parse(text)))
        for given_ in (text, text.encode(), data, json.dumps(data, indent=2, ensure_ascii=False)):
            assert outcome(parse_case, given_) == expected
        assert _read_text_fast(text, fast) is not None
        assert _read_data_fast(data, fast) is not None


@settings(max_examples=150, deadline=None)
@given(evaluation_inputs())
def test_valid_cases_are_read_fast(inputs: tuple[dict[str, Any], date]) -> None:
    data, _ = inputs
    fast = _fast_read()
    assert fast is not None
    text = json.dumps(data)
    assert _read_text_fast(text, fast) is not None
    assert _read_data_fast(data, fast) is not None
    assert assert_same(text) == assert_same(data)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(hostile_texts())
def test_hostile_text_gets_the_strict_answer(text: str | bytes) -> None:
    assert_same(text)


@st.composite
def aimed_texts(draw: st.DrawFn) -> str | bytes:
    """A valid case with one change aimed where only the fast read's own checks see it."""
    data, _ = draw(evaluation_inputs())
    data.setdefault("child", {})["home_quadrant"] = "North"  # a text value there is always
    doc = tree(data)
    objects = [n for n in nodes(doc) if n[0] == "obj" and n[1]]
    _targeted(draw, draw(st.sampled_from(["colon mask", "distance", "before birth"])), objects)
    text = write(doc, draw(st.sampled_from(_SPACES[:5])))
    return text if draw(st.booleans()) else text.encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aimed_texts())
def test_changes_only_the_fast_reads_own_checks_see_get_the_strict_answer(
        text: str | bytes) -> None:
    assert_same(text)


@pytest.mark.parametrize("text", [
    '{"child": {"id": "A", "date_of_birth": "2004-05-06", "id": "B"}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "child": {"id": "B", '
    '"date_of_birth": "2004-05-06"}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "views": {"pupil": {"summary": '
    '"x\\u003ay", "summary": "z"}}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "views": {"pupil": {"summary": '
    '"a:b", "summary": "z"}}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06", "home_quadrant": "a\\u003ab"}, '
    '"setting": {"kind": "school", "kind": "school"}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06", "home_quadrant": "a\\u003Ab"}, '
    '"setting": {"kind": "school"}, "setting": {"kind": "school"}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "candidate_placements": [{"id": "C",'
    ' "name": "N", "provision": "special_school", "distance_km": 1.5' + "0" * 40 + '}]}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "candidate_placements": [{"id": "C",'
    ' "name": "N", "provision": "special_school", "distance_km": 1' + "0" * 45 + '}]}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "candidate_placements": ['
    '{"id": "C", "name": "N", "provision": "special_school"}, '
    '{"id": "C", "name": "M", "provision": "special_school"}]}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "views": {"parents": '
    '{"preferred_placement": "Z"}}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "statement": {"made_on": "2004-05-05"}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}, "candidate_placements": [{"id": "C",'
    ' "name": "N", "provision": "special_school", "distance_km": NaN}]}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06", "home_quadrant": "\\ud800"}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06", "home_quadrant": "\ud800"}}',
    '\ufeff{"child": {"id": "A", "date_of_birth": "2004-05-06"}}',
    '{"child": {"id": "A", "date_of_birth": "2004-05-06"}}' + " " * MAX_CASE_BYTES,
])
def test_what_the_model_would_take_and_the_strict_reader_refuses(text: str) -> None:
    kind, *_ = assert_same(text)
    assert kind == "refused"
    assert assert_same(text.encode("utf-8", "surrogatepass"))[0] == "refused"
    try:
        data = json.loads(text)
    except ValueError:
        return
    assert_same(data)  # as data, only the repeated key is lost (the last one wins)


class _Str(str):
    pass


class _Int(int):
    pass


class _Float(float):
    pass


class _Level(enum.IntEnum):
    THREE = 3


class _Kind(enum.StrEnum):
    SCHOOL = "school"


def _hostile_values() -> tuple[Any, ...]:
    loop: list[Any] = []
    loop.append(loop)
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    return (set(), frozenset(), {"x"}, b"school", bytearray(b"x"), memoryview(b"x"), 1j, ...,
            date(2004, 5, 6), datetime(2004, 5, 6), Child(id="A", date_of_birth="2004-05-06"),
            _Str("school"), _Str("2004-05-06"), _Int(3), _Level.THREE, _Kind.SCHOOL, _Float(1.5),
            collections.OrderedDict(), MappingProxyType({}), float("nan"), float("inf"),
            2**200, 10**40, -0.0, "\ud800", "a\ud83d\ude00", "\udc00x", loop, deep, (), [],
            {1: 2}, {None: 1}, {(1,): 2}, True, None, 3, 3.0, "x:y", "", "school")


_HOSTILE = _hostile_values()


@st.composite
def hostile_data(draw: st.DrawFn) -> Any:
    data, _ = draw(evaluation_inputs())
    places = list(_places(data))  # of the valid data: not into what is put in below
    for _ in range(draw(st.integers(1, 2))):
        holder, key = draw(st.sampled_from(places))
        if isinstance(holder, dict) and key not in holder:  # moved by the change before
            continue
        what = draw(st.sampled_from(["value", "value", "key", "tuple", "subclass", "whole"]))
        value = holder[key]
        if what == "whole" and key in _DATE_KEYS:
            holder[key] = "1900-01-02"  # before the child was born
        elif what == "whole" and key == "id" and holder is not data.get("child"):
            holder[key] = "C0"  # perhaps another candidate's id
        elif what == "value":
            holder[key] = draw(st.sampled_from(_HOSTILE))
        elif what == "key" and isinstance(holder, dict):
            holder[draw(st.sampled_from([1, None, True, (1,), _Str(str(key))]))] = holder.pop(key)
        elif what == "tuple" and isinstance(value, list):
            holder[key] = tuple(value)
        elif what == "subclass" and isinstance(value, dict):
            holder[key] = collections.OrderedDict(value)
    return data


def _places(value: Any) -> Any:
    """Every (container, key or index) in JSON-like data."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in list(items):
        yield value, key
        if isinstance(child, (dict, list)):
            yield from _places(child)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_data())
def test_hostile_data_gets_the_strict_answer(data: Any) -> None:
    assert_same(data)


@pytest.mark.parametrize("field", ["child.home_quadrant", "setting.name", "setting.quadrant",
                                   "views.pupil.summary", "disputes.0.about",
                                   "pending_decision.about", "candidate_placements.0.name"])
@pytest.mark.parametrize("text", ["\ud800", "a\udfff", "\ud83d\ude00"])
def test_half_a_surrogate_pair_in_any_text_field_is_refused(field: str, text: str) -> None:
    data: dict[str, Any] = {"child": {"id": "A", "date_of_birth": "2004-05-06"},
                            "setting": {"kind": "school"}, "views": {"pupil": {}},
                            "disputes": [{"party": "parent", "resolved": False}],
                            "pending_decision": {"kind": "placement"},
                            "candidate_placements": [{"id": "C", "name": "N",
                                                      "provision": "special_school"}]}
    *path, last = field.split(".")
    holder: Any = data
    for part in path:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    holder[last] = text
    assert assert_same(data)[0] == "refused"
    assert assert_same(json.dumps(data, ensure_ascii=False))[0] == "refused"


def test_marshal_takes_no_subclass_and_no_object_of_another_type() -> None:
    """What the fast read of data relies on: marshal refuses all of these."""
    for value in (_Str("x"), _Int(1), _Float(1.0), _Level.THREE, _Kind.SCHOOL,
                  collections.OrderedDict(), type("D", (dict,), {})(),
                  type("L", (list,), {})(), type("T", (tuple,), {})(), MappingProxyType({}),
                  date(2004, 5, 6), datetime(2004, 5, 6), Child(id="A", date_of_birth="2004-05-06"),
                  object()):
        with pytest.raises(ValueError):
            marshal.dumps({"k": [value]})


def test_a_case_and_any_mapping_are_read_as_before() -> None:
    case = parse_case({"child": {"id": "A", "date_of_birth": "2004-05-06"}})
    assert parse_case(case) is case
    data = {"child": {"id": "A", "date_of_birth": "2004-05-06"}}
    assert assert_same(MappingProxyType(data))[0] == "case"
    assert assert_same(collections.OrderedDict(data))[0] == "case"
    for other in (bytearray(b"{}"), memoryview(b"{}"), 3, None, [data]):
        assert assert_same(other)[0] == "refused"
