"""Requests at the edges, checked in-process: text that is not Unicode, dates at the end of
the calendar, what reaches the access log, media types and charsets, an export that fails
while streaming, and how re-verification names a record it cannot check."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import sen_rules
from conftest import example
from sen_rules.cli import main
from sen_rules.decision_log.store import DecisionLog, IntegrityError
from sen_rules.errors import CaseError
from sen_rules.server.app import create_app
from sen_rules.server.config import Settings
from sen_rules.server.routes_evaluate import library_problem
from sen_rules.textsafe import one_field as loggable

AS_OF = "2026-11-28"
LAST_DAY = "9999-12-31"
KEY = b"a key the auditor was not given"
BODY = {"case": json.loads(example("school-action")), "as_of": AS_OF}
SURROGATE_KEY = rb'{"case":{"child":{"id":"A","date_of_birth":"2000-01-01"}},"\udfff":1}'


def request(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = json.loads(response.content.decode("utf-8"))
    assert body["code"] == code
    return body


@pytest.fixture(scope="module")
def open_app() -> Any:
    return create_app(Settings())


@pytest.fixture
def log_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'log.db'}"


@pytest.fixture
def logged_app(log_url: str) -> Iterator[Any]:
    app = create_app(Settings(log=log_url))
    assert request(app, "POST", "/v1/records", json=BODY).status_code == 201
    yield app
    app.state.sen_rules.log.close()


# ------------------------------------------------------------------ text that is not Unicode

@pytest.mark.parametrize("path", ["/v1/evaluate", "/v1/explain", "/v1/records"])
@pytest.mark.parametrize("content", [
    SURROGATE_KEY,
    rb'{"case":{"child":{"id":"A\ud800","date_of_birth":"2000-01-01"}},"as_of":"2020-01-01"}',
])
def test_half_a_surrogate_pair_is_refused_as_not_json(open_app: Any, path: str,
                                                      content: bytes) -> None:
    answer = request(open_app, "POST", path, content=content,
                     headers={"content-type": "application/json"})
    body = problem(answer, 400, "SR701")
    assert "half of a surrogate pair" in body["detail"]


def test_a_batch_line_with_half_a_surrogate_pair_is_answered_by_its_line(
        open_app: Any) -> None:
    answer = request(open_app, "POST", "/v1/evaluate/batch", content=SURROGATE_KEY + b"\n",
                     headers={"content-type": "application/x-ndjson"})
    line = json.loads(answer.text)
    assert answer.status_code == 200 and line["error"]["code"] == "SR701"


def test_a_problem_quoting_half_a_surrogate_pair_is_still_utf8() -> None:
    made = library_problem(CaseError([("\udfff", "unknown field")]))
    response = made.response("/v1/\udc80")
    body = json.loads(bytes(response.body).decode("utf-8"))
    assert body["code"] == "SR200" and "\\udfff" in body["detail"]
    assert body["errors"][0]["path"] == "\\udfff" and body["instance"] == "/v1/\\udc80"


# ------------------------------------------------------------ the calendar's last day

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/decisions"), ("GET", "/audit/"), ("POST", "/v1/decisions/reverify"),
    ("GET", "/v1/decisions/export")])
def test_the_last_day_of_the_calendar_is_an_upper_bound(logged_app: Any, method: str,
                                                        path: str) -> None:
    answer = request(logged_app, method, path, params={"recorded_until": LAST_DAY})
    assert answer.status_code == 200, answer.text
    if path == "/v1/decisions":
        assert len(answer.json()["decisions"]) == 1
    elif path.endswith("/reverify"):
        assert answer.json()["total"] == 1
    elif path.endswith("/export"):
        assert len(answer.text.splitlines()) == 1
        assert json.loads(answer.text)["as_of"] == AS_OF


@pytest.mark.parametrize("action", [["list"], ["export"], ["reverify", "--workers", "1"]])
def test_the_log_commands_take_the_last_day_of_the_calendar(
        logged_app: Any, log_url: str, action: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["log", *action, "--log", log_url, "--until", LAST_DAY]) == 0
    out = capsys.readouterr().out
    assert "1 decision(s) shown" in out or '"as_of"' in out or "re-verified 1 " in out


# ------------------------------------------------------------- an export that fails

def _run_asgi(app: Any, path: str, query: str) -> list[dict[str, Any]]:
    """The ASGI messages an application sends for one GET (to see whether its body ends)."""
    sent: list[dict[str, Any]] = []
    asked: list[bool] = []

    async def receive() -> dict[str, Any]:
        if asked:  # the client stays connected
            await asyncio.Event().wait()
        asked.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "headers": [],
             "client": ("127.0.0.1", 1), "server": ("local", 80)}
    asyncio.run(app(scope, receive, send))
    return sent


def test_an_export_that_fails_while_streaming_does_not_end_as_complete(
        logged_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    text = next(logged_app.state.sen_rules.log.records())[1]

    def failing(self: DecisionLog, filters: Any = None) -> Iterator[tuple[str, str]]:
        for _ in range(200):  # the first lines, read before answering
            yield "id", text
        raise RuntimeError("the database went away, quoting HK-PRIVATE")

    monkeypatch.setattr(DecisionLog, "records", failing)
    sent = _run_asgi(logged_app, "/v1/decisions/export", "")
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert all(m.get("more_body") for m in bodies)  # the body never ends: not complete
    lines = b"".join(m.get("body", b"") for m in bodies).decode().splitlines()
    assert len(lines) == 201
    last = json.loads(lines[-1])
    assert last["ok"] is False and last["error"]["code"] == "SR799"
    assert "incomplete" in last["error"]["message"] and "HK-PRIVATE" not in lines[-1]


@pytest.mark.parametrize(("fault", "status", "code"), [
    (IntegrityError("decision X: the stored record does not match its sha256"), 409, "SR732"),
    (RuntimeError("the database went away"), 500, "SR799")])
def test_an_export_that_fails_at_once_is_a_problem_not_a_200(
        logged_app: Any, monkeypatch: pytest.MonkeyPatch, fault: Exception, status: int,
        code: str) -> None:
    def failing(self: DecisionLog, filters: Any = None) -> Iterator[tuple[str, str]]:
        raise fault
        yield  # pragma: no cover - a generator

    monkeypatch.setattr(DecisionLog, "records", failing)
    problem(request(logged_app, "GET", "/v1/decisions/export"), status, code)


# -------------------------------------------------------------------- the access log

FORGED = ("/v1/decisions/%0a2026-12-08%2004:18:18,466%209320%20sen_rules.server.access%20INFO"
          "%20GET%20/v1/FORGED%20200%200.3ms%20client=admin%1b[2J%07%00%e2%80%ae")


def test_the_access_log_escapes_what_the_request_sent(
        open_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sen_rules.server.access")
    request(open_app, "GET", FORGED)
    lines = [r.getMessage() for r in caplog.records if r.name == "sen_rules.server.access"]
    assert len(lines) == 1
    line = lines[0]
    assert not any(char in line for char in "\n\r\x1b\x07\x00\u202e")
    assert "\\x0a2026-12-08\\x2004:18:18" in line and "\\x1b[2J\\x07\\x00\\u202e" in line
    assert line.startswith("GET /v1/decisions/") and " 404 " in line


def test_every_value_the_log_writes_is_one_printable_field() -> None:
    assert loggable("GET") == "GET" and loggable("/v1/évaluation") == "/v1/évaluation"
    assert loggable("a b\\c\td\r\n") == "a\\x20b\\x5cc\\x09d\\x0d\\x0a"
    assert loggable("x\u2028\udfff\U000e0001") == "x\\u2028\\udfff\\U000e0001"
    assert loggable(None) == "None"


# ------------------------------------------------------------- media types and charsets

@pytest.mark.parametrize("kind", ["Application/JSON", "application/json; charset=UTF-8",
                                  'application/json;charset="utf-8"',
                                  "application/problem+JSON"])
def test_media_types_and_charset_names_are_case_insensitive(open_app: Any,
                                                            kind: str) -> None:
    answer = request(open_app, "POST", "/v1/evaluate", json=BODY,
                     headers={"content-type": kind})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("kind", ["application/json; charset=latin-1",
                                  'application/json; charset="ISO-8859-1"',
                                  "application/json; charset=utf-8; charset=utf-16"])
def test_a_charset_other_than_utf8_is_refused(open_app: Any, kind: str) -> None:
    answer = request(open_app, "POST", "/v1/evaluate", json=BODY,
                     headers={"content-type": kind})
    body = problem(answer, 415, "SR707")
    assert "UTF-8" in body["detail"] and "charset=" in body["detail"]


# ----------------------------------------------- a record re-verified without its key

def test_a_keyed_record_without_its_key_is_named_by_its_row(
        log_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    log = DecisionLog(log_url)
    record = sen_rules.make_record(BODY["case"], as_of=AS_OF, key=KEY)
    stored = log.store(record)
    rb = record["rulebase"]
    named = (f"- {stored.id} case {record['case']['child']['id']} as of {AS_OF} (recorded "
             f"under {rb['name']} {rb['version']} ({rb['sha256'][:12]})): needs-key")
    assert main(["log", "reverify", "--log", log_url, "--workers", "1"]) == 5
    out = capsys.readouterr().out
    assert named in out and "None" not in out
    app = create_app(Settings(log=log_url))
    entry = request(app, "POST", "/v1/decisions/reverify").json()["differing"][0]
    assert (entry["case_id"], entry["as_of"], entry["status"]) == (
        record["case"]["child"]["id"], AS_OF, "needs-key")
    assert entry["recorded_rulebase"].startswith(f"{rb['name']} {rb['version']} (")
    app.state.sen_rules.log.close()
    log.close()
