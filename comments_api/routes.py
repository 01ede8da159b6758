"""HTTP routes under ``/api``: parse the request, make one service call, answer.

Identity, admin checks and body parsing are small helpers here; the rules live
in ``service.py`` and ``policy.py``.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from comments_api import policy
from comments_api.errors import BadRequest, Forbidden, Invalid, Unauthorized, Unavailable
from comments_api.policy import Identity
from comments_api.schemas import (
    THREAD_PATTERN,
    AdminComment,
    CommentIn,
    CommentOut,
    CreatedComment,
    EditIn,
    ErrorResponse,
    Health,
    ReactionIn,
    ReactionOut,
)
from comments_api.service import Service
from comments_api.settings import IPNetwork, Settings
from comments_api.unsubscribe import read_token
from comments_api.unsubscribe_pages import unsubscribe_page, wants_html

router = APIRouter(prefix="/api")
T = TypeVar("T")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorResponse} for s in statuses}


_THREAD = re.compile(THREAD_PATTERN)
ThreadParam = Annotated[
    str,
    Query(
        min_length=1,
        max_length=512,
        pattern=THREAD_PATTERN,
        description="Thread id: the item's path.",
    ),
]
CommentId = Annotated[int, Path(ge=1, le=2**31 - 1)]


async def read(service: Service, fn: Callable[..., T], *args: Any) -> T:
    """Run a read: inline on SQLite (it never waits), in a worker thread otherwise."""
    if service.store.inline_reads:
        return fn(*args)
    return await run_in_threadpool(fn, *args)


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


# identity -------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _trusted(host: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in networks)


def client_address(request: Request, settings: Settings) -> str:
    """The client's address: the peer, or behind a trusted proxy the last untrusted hop."""
    peer = request.client.host if request.client else "unknown"
    if not _trusted(peer, settings.trusted_proxies):
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()][-16:]):
        if not _trusted(hop, settings.trusted_proxies):
            return hop
    return peer


def _header_text(value: str) -> str:
    """Proxies send UTF-8 names; Starlette decodes headers as Latin-1."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def identify(request: Request, settings: Settings) -> Identity:
    """Who is asking; in trusted-header mode, only a configured proxy may say so."""
    address = client_address(request, settings)
    if settings.identity != "trusted-header":
        return Identity(address)
    peer = request.client.host if request.client else ""
    if not _trusted(peer, settings.trusted_proxies):
        raise Unauthorized("identity is only accepted through the single sign-on proxy")
    email = request.headers.get(settings.identity_header, "").strip().lower()
    if not email or not policy.valid_email(email):
        raise Unauthorized(f"the proxy sent no valid {settings.identity_header} header")
    person = settings.people.get(email)
    name = policy.clean_text(_header_text(request.headers.get(settings.name_header, "")))[:100]
    return Identity(
        address, email, person.id if person else None, name or (person.name if person else None)
    )


async def caller(request: Request) -> tuple[Service, Identity]:
    """The service and who is asking (recording a person's first request once).

    A plain call rather than FastAPI dependencies: this runs on every hot request.
    """
    service: Service = request.app.state.service
    identity = identify(request, service.settings)
    if identity.email is not None and not service.has_seen(identity.email):
        await run_in_threadpool(service.seen, identity)
    return service, identity


async def reader(request: Request) -> Service:
    """The service for a read: anyone may read in open mode (no address needed);
    in trusted-header mode reading needs an identity, and counts as activity."""
    service: Service = request.app.state.service
    if service.settings.identity != "open":
        await caller(request)
    return service


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def require_admin(request: Request, service: ServiceDep) -> str:
    """The admin token (``VEILLE_ADMIN_TOKEN``) or, behind the proxy, a listed admin.

    Returns who acts, as the moderation log records it: the admin's email, or "token".
    """
    settings = service.settings
    token = _bearer(request)
    if (
        token
        and settings.admin_token
        and hmac.compare_digest(token.encode(), settings.admin_token.encode())
    ):
        return "token"
    if settings.identity == "trusted-header":
        try:
            identity = identify(request, settings)
        except Unauthorized:
            identity = None
        if identity is not None:
            if policy.is_admin(identity, settings.admins):
                return identity.email or "proxy"
            raise Forbidden("you are not a moderator of this site")
    if token:
        raise Forbidden("this admin token is not valid")
    raise Unauthorized("send the admin token as 'Authorization: Bearer TOKEN'")


AdminDep = Depends(require_admin)


# bodies ---------------------------------------------------------------------------
def _parse_comment(raw: bytes, media: str) -> CommentIn:
    if media == "application/x-www-form-urlencoded":
        return _validate(CommentIn.model_validate, form_fields(raw, keep_blank=False))
    return _validate(CommentIn.model_validate_json, raw)


def form_fields(raw: bytes, *, keep_blank: bool) -> dict[str, str]:
    """An HTML form body as fields, the first value of a repeated key winning.

    A comment form drops blank fields so that an empty optional input reads as
    absent; BadRequest when the body is not UTF-8.
    """
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("the form is not valid UTF-8") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        if keep_blank or value != "":
            fields.setdefault(key, value)
    return fields


def _validate(parse: Any, data: Any) -> CommentIn:
    try:
        parsed: CommentIn = parse(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise BadRequest("the body is not valid JSON") from None
        raise Invalid(describe_errors(errors)) from None
    return parsed


def describe_errors(errors: Any) -> str:
    parts = []
    for e in list(errors)[:5]:
        loc = tuple(e.get("loc", ()))
        where = ".".join(str(x) for x in (loc[1:] if loc[:1] == ("body",) else loc))
        parts.append(
            f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid"))
        )
    return "; ".join(parts) or "invalid request"


_COMMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/CommentIn"}},
            "application/x-www-form-urlencoded": {
                "schema": {"$ref": "#/components/schemas/CommentIn"}
            },
        },
    }
}


# comments -------------------------------------------------------------------------
@router.get(
    "/comments",
    response_model=list[CommentOut],
    responses=_errors(401, 404, 422, 503),
    summary="Visible comments of a thread, flat and in order",
)
async def list_comments(thread: ThreadParam, request: Request) -> Response:
    service = await reader(request)
    data = await read(service, service.list_thread, thread)
    return Response(data, media_type="application/json", headers={"cache-control": "no-cache"})


@router.post(
    "/comments",
    status_code=201,
    response_model=CreatedComment,
    responses={
        303: {"description": "Form post (no JavaScript): back to the page"},
        **_errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
    },
    openapi_extra=_COMMENT_BODY,
    summary="Post a comment or a reply (JSON, or a form from the no-JS page)",
)
async def post_comment(request: Request, thread: ThreadParam) -> Response:
    service, identity = await caller(request)
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    data = _parse_comment(await request.body(), media)
    created = await run_in_threadpool(service.post, thread, data, identity)
    if media == "application/x-www-form-urlencoded":
        anchor = f"#comment-{created.id}" if created.status == "approved" else "#comments"
        location = service.settings.base_url.rstrip("/") + thread + anchor
        return RedirectResponse(location, status_code=303)
    return Response(
        created.model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"location": f"/api/comments/{created.id}"},
    )


@router.patch(
    "/comments/{comment_id}",
    response_model=CommentOut,
    responses=_errors(400, 401, 403, 404, 409, 413, 415, 422, 503),
    summary="Edit a comment with its edit token, inside the edit window",
)
async def edit_comment(comment_id: CommentId, body: EditIn, request: Request) -> CommentOut:
    service, _ = await caller(request)
    return await run_in_threadpool(service.edit, comment_id, body.body, _bearer(request))


@router.delete(
    "/comments/{comment_id}",
    status_code=204,
    responses=_errors(401, 403, 404, 409, 503),
    summary="Delete a comment with its edit token (a placeholder stays if it has replies)",
)
async def delete_comment(comment_id: CommentId, request: Request) -> Response:
    service, _ = await caller(request)
    await run_in_threadpool(service.delete, comment_id, _bearer(request))
    return Response(status_code=204)


@router.post(
    "/comments/{comment_id}/reactions",
    response_model=ReactionOut,
    responses=_errors(400, 401, 403, 404, 409, 415, 422, 429, 503),
    summary="Toggle a reaction (one per person per kind)",
)
async def react(comment_id: CommentId, body: ReactionIn, request: Request) -> ReactionOut:
    service, identity = await caller(request)
    return await run_in_threadpool(service.react, comment_id, body.kind, body.author_name, identity)


@router.get(
    "/counts",
    response_model=dict[str, int],
    responses=_errors(401, 422, 503),
    summary="Comment counts of many threads in one call",
)
async def counts(
    request: Request,
    thread: Annotated[list[str], Query(description="Repeat for each thread.")],
) -> dict[str, int]:
    service = await reader(request)
    for value in thread:
        if len(value) > 512 or not _THREAD.match(value):
            raise Invalid(f"thread: not a thread id: {value[:80]!r}")
    return await read(service, service.counts, thread)


# moderation -----------------------------------------------------------------------
@router.get(
    "/admin/comments",
    response_model=list[AdminComment],
    dependencies=[AdminDep],
    responses=_errors(401, 403, 422, 503),
    summary="Comments by status, for moderators",
)
async def admin_list(
    service: ServiceDep,
    status: Literal["pending", "approved", "rejected", "deleted"] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[AdminComment]:
    return await run_in_threadpool(service.moderation_list, status, limit, offset)


@router.post(
    "/admin/comments/{comment_id}/{action}",
    response_model=AdminComment,
    responses=_errors(401, 403, 404, 409, 422, 503),
    summary="Approve, reject, hide or delete a comment (recorded in the moderation log)",
)
async def admin_moderate(
    comment_id: CommentId,
    action: Literal["approve", "reject", "hide", "delete"],
    service: ServiceDep,
    by: Annotated[str, AdminDep],
) -> AdminComment:
    return await run_in_threadpool(service.moderate, comment_id, action, by)


@router.get(
    "/export",
    dependencies=[AdminDep],
    responses={
        200: {"content": {"application/x-ndjson": {}}, "description": "JSON Lines"},
        **_errors(401, 403, 503),
    },
    summary="Every comment, reaction, account and suppression as JSON Lines",
)
async def export(service: ServiceDep) -> StreamingResponse:
    return StreamingResponse(service.export(), media_type="application/x-ndjson")


@router.get(
    "/health", response_model=Health, responses=_errors(503), summary="Liveness and database check"
)
async def health(service: ServiceDep) -> Health:
    try:
        version = await run_in_threadpool(service.health)
    except Exception as exc:
        raise Unavailable(f"the database does not answer: {type(exc).__name__}") from None
    return Health(status="ok", database="ok", schema_version=version)


# newsletter -----------------------------------------------------------------------
def _subscriber(service: Service, token: str) -> str:
    secret = service.settings.newsletter_secret
    if not secret:
        raise Unavailable(
            "unsubscribing is not configured: set VEILLE_NEWSLETTER_SECRET on the server"
        )
    email = read_token(token, secret)
    if email is None:
        raise BadRequest("this unsubscribe link is not valid")
    return email


def _subscriber_or_page(request: Request, service: Service, token: str) -> str | HTMLResponse:
    """The token's address; for a browser, a failure is a page, for an API client JSON."""
    try:
        return _subscriber(service, token)
    except (BadRequest, Unavailable) as exc:
        if not wants_html(request.headers.get("accept")):
            raise
        kind = "invalid" if isinstance(exc, BadRequest) else "unconfigured"
        page = unsubscribe_page(kind, service.settings.language)
        return HTMLResponse(page, status_code=exc.status)


TokenParam = Annotated[str, Query(min_length=1, max_length=2048)]


@router.get(
    "/newsletter/unsubscribe",
    response_class=HTMLResponse,
    responses=_errors(400, 422, 503),
    summary="A page asking to confirm unsubscribing (never unsubscribes by itself)",
)
async def unsubscribe_confirm(
    request: Request, token: TokenParam, service: ServiceDep
) -> HTMLResponse:
    email = _subscriber_or_page(request, service, token)
    if isinstance(email, HTMLResponse):
        return email
    return HTMLResponse(unsubscribe_page("confirm", service.settings.language, email))


@router.post(
    "/newsletter/unsubscribe",
    response_class=HTMLResponse,
    responses=_errors(400, 422, 503),
    summary="Unsubscribe (RFC 8058 one-click, or the confirmation form)",
)
async def unsubscribe(request: Request, token: TokenParam, service: ServiceDep) -> HTMLResponse:
    email = _subscriber_or_page(request, service, token)
    if isinstance(email, HTMLResponse):
        return email
    await run_in_threadpool(service.unsubscribe, email)
    return HTMLResponse(unsubscribe_page("done", service.settings.language, email))


def comment_schemas() -> dict[str, Any]:
    """Schemas referenced by hand-written request bodies, for the OpenAPI document."""
    return {"CommentIn": CommentIn.model_json_schema(ref_template="#/components/schemas/{model}")}
