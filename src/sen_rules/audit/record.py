"""Decision records: one JSON document that holds a decision and everything to replay it.

A record holds the canonical case and its sha256, the rulebase's name, version and sha256,
the package version, the backend, the as-of date, the decisions (the evaluation's JSON)
and the trace, and a seal: a sha256 (or, with a key, an HMAC-SHA256) over all of that in
canonical JSON (keys sorted, no spaces, ASCII). Any edit made by hand breaks the seal. A
plain sha256 seal detects edits, not forgery (whoever edits a record can compute a new
digest); seal with a key kept apart from the records when that matters.

The same case, date, rulebase and backend always give a byte-identical record: there is
no clock and no random identifier in it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..case import Case
from ..engine.result import dumps
from ..explain.core import trace_and_decide, trace_to_dict
from ..loading.bundled import bundled_rulebase
from ..rulebase import Rulebase
from ..version import __version__

RECORD_KIND = "sen-rules decision record"
RECORD_FORMAT = 1
FIELDS = ("record", "package", "rulebase", "backend", "as_of", "case", "case_sha256",
          "evaluation", "trace", "seal")


def canonical_json(data: Any) -> str:
    """The text a digest is computed over: keys sorted, no spaces, ASCII only."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)


def sha256_of(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("ascii")).hexdigest()


def seal_of(body: Mapping[str, Any], key: bytes | None) -> dict[str, str]:
    """The seal over every field of a record but the seal itself."""
    content = {k: v for k, v in body.items() if k != "seal"}
    text = canonical_json(content).encode("ascii")
    if key is None:
        return {"algorithm": "sha256", "digest": hashlib.sha256(text).hexdigest()}
    return {"algorithm": "hmac-sha256", "digest": hmac.new(key, text, hashlib.sha256).hexdigest()}


def package_version() -> str:
    return __version__


def make_record(case: Case | Mapping[str, Any] | str | bytes, *, as_of: date | str,
                rulebase: Rulebase | None = None, backend: str = "native",
                key: bytes | None = None) -> dict[str, Any]:
    """Evaluate a case and return its decision record (JSON-ready data).

    Write it with :func:`record_to_json`; check it later with
    :func:`sen_rules.audit.verify_record`. ``key`` seals it with HMAC-SHA256 instead of a
    plain sha256 (the same key is then needed to verify it).
    """
    rb = rulebase or bundled_rulebase()
    valid, day, evaluation, trace = trace_and_decide(rb, case, as_of, backend)
    case_json = canonical_case(valid)
    body: dict[str, Any] = {
        "record": {"kind": RECORD_KIND, "format": RECORD_FORMAT},
        "package": {"name": "sen-rules", "version": package_version()},
        "rulebase": rb.identity(),
        "backend": backend,
        "as_of": day.isoformat(),
        "case": case_json,
        "case_sha256": sha256_of(case_json),
        "evaluation": evaluation.to_dict(),
        "trace": trace_to_dict(trace, evaluation),
    }
    body["seal"] = seal_of(body, key)
    return body


def canonical_case(case: Case) -> dict[str, Any]:
    """The case as JSON data with every field present (defaults included)."""
    data: dict[str, Any] = case.model_dump(mode="json")
    return data


def record_to_json(record: Mapping[str, Any]) -> str:
    """A record as text (the same record always gives the same bytes)."""
    return dumps(dict(record), indent=2) + "\n"
