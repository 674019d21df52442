"""The one strict JSON reader for everything that comes in: cases, records, batch lines,
diff corpora.

Python's own reader lets the last of two equal keys win, nests until the interpreter's
recursion limit, reads ``NaN`` and ``Infinity``, turns ``1e400`` into infinity and reads
integers of any length. Each of those lets two readers see different documents in the same
bytes (a forged key a digest never covered) or costs without bound, so this reader refuses
them, each with a sentence that says what and where:

* a key repeated in one object;
* nesting deeper than :data:`MAX_DEPTH` objects and lists;
* ``NaN``, ``Infinity``, ``-Infinity``, and numbers too large to be finite;
* number literals longer than :data:`MAX_NUMBER_CHARS` characters;
* text that is not UTF-8, and escapes that name half of a surrogate pair;
* input longer than the limit given (:func:`read_limited` reads no more than that).
"""

from __future__ import annotations

import json
import math
import re
from typing import IO, Any

MAX_DEPTH = 64
"""Objects and lists nested deeper than this are refused (a case nests 4 deep, a record 16)."""
MAX_NUMBER_CHARS = 40
"""Number literals longer than this are refused (no field needs more)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonInputError(ValueError):
    """Input that the strict reader refuses. ``line`` and ``column`` are 1-based (0: unknown)."""

    def __init__(self, reason: str, line: int = 0, column: int = 0) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line else ""
        super().__init__(f"{reason}{where}")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):  # the rare case: find the first key seen twice
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JsonInputError(f"the key {_shown(key)} appears twice in one object")
            seen.add(key)
    return out


def _shown(key: str) -> str:
    text = json.dumps(key[:60])
    return text if len(key) <= 60 else text[:-1] + '..."'


def _constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not a number JSON allows")


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonInputError(f"a number of {len(text)} characters is too long (at most "
                             f"{MAX_NUMBER_CHARS})")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonInputError(f"a number of {len(text)} characters is too long (at most "
                             f"{MAX_NUMBER_CHARS})")
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError(f"the number {text} is too large")
    return value


def loads(text: str | bytes, *, limit: int) -> Any:
    """Parse JSON text strictly (see the module docstring); ``limit`` is in bytes."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > limit:
            raise JsonInputError(f"the input is larger than {limit:,} bytes")
        text = decode(bytes(text))
    elif len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
        raise JsonInputError(f"the input is larger than {limit:,} bytes")
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant,
                          parse_int=_int, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise JsonInputError(f"nested more than {MAX_DEPTH} levels deep") from None
    check_data(data)
    return data


def decode(raw: bytes) -> str:
    """UTF-8 text, or a located error naming the first byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise JsonInputError("not UTF-8 text", line, column) from None


_JSON_KINDS = (bool, int, float, str, dict, list, tuple)  # bool before int: it is one
_EXACT = frozenset(_JSON_KINDS) | {type(None)}


def _kind(value: Any) -> type:
    """The JSON kind of a value; a subclass built in Python (rare) counts as its base."""
    return next((k for k in _JSON_KINDS if isinstance(value, k)), type(value))


def check_data(data: Any, max_depth: int = MAX_DEPTH) -> None:
    """Refuse data nested too deeply, holding lone surrogates, or values JSON cannot hold.

    Walks level by level without recursion, so a structure built in Python 100,000 levels
    deep gets a sentence, not a ``RecursionError``; the text of every key and string is
    searched for surrogates in one pass at the end. The common types are tested by exact
    type first (this runs for every case read, so it must stay cheap).
    """
    texts: list[str] = []
    level: list[Any] = [data]
    depth = 1
    while level:
        deeper: list[Any] = []
        for value in level:
            kind = type(value)
            if kind not in _EXACT:
                kind = _kind(value)
            if kind is str:
                texts.append(value)
            elif kind is dict or kind is list or kind is tuple:
                if depth > max_depth:
                    raise JsonInputError(f"nested more than {max_depth} levels deep")
                if kind is dict:
                    for key in value:
                        if not isinstance(key, str):
                            raise JsonInputError(
                                f"a key must be text, not {type(key).__name__}")
                        texts.append(key)
                    deeper.extend(value.values())
                else:
                    deeper.extend(value)
            elif kind is int:
                if value.bit_length() > 128:
                    raise JsonInputError("an integer is too large")
            elif kind is float and not math.isfinite(value):
                raise JsonInputError(f"{value} is not a number JSON allows")
        level = deeper
        depth += 1
    if texts and _SURROGATE.search("".join(texts)):
        raise JsonInputError("a string holds half of a surrogate pair (not Unicode text)")


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """At most ``limit`` bytes of a binary stream; an error if there are more.

    Reads no more than ``limit + 1`` bytes, so ``/dev/zero`` or an endless pipe costs
    ``limit`` bytes of memory, not all of it.
    """
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise JsonInputError(f"the input is larger than {limit:,} bytes")
    return b"".join(chunks)
