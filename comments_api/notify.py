"""Notifications, selection: the comments store → one ``Digest`` per person to notify.

Who hears about an approved comment: the author of the comment it replies to, the
author of the post it is on (``items.json``'s ``author``), and every person it
mentions (``@id``, linked at write time). Never its own author, never an address
outside the people directory, never someone who turned notifications off, never a
(person, comment) pair already in the ledger. A person with an unconfirmed email
from an earlier run gets that same email again, and nothing new until it is sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from comments_api.store import Store, Tx
from comments_api.store.comments import CommentRow
from comments_api.store.notifications import PendingRow
from generator import clock
from generator.markup import mentioned_ids
from generator.model import Digest, Notice, Person

# Comments older than this are never notified: turning notifications on for an old
# site must not mail everyone its whole history.
LOOKBACK = timedelta(days=7)
_PRIORITY = ("reply", "mention", "post")  # one reason per (person, comment): the closest


def select_digests(
    tx: Tx,
    people: Sequence[Person],
    post_authors: Mapping[str, str],
    now: datetime,
    lookback: timedelta = LOOKBACK,
) -> tuple[Digest, ...]:
    """Pending digests first (to resend as they were), then new ones, by address."""
    by_email = {p.email.strip().lower(): p for p in people if p.email}
    by_id = {p.id: p for p in people}
    off = tx.notifications_off()
    pending = _resumed(tx, tx.pending_notifications(), by_email)
    resumed = [d for d in pending if d.email not in off]  # turned off since: not even a resend
    busy = {d.email for d in pending}
    recent = tx.approved_since(now - lookback)
    parents = tx.comments_by_id(c.parent for c in recent if c.parent is not None)
    done = tx.notified(c.id for c in recent)
    found: dict[str, dict[int, tuple[str, CommentRow]]] = defaultdict(dict)
    for comment in recent:
        own = (comment.email or "").lower()
        for email, reason in _targets(comment, parents, post_authors, by_id):
            person = by_email.get(email)
            if (
                person is None
                or email == own
                or (comment.person_id is not None and comment.person_id == person.id)
                or email in off
                or email in busy
                or (email, comment.id) in done
            ):
                continue
            previous = found[email].get(comment.id)
            if previous is None or _PRIORITY.index(reason) < _PRIORITY.index(previous[0]):
                found[email][comment.id] = (reason, comment)
    fresh = [
        _digest(by_email[email], [(reason, c) for reason, c in found[email].values()])
        for email in sorted(found)
    ]
    return (*resumed, *fresh)


def _targets(
    comment: CommentRow,
    parents: Mapping[int, CommentRow],
    post_authors: Mapping[str, str],
    by_id: Mapping[str, Person],
) -> Iterable[tuple[str, str]]:
    parent = parents.get(comment.parent) if comment.parent is not None else None
    if parent is not None and parent.email:
        yield parent.email.lower(), "reply"
    for person_id in mentioned_ids(comment.html):
        person = by_id.get(person_id)
        if person is not None and person.email:
            yield person.email.lower(), "mention"
    author = by_id.get(post_authors.get(comment.thread, ""))
    if author is not None and author.email:
        yield author.email.lower(), "post"


def _notice(reason: str, comment: CommentRow) -> Notice:
    return Notice(
        comment.id, comment.thread, reason, comment.author_name, comment.html, comment.created
    )


def _digest(
    person: Person, items: Sequence[tuple[str, CommentRow]], msg_id: str | None = None
) -> Digest:
    notices = tuple(_notice(r, c) for r, c in sorted(items, key=lambda i: (i[1].created, i[1].id)))
    email = (person.email or "").strip().lower()
    return Digest(email, person.id, person.name, notices, msg_id)


def _resumed(tx: Tx, rows: Sequence[PendingRow], by_email: Mapping[str, Person]) -> list[Digest]:
    """Emails recorded as pending: rebuilt from their rows, with their Message-ID."""
    groups: dict[tuple[str, str], list[PendingRow]] = defaultdict(list)
    for row in rows:
        groups[(row.email.lower(), row.message_id)].append(row)
    comments = tx.comments_by_id(row.comment_id for row in rows)
    digests = []
    for (email, msg_id), group in sorted(groups.items()):
        person = by_email.get(email)
        items = [
            (row.reason, comments[row.comment_id])
            for row in group
            if row.comment_id in comments and comments[row.comment_id].status == "approved"
        ]
        if person is not None and items:
            digests.append(_digest(person, items, msg_id))
    return digests


class StoreLedger:
    """The comments store as the notification ledger: one short transaction per step."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def begin(self, digest: Digest, msg_id: str) -> None:
        items = [(n.comment_id, n.reason) for n in digest.notices]
        with self.store.write() as tx:
            tx.record_pending(digest.email, digest.person_id, items, msg_id, clock.now())

    def finish(self, digest: Digest, msg_id: str, status: str) -> None:
        with self.store.write() as tx:
            tx.finish_notification(digest.email, msg_id, status, clock.now())
