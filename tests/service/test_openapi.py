"""Property test driven by the OpenAPI document: no generated request gets a server
error or an answer that breaks the documented schema (a bounded number of examples)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import Server

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

MAX_EXAMPLES = 5


@schemathesis.serializer("application/x-ndjson")  # type: ignore[untyped-decorator]
def _json_lines(ctx: object, value: object) -> bytes:
    """A generated batch line, as one line of JSON Lines."""
    return (json.dumps(value) + "\n").encode("utf-8")


@schemathesis.deserializer("application/x-ndjson")  # type: ignore[untyped-decorator]
def _read_json_lines(ctx: object, response: object) -> object:
    """The first line (the test skips the schema check of an empty stream)."""
    lines = response.content.decode("utf-8").splitlines()  # type: ignore[attr-defined]
    return json.loads(lines[0]) if lines else None


def test_no_server_error_and_no_undocumented_answer(server: Server) -> None:
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    # the reload endpoint changes the server under the other tests, and drawing whole
    # decision records to verify takes hypothesis tens of seconds: both have tests of
    # their own (test_reload.py; test_api.py verifies good and altered records)
    operations = schema.exclude(path=["/v1/admin/reload", "/v1/records/verify"])
    found = schemathesis.checks
    checks = [found.not_a_server_error, found.status_code_conformance,
              found.content_type_conformance, found.response_schema_conformance]
    failures: list[str] = []
    for result in operations.get_all_operations():
        operation = result.ok()

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call(base_url=server.url, timeout=60)
            kind = response.headers.get("content-type") or [""]
            empty_stream = (str(kind[0] if isinstance(kind, list) else kind).startswith(
                "application/x-ndjson") and not response.content.strip())
            # an empty stream of JSON Lines has no line to hold to the schema
            case.validate_response(response, checks=checks[:-1] if empty_stream else checks)

        try:
            given(case=operation.as_strategy())(check)()
        except AssertionError as exc:
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
