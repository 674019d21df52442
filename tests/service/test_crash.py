"""Killing the server (SIGKILL) under write load loses no acknowledged decision and
leaves no half-written one."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

import sen_rules
from conftest import example, postgres_url, start_server
from sen_rules.decision_log.schema import outcomes
from sen_rules.decision_log.store import DecisionLog


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_under_write_load_keeps_every_acknowledged_decision(
        backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'log.db'}"
    else:
        found = postgres_url()
        assert found is not None
        url = found
    server = start_server(tmp_path, "--log", url)
    acknowledged: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    case = json.loads(example("school-action"))

    def write(worker: int) -> None:
        with server.client() as client:
            n = 0
            while True:
                n += 1
                body = {"case": {**case, "child": {**case["child"],
                                                   "id": f"CRASH-{worker}-{n}"}},
                        "as_of": "2026-11-28"}
                try:
                    answer = client.post("/v1/records", json=body)
                except httpx.HTTPError:
                    return  # the server is gone
                if answer.status_code == 201:
                    with lock:
                        acknowledged.append(answer.headers["sen-rules-decision-id"])
                        if len(acknowledged) >= 20:
                            enough.set()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        assert enough.wait(timeout=120), "the server acknowledged too few records"
    finally:
        server.process.send_signal(signal.SIGKILL)  # mid-write, with requests in flight
        server.process.wait()
        for t in threads:
            t.join()
    with lock:
        acked = list(acknowledged)
    log = DecisionLog(url)
    try:
        for decision_id in acked:  # every acknowledged decision is there, and holds
            kept = log.get(decision_id)
            assert kept is not None, f"acknowledged decision {decision_id} was lost"
            assert sen_rules.verify_record(kept[1]).holds
        rows = 0
        with log.engine.connect() as conn:
            counted = conn.execute(select(outcomes.c.decision_seq, func.count())
                                   .group_by(outcomes.c.decision_seq)).all()
            per_decision: dict[int, int] = {seq: n for seq, n in counted}
        for summary in log.summaries(limit=100_000):
            rows += 1
            row = log.get(summary.id)  # checks the stored text against its sha256
            assert row is not None
            record = json.loads(row[1])
            assert sen_rules.verify_record(record).holds
            assert per_decision.get(summary.seq, 0) == len(record["evaluation"]["decisions"])
        assert rows >= len(acked)
    finally:
        log.close()
