"""The strict reader's data check refuses exactly what a plain recursive reading refuses."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sen_rules import jsonread


def _refused(value: Any, depth: int, max_depth: int) -> bool:
    """The plain reading, written recursively (fine for the small values drawn here)."""
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, (dict, list, tuple)):
        if depth > max_depth:
            return True
        if isinstance(value, dict):
            return any(_refused(k, depth, max_depth) or _refused(v, depth + 1, max_depth)
                       for k, v in value.items())
        return any(_refused(v, depth + 1, max_depth) for v in value)
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return value.bit_length() > 128
    if isinstance(value, float):
        return not math.isfinite(value)
    return False


# drawn as code points so that lone surrogates (which ``st.text`` never draws) occur too
_text = st.lists(st.integers(min_value=0, max_value=0xFFFF) | st.integers(0xD800, 0xDFFF),
                 max_size=4).map(lambda points: "".join(map(chr, points)))
_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**140), max_value=2**140)
            | st.floats() | _text)
_values = st.recursive(
    _scalars,
    lambda inner: (st.lists(inner, max_size=3) | st.tuples(inner, inner)
                   | st.dictionaries(_text, inner, max_size=3)),
    max_leaves=12)


@settings(max_examples=100, deadline=None)
@given(value=_values, max_depth=st.integers(min_value=1, max_value=4))
def test_check_data_refuses_exactly_the_invalid(value: Any, max_depth: int) -> None:
    if _refused(value, 1, max_depth):
        with pytest.raises(jsonread.JsonInputError):
            jsonread.check_data(value, max_depth)
    else:
        jsonread.check_data(value, max_depth)


def test_deep_python_structure_gets_a_sentence() -> None:
    value: Any = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(jsonread.JsonInputError, match="nested more than"):
        jsonread.check_data(value)


def test_first_repeated_key_is_named() -> None:
    with pytest.raises(jsonread.JsonInputError, match='"b" appears twice'):
        jsonread.loads('{"a": 1, "b": 2, "c": {}, "b": 3}', limit=1000)
