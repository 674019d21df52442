"""What every request handler reaches: the service's state, the rulebase the request
started with, and who is asking."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from .. import codes
from ..decision_log.store import DecisionLog
from .auth import OPEN, Client, Tokens, require
from .limits import Limits, parse_json, read_body
from .problems import Problem
from .reload import Holder, Loaded

T = TypeVar("T")
COOKIE = "sen_rules_token"


@dataclass
class State:
    """The service's state, shared by every request of one process."""

    holder: Holder
    limits: Limits
    tokens: Tokens | None = None
    log: DecisionLog | None = None
    supervised: bool = False  # one of several worker processes under a supervisor
    record_key: bytes | None = field(default=None, repr=False)  # HMAC key of the records


def state_of(request: Request) -> State:
    found: State = request.app.state.sen_rules
    return found


def loaded_of(request: Request) -> Loaded:
    """The rulebase this request started with (fixed by the middleware for its whole life)."""
    loaded: Loaded = request.scope["state"]["sen_rules_loaded"]
    return loaded


def client_of(request: Request, *scopes: str) -> Client:
    """Who is asking (a 401 problem without a known token), checked for one of ``scopes``."""
    tokens = state_of(request).tokens
    if tokens is None:
        client = OPEN
    elif "authorization" not in request.headers and COOKIE in request.cookies:
        client = tokens.by_token(request.cookies[COOKIE])  # the auditor pages' login
    else:
        client = tokens.client(request.headers.get("authorization"))
    request.scope["state"]["sen_rules_client"] = client.name
    if scopes:
        require(client, *scopes)
    return client


JSON_TYPES = ("application/json",)


def check_json_type(header: str | None) -> None:
    """Refuse (415, SR707) a Content-Type that is not JSON, or JSON in a charset other than
    UTF-8 (media types and charset names are case-insensitive; no charset means UTF-8)."""
    given, *params = (header or "application/json").split(";")
    kind = given.strip().lower()
    if kind and kind not in JSON_TYPES and not kind.endswith("+json"):
        raise Problem(415, codes.SR707, "send JSON (Content-Type: application/json), not "
                      f"{given.strip()}")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() != "charset":
            continue
        charset = value.strip().strip('"').strip()
        if charset.lower() != "utf-8":
            raise Problem(415, codes.SR707, f"send JSON as UTF-8 (charset=utf-8, or no "
                          f"charset), not charset={charset}")


async def json_body(request: Request, limit: int | None = None,
                    max_depth: int | None = None) -> Any:
    """The request's JSON, read within the size limit and parsed strictly."""
    limits = state_of(request).limits
    check_json_type(request.headers.get("content-type"))
    declared = request.headers.get("content-length")
    cap = limit or limits.max_body_bytes
    if declared and declared.isdigit() and int(declared) > cap:
        raise Problem(413, codes.SR704, f"the request body is larger than the limit of "
                      f"{cap:,} bytes")
    body = await read_body(request.stream(), cap)
    return parse_json(body, limits, max_depth=max_depth)


def expect_object(data: Any, what: str = "the request body") -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Problem(422, codes.SR200, f"{what} must be a JSON object",
                      [{"path": "", "message": "expected a JSON object"}])
    return data


async def in_thread(request: Request, work: Callable[[], T], seconds: float | None = None) -> T:
    """Run CPU or database work off the event loop, within the time limit (SR706)."""
    limit = seconds or state_of(request).limits.max_seconds
    started = time.monotonic()
    try:
        result = await asyncio.wait_for(run_in_threadpool(work), timeout=limit)
        # a thread cannot be cancelled: wait_for may hand back a result that came too late
        if time.monotonic() - started <= limit:
            return result
        raise TimeoutError
    except TimeoutError:
        raise Problem(422, codes.SR706, f"the request needs more than the time limit of {limit:g} "
                      "seconds; ask for less (for example explain without "
                      "counterfactuals=true)") from None
