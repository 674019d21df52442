"""The ASGI application: ``create_app(settings)``.

Endpoints are versioned under ``/v1``; every answer carries the rulebase's name, version
and sha256 in ``Sen-Rules-Rulebase*`` headers; every error is an RFC 9457 problem.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .. import codes
from ..case import case_json_schema
from ..decision_log.store import DecisionLog
from ..errors import SenRulesError
from ..version import __version__
from . import auditor, models, routes_audit, routes_evaluate
from .auth import load_tokens
from .config import Settings
from .context import State, client_of, in_thread, loaded_of, state_of
from .middleware import ServiceMiddleware
from .openapi import build_openapi
from .problems import Problem
from .reload import Holder
from .routes_evaluate import library_problem

log = logging.getLogger("sen_rules.server")


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status, media_type="application/json")


def create_app(settings: Settings, holder: Holder | None = None) -> FastAPI:
    """The service for ``settings`` (the rules are loaded and checked here, before serving)."""
    state = State(holder=holder or Holder(settings.rules),
                  limits=settings.limits,
                  tokens=load_tokens(settings.tokens) if settings.tokens else None,
                  log=DecisionLog(settings.log) if settings.log else None,
                  supervised=settings.supervised, record_key=settings.record_key)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the
            # main thread (an embedding application): reload with the endpoint instead
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(_on_hangup(state)))
        yield
        if state.log is not None:
            state.log.close()

    app = FastAPI(title="sen-rules decision service", version=__version__,
                  description="Decisions on SEN cases under The Learning Trust (Hackney) "
                  "policy, with citations, explanations and sealed, stored records. See "
                  "docs/service.md.", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # their pages load script from a CDN
    app.state.sen_rules = state
    app.include_router(routes_evaluate.router)
    app.include_router(routes_audit.router)
    app.include_router(auditor.router)
    _system_routes(app)
    _error_handlers(app)
    app.add_middleware(ServiceMiddleware, holder=state.holder)
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    return app


async def _on_hangup(state: State) -> None:
    try:
        loaded, changed = await asyncio.to_thread(state.holder.reload)
        log.warning("SIGHUP: rulebase %s %s (sha256 %s)%s", loaded.rulebase.name,
                    loaded.rulebase.version, loaded.rulebase.sha256,
                    "" if changed else ", unchanged")
    except Problem as exc:
        log.error("SIGHUP: reload refused, the old rulebase keeps serving: %s", exc.detail)


def _system_routes(app: FastAPI) -> None:
    @app.get("/v1/health", summary="Liveness", response_model=models.Health)
    async def health() -> Response:
        """The process answers (no check of the decision log)."""
        return _json({"status": "ok"})

    @app.get("/v1/ready", summary="Readiness", response_model=models.Ready,
             responses={503: {"model": models.Ready}})
    async def ready(request: Request) -> Response:
        """Ready when the rulebase is loaded and, with a decision log, its database
        answers; 503 otherwise."""
        state = state_of(request)
        status = "not configured"
        if state.log is not None:
            try:
                await in_thread(request, state.log.count, 5.0)
                status = "ok"
            except Exception:
                status = "unavailable"
        body = {"status": "ready" if status != "unavailable" else "not ready",
                "rulebase": loaded_of(request).rulebase.identity(), "decision_log": status}
        return _json(body, 200 if status != "unavailable" else 503)

    @app.get("/v1/rulebase", summary="The rulebase serving now",
             response_model=models.RulebaseInfo)
    async def rulebase(request: Request) -> Response:
        """Name, version, sha256, policy areas and the spans of dates with the same rules
        in force."""
        return _json(loaded_of(request).describe())

    @app.get("/v1/schema/case", summary="The JSON Schema of a case")
    async def schema() -> Response:
        """Exactly what ``sen-rules schema`` prints (draft 2020-12)."""
        return Response(json.dumps(case_json_schema(), indent=2, ensure_ascii=False) + "\n",
                        media_type="application/json")

    @app.post("/v1/admin/reload", summary="Reload the rules", response_model=models.ReloadAnswer,
              responses={409: {"model": models.ProblemDetail,
                               "content": {"application/problem+json": {}}}})
    async def reload(request: Request) -> Response:
        """Load the rules directory again; if it loads and checks, swap it in (requests in
        flight finish on the old one). Refused (409, SR720) otherwise, and the old
        rulebase keeps serving. Scope ``reload``."""
        client_of(request, "reload")
        state = state_of(request)
        loaded, changed = await in_thread(request, state.holder.reload, 120.0)
        if state.supervised and changed:
            os.kill(os.getppid(), signal.SIGHUP)  # the supervisor tells the other workers
        return _json({"changed": changed, "rulebase": loaded.describe()})


def _error_handlers(app: FastAPI) -> None:
    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return exc.response(request.url.path)

    async def library(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SenRulesError)
        return library_problem(exc).response(request.url.path)

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: codes.SR712, 405: codes.SR713}.get(exc.status_code, codes.SR708)
        detail = {404: f"there is no {request.url.path}",
                  405: f"{request.method} is not allowed on {request.url.path}"
                  }.get(exc.status_code, str(exc.detail))
        return Problem(exc.status_code, code, detail, headers=exc.headers).response(
            request.url.path)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [{"path": ".".join(str(p) for p in e.get("loc", ())),
                   "message": str(e.get("msg", "invalid"))} for e in exc.errors()]
        return Problem(400, codes.SR708, "a query or path value is not valid: "
                       + "; ".join(f"{e['path']}: {e['message']}" for e in errors),
                       errors).response(request.url.path)

    app.add_exception_handler(Problem, problem)
    app.add_exception_handler(SenRulesError, library)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(RequestValidationError, invalid)
