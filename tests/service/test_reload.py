"""Reloading the rules under load: no request lost, no response mixing two rulebases,
and rules that fail to load are refused while the old ones keep serving."""

from __future__ import annotations

import json
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

import sen_rules
from conftest import ROOT, Server, example, start_server


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("reload") / "rules"
    shutil.copytree(ROOT / "rules", target)
    return target


@pytest.fixture(scope="module")
def reloading(rules: Path) -> Iterator[Server]:
    running = start_server(rules.parent, "--rules", str(rules))
    yield running
    running.stop()


BUNDLED = sen_rules.bundled_rulebase().version


def set_version(rules: Path, old: str, new: str) -> None:
    manifest = rules / "rulebase.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert f"version: {old}" in text
    manifest.write_text(text.replace(f"version: {old}", f"version: {new}", 1),
                        encoding="utf-8")


def hammer(server: Server, stop: threading.Event, seen: list[tuple[int, str, str, str]],
           errors: list[str]) -> Callable[[], None]:
    body = {"case": json.loads(example("school-action")), "as_of": "2026-11-28"}

    def run() -> None:
        with server.client() as client:
            while not stop.is_set():
                try:
                    answer = client.post("/v1/evaluate", json=body)
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))
                    continue
                rb = answer.json()["rulebase"] if answer.status_code == 200 else {}
                seen.append((answer.status_code, answer.headers["sen-rules-rulebase-sha256"],
                             rb.get("sha256", ""), rb.get("version", "")))
    return run


def test_reload_under_load_loses_nothing_and_mixes_nothing(reloading: Server,
                                                           rules: Path) -> None:
    stop = threading.Event()
    seen: list[tuple[int, str, str, str]] = []
    errors: list[str] = []
    threads = [threading.Thread(target=hammer(reloading, stop, seen, errors))
               for _ in range(3)]
    for t in threads:
        t.start()
    try:
        with reloading.client() as admin:
            time.sleep(0.3)
            set_version(rules, BUNDLED, "9.0.1")
            answer = admin.post("/v1/admin/reload")
            assert answer.status_code == 200 and answer.json()["changed"] is True
            assert answer.json()["rulebase"]["version"] == "9.0.1"
            time.sleep(0.3)
            set_version(rules, "9.0.1", "9.0.2")
            reloading.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 60
            while admin.get("/v1/rulebase").json()["version"] != "9.0.2":
                assert time.monotonic() < deadline, "SIGHUP did not reload the rules"
                time.sleep(0.05)
            time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert seen and all(status == 200 for status, *_ in seen)
    assert all(header == body for _, header, body, _ in seen)  # one rulebase per answer
    versions = [version for *_, version in seen]
    assert {BUNDLED, "9.0.1", "9.0.2"} <= set(versions)
    order = {BUNDLED: 0, "9.0.1": 1, "9.0.2": 2}
    # each client sees the versions in order: the swap is one step, never back
    assert versions.index("9.0.2") > versions.index("9.0.1") > versions.index(BUNDLED)
    assert max(order[v] for v in versions[-10:]) == 2


def test_rules_that_fail_to_load_are_refused(reloading: Server, rules: Path) -> None:
    with reloading.client() as admin:
        before = admin.get("/v1/rulebase").json()
        manifest = rules / "rulebase.yaml"
        good = manifest.read_text(encoding="utf-8")
        manifest.write_text(good + "\nnot: [valid\n", encoding="utf-8")
        try:
            answer = admin.post("/v1/admin/reload")
            assert answer.status_code == 409 and answer.json()["code"] == "SR720"
            assert before["version"] in answer.json()["detail"]
            reloading.process.send_signal(signal.SIGHUP)
            evaluated = admin.post("/v1/evaluate", json={
                "case": json.loads(example("school-action")), "as_of": "2026-11-28"})
            assert evaluated.status_code == 200
            assert evaluated.json()["rulebase"]["sha256"] == before["sha256"]
        finally:
            manifest.write_text(good, encoding="utf-8")
        assert admin.get("/v1/rulebase").json()["sha256"] == before["sha256"]
        assert reloading.process.poll() is None
