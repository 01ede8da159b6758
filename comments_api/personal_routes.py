"""HTTP routes of one person's own data: ``/api/saved`` and ``/api/me``.

Thin handlers like ``routes.py``: who is asking (``caller``), one call to
``Personal``, the answer. The form post is the no-JavaScript Save button.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from comments_api.errors import Invalid
from comments_api.personal import MeOut, Personal, SavedOut, SaveResult
from comments_api.routes import ThreadParam, _errors, caller, describe_errors, form_fields
from comments_api.schemas import THREAD_PATTERN
from comments_api.settings import Settings

router = APIRouter(prefix="/api", tags=["saved"])


class SaveForm(BaseModel):
    """The Save button's form: which item, and whether to save or remove it."""

    thread: Annotated[str, Field(min_length=1, max_length=512, pattern=THREAD_PATTERN)]
    action: Literal["save", "remove"]


def _personal(request: Request) -> Personal:
    personal: Personal = request.app.state.personal
    return personal


@router.put(
    "/saved",
    status_code=201,
    response_model=SaveResult,
    responses={200: {"description": "Already saved"}, **_errors(401, 404, 422, 429, 503)},
    summary="Save a published item for later (the caller's own list)",
)
async def save(thread: ThreadParam, request: Request) -> Response:
    _, identity = await caller(request)
    created = await run_in_threadpool(_personal(request).save, thread, identity)
    body = SaveResult(thread=thread, saved=True).model_dump_json()
    return Response(body, status_code=201 if created else 200, media_type="application/json")


@router.delete(
    "/saved",
    status_code=204,
    responses={200: {"description": "Was not saved"}, **_errors(401, 422, 429, 503)},
    summary="Remove an item from the caller's saved list",
)
async def remove(thread: ThreadParam, request: Request) -> Response:
    _, identity = await caller(request)
    removed = await run_in_threadpool(_personal(request).remove, thread, identity)
    if removed:
        return Response(status_code=204)
    body = SaveResult(thread=thread, saved=False).model_dump_json()
    return Response(body, status_code=200, media_type="application/json")


@router.get(
    "/saved",
    response_model=list[SavedOut],
    responses=_errors(401, 503),
    summary="The caller's saved items, newest first",
)
async def saved(request: Request) -> list[SavedOut]:
    _, identity = await caller(request)
    return await run_in_threadpool(_personal(request).saved, identity)


@router.post(
    "/saved",
    status_code=303,
    responses={303: {"description": "Back to the page"}, **_errors(400, 401, 404, 422, 429)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"$ref": "#/components/schemas/SaveForm"}
                }
            },
        }
    },
    summary="The Save button without JavaScript: save or remove, then back to the page",
)
async def save_form(request: Request) -> Response:
    _, identity = await caller(request)
    form = _parse_form(await request.body())
    personal = _personal(request)
    if form.action == "save":
        await run_in_threadpool(personal.save, form.thread, identity)
    else:
        await run_in_threadpool(personal.remove, form.thread, identity)
    location = _back(request, personal.service.settings, form.thread)
    return RedirectResponse(location, status_code=303)


@router.get(
    "/me",
    response_model=MeOut,
    responses=_errors(401, 503),
    summary="The caller's own comments and the replies they received",
)
async def me(request: Request) -> MeOut:
    _, identity = await caller(request)
    return await run_in_threadpool(_personal(request).me, identity)


def _parse_form(raw: bytes) -> SaveForm:
    fields = form_fields(raw, keep_blank=True)
    try:
        return SaveForm.model_validate(fields)
    except ValidationError as exc:
        raise Invalid(describe_errors(exc.errors(include_url=False, include_input=False))) from None


def _back(request: Request, settings: Settings, thread: str) -> str:
    """The page the button was on (a page of this site), else the item's page."""
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    host = request.headers.get("host", "").lower()
    if parts.scheme in ("http", "https") and (
        origin == settings.site_origin or (host and parts.netloc.lower() == host)
    ):
        return referer
    return settings.base_url.rstrip("/") + thread


def saved_schemas() -> dict[str, Any]:
    """The form's schema, referenced by the hand-written request body."""
    return {"SaveForm": SaveForm.model_json_schema(ref_template="#/components/schemas/{model}")}
