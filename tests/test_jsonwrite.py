"""Indented JSON from the compact text is what the standard library's indenting encoder
writes, for any value."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sen_rules.engine.result import dumps
from sen_rules.jsonwrite import indented

# text that is hard for a reader of JSON structure: quotes, backslashes (in runs), the
# structure's own characters, control characters (the writer's own marks among them) and
# characters beyond the BMP
TRICKY = st.text(alphabet=st.sampled_from(list('"\\{}[],: \n\t\x00\x01\u2028é😀a0-.e'))
                 | st.characters(), max_size=12)
SCALARS = (st.none() | st.booleans() | st.integers()
           | st.floats(allow_nan=False, allow_infinity=False) | TRICKY)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(TRICKY, inner, max_size=4), max_leaves=40)


def standard(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, separators=(",", ": "))


@settings(max_examples=400)
@given(VALUES)
def test_indented_is_what_the_indenting_encoder_writes(value: Any) -> None:
    compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert indented(compact) == standard(value)
    assert dumps(value) == standard(value)  # the project's one writer of indented JSON


def test_empty_containers_and_nesting() -> None:
    for value in ({}, [], {"a": {}}, [[], [[]]], {"": [{}]}, "x", 1, None,
                  {"a:b": "c,d", "e": ["]", "{"]}):
        assert indented(json.dumps(value, separators=(",", ":"))) == standard(value)
