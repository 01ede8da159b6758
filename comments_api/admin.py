"""The moderation page and the animator's desk under ``/admin``: server-rendered HTML forms.

Who may enter: in trusted-header mode the configured ``admins``; in open mode whoever
signs in with the admin token (a signed session cookie). Every post must come from our
own pages (``Sec-Fetch-Site``/``Origin``) and carry the session's CSRF token; every
action goes through ``Service.moderate``, which records it in the moderation log.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool

from comments_api import adminsession, policy
from comments_api.adminsession import Session
from comments_api.desk import ItemsError, build_desk, load_items
from comments_api.errors import ApiError, BadRequest, Forbidden, Unauthorized
from comments_api.routes import client_address, identify
from comments_api.service import Service
from comments_api.store import utc
from generator import clock

router = APIRouter(prefix="/admin", include_in_schema=False)

ACTIONS = ("approve", "reject", "hide", "delete")
_DONE = {"approve": "approved", "reject": "rejected", "hide": "hidden", "delete": "deleted"}
_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
_MAX_FORM = 4096
_SIGNIN_PER_MINUTE = 10


def _when(value: datetime) -> str:
    return utc(value).strftime("%Y-%m-%d %H:%M UTC")


_env = Environment(
    loader=PackageLoader("comments_api", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["when"] = _when


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _key(request: Request) -> bytes:
    """The session key, made once per app (a random one is per process)."""
    state = request.app.state
    key: bytes | None = getattr(state, "admin_session_key", None)
    if key is None:
        settings = _service(request).settings
        key = adminsession.session_key(settings.admin_token, settings.newsletter_secret)
        state.admin_session_key = key
    return key


def _page(
    name: str, context: Mapping[str, Any], status: int = 200, cookie: str | None = None
) -> HTMLResponse:
    html = _env.get_template(name).render(context)
    response = HTMLResponse(html, status_code=status, headers=_HEADERS)
    if cookie is not None:
        response.headers.append("set-cookie", cookie)
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or _service(request).settings.base_url.startswith("https:")


def _refusal(request: Request, exc: ApiError) -> HTMLResponse:
    """401 or 403 as a page; in open mode a 401 is the sign-in form."""
    settings = _service(request).settings
    if exc.status == 401 and settings.identity == "open":
        return _signin_page(settings.admin_token is not None, None, 401)
    return _page("admin_refusal.html", {"status": exc.status, "message": exc.message}, exc.status)


def _signin_page(configured: bool, error: str | None, status: int) -> HTMLResponse:
    return _page("admin_signin.html", {"configured": configured, "error": error}, status)


async def _enter(request: Request) -> tuple[Session, str | None]:
    """The admin's session (and a ``Set-Cookie`` when one was just opened), or
    Unauthorized (nobody known) / Forbidden (not an admin)."""
    settings = _service(request).settings
    now = int(time.time())
    session = adminsession.decode(request.cookies.get(adminsession.COOKIE), _key(request), now)
    if settings.identity == "trusted-header":
        who = identify(request, settings)  # Unauthorized without the proxy's header
        if not policy.is_admin(who, settings.admins):
            raise Forbidden("you are not a moderator of this site")
        assert who.email is not None
        if session is not None and session.by == who.email:
            return session, None
        session = adminsession.new_session(who.email, now)
        value = adminsession.encode(session, _key(request))
        return session, adminsession.cookie_header(value, secure=_secure(request))
    if session is None or session.by != "token":
        raise Unauthorized("sign in with the admin token")
    return session, None


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > _MAX_FORM:
        raise BadRequest("the form is too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


async def _checked_post(request: Request) -> tuple[Session, dict[str, str]]:
    """A post from our own page, by an admin, with this session's CSRF token."""
    if not adminsession.same_origin(request.headers, _service(request).settings.site_origin):
        raise Forbidden("this form was posted from another site")
    session, opened = await _enter(request)
    form = await _form(request)
    if opened is not None or not adminsession.csrf_matches(
        session, _key(request), form.get("csrf")
    ):
        raise Forbidden("this form has expired or was not sent by this page; reload it")
    return session, form


# pages ----------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def moderation_page(request: Request) -> Response:
    try:
        session, cookie = await _enter(request)
    except ApiError as exc:
        return _refusal(request, exc)
    service = _service(request)
    view = await run_in_threadpool(_moderation_view, service)
    done = request.query_params.get("done", "")
    action, _, number = done.partition("-")
    notice = f"Comment {number} {_DONE[action]}." if action in _DONE and number.isdigit() else None
    context = {
        **view,
        "by": session.by,
        "csrf": adminsession.csrf_token(session, _key(request)),
        "notice": notice,
        "site": service.settings.base_url.rstrip("/"),
    }
    return _page("admin_moderation.html", context, cookie=cookie)


def _moderation_view(service: Service) -> dict[str, Any]:
    with service.store.read() as tx:
        return {
            "pending": tx.list_by_status("pending", 200, 0),
            "recent": tx.recent_comments(50),
            "log": tx.moderation_entries(100),
        }


@router.get("/desk", response_class=HTMLResponse)
async def desk_page(request: Request) -> Response:
    try:
        session, cookie = await _enter(request)
    except ApiError as exc:
        return _refusal(request, exc)
    service = _service(request)
    error = None
    try:
        items = await run_in_threadpool(load_items, service.settings.items_file)
    except ItemsError as exc:
        items, error = (), str(exc)
    now = clock.now()

    def facts() -> tuple[dict[str, int], list[Any]]:
        with service.store.read() as tx:
            return tx.thread_counts(), tx.unanswered(now)

    counts, unanswered = await run_in_threadpool(facts)
    desk = build_desk(
        items,
        counts,
        unanswered,
        service.settings.communities,
        _unique_people(service),
        now,
    )
    context = {
        "desk": desk,
        "error": error,
        "by": session.by,
        "csrf": adminsession.csrf_token(session, _key(request)),
        "site": service.settings.base_url.rstrip("/"),
    }
    return _page("admin_desk.html", context, cookie=cookie)


def _unique_people(service: Service) -> list[Any]:
    """The directory's people, once each (the settings index them by email)."""
    return list({p.id: p for p in service.settings.people.values()}.values())


# forms ----------------------------------------------------------------------------
@router.post("/signin", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    settings = _service(request).settings
    if not adminsession.same_origin(request.headers, settings.site_origin):
        return _refusal(request, Forbidden("this form was posted from another site"))
    if settings.identity != "open":
        return _refusal(request, Forbidden("admins sign in through the single sign-on proxy"))
    if settings.admin_token is None:
        return _signin_page(False, None, 403)
    address = client_address(request, settings)
    wait = _service(request).limiter.hit(f"admin-signin:a:{address}", _SIGNIN_PER_MINUTE)
    if wait is not None:
        return _signin_page(True, "Too many attempts; wait a minute.", 429)
    try:
        token = (await _form(request)).get("token", "")
    except ApiError as exc:
        return _refusal(request, exc)
    if not hmac.compare_digest(token.encode(), settings.admin_token.encode()):
        return _signin_page(True, "This admin token is not valid.", 403)
    session = adminsession.new_session("token", int(time.time()))
    value = adminsession.encode(session, _key(request))
    response = RedirectResponse("/admin/", status_code=303, headers=_HEADERS)
    response.headers.append(
        "set-cookie", adminsession.cookie_header(value, secure=_secure(request))
    )
    return response


@router.post("/signout", response_class=HTMLResponse)
async def sign_out(request: Request) -> Response:
    try:
        await _checked_post(request)
    except ApiError as exc:
        return _refusal(request, exc)
    response = RedirectResponse("/admin/", status_code=303, headers=_HEADERS)
    cleared = adminsession.cookie_header("", secure=_secure(request), max_age=0)
    response.headers.append("set-cookie", cleared)
    return response


@router.post("/comments/{comment_id}/{action}", response_class=HTMLResponse)
async def moderate(
    request: Request,
    comment_id: int,
    action: Literal["approve", "reject", "hide", "delete"],
) -> Response:
    try:
        session, _form_data = await _checked_post(request)
        await run_in_threadpool(_service(request).moderate, comment_id, action, session.by)
    except ApiError as exc:
        return _refusal(request, exc)
    return RedirectResponse(f"/admin/?done={action}-{comment_id}", status_code=303)
