"""Bearer tokens and scopes; the service refuses to listen beyond localhost without them;
a clear message when the server extra is missing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import Server, environment, example, start_server
from sen_rules.cli import main
from sen_rules.server.auth import TokenFileError, parse_tokens

TOKENS = {"evaluator": ("evaluate", "e" * 24), "recorder": ("evaluate,record", "r" * 24),
          "auditor": ("audit-read", "a" * 24), "operator": ("reload", "o" * 24)}


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("guarded")
    lines = [f"{name} {scopes} {token}" for name, (scopes, token) in TOKENS.items()
             if name != "auditor"]
    import hashlib
    lines.append("auditor audit-read sha256:" + hashlib.sha256(b"a" * 24).hexdigest())
    (tmp / "tokens").write_text("# name scopes token\n" + "\n".join(lines) + "\n")
    running = start_server(tmp, "--tokens", str(tmp / "tokens"), "--log",
                           str(tmp / "log.db"))
    yield running
    running.stop()


def case_body() -> dict[str, object]:
    return {"case": json.loads(example("school-action")), "as_of": "2026-11-28"}


def test_each_endpoint_needs_a_token_with_its_scope(guarded: Server) -> None:
    with httpx.Client(base_url=guarded.url) as anonymous:
        answer = anonymous.post("/v1/evaluate", json=case_body())
        assert answer.status_code == 401 and answer.json()["code"] == "SR710"
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.get("/v1/health").status_code == 200
        assert anonymous.get("/v1/rulebase").status_code == 200
        wrong = anonymous.post("/v1/evaluate", json=case_body(),
                               headers={"Authorization": "Bearer " + "x" * 24})
        assert wrong.status_code == 401
    token = {name: token for name, (_, token) in TOKENS.items()}
    with guarded.client(token["evaluator"]) as evaluator:
        assert evaluator.post("/v1/evaluate", json=case_body()).status_code == 200
        denied = evaluator.post("/v1/records", json=case_body())
        assert denied.status_code == 403 and denied.json()["code"] == "SR711"
        assert evaluator.get("/v1/decisions").status_code == 403
        assert evaluator.post("/v1/admin/reload").status_code == 403
    with guarded.client(token["recorder"]) as recorder:
        made = recorder.post("/v1/records", json=case_body())
        assert made.status_code == 201
    with guarded.client(token["auditor"]) as auditor:
        listed = auditor.get("/v1/decisions").json()["decisions"]
        assert made.headers["sen-rules-decision-id"] in [d["id"] for d in listed]
        assert auditor.post("/v1/evaluate", json=case_body()).status_code == 403
    with guarded.client(token["operator"]) as operator:
        answer = operator.post("/v1/admin/reload")
        assert answer.status_code == 200 and answer.json()["changed"] is False


def test_the_auditor_page_signs_in_with_a_cookie(guarded: Server) -> None:
    with httpx.Client(base_url=guarded.url, follow_redirects=False) as browser:
        first = browser.get("/audit/")
        assert "Sign in" in first.text and "Decision log" in first.text
        refused = browser.post("/audit/login", data={"token": "e" * 24})
        assert refused.status_code == 403
        answer = browser.post("/audit/login", data={"token": "a" * 24})
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        page = browser.get("/audit/")
        assert page.status_code == 200 and 'id="decisions"' in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]


def test_no_tokens_means_localhost_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0 without --tokens" in err and "Traceback" not in err


def test_a_bad_token_file_is_refused_by_line(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tokens").write_text("someone evaluate short\n")
    assert main(["serve", "--tokens", str(tmp_path / "tokens"), "--port", "1"]) == 2
    assert "tokens:1: the token is shorter" in capsys.readouterr().err
    with pytest.raises(TokenFileError, match="unknown scope write"):
        parse_tokens(["x write " + "t" * 20])
    with pytest.raises(TokenFileError, match="used twice"):
        parse_tokens(["x evaluate " + "t" * 20, "x evaluate " + "u" * 20])
    with pytest.raises(TokenFileError, match="no tokens"):
        parse_tokens(["# nothing"])


def test_without_the_extra_serve_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "sen_rules.server.run", raising=False)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert 'pip install ".[server]"' in err and "uvicorn is not installed" in err
    assert "Traceback" not in err


def test_the_core_does_not_import_the_server() -> None:
    code = ("import sys, sen_rules, sen_rules.cli; sen_rules.cli.build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('fastapi', 'uvicorn', 'sqlalchemy', 'starlette', 'jinja2') "
            "or m.startswith(('sen_rules.server', 'sen_rules.decision_log'))))")
    done = subprocess.run([sys.executable, "-c", code], env=environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
