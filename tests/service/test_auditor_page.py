"""The auditor's page in headless Chromium: list, filter, open a report; case text is
escaped, never markup."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile

import httpx
import pytest

from conftest import Server, example


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (Debian package 'chromium'; .ci/run "
                        "installs it)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


def dump_dom(binary: str, url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.chromium
def test_the_auditor_lists_filters_and_opens_a_report(server: Server,
                                                       client: httpx.Client) -> None:
    binary = chromium()
    case = json.loads(example("school-action"))
    case["child"]["id"] = "AUDIT-PAGE-1"
    made = client.post("/v1/records", json={"case": case, "as_of": "2026-11-28"})
    assert made.status_code == 201, made.text
    decision_id = made.headers["sen-rules-decision-id"]

    listing = dump_dom(binary, f"{server.url}/audit/?case_id=AUDIT-PAGE-1")
    assert 'id="decisions"' in listing and "1 decision match" in listing
    assert f'href="decisions/{decision_id}"' in listing
    assert "sen_stage: school_action" in listing

    # what a visitor types comes back as text, never as markup
    hostile = "%22%3E%3Cb+id%3D%22injected%22%3Ex%3C%2Fb%3E"  # "><b id="injected">x</b>
    filtered = dump_dom(binary, f"{server.url}/audit/?area=sen_stage&outcome={hostile}")
    assert "0 decisions match" in filtered and decision_id not in filtered
    assert 'id="injected"' not in filtered

    report = dump_dom(binary, f"{server.url}/audit/decisions/{decision_id}")
    assert "AUDIT-PAGE-1" in report and "School Action" in report
