"""Use cases of one person's own data: saved items and the ``/me/`` summary.

Everything here is keyed on the caller's identity (the SSO email): there is no
parameter naming another person, so nobody can ask for someone else's list.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from comments_api.errors import NotFound, Unauthorized
from comments_api.policy import Identity
from comments_api.service import Service
from generator.model import CommentRecord

MAX_ME_COMMENTS = 200  # /me/ shows a person's recent activity, not an archive


class SavedOut(BaseModel):
    """One saved item: the published thread (the item's path) and when it was saved."""

    thread: str = Field(description="The item's path, as in items.json.")
    created: datetime


class SaveResult(BaseModel):
    thread: str
    saved: bool = Field(description="Whether the item is saved after this request.")


class MeComment(BaseModel):
    """A comment on ``/me/``: the caller's own, or a reply to one of them."""

    id: int
    thread: str
    url: str = Field(description="The comment's link on the site (path and anchor).")
    parent: int | None
    author: str
    body: str = Field(description="Markdown, as written.")
    status: str
    created: datetime


class MePerson(BaseModel):
    email: str
    person_id: str | None
    name: str | None


class MeOut(BaseModel):
    """The caller's own activity; never anyone else's."""

    person: MePerson
    comments: list[MeComment]
    replies: list[MeComment]


class Personal:
    """Saved items and the ``/me/`` summary over the comments service's store and rules."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def save(self, thread: str, who: Identity) -> bool:
        """Save a published item; True if newly saved, False if it was already."""
        email = self._owner(who)
        self._check(thread)
        self.service._limit("save", who, email, self.service.settings.rate_limit_per_minute * 6)
        with self.service.store.write() as tx:
            return tx.save_item(email, who.person_id, thread, self.service.now())

    def remove(self, thread: str, who: Identity) -> bool:
        """Forget a saved item; True if it was saved (removing twice is not an error)."""
        email = self._owner(who)
        self.service._limit("save", who, email, self.service.settings.rate_limit_per_minute * 6)
        with self.service.store.write() as tx:
            return tx.remove_saved(email, thread)

    def saved(self, who: Identity) -> list[SavedOut]:
        """The caller's saved items, newest first."""
        email = self._owner(who)
        with self.service.store.read() as tx:
            rows = tx.list_saved(email)
        return [SavedOut(thread=r.thread, created=r.created) for r in rows]

    def me(self, who: Identity) -> MeOut:
        """The caller's comments and the replies they received."""
        email = self._owner(who)
        with self.service.store.read() as tx:
            own = tx.own_comments(email, MAX_ME_COMMENTS)
            replies = tx.replies_received(email, MAX_ME_COMMENTS)
        return MeOut(
            person=MePerson(email=email, person_id=who.person_id, name=who.name),
            comments=[_me(c) for c in own],
            replies=[_me(c) for c in replies],
        )

    def _owner(self, who: Identity) -> str:
        if who.email is None:
            raise Unauthorized(
                "saved items and /me/ need a signed-in person (comments.identity: "
                "trusted-header); in open mode the browser keeps saved items"
            )
        return who.email

    def _check(self, thread: str) -> None:
        if not self.service.threads.allows(thread):
            raise NotFound(f"no published item has the thread id {thread!r}")


def _me(c: CommentRecord) -> MeComment:
    anchor = f"#comment-{c.id}" if c.status == "approved" else "#comments"
    return MeComment(
        id=c.id,
        thread=c.thread,
        url=c.thread + anchor,
        parent=c.parent,
        author=c.author_name,
        body=c.body,
        status=c.status,
        created=c.created,
    )
