"""The service over real HTTP: answers identical to the library and the CLI, problems
for everything a client can send wrong, the decision log's endpoints."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import sen_rules
from conftest import EXAMPLES, Server, example
from sen_rules.cli import main

AS_OF = "2026-11-28"
SHA = sen_rules.bundled_rulebase().sha256
VERSION = sen_rules.bundled_rulebase().version


def body(name: str, **extra: Any) -> dict[str, Any]:
    return {"case": json.loads(example(name)), "as_of": AS_OF, **extra}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> bytes:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out.encode("utf-8")


def assert_identity(response: httpx.Response) -> None:
    assert response.headers["sen-rules-rulebase-sha256"] == SHA
    assert response.headers["sen-rules-rulebase-version"] == VERSION
    assert response.headers["sen-rules-rulebase"] == "learning-trust-sen-policy"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["code"] == code and problem["status"] == status
    assert problem["type"].endswith(code) and problem["detail"]
    assert "Traceback" not in response.text
    assert_identity(response)
    return problem


@pytest.mark.parametrize("name", ["school-action", "placement-candidates",
                                  "cessation-nineteenth-birthday"])
def test_evaluate_is_byte_identical_to_the_cli_and_the_library(
        client: httpx.Client, capsys: pytest.CaptureFixture[str], name: str) -> None:
    response = client.post("/v1/evaluate", json=body(name))
    assert response.status_code == 200
    assert_identity(response)
    path = str(EXAMPLES / f"{name}.json")
    assert response.content == cli(capsys, "evaluate", path, "--as-of", AS_OF,
                                   "--format", "json")
    library = sen_rules.evaluate(example(name), as_of=AS_OF).to_json() + "\n"
    assert response.content == library.encode("utf-8")


def test_record_is_stored_and_identical_to_the_cli(
        client: httpx.Client, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.post("/v1/records", json=body("school-action"))
    assert response.status_code == 201, response.text
    assert response.headers["sen-rules-stored"] == "true"
    decision_id = response.headers["sen-rules-decision-id"]
    assert response.headers["location"] == f"/v1/decisions/{decision_id}"
    made = cli(capsys, "record", str(EXAMPLES / "school-action.json"), "--as-of", AS_OF)
    assert response.content == made
    stored = client.get(f"/v1/decisions/{decision_id}")
    assert stored.status_code == 200 and stored.content == made
    answer = client.get(f"/v1/decisions/{decision_id}/verify").json()
    assert answer["status"] == "holds"
    listed = client.get("/v1/decisions", params={"case_id": "HK-1998-0571"}).json()
    assert decision_id in [d["id"] for d in listed["decisions"]]
    match = next(d for d in listed["decisions"] if d["id"] == decision_id)
    assert match["outcomes"] == {"sen_stage": "school_action"}
    assert match["rulebase"]["sha256"] == SHA


def test_decisions_filter_by_area_outcome_dates_and_version(client: httpx.Client) -> None:
    client.post("/v1/records", json=body("school-action"))  # an older record to page to
    made = client.post("/v1/records", json=body("placement-candidates"))
    decision_id = made.headers["sen-rules-decision-id"]
    record = made.json()
    area, outcome = next((d["topic"], d["outcome"]) for d in record["evaluation"]["decisions"])

    def ids(**params: str) -> list[str]:
        answer = client.get("/v1/decisions", params=params)
        assert answer.status_code == 200, answer.text
        return [d["id"] for d in answer.json()["decisions"]]

    assert decision_id in ids(area=area, outcome=outcome)
    assert decision_id not in ids(area=area, outcome="no-such-outcome")
    assert decision_id in ids(rulebase_version=VERSION, as_of_from=AS_OF, as_of_until=AS_OF)
    assert decision_id not in ids(rulebase_version="0.1.0")
    assert decision_id not in ids(recorded_until="2000-01-01")
    page = client.get("/v1/decisions", params={"limit": 1}).json()
    assert len(page["decisions"]) == 1 and page["next_before"] is not None
    older = client.get("/v1/decisions", params={"limit": 1,
                                                "before": page["next_before"]}).json()
    assert older["decisions"][0]["seq"] < page["decisions"][0]["seq"]


def test_export_report_and_reverify(client: httpx.Client) -> None:
    made = client.post("/v1/records", json=body("transport-travel-provision"))
    decision_id = made.headers["sen-rules-decision-id"]
    lines = client.get("/v1/decisions/export",
                       params={"case_id": made.json()["case"]["child"]["id"]}).text.splitlines()
    assert lines and all(sen_rules.verify_record(line).holds for line in lines)
    report = client.get(f"/v1/decisions/{decision_id}/report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "<html" in report.text and made.json()["case"]["child"]["id"] in report.text
    answer = client.post("/v1/decisions/reverify", params={"limit": 50}).json()
    assert answer["counts"]["holds"] == answer["total"] > 0
    assert answer["differing"] == []


def test_verify_a_record_and_refuse_an_altered_one(client: httpx.Client) -> None:
    record = sen_rules.make_record(example("school-action"), as_of=AS_OF)
    answer = client.post("/v1/records/verify", json=record)
    assert answer.status_code == 200 and answer.json()["status"] == "holds"
    record["evaluation"]["decisions"][0]["outcome"] = "statement"
    assert_problem(client.post("/v1/records/verify", json=record), 422, "SR502")


def test_explain_matches_the_library(client: httpx.Client) -> None:
    response = client.post("/v1/explain", json=body("complex-needs-referral"))
    assert response.status_code == 200
    library = sen_rules.explain_case(example("complex-needs-referral"), as_of=AS_OF,
                                     counterfactuals=False)
    assert response.text == library.to_json() + "\n"
    with_changes = client.post("/v1/explain", params={"counterfactuals": "true"},
                               json=body("school-action")).json()
    assert with_changes["counterfactuals"]
    compact = client.post("/v1/explain", params={"form": "compact"},
                          json=body("complex-needs-referral"))
    assert compact.status_code == 200
    assert compact.text == library.to_json(form="compact") + "\n"
    assert len(compact.text) < len(response.text) / 2
    answer = client.get("/openapi.json").json()["paths"]["/v1/explain"]["post"]["responses"]
    shapes = json.dumps(answer["200"])
    assert "#/components/schemas/Explanation" in shapes
    assert "#/components/schemas/CompactExplanation" in shapes
    assert_problem(client.post("/v1/explain", params={"form": "short"},
                               json=body("complex-needs-referral")), 400, "SR708")


def test_batch_streams_results_and_reports_bad_lines(
        client: httpx.Client, capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    good = json.loads(example("school-action"))
    lines = [json.dumps({"case": good, "as_of": AS_OF}),
             "{not json",
             json.dumps({"case": good}),  # no date: the query's as_of is not given
             json.dumps({"case": {**good, "unknown": 1}, "as_of": AS_OF}),
             json.dumps(json.loads(example("transport-travel-provision"))),
             ""]
    text = "\n".join(lines[:-1]) + "\n"
    response = client.post("/v1/evaluate/batch", content=text.encode(),
                           headers={"content-type": "application/x-ndjson"},
                           params={"as_of": AS_OF})
    assert response.status_code == 200
    out = [json.loads(line) for line in response.text.splitlines()]
    assert [o["line"] for o in out] == [1, 2, 3, 4, 5]
    assert [o["ok"] for o in out] == [True, False, True, False, True]
    assert out[1]["error"]["code"] == "SR701" and out[3]["error"]["code"] == "SR200"
    # the same lines through the CLI give the same lines, but for the CLI's more lenient
    # reading of line 2's error message
    source = tmp_path / "in.jsonl"
    source.write_text(text, encoding="utf-8")
    capsys.readouterr()
    main(["evaluate", "--jsonl", str(source), "--as-of", AS_OF])
    mine = response.text.splitlines()
    theirs = capsys.readouterr().out.splitlines()
    assert [mine[i] for i in (0, 2, 3, 4)] == [theirs[i] for i in (0, 2, 3, 4)]


def test_batch_past_its_line_limit_ends_with_an_error_line(client: httpx.Client) -> None:
    response = client.post("/v1/evaluate/batch", content=b"{}\n" * 10_001,
                           headers={"content-type": "application/x-ndjson"})
    last = json.loads(response.text.splitlines()[-1])
    assert last["line"] == 10_001 and last["error"]["code"] == "SR705"


def test_every_bad_request_is_a_problem_not_a_server_error(client: httpx.Client) -> None:
    post = client.post
    assert_problem(post("/v1/evaluate", content=b"{", headers={"content-type":
                                                                "application/json"}),
                   400, "SR701")
    assert_problem(post("/v1/evaluate", content=b"\xff\xfe", headers={"content-type":
                                                                       "application/json"}),
                   400, "SR701")
    dup = b'{"case": {"child": {"id": "a", "id": "b", "date_of_birth": "2015-01-01"}}}'
    problem = assert_problem(post("/v1/evaluate", content=dup,
                                  headers={"content-type": "application/json"}), 400, "SR702")
    assert "'id'" in problem["detail"]
    unknown = body("school-action")
    unknown["case"]["child"]["nickname"] = "x"
    problem = assert_problem(post("/v1/evaluate", json=unknown), 422, "SR200")
    assert problem["errors"][0]["path"] == "child.nickname"
    impossible = body("school-action", as_of="2026-02-30")
    assert_problem(post("/v1/evaluate", json=impossible), 422, "SR202")
    future = body("school-action", as_of="2000-01-01")
    problem = assert_problem(post("/v1/evaluate", json=future), 422, "SR201")
    assert problem["errors"][0]["path"]
    wrong_dob = body("school-action")
    wrong_dob["case"]["child"]["date_of_birth"] = "2015-13-01"
    assert_problem(post("/v1/evaluate", json=wrong_dob), 422, "SR200")
    assert_problem(post("/v1/evaluate", json={"as_of": AS_OF}), 422, "SR200")
    assert_problem(post("/v1/evaluate", json=[1, 2]), 422, "SR200")
    assert_problem(post("/v1/evaluate", json={**body("school-action"), "extra": 1}),
                   422, "SR200")
    assert_problem(post("/v1/evaluate", json=body("school-action", backend="rete")),
                   422, "SR200")
    deep: Any = {}
    for _ in range(40):
        deep = {"a": deep}
    assert_problem(post("/v1/evaluate", json={"case": deep}), 400, "SR703")
    big = b'{"case": {"child": {"id": "' + b"x" * 1_100_000 + b'"}}}'
    assert_problem(post("/v1/evaluate", content=big,
                        headers={"content-type": "application/json"}), 413, "SR704")
    assert_problem(post("/v1/evaluate", content=b"{}", headers={"content-type":
                                                                 "text/plain"}), 415, "SR707")
    assert_problem(post("/v1/evaluate", content=b"NaN", headers={"content-type":
                                                                  "application/json"}),
                   400, "SR701")
    assert_problem(client.get("/v1/nowhere"), 404, "SR712")
    assert_problem(client.get("/v1/evaluate"), 405, "SR713")
    assert_problem(client.get("/v1/decisions/00000000-0000-0000-0000-000000000000"),
                   404, "SR712")
    assert_problem(client.get("/v1/decisions", params={"limit": "many"}), 400, "SR708")
    assert_problem(client.get("/v1/decisions", params={"recorded_from": "2026-02-30"}),
                   400, "SR708")


def test_rulebase_schema_health_and_readiness(client: httpx.Client) -> None:
    info = client.get("/v1/rulebase").json()
    assert (info["name"], info["version"], info["sha256"]) == (
        "learning-trust-sen-policy", VERSION, SHA)
    assert "sen_stage" in [a["id"] for a in info["areas"]]
    assert info["in_force"][0]["from"] is None and info["in_force"][-1]["until"] is None
    assert client.get("/v1/schema/case").json() == sen_rules.case_json_schema()
    assert client.get("/v1/health").json() == {"status": "ok"}
    ready = client.get("/v1/ready").json()
    assert ready["status"] == "ready" and ready["decision_log"] == "ok"


def _resolve(schema: Any, defs: dict[str, Any], prefix: str) -> Any:
    if isinstance(schema, dict):
        if "$ref" in schema and schema["$ref"].startswith(prefix):
            return _resolve(defs[schema["$ref"][len(prefix):]], defs, prefix)
        return {k: _resolve(v, defs, prefix) for k, v in schema.items()
                if k not in ("$defs", "$schema", "title")}
    if isinstance(schema, list):
        return [_resolve(v, defs, prefix) for v in schema]
    return schema


def test_the_openapi_case_is_the_case_schema(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    components = document["components"]["schemas"]
    api_case = _resolve(components["Case"], components, "#/components/schemas/")
    schema = sen_rules.case_json_schema()
    cli_case = _resolve(schema, schema["$defs"], "#/$defs/")
    assert api_case == cli_case
    request = document["paths"]["/v1/evaluate"]["post"]["requestBody"]
    assert request["content"]["application/json"]["schema"]["$ref"].endswith(
        "EvaluateRequest")


def test_the_access_log_holds_paths_only(server: Server, client: httpx.Client) -> None:
    secret = "HK-PRIVATE-CASE-77"
    case = json.loads(example("school-action"))
    case["child"]["id"] = secret
    client.post("/v1/evaluate", json={"case": case, "as_of": AS_OF})
    client.post("/v1/evaluate", json={"case": {**case, "bad": 1}, "as_of": AS_OF})
    client.get("/v1/decisions", params={"case_id": secret})
    log = server.stderr()
    assert "POST /v1/evaluate 200" in log and "GET /v1/decisions 200" in log
    assert secret not in log and "case_id=" not in log
