"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the service answers carries the SRnnn code, the field paths it concerns and a
sentence a person can act on. Anything the client sent wrong is a 4xx; a fault of the
service is a 500 that says so without a traceback (the traceback stays out of the logs too,
since an exception's message may quote case data).

Service codes: SR701 body is not JSON, SR702 duplicate key, SR703 nested too deep,
SR704 body too large, SR705 batch too long, SR706 request took too long, SR707 unsupported
media type, SR708 bad query or path value, SR710 no or unknown token, SR711 token lacks
the scope, SR712 not found, SR713 method not allowed, SR720 reload refused, SR730 no
decision log, SR731 decision log unavailable, SR799 internal fault. Library codes keep
their meaning: SR1xx rulebase, SR2xx case, SR3xx evaluation, SR4xx backend, SR5xx record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

from ..errors import CaseError, SenRulesError
from ..textsafe import escape

PROBLEM_TYPE = "https://sen-rules.invalid/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
    415: "Unsupported Media Type", 422: "Unprocessable Content",
    500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout",
}


_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with each half of a surrogate pair shown as its escape (``\\udfff``): a
    sentence may quote what a client sent, and the answer must still be UTF-8."""
    return _SURROGATE.sub(lambda m: escape(m.group(0)), text)


class Problem(Exception):  # noqa: N818 - RFC 9457's own name
    """An error answer: status, SR code, sentence, and the field paths it concerns."""

    def __init__(self, status: int, code: str, detail: str,
                 errors: Sequence[Mapping[str, str]] = (),
                 headers: Mapping[str, str] | None = None) -> None:
        detail = encodable(detail)
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = [{encodable(k): encodable(v) for k, v in e.items()} for e in errors]
        self.headers = dict(headers or {})

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE + self.code,
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = encodable(instance)
        if self.errors:
            body["errors"] = self.errors
        return body

    def response(self, instance: str | None = None,
                 headers: Mapping[str, str] | None = None) -> Response:
        text = json.dumps(self.to_dict(instance), ensure_ascii=False)
        return Response(text, status_code=self.status, media_type=MEDIA_TYPE,
                        headers={**self.headers, **(headers or {})})


def status_of(code: str) -> int:
    """The HTTP status of a library error code."""
    if code.startswith("SR2") or code.startswith("SR5"):
        return 422  # a case or record that is well-formed JSON but not acceptable
    if code.startswith("SR4"):
        return 422  # a backend the client asked for that cannot run here
    if code.startswith("SR1"):
        return 503  # the rulebase itself (only on reload, which is refused)
    return 422  # SR3xx: no complete answer for this case


def from_library(exc: SenRulesError) -> Problem:
    """A library error as a problem: the code, the sentence, every field path."""
    errors: list[dict[str, str]] = []
    if isinstance(exc, CaseError):
        errors = [{"path": path, "message": message} for path, message in exc.problems]
    return Problem(status_of(exc.code), exc.code, exc.message, errors)


def bad_request(code: str, detail: str, path: str = "") -> Problem:
    return Problem(400, code, detail, [{"path": path, "message": detail}] if path else [])
