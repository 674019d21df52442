"""Limits that are too costly to reach against a real server, checked in-process."""

from __future__ import annotations

import asyncio
import json

import httpx

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
