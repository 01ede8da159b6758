"""Request and response models: what the OpenAPI document shows and clients rely on."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

THREAD_PATTERN = r"^/[^\s\x00-\x1f\x7f]*$"


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `rate_limited`.")
    message: str = Field(description="Human-readable explanation.")


class ErrorResponse(BaseModel):
    """Every error answer has this shape."""

    error: ErrorDetail


class CommentIn(BaseModel):
    """A new comment or reply. ``author_name`` is required in open identity mode."""

    model_config = ConfigDict(extra="ignore")

    body: str = Field(description="Markdown; at most `max_length` characters (else 413).")
    parent: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Id of the comment replied to."
    )
    author_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=320)


class EditIn(BaseModel):
    """New Markdown body of a comment."""

    model_config = ConfigDict(extra="ignore")

    body: str


class ReactionIn(BaseModel):
    """Toggle a reaction; ``author_name`` tells people apart in open identity mode."""

    model_config = ConfigDict(extra="ignore")

    kind: str = Field(max_length=32)
    author_name: str | None = Field(default=None, max_length=100)


class CommentOut(BaseModel):
    """A visible comment of a thread; a deleted comment with replies is a placeholder."""

    id: int
    parent: int | None
    author: str | None = Field(description="Display name; null for a deleted placeholder.")
    person_id: str | None = Field(description="Id in the people directory, when known.")
    html: str = Field(description="Rendered, sanitised HTML of the Markdown body.")
    created: datetime
    edited: datetime | None
    status: Literal["approved", "pending", "deleted"]
    reactions: dict[str, int]


class CreatedComment(CommentOut):
    """The answer to a new comment: keep ``edit_token`` to edit or delete it."""

    thread: str
    edit_token: str = Field(description="Secret bearer token for PATCH and DELETE.")
    edit_until: datetime


class ReactionOut(BaseModel):
    comment_id: int
    kind: str
    active: bool = Field(description="Whether this person's reaction is now present.")
    reactions: dict[str, int]


class AdminComment(BaseModel):
    """A comment as moderators see it."""

    id: int
    thread: str
    parent: int | None
    author_name: str
    email: str | None
    person_id: str | None
    body: str
    html: str
    status: Literal["approved", "pending", "rejected", "deleted"]
    created: datetime
    edited: datetime | None


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    schema_version: str | None
