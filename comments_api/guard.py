"""The ASGI guard in front of every route: overload, body size, media types, Origin and CORS.

Pure ASGI (no per-request task), so it costs little on the hot read path. Its
refusals use the same JSON error shape as the rest of the API.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from comments_api.errors import PayloadTooLarge
from comments_api.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SAFE = {"GET", "HEAD", "OPTIONS"}
_JSON = b"application/json"
_FORM = b"application/x-www-form-urlencoded"
_CORS_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
_CORS_HEADERS = b"Authorization, Content-Type"


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _media_types(method: str, path: str) -> tuple[bytes, ...] | None:
    """The media types a body may have on this route; None when any body is accepted."""
    if path.startswith(("/api/newsletter/", "/api/notifications/", "/api/admin/")):
        return None
    if method == "POST" and (
        path.rstrip("/") in ("/api/comments", "/api/saved") or path.startswith("/admin/")
    ):
        return (_JSON, _FORM)
    return (_JSON,)


class Guard:
    """Refuses what no route should see, and adds CORS and safety headers to every answer."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.origin = settings.site_origin.encode()
        self.max_body = settings.max_body_bytes
        self.max_in_flight = settings.max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = scope.get("root_path", "")
        for mount in ("/api", "/admin"):
            if root.endswith(mount) and scope["path"].startswith(root):
                # Mounted at /api (or /admin) by a host app: our routes carry it themselves.
                scope = {**scope, "root_path": root[: -len(mount)]}
        if self.in_flight >= self.max_in_flight:
            await send_error(
                send, 503, "overloaded", "the server is busy; try again", [(b"retry-after", b"1")]
            )
            return
        self.in_flight += 1
        try:
            await self._handle(scope, receive, send)
        finally:
            self.in_flight -= 1

    def _allowed(self, origin: bytes, headers: dict[bytes, bytes]) -> bool:
        if origin.lower() == self.origin:
            return True
        # Same-origin requests (the dev server mounts the API beside the pages) are safe too.
        host = headers.get(b"host", b"")
        return bool(host) and origin.lower().split(b"://", 1)[-1] == host.lower()

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        method: str = scope["method"]
        headers = dict(scope["headers"])
        origin = headers.get(b"origin")
        allowed = origin is not None and self._allowed(origin, headers)
        if origin is not None and not allowed and method not in ("GET", "HEAD"):
            await send_error(send, 403, "origin_forbidden", "this origin may not call the API")
            return
        cors: list[tuple[bytes, bytes]] = []
        if allowed:
            assert origin is not None
            cors = [
                (b"access-control-allow-origin", origin),
                (b"access-control-allow-credentials", b"true"),
                (b"access-control-expose-headers", b"Location, Retry-After"),
                (b"vary", b"Origin"),
            ]
            if method == "OPTIONS" and b"access-control-request-method" in headers:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 204,
                        "headers": [
                            *cors,
                            (b"access-control-allow-methods", _CORS_METHODS),
                            (b"access-control-allow-headers", _CORS_HEADERS),
                            (b"access-control-max-age", b"600"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
        if method not in _SAFE:
            refusal = self._check_body(method, scope["path"], headers)
            if refusal is not None:
                await send_error(send, *refusal)
                return
        await self._forward(scope, receive, send, cors)

    def _check_body(
        self, method: str, path: str, headers: dict[bytes, bytes]
    ) -> tuple[int, str, str] | None:
        length = headers.get(b"content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                return 400, "bad_request", "invalid Content-Length"
            if size > self.max_body:
                return (
                    413,
                    "payload_too_large",
                    f"request bodies are limited to {self.max_body} bytes",
                )
            has_body = size > 0
        else:
            has_body = b"transfer-encoding" in headers
        allowed = _media_types(method, path)
        if has_body and allowed is not None:
            media = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
            if media not in allowed:
                names = " or ".join(a.decode() for a in allowed)
                return 415, "unsupported_media_type", f"send the body as {names}"
        return None

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, extra: list[tuple[bytes, bytes]]
    ) -> None:
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    # FastAPI wraps errors while reading a body; app.py unwraps this one.
                    raise PayloadTooLarge(f"request bodies are limited to {self.max_body} bytes")
            return message

        async def decorated_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                added = list(extra)
                added.append((b"x-content-type-options", b"nosniff"))
                if b"cache-control" not in names:
                    added.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        try:
            await self.app(scope, limited_receive, decorated_send)
        except PayloadTooLarge:
            if not started:
                await send_error(
                    send,
                    413,
                    "payload_too_large",
                    f"request bodies are limited to {self.max_body} bytes",
                )
