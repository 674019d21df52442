"""Deciding cases: evaluate one, evaluate a stream, explain, make a record, verify one."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from .. import codes
from ..api import evaluate, evaluate_many
from ..audit import make_record, record_to_json, verify_record
from ..engine.batch import BatchResult
from ..engine.service import BACKENDS
from ..errors import CaseError, RecordError, SenRulesError
from ..explain import explain as explain_case
from . import models
from .context import client_of, expect_object, in_thread, json_body, loaded_of, state_of
from .limits import Limits, parse_json
from .problems import Problem, from_library

router = APIRouter(prefix="/v1")
JSON = "application/json"
JSONL = "application/x-ndjson"
FIELDS = ("case", "as_of", "backend")


def _body_doc(model: type[Any], media: str = JSON) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {
        media: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def _answers(model: Any, media: str = JSON, *extra: int) -> dict[int | str, Any]:
    """The documented answers of a route: its 200 model (a model class or a union of them)
    and the problems every route can give."""
    codes = {400, 401, 403, 413, 415, 422, *extra}
    out: dict[int | str, Any] = {code: {"model": models.ProblemDetail,
                                        "content": {"application/problem+json": {}}}
                                 for code in sorted(codes)}
    if model is not None:
        out[200] = {"model": model} if media == JSON else {
            "content": {media: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}
    return out


def read_request(data: Any) -> tuple[dict[str, Any], str, str]:
    """The case, date and backend of an evaluate/explain/record request."""
    body = expect_object(data)
    unknown = sorted(k for k in body if k not in FIELDS)
    if unknown:
        raise CaseError([(k, "unknown field (the request holds case, as_of and backend)")
                         for k in unknown])
    if "case" not in body:
        raise CaseError([("case", "required field is missing")])
    case = body["case"]
    if not isinstance(case, dict):
        raise CaseError([("case", "expected a JSON object")])
    as_of = body.get("as_of")
    if as_of is None:
        as_of = date.today().isoformat()
    elif not isinstance(as_of, str):
        raise CaseError([("as_of", "expected a date written YYYY-MM-DD")], code=codes.SR202)
    backend = body.get("backend", "native")
    if backend not in BACKENDS:
        raise CaseError([("backend", f"expected one of {', '.join(BACKENDS)}")])
    return case, as_of, backend


def _json(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(text if text.endswith("\n") else text + "\n", status_code=status,
                    media_type=JSON, headers=headers)


@router.post("/evaluate", summary="Evaluate one case", response_model=None,
             openapi_extra=_body_doc(models.EvaluateRequest),
             responses=_answers(models.Evaluation))
async def evaluate_one(request: Request) -> Response:
    """The decision of every policy area that applies, with the rules and the clauses of
    the policy they rest on: byte for byte what ``sen-rules evaluate --format json``
    prints for the same case and date. Scope ``evaluate``."""
    client_of(request, "evaluate")
    case, as_of, backend = read_request(await json_body(request))
    rulebase = loaded_of(request).rulebase
    # the JSON is written in the work's thread too: off the event loop, within the limit
    return _json(await in_thread(request, lambda: evaluate(
        case, as_of=as_of, rulebase=rulebase, backend=backend).to_json()))


@router.post("/explain", summary="Explain the decisions of one case", response_model=None,
             openapi_extra=_body_doc(models.EvaluateRequest),
             responses=_answers(models.Explanation | models.CompactExplanation))
async def explain(request: Request, counterfactuals: Annotated[bool, Query(
        description="also search for the smallest changes that would change each "
        "decision (slower; bounded by the time limit)")] = False,
        form: Annotated[Literal["full", "compact"], Query(
            description="compact: without what the rulebase holds (titles, quotes, "
            "condition texts), named by rule id and version")] = "full") -> Response:
    """Every rule of every area in play: whether it fired, the values it read, why not,
    as ``sen-rules explain --format json`` (``--compact`` with ``form=compact``). Scope
    ``evaluate``."""
    client_of(request, "evaluate")
    case, as_of, backend = read_request(await json_body(request))
    rulebase = loaded_of(request).rulebase
    # writing the JSON of an explanation costs more than the trace: it is part of the work
    return _json(await in_thread(request, lambda: explain_case(
        case, as_of=as_of, rulebase=rulebase, backend=backend,
        counterfactuals=counterfactuals).to_json(form=form)))


@router.post("/records", summary="Decide a case and make its sealed record",
             response_model=None, openapi_extra=_body_doc(models.EvaluateRequest),
             responses={**_answers(models.DecisionRecord, JSON, 503),
                        201: {"model": models.DecisionRecord,
                              "description": "the record, committed to the decision log"}})
async def record(request: Request) -> Response:
    """The decision record that ``sen-rules record`` writes (the same bytes). With a
    decision log the record is stored first: the answer is 201 with the decision's id in
    ``Sen-Rules-Decision-Id`` and ``Location`` only once it is committed. Scope
    ``record``."""
    client_of(request, "record")
    case, as_of, backend = read_request(await json_body(request))
    state = state_of(request)
    rulebase = loaded_of(request).rulebase

    def work() -> tuple[str, str | None]:
        made = make_record(case, as_of=as_of, rulebase=rulebase, backend=backend,
                           key=state.record_key)
        text = record_to_json(made)
        if state.log is None:
            return text, None
        try:
            return text, state.log.store(made, text).id
        except Exception:  # the database refused or is unreachable: nothing was stored
            raise Problem(503, codes.SR731, "the decision log could not store the record; "
                          "nothing was stored, try again",
                          headers={"Retry-After": "1"}) from None

    text, decision_id = await in_thread(request, work)
    if decision_id is None:
        return _json(text, headers={"Sen-Rules-Stored": "false"})
    return _json(text, 201, {"Sen-Rules-Stored": "true", "Sen-Rules-Decision-Id": decision_id,
                             "Location": f"/v1/decisions/{decision_id}"})


@router.post("/records/verify", summary="Replay a decision record", response_model=None,
             openapi_extra=_body_doc(models.DecisionRecord),
             responses=_answers(models.Verification))
async def verify(request: Request) -> Response:
    """Check a record's seal and replay it under the rulebase serving now: holds,
    differs, or rulebase changed (as ``sen-rules verify --format json``). An altered or
    malformed record is a 422 problem (SR501-SR504). Scope ``evaluate`` or
    ``audit-read``."""
    client_of(request, "evaluate", "audit-read")
    limits = state_of(request).limits
    data = expect_object(await json_body(request, limits.max_record_bytes,
                                         limits.max_record_depth), "the record")
    rulebase = loaded_of(request).rulebase
    key = state_of(request).record_key
    answer = await in_thread(request, lambda: verify_record(data, rulebase=rulebase, key=key))
    return _json(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))


# ---------------------------------------------------------------------------- batches


async def _lines(request: Request, limits: Limits) -> AsyncIterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` of each line; ``None`` for a line over the length limit."""
    pending = b""
    number = 0
    skipping = False
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limits.max_batch_bytes:
            raise Problem(413, codes.SR704, f"the batch is larger than the limit of "
                          f"{limits.max_batch_bytes:,} bytes")
        pending += chunk
        while True:
            cut = pending.find(b"\n")
            if cut < 0:
                break
            line, pending = pending[:cut], pending[cut + 1:]
            number += 1
            yield number, (None if skipping or len(line) > limits.max_line_bytes else line)
            skipping = False
        if len(pending) > limits.max_line_bytes:  # a line too long: drop it as it arrives
            pending = b""
            skipping = True
    if pending or skipping:
        yield number + 1, None if skipping else pending


def _parse_line(number: int, raw: bytes | None, limits: Limits) -> Any:
    if raw is None:
        raise SenRulesError(f"the line is longer than {limits.max_line_bytes:,} bytes",
                            code=codes.SR704)
    try:
        return expect_object(parse_json(raw, limits, "the line"), "the line")
    except Problem as exc:
        raise SenRulesError(exc.detail, code=exc.code) from None


def _dump(result: BatchResult) -> bytes:
    return (result.to_json() + "\n").encode("utf-8")


@router.post("/evaluate/batch", summary="Evaluate a stream of cases (JSON Lines)",
             response_model=None, openapi_extra=_body_doc(models.BatchLine, JSONL),
             responses=_answers(models.BatchResultLine, JSONL))
async def evaluate_batch(request: Request, as_of: Annotated[date | None, Query(
        description="the date for lines that carry no as_of")] = None) -> Response:
    """One case, or ``{"case": ..., "as_of": ...}``, per line in; one result per line out,
    in order, streamed as they are decided (as ``sen-rules evaluate --jsonl`` writes them).
    A bad line is answered with its line number and error and the rest carry on. Past the
    line limit the answer ends with one error line (SR705). Scope ``evaluate``."""
    client_of(request, "evaluate")
    limits = state_of(request).limits
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_batch_bytes:
        raise Problem(413, codes.SR704, f"the batch is larger than the limit of "
                      f"{limits.max_batch_bytes:,} bytes")
    batch = _Batch(request, as_of.isoformat() if as_of else None)
    return DuplexStreamingResponse(batch.produce(), media_type=JSONL)


CHUNK_LINES = 64  # lines decided together in one worker thread


class _Batch:
    """One streamed batch: lines read in chunks, each chunk decided in a worker thread on
    the rulebase the batch started with, within the batch's time limit."""

    def __init__(self, request: Request, day: str | None) -> None:
        self.request = request
        self.day = day
        self.limits = state_of(request).limits
        self.rulebase = loaded_of(request).rulebase
        self.deadline = time.monotonic() + self.limits.max_batch_seconds

    def decide(self, chunk: list[tuple[int, Any]]) -> list[bytes]:
        out = []
        for number, item in chunk:
            if isinstance(item, SenRulesError):
                out.append(_dump(BatchResult(number - 1, None, item)))
                continue
            result = next(evaluate_many([item], as_of=self.day, rulebase=self.rulebase))
            out.append(_dump(BatchResult(number - 1, result.evaluation, result.error)))
        return out

    async def run(self, chunk: list[tuple[int, Any]]) -> list[bytes]:
        left = max(self.deadline - time.monotonic(), 0.001)
        try:
            return await in_thread(self.request, partial(self.decide, chunk), left)
        except Problem:  # out of time: the chunk's first line says so, and the batch ends
            first = chunk[0][0]
            return [_dump(BatchResult(first - 1, None, SenRulesError(
                f"the batch took longer than {self.limits.max_batch_seconds:g} seconds; "
                "this line and the lines after it were not decided", code=codes.SR706)))]

    async def produce(self) -> AsyncIterator[bytes]:
        limits = self.limits
        chunk: list[tuple[int, Any]] = []
        try:
            async for number, raw in _lines(self.request, limits):
                if number > limits.max_batch_lines:
                    chunk.append((number, SenRulesError(
                        f"the batch has more than {limits.max_batch_lines:,} lines; the "
                        "lines after it were not read", code=codes.SR705)))
                    break
                try:
                    chunk.append((number, _parse_line(number, raw, limits)))
                except SenRulesError as exc:
                    chunk.append((number, exc))
                if len(chunk) >= CHUNK_LINES:
                    lines = await self.run(chunk)
                    for line in lines:
                        yield line
                    chunk = []
                    if len(lines) < CHUNK_LINES:  # out of time
                        return
        except Problem as exc:  # the body passed the size limit mid-stream
            chunk.append((0, SenRulesError(exc.detail, code=exc.code)))
        if chunk:
            for line in await self.run(chunk):
                yield line


class DuplexStreamingResponse(StreamingResponse):
    """Streams its answer while the request body is still being read (Starlette's own
    listens for a disconnect with ``receive()``, which would swallow the body)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with contextlib.suppress(OSError):  # the client went away
            await self.stream_response(send)


def library_problem(exc: SenRulesError) -> Problem:
    """Library errors raised while deciding, as problems (RecordError keeps its code)."""
    if isinstance(exc, RecordError):
        return Problem(422, exc.code, exc.message)
    return from_library(exc)
