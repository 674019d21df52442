"""A small read-only web page for auditors: list and filter stored decisions, open one's
report. Server-rendered (Jinja2, autoescaped), no script. With a token file, an auditor
signs in once with an ``audit-read`` token, kept in an HttpOnly, SameSite=Strict cookie.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .context import COOKIE, client_of, in_thread, loaded_of, state_of
from .limits import read_body
from .problems import Problem
from .reports import render_auditor, stored_report
from .routes_audit import ID, Before, FilterQuery, log_of, stored

router = APIRouter(prefix="/audit", include_in_schema=False)
CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status, headers={"Content-Security-Policy": CSP,
                                               "Cache-Control": "no-store"})


def signed_in(request: Request) -> bool:
    try:
        client_of(request, "audit-read")
    except Problem:
        return False
    return True


def login_page(error: str | None = None, status: int = 200) -> HTMLResponse:
    return page(render_auditor("login.html", error=error), status)


@router.get("/")
async def listing(request: Request, query: FilterQuery, before: Before = None) -> Response:
    if not signed_in(request):
        return login_page()
    log = log_of(request)
    filters = query
    found, total = await in_thread(request, lambda: (
        log.summaries(filters, limit=100, before=before), log.count(filters)))
    next_before = found[-1].seq if len(found) == 100 else None
    params = {k: v for k, v in request.query_params.items() if k != "before" and v}
    rulebase = loaded_of(request).rulebase
    html = render_auditor(
        "list.html", decisions=[s.to_dict() for s in found], total=total, query=query,
        areas=rulebase.areas, current=rulebase.identity(), next_before=next_before,
        next_query=urlencode({**params, "before": next_before}))
    return page(html)


@router.post("/login")
async def login(request: Request) -> Response:
    if state_of(request).tokens is None:
        return RedirectResponse("./", 303)
    form = parse_qs((await read_body(request.stream(), 10_000)).decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0].strip()
    tokens = state_of(request).tokens
    assert tokens is not None
    try:
        client = tokens.by_token(token)
    except Problem:
        return login_page("That token is not known.", 401)
    if "audit-read" not in client.scopes:
        return login_page("That token does not grant the audit-read scope.", 403)
    response = RedirectResponse("./", 303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/audit",
                        secure=request.url.scheme == "https")
    return response


@router.get("/decisions/{decision_id}")
async def decision(request: Request, decision_id: ID) -> Response:
    if not signed_in(request):
        return login_page()
    _, text = await stored(request, decision_id)
    rulebase = loaded_of(request).rulebase
    return page(await in_thread(request, lambda: stored_report(text, rulebase)))
