"""A service started with ``--key-file`` seals its records with HMAC-SHA256 and checks
records with the key; the log's re-verification needs the same key, and says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_api import assert_problem

import sen_rules
from conftest import Server, example, start_server
from sen_rules.cli import main
from sen_rules.errors import RecordError

KEY = b"the service's record key\n"
BODY = {"case": json.loads(example("school-action")), "as_of": "2026-11-28"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, Path]]:
    folder = tmp_path_factory.mktemp("keyed")
    key_file = folder / "record.key"
    key_file.write_bytes(KEY)
    log = folder / "log.db"
    running = start_server(folder, "--log", f"sqlite:///{log}", "--key-file", str(key_file))
    yield running, key_file, log
    running.stop()


def test_records_are_sealed_with_the_key_and_verify_with_it(
        keyed: tuple[Server, Path, Path], client: httpx.Client) -> None:
    server, _, _ = keyed
    with server.client() as c:
        made = c.post("/v1/records", json=BODY)
        assert made.status_code == 201
        record = made.json()
        assert record["seal"]["algorithm"] == "hmac-sha256"
        assert sen_rules.verify_record(made.text, key=KEY).holds
        with pytest.raises(RecordError) as err:
            sen_rules.verify_record(made.text)
        assert err.value.code == "SR503"
        assert c.post("/v1/records/verify", json=record).json()["status"] == "holds"
        stored = c.get(f"/v1/decisions/{made.headers['sen-rules-decision-id']}/verify")
        assert stored.status_code == 200 and stored.json()["status"] == "holds"
        answer = c.post("/v1/decisions/reverify").json()
        assert answer["counts"]["holds"] == answer["total"] >= 1
        assert answer["counts"]["needs-key"] == 0
        plain = sen_rules.make_record(BODY["case"], as_of=BODY["as_of"])
        assert_problem(c.post("/v1/records/verify", json=plain), 422, "SR502")
    # a service without the key says the record needs it
    problem = assert_problem(client.post("/v1/records/verify", json=record), 422, "SR503")
    assert "key" in problem["detail"]


def test_the_log_reverifies_keyed_records_only_with_the_key(
        keyed: tuple[Server, Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    server, key_file, log = keyed
    with server.client() as c:
        assert c.post("/v1/records", json=BODY).status_code == 201
    url = f"sqlite:///{log}"
    capsys.readouterr()
    assert main(["log", "reverify", "--log", url, "--workers", "1"]) == 5
    out = capsys.readouterr().out
    assert "sealed with a key that was not given" in out and "holds" in out
    assert "give the same key" in out
    assert main(["log", "reverify", "--log", url, "--workers", "1", "--format", "json"]) == 5
    answer = json.loads(capsys.readouterr().out)
    assert answer["counts"]["needs-key"] == answer["total"] >= 1
    assert answer["counts"]["holds"] == 0
    assert main(["log", "reverify", "--log", url, "--workers", "1", "--key-file",
                 str(key_file), "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["counts"]["holds"] == answer["total"] >= 1
    wrong = tmp_path / "wrong.key"
    wrong.write_bytes(b"not the key")
    assert main(["log", "reverify", "--log", url, "--workers", "1", "--key-file",
                 str(wrong), "--format", "json"]) == 5
    answer = json.loads(capsys.readouterr().out)
    assert answer["counts"]["altered"] == answer["total"]


def test_an_unreadable_key_file_is_refused_before_serving(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--key-file", str(tmp_path / "missing.key")]) == 2
    assert "cannot read key file" in capsys.readouterr().err
    empty = tmp_path / "empty.key"
    empty.write_bytes(b"")
    assert main(["serve", "--key-file", str(empty)]) == 2
    assert "is empty" in capsys.readouterr().err
