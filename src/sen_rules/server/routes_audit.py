"""The decision log for auditors: list and filter, one record, its report, export,
re-verification. Scope ``audit-read``; a 409 problem (SR730) when no log is configured."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse

from .. import codes
from ..audit.verify import verify_record
from ..decision_log.reverify import Reverification, check_row
from ..decision_log.store import DecisionLog, Filters, IntegrityError
from . import models
from .context import client_of, in_thread, loaded_of, state_of
from .problems import Problem
from .reports import stored_report

router = APIRouter(prefix="/v1/decisions")
PROBLEMS: dict[int | str, Any] = {
    code: {"model": models.ProblemDetail, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 404, 409, 422)}
ID = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="the decision's id")]


def log_of(request: Request) -> DecisionLog:
    client_of(request, "audit-read")
    log = state_of(request).log
    if log is None:
        raise Problem(409, codes.SR730, "this service keeps no decision log (start it with --log)")
    return log


def filter_query(
    recorded_from: Annotated[date | None, Query(
        description="decided on or after this day (UTC)")] = None,
    recorded_until: Annotated[date | None, Query(
        description="decided on or before this day (UTC)")] = None,
    as_of_from: Annotated[date | None, Query(description="evaluation date on or after")] = None,
    as_of_until: Annotated[date | None, Query(
        description="evaluation date on or before")] = None,
    area: Annotated[str | None, Query(max_length=100,
                                      description="a policy area's id")] = None,
    outcome: Annotated[str | None, Query(max_length=100,
                                         description="an outcome (of `area`)")] = None,
    rulebase_version: Annotated[str | None, Query(max_length=100)] = None,
    case_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Filters:
    """The filters of a listing, export or re-verification, from the query string."""
    return Filters(recorded_from=recorded_from, recorded_until=recorded_until,
                   as_of_from=as_of_from, as_of_until=as_of_until, area=area,
                   outcome=outcome, rulebase_version=rulebase_version, case_id=case_id)


FilterQuery = Annotated[Filters, Depends(filter_query)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Before = Annotated[int | None, Query(ge=1, description="continue a listing: the "
                                     "`next_before` it gave")]


@router.get("", summary="List stored decisions", response_model=models.DecisionList,
            responses=PROBLEMS)
async def list_decisions(request: Request, filters: FilterQuery, limit: Limit = 100,
                         before: Before = None) -> Response:
    """The newest first, filtered. Scope ``audit-read``."""
    log = log_of(request)
    found = await in_thread(request, lambda: log.summaries(filters, limit=limit, before=before))
    more = found[-1].seq if len(found) == limit else None
    body = {"decisions": [s.to_dict() for s in found], "next_before": more}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")


@router.get("/export", summary="Export stored records (JSON Lines)", response_model=None,
            responses={**PROBLEMS, 200: {"content": {"application/x-ndjson": {
                "schema": {"$ref": "#/components/schemas/DecisionRecord"}}}}})
async def export(request: Request, filters: FilterQuery) -> Response:
    """Every matching record, oldest first, one per line, exactly as sealed (the same
    lines ``sen-rules log export`` writes). Scope ``audit-read``."""
    log = log_of(request)
    iterator = log.records(filters)

    def next_lines() -> list[bytes]:
        out = []
        for _, text in iterator:
            out.append(compact(text))
            if len(out) == 200:
                break
        return out

    # the first lines are read before answering: a fault there is a problem, not a 200
    try:
        first = await in_thread(request, next_lines, 60.0)
    except IntegrityError as exc:
        raise Problem(409, codes.SR732, str(exc)) from None
    return StreamingResponse(_export_lines(request, first, next_lines),
                             media_type="application/x-ndjson")


async def _export_lines(request: Request, lines: list[bytes],
                        next_lines: Callable[[], list[bytes]]) -> AsyncIterator[bytes]:
    """The export's lines. A fault once the answer has begun cannot change its status:
    the answer then ends with one error line (not a record) and the connection is closed
    before the end of the body, so no client takes it for a complete export."""
    sent = 0
    while lines:
        for line in lines:
            yield line
        sent += len(lines)
        try:
            lines = await in_thread(request, next_lines, 60.0)
        except Exception as exc:
            yield _export_error(exc, sent)
            raise


def _export_error(exc: Exception, sent: int) -> bytes:
    code: str
    if isinstance(exc, IntegrityError):
        code, message = codes.SR732, str(exc)
    elif isinstance(exc, Problem):
        code, message = exc.code, exc.detail
    else:  # the message may quote case data: name the kind of fault only
        code, message = codes.SR799, f"the export failed ({type(exc).__name__})"
    message += f"; the export is incomplete: {sent:,} records were sent before this line"
    error = {"ok": False, "error": {"code": code, "message": message}}
    return (json.dumps(error, ensure_ascii=False) + "\n").encode("utf-8")


def compact(text: str) -> bytes:
    """A record on one line (its seal is over its content, not its layout)."""
    return (json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
            + "\n").encode("utf-8")


@router.post("/reverify", summary="Re-verify stored decisions", response_model=None,
             responses={**PROBLEMS, 200: {"model": models.ReverifyAnswer}})
async def reverify(request: Request, filters: FilterQuery,
                   limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> Response:
    """Replay up to ``limit`` matching decisions (newest first) under the rulebase serving
    now: counts of holds / differs / rulebase changed, and the decisions that would now
    differ with what changed. For the whole log use ``sen-rules log reverify`` (parallel,
    with a progress bar). Scope ``audit-read``."""
    log = log_of(request)
    rulebase = loaded_of(request).rulebase
    key = state_of(request).record_key

    def work() -> Reverification:
        result = Reverification(rulebase.identity())
        for row in log.newest_blobs(filters, limit):
            kind, entry = check_row(rulebase, row, key)
            result.counts[kind] += 1
            if entry is not None:
                result.differing.append(entry)
        return result

    answer = await in_thread(request, work, 120.0)
    return Response(json.dumps(answer.to_dict(), ensure_ascii=False),
                    media_type="application/json")


async def stored(request: Request, decision_id: str) -> tuple[Any, str]:
    log = log_of(request)
    try:
        found = await in_thread(request, lambda: log.get(decision_id))
    except IntegrityError as exc:
        raise Problem(409, codes.SR732, str(exc)) from None
    if found is None:
        raise Problem(404, codes.SR712, f"no decision {decision_id} in the log")
    return found


@router.get("/{decision_id}", summary="One stored record", response_model=None,
            responses={**PROBLEMS, 200: {"model": models.DecisionRecord}})
async def show(request: Request, decision_id: ID) -> Response:
    """The sealed record exactly as it was stored. Scope ``audit-read``."""
    summary, text = await stored(request, decision_id)
    return Response(text, media_type="application/json",
                    headers={"Sen-Rules-Decision-Id": summary.id})


@router.get("/{decision_id}/verify", summary="Replay one stored record",
            response_model=models.Verification, responses=PROBLEMS)
async def verify_stored(request: Request, decision_id: ID) -> Response:
    """Replay a stored record under the rulebase serving now. Scope ``audit-read``."""
    _, text = await stored(request, decision_id)
    rulebase = loaded_of(request).rulebase
    key = state_of(request).record_key
    answer = await in_thread(request, lambda: verify_record(text, rulebase=rulebase, key=key))
    return Response(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False),
                    media_type="application/json")


@router.get("/{decision_id}/report", summary="The report of a stored decision (HTML)",
            response_class=HTMLResponse, responses=PROBLEMS)
async def report(request: Request, decision_id: ID) -> Response:
    """The decision report (``sen-rules report --format html``) when the record was made
    under the rulebase serving now; otherwise the record's own decisions, rules and
    quoted clauses, marked as made under an earlier rulebase. Scope ``audit-read``."""
    _, text = await stored(request, decision_id)
    rulebase = loaded_of(request).rulebase
    page = await in_thread(request, lambda: stored_report(text, rulebase))
    return HTMLResponse(page)
