"""Replaying one stored record, with the answers of :func:`sen_rules.verify_record`, at volume.

A stored record is the exact text :func:`sen_rules.record_to_json` wrote. Most of it (nine
tenths) is the trace, and reading it strictly costs more than replaying the case. So a
record made under the rulebase given is first checked the other way round:
:func:`holds_as_stored` replays its case, builds the record the rules make now (as
:func:`sen_rules.make_record` builds it, with the recorded header), seals it (with the key,
if one is given) and serialises it; if those bytes are the stored bytes, the stored record
is exactly the record the rules make now: its seal is right, its decisions, flags, notes,
rule ids and trace are the replayed ones, and it holds. It reads only the header (the
case and what precedes it), strictly.

Anything else (another rulebase, one byte that differs, a seal of the wrong kind, a
record that cannot be read) takes the general path, the one ``verify_record`` takes:
:func:`read_stored` reads the whole record strictly, :func:`check_seal` checks its seal,
and :func:`replay` compares decision by decision and names what differs. Under another
rulebase only the decisions are compared there, so the trace is not rebuilt.

Both fast steps use orjson (the ``server`` extra); without it everything takes the general
path, with the same answers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from json.encoder import encode_basestring_ascii
from typing import Any

from ..audit.record import FIELDS, seal_of
from ..audit.verify import (
    MAX_RECORD_BYTES,
    check_parts,
    check_seal_digest,
    check_shape,
    load_record,
    replayable_case,
)
from ..errors import SenRulesError
from ..explain.core import trace_and_decide, trace_to_dict
from ..jsonread import MAX_DEPTH, JsonInputError, loads
from ..rulebase import Rulebase

try:
    import orjson
except ImportError:  # pragma: no cover - the server extra installs it
    orjson = None  # type: ignore[assignment]

HEADER = FIELDS[:FIELDS.index("evaluation")]  # record ... case_sha256, in the written order
_START = b'{\n  "record": '
_EVALUATION = b'\n  "evaluation": '
# a line indented this deep holds a value nested deeper than the strict reader allows
_TOO_DEEP = re.compile(rb"\n {%d}" % (2 * MAX_DEPTH))
_NOT_ASCII = re.compile(rb"[\x7f-\xff]+")  # whole UTF-8 characters (and DEL), in strings


def fast() -> bool:
    return orjson is not None


def holds_as_stored(raw: bytes, rulebase: Rulebase, key: bytes | None) -> bool:
    """True when the stored bytes are exactly the record ``rulebase`` makes now (so the
    record holds); False means "not shown this way": take the general path."""
    if orjson is None or not raw.startswith(_START) or _TOO_DEEP.search(raw):
        return False
    cut = raw.find(_EVALUATION)
    if cut < 0 or not raw[:cut].endswith(b",") or rulebase.sha256.encode() not in raw[:cut]:
        return False
    try:
        header = loads(raw[:cut - 1] + b"\n}", limit=MAX_RECORD_BYTES)
    except JsonInputError:
        return False
    if not isinstance(header, dict) or tuple(header) != HEADER or header[
            "rulebase"] != rulebase.identity():
        return False
    try:
        case = replayable_case(header)
        _, _, evaluation, trace = trace_and_decide(rulebase, case, header["as_of"],
                                                   header["backend"])
        record: dict[str, Any] = {**header, "evaluation": evaluation.to_dict(),
                                  "trace": trace_to_dict(trace, evaluation)}
        record["seal"] = seal_of(record, key)  # refuses NaN, as the writer does
        rebuilt = orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n"
    except (SenRulesError, ValueError, TypeError):  # the general path says what is wrong
        return False
    if rebuilt != raw:
        return False
    try:
        check_shape(record)
        check_parts(record)
    except SenRulesError:
        return False
    return True


def read_stored(raw: bytes) -> dict[str, Any]:
    """The stored record, read as strictly as :func:`sen_rules.audit.load_record` reads it.

    orjson reads it fast but keeps the last of two equal keys and is lenient where the
    strict reader is not; so its reading is used only when writing it back gives the
    stored bytes exactly (no key can then be repeated, no number be out of range, no text
    be other than it reads) and nothing is nested too deeply. Otherwise the strict reader
    reads it, and says what is wrong.
    """
    if orjson is not None and raw.startswith(b"{") and not _TOO_DEEP.search(raw):
        try:
            data = orjson.loads(raw)
            same = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n" == raw
        except (orjson.JSONDecodeError, orjson.JSONEncodeError):
            same = False
        if same:
            check_shape(data)
            return dict(data)
    return load_record(raw)


def check_stored(raw: bytes, key: bytes | None) -> dict[str, Any]:
    """Read a stored record and check its seal (RecordError SR501-SR503 otherwise)."""
    data = read_stored(raw)
    fast_digest = _seal_digest(data, key)
    if fast_digest is not None and hmac.compare_digest(fast_digest, data["seal"]["digest"]):
        check_seal_digest(data, key, fast_digest)
    else:
        check_seal_digest(data, key)  # the seal's canonical text, as the writer wrote it
    check_parts(data)
    return data


def _seal_digest(data: dict[str, Any], key: bytes | None) -> str | None:
    """The seal of data read from JSON (so holding no NaN), computed over orjson's
    canonical text with what is not ASCII escaped as the writer escapes it.

    Should that text ever differ from the writer's (a number written another way), the
    digests differ and the caller computes the seal again the writer's way
    (:func:`seal_of`); where they match, the digest is over a canonical text of the same
    content, so the seal holds.
    """
    if orjson is None:
        return None
    try:
        text = orjson.dumps({k: v for k, v in data.items() if k != "seal"},
                            option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None
    if not text.isascii() or b"\x7f" in text:
        text = _NOT_ASCII.sub(_escaped, text)
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def _escaped(run: re.Match[bytes]) -> bytes:
    quoted: str = encode_basestring_ascii(run.group().decode("utf-8"))
    return quoted[1:-1].encode("ascii")
