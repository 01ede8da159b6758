"""HTTP routes for notification settings: the one-click link of the emails, and ``/api/me``.

``/api/notifications/unsubscribe`` takes a signed token (``unsubscribe.NOTIFICATIONS``):
GET shows a confirmation form (mail scanners follow links), POST turns notifications
off (RFC 8058 one-click) and offers a "turn back on" button. ``/api/me/notifications``
reads and sets the caller's own choice, with the proxy's identity.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from comments_api.errors import BadRequest, Unauthorized, Unavailable
from comments_api.routes import ServiceDep, TokenParam, _errors, identify
from comments_api.service import Service
from comments_api.unsubscribe import NOTIFICATIONS, read_token
from comments_api.unsubscribe_pages import html_page

router = APIRouter(prefix="/api")


class NotificationSetting(BaseModel):
    """Whether reply and mention emails are sent to the caller."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool


def _email(service: Service, token: str) -> str:
    secret = service.settings.newsletter_secret
    if not secret:
        raise Unavailable(
            "notification links are not configured: set VEILLE_NEWSLETTER_SECRET on the server"
        )
    email = read_token(token, secret, NOTIFICATIONS)
    if email is None:
        raise BadRequest("this link is not valid")
    return email


def _set(service: Service, email: str, enabled: bool) -> None:
    person = service.settings.people.get(email)
    with service.store.write() as tx:
        tx.set_notifications(email, person.id if person else None, enabled, datetime.now(UTC))


def _enabled(service: Service, email: str) -> bool:
    with service.store.read() as tx:
        value = tx.notifications_enabled(email)
    return True if value is None else value


def _form(action: str, label: str, token: str) -> str:
    return (
        f'<form method="post" action="{action}?token={quote(token, safe="")}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">{label}</button></form>'
    )


@router.get(
    "/notifications/unsubscribe",
    response_class=HTMLResponse,
    responses=_errors(400, 422, 503),
    summary="A page asking to confirm turning notifications off (never changes anything)",
)
async def notifications_page(token: TokenParam, service: ServiceDep) -> HTMLResponse:
    email = _email(service, token)
    content = (
        "<p>Stop emailing <strong>"
        f"{html.escape(email)}</strong> about replies, mentions and comments on their posts?</p>"
        + _form("unsubscribe", "Turn notifications off", token)
    )
    return HTMLResponse(html_page("Notifications", content, service.settings.language))


@router.post(
    "/notifications/unsubscribe",
    response_class=HTMLResponse,
    responses=_errors(400, 422, 503),
    summary="Turn notifications off (RFC 8058 one-click, or the confirmation form)",
)
async def notifications_off(token: TokenParam, service: ServiceDep) -> HTMLResponse:
    email = _email(service, token)
    await run_in_threadpool(_set, service, email, False)
    content = f"<p>{html.escape(email)} will receive no more notification emails.</p>" + _form(
        "resubscribe", "Turn them back on", token
    )
    return HTMLResponse(html_page("Notifications off", content, service.settings.language))


@router.post(
    "/notifications/resubscribe",
    response_class=HTMLResponse,
    responses=_errors(400, 422, 503),
    summary="Turn notifications back on, from the page the one-click link showed",
)
async def notifications_on(token: TokenParam, service: ServiceDep) -> HTMLResponse:
    email = _email(service, token)
    await run_in_threadpool(_set, service, email, True)
    content = f"<p>{html.escape(email)} will again be told about replies and mentions.</p>" + _form(
        "unsubscribe", "Turn notifications off", token
    )
    return HTMLResponse(html_page("Notifications on", content, service.settings.language))


def _me(request: Request, service: Service) -> str:
    who = identify(request, service.settings)
    if who.email is None:
        raise Unauthorized(
            "notification settings need an identity (comments.identity: trusted-header)"
        )
    return who.email


@router.get(
    "/me/notifications",
    response_model=NotificationSetting,
    responses=_errors(401),
    summary="Whether the caller gets reply and mention emails",
)
async def my_notifications(request: Request, service: ServiceDep) -> NotificationSetting:
    email = _me(request, service)
    return NotificationSetting(enabled=await run_in_threadpool(_enabled, service, email))


@router.put(
    "/me/notifications",
    response_model=NotificationSetting,
    responses=_errors(401, 422),
    summary="Turn the caller's reply and mention emails on or off",
)
async def set_my_notifications(
    setting: NotificationSetting, request: Request, service: ServiceDep
) -> NotificationSetting:
    email = _me(request, service)
    await run_in_threadpool(_set, service, email, setting.enabled)
    return setting
