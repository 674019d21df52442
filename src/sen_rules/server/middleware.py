"""The outermost layer of every request: fix the rulebase it is answered with, put that
rulebase's name, version and hash on the answer, turn any fault into a problem, and write
one access-log line with the path only (never the query string, which may name a case,
and never a body). What the log writes from the request is escaped
(:func:`sen_rules.textsafe.one_field`), so a request cannot write a line, or a terminal's
control sequence, into the log."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import codes
from ..textsafe import one_field
from .problems import Problem
from .reload import Holder

access_log = logging.getLogger("sen_rules.server.access")
error_log = logging.getLogger("sen_rules.server.error")


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, holder: Holder) -> None:
        self.app = app
        self.holder = holder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loaded = self.holder.current  # this request's rulebase, for its whole life
        state: dict[str, Any] = scope.setdefault("state", {})
        state["sen_rules_loaded"] = loaded
        identity = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                    for k, v in loaded.headers.items()]
        started = time.perf_counter()
        status = 0

        async def send_with_identity(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = list(message.get("headers", [])) + identity
            await send(message)

        try:
            await self.app(scope, receive, send_with_identity)
        except Exception as exc:
            # the message may quote case data: log the kind of fault only
            error_log.error("internal fault %s on %s %s", type(exc).__name__,
                            one_field(scope.get("method")), one_field(scope.get("path")))
            if status == 0:
                problem = Problem(500, codes.SR799, "the service failed to answer this request; "
                                  "the fault has been logged without the request's content")
                await problem.response(scope.get("path"))(scope, receive, send_with_identity)
        finally:
            access_log.info("%s %s %s %.1fms client=%s", one_field(scope.get("method")),
                            one_field(scope.get("path")), status,
                            (time.perf_counter() - started) * 1000,
                            one_field(state.get("sen_rules_client", "-")))
