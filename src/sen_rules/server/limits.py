"""Limits on what one request may ask of the service, and strict JSON reading.

The body is read in chunks and refused as soon as it passes the size limit (nothing larger
is ever held in memory); JSON is refused when it repeats a key in an object (which value
would count is a guess), nests deeper than the limit, writes NaN or Infinity, or holds
what the project's strict reader (:mod:`sen_rules.jsonread`) refuses in the data read: half
of a surrogate pair, a number too large to be finite, an integer beyond 128 bits.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from .. import codes
from ..jsonread import JsonInputError, check_data
from .problems import Problem, bad_request


@dataclass(frozen=True)
class Limits:
    """The service's limits (each is in docs/service.md)."""

    max_body_bytes: int = 1_000_000  # one case, a record, or a verify request
    max_batch_bytes: int = 50_000_000  # a JSON Lines batch
    max_line_bytes: int = 1_000_000  # one line of a batch
    max_batch_lines: int = 10_000  # lines of one batch
    max_depth: int = 32  # nesting of objects and arrays
    max_record_bytes: int = 20_000_000  # a decision record to verify (it holds the trace)
    max_record_depth: int = 256  # a record's trace nests as deep as the rules' conditions
    max_seconds: float = 10.0  # one evaluation, explanation or record
    max_batch_seconds: float = 300.0  # a whole batch
    max_page: int = 1_000  # decisions listed per page


async def read_body(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The whole body, refused (413, SR704) once it passes ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        parts.append(chunk)
    return b"".join(parts)


def too_large(limit: int) -> Problem:
    return Problem(413, codes.SR704, f"the request body is larger than the limit of {limit:,} "
                                     "bytes")


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def depth_of(text: str) -> int:
    """How deeply arrays and objects nest (brackets inside strings are not counted)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_json(body: bytes | str, limits: Limits, what: str = "the request body",
               max_depth: int | None = None) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN, nesting within the limit."""
    deepest = max_depth or limits.max_depth
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise bad_request(codes.SR701, f"{what} is not UTF-8 text (byte {exc.start})") from None
    else:
        text = body
    if not text.strip():
        raise bad_request(codes.SR701, f"{what} is empty; expected a JSON object")
    # nesting can only be deep when there are many brackets: scan only then
    brackets = text.count("[") + text.count("{")
    depth = depth_of(text) if brackets > deepest else 0
    if depth > deepest:
        raise bad_request(codes.SR703, f"{what} nests {depth} levels deep; the limit is "
                          f"{deepest}")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
        check_data(data, max_depth=deepest)
    except _DuplicateKeyError as exc:
        raise bad_request(codes.SR702, f"{what} repeats the key {exc.key!r} in one object; "
                          "give each key once") from None
    except json.JSONDecodeError as exc:
        raise bad_request(codes.SR701, f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} "
                          f"column {exc.colno}") from None
    except JsonInputError as exc:
        raise bad_request(codes.SR701, f"{what} is not acceptable JSON: {exc.reason}") from None
    except (ValueError, RecursionError) as exc:
        raise bad_request(codes.SR701, f"{what} is not valid JSON: {exc}") from None
    return data
