"""The FastAPI application: explicit dependencies, the guard, and one error shape.

``create_app(settings, store=...)`` wires settings, store, thread list and
service together and applies migrations; every error becomes
``{"error": {"code", "message"}}`` and no traceback ever reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from comments_api import admin, migrations
from comments_api.errors import ApiError
from comments_api.guard import Guard
from comments_api.notification_routes import router as notification_router
from comments_api.personal import Personal
from comments_api.personal_routes import router as personal_router
from comments_api.personal_routes import saved_schemas
from comments_api.routes import comment_schemas, describe_errors, router
from comments_api.service import Service
from comments_api.settings import Settings, settings_from_config
from comments_api.store import Store
from comments_api.threads import ThreadRegistry

__all__ = ["create_app", "settings_from_config"]

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


class RedactQuery(logging.Filter):
    """Access logs keep the path but never the query string (tokens, capability URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if (
            isinstance(args, tuple)
            and len(args) >= 3
            and isinstance(args[2], str)
            and "?" in args[2]
        ):
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?[redacted]", *args[3:])
        return True


def _install_log_redaction() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQuery) for f in access.filters):
        access.addFilter(RedactQuery())


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"retry-after": str(exc.retry_after)} if exc.retry_after is not None else None
    if exc.status == 401:
        headers = {**(headers or {}), "www-authenticate": "Bearer"}
    return error_response(exc.status, exc.code, exc.message, headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if isinstance(exc.__cause__, ApiError):  # raised while FastAPI read the body
        return await _api_error(request, exc.__cause__)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 404:
        message = "no such route"
    return error_response(exc.status_code, code, message, dict(exc.headers or {}))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "bad_request", "the body is not valid JSON")
    return error_response(422, "validation_error", describe_errors(errors))


async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, IntegrityError):
        return error_response(409, "conflict", "the change conflicts with stored data")
    log.warning("database unavailable: %s", type(exc).__name__)
    return error_response(
        503, "unavailable", "the database is busy or unavailable; try again", {"retry-after": "1"}
    )


async def _server_error(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
    return error_response(500, "internal_error", "an unexpected error occurred")


def create_app(
    settings: Settings, store: Store | None = None, threads_file: Path | None = None
) -> FastAPI:
    """The comments API for these settings; migrates the database before serving."""
    own_store = store is None
    store = store or Store(settings.database_url)
    migrations.upgrade(store)
    service = Service(
        settings, store, threads=ThreadRegistry(threads_file or settings.threads_file)
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if own_store:
            store.dispose()

    app = FastAPI(
        title="Veille comments API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.settings = settings
    app.state.personal = Personal(service)
    app.include_router(router)
    app.include_router(personal_router)
    app.include_router(admin.router)
    app.include_router(notification_router)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for db_error in (OperationalError, PoolTimeout, SQLAlchemyError):
        app.add_exception_handler(db_error, _database_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(Guard, settings=settings)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(
                comment_schemas() | saved_schemas()
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    _install_log_redaction()
    return app
