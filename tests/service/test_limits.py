"""Limits that are too costly to reach against a real server, checked in-process."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pytest

import sen_rules
from conftest import example
from sen_rules.server.app import create_app
from sen_rules.server.config import Settings
from sen_rules.server.limits import Limits, depth_of


def post(limits: Limits, path: str, content: bytes, kind: str) -> httpx.Response:
    app = create_app(Settings(limits=limits))

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
            return await client.post(path, content=content, headers={"content-type": kind})

    return asyncio.run(go())


def test_a_batch_past_its_time_ends_with_an_error_line() -> None:
    line = json.dumps({"case": json.loads(example("school-action")), "as_of": "2026-11-28"})
    answer = post(Limits(max_batch_seconds=1e-6), "/v1/evaluate/batch",
                  ("\n".join([line] * 100) + "\n").encode(), "application/x-ndjson")
    out = [json.loads(x) for x in answer.text.splitlines()]
    assert out[-1]["error"]["code"] == "SR706" and len(out) < 100


def test_a_record_may_nest_deeper_than_a_case() -> None:
    record = sen_rules.record_to_json(sen_rules.make_record(example("placement-candidates"),
                                                            as_of="2026-11-28"))
    shallow = depth_of(record) - 1
    limits = Limits(max_depth=shallow, max_record_depth=shallow + 1)
    answer = post(limits, "/v1/records/verify", record.encode(), "application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "holds"
    refused = post(Limits(max_record_depth=shallow), "/v1/records/verify", record.encode(),
                   "application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "SR703"


def test_the_json_of_an_answer_is_written_off_the_event_loop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # writing an explanation's JSON costs more than tracing it: on the event loop it would
    # hold every other request up, and escape the time limit
    from sen_rules.engine.result import Evaluation
    from sen_rules.explain.core import Explanation

    writers: list[threading.Thread] = []
    for kind in (Explanation, Evaluation):
        def recorded(self: object, *args: object, __real: Any = kind.to_json,
                     **kwargs: object) -> str:
            writers.append(threading.current_thread())
            return str(__real(self, *args, **kwargs))
        monkeypatch.setattr(kind, "to_json", recorded)
    body = json.dumps({"case": json.loads(example("school-action")), "as_of": "2026-11-28"})
    for path in ("/v1/explain", "/v1/explain?form=compact", "/v1/evaluate"):
        answer = post(Limits(), path, body.encode(), "application/json")
        assert answer.status_code == 200, answer.text
    assert len(writers) == 3
    assert all(w is not threading.main_thread() for w in writers)  # the loop runs in main
