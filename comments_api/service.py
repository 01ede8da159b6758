"""Use cases of the comments API, each one method with its transaction boundary.

To learn what posting a comment does, read ``Service.post``. Methods are
synchronous (SQLAlchemy Core); the HTTP layer runs them in a worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from pydantic import TypeAdapter

from comments_api import policy
from comments_api.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
)
from comments_api.exchange import Exported, export_lines
from comments_api.markup import comment_renderer
from comments_api.policy import Identity
from comments_api.ratelimit import RateLimiter, make_rate_limiter
from comments_api.restore import ImportSummary, restore
from comments_api.schemas import AdminComment, CommentIn, CommentOut, CreatedComment, ReactionOut
from comments_api.settings import Settings
from comments_api.store import CommentRow, Store, ThreadView, Tx
from comments_api.threads import ThreadRegistry

log = logging.getLogger(__name__)

_LIST_JSON = TypeAdapter(list[CommentOut])
_CACHE_SIZE = 2048
_ERASED = {"status": "deleted", "body": "", "html": "", "email": None, "edit_token_hash": None}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _ListCache:
    """Rendered thread listings keyed by thread version: reads skip the big query."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, thread: str, version: int) -> bytes | None:
        with self._lock:
            found = self._items.get(thread)
            if found is None or found[0] != version:
                return None
            self._items.move_to_end(thread)
            return found[1]

    def put(self, thread: str, version: int, data: bytes) -> None:
        with self._lock:
            current = self._items.get(thread)
            if current is None or current[0] <= version:
                self._items[thread] = (version, data)
                self._items.move_to_end(thread)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class Service:
    """The comments use cases over one store, with the site's rules."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        threads: ThreadRegistry | None = None,
        limiter: RateLimiter | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.threads = threads or ThreadRegistry(settings.threads_file)
        self.limiter = limiter or make_rate_limiter(settings.redis_url)
        self.now = clock
        self._cache = _ListCache(_CACHE_SIZE)
        self._seen: set[str] = set()
        self._render = comment_renderer(settings.person_ids, settings.base_url)

    # reading -------------------------------------------------------------------
    def list_thread(self, thread: str) -> bytes:
        """The visible comments of a thread as JSON, from the cache when unchanged."""
        self._check_thread(thread)
        version = self.store.thread_version(thread)
        if version is None:
            return b"[]"
        cached = self._cache.get(thread, version)
        if cached is not None:
            return cached
        with self.store.read() as tx:
            view = tx.view_thread(thread)
        data = _LIST_JSON.dump_json(self._visible(view))
        self._cache.put(thread, view.version, data)
        return data

    def counts(self, paths: Sequence[str]) -> dict[str, int]:
        """Approved comments per thread; unknown threads count zero."""
        unique = list(dict.fromkeys(paths))
        if len(unique) > self.settings.max_threads_per_count:
            raise Invalid(f"at most {self.settings.max_threads_per_count} threads per call")
        found = self.store.counts(unique)
        return {p: found.get(p, 0) for p in unique}

    # writing -------------------------------------------------------------------
    def post(self, thread: str, data: CommentIn, who: Identity) -> CreatedComment:
        """Add a comment (or reply); its status follows the moderation mode."""
        self._check_thread(thread)
        body = self._check_body(data.body)
        name, email, person_id = self._author(data, who)
        self._limit("comment", who, email or name.casefold(), self.settings.rate_limit_per_minute)
        html = self._render(body)
        token, token_hash = policy.new_token()
        now = self.now()
        with self.store.write() as tx:
            thread_id = tx.open_thread(thread, now)
            depth = 0
            if data.parent is not None:
                parent = tx.get_comment(data.parent)
                if parent is None or parent.thread_id != thread_id:
                    raise Invalid(f"parent {data.parent} is not a comment of this thread")
                if parent.status != "approved":
                    raise Conflict(f"comment {data.parent} cannot be replied to ({parent.status})")
                depth = parent.depth + 1
                if depth > policy.MAX_DEPTH:
                    raise Invalid(f"replies nest at most {policy.MAX_DEPTH} levels deep")
            has_approved = self.settings.moderation == "first-time" and tx.has_approved(
                email=email, author_name=name
            )
            status = policy.initial_status(self.settings.moderation, has_approved=has_approved)
            comment_id = tx.insert_comment(
                {
                    "thread_id": thread_id,
                    "parent_id": data.parent,
                    "depth": depth,
                    "author_name": name,
                    "email": email,
                    "person_id": person_id,
                    "body": body,
                    "html": html,
                    "status": status,
                    "created": now,
                    "edit_token_hash": token_hash,
                }
            )
            tx.recount(thread_id)
        return CreatedComment(
            id=comment_id,
            thread=thread,
            parent=data.parent,
            author=name,
            person_id=person_id,
            html=html,
            created=now,
            edited=None,
            status="pending" if status == "pending" else "approved",
            reactions=dict.fromkeys(self.settings.reactions, 0),
            edit_token=token,
            edit_until=now + self.settings.edit_window,
        )

    def edit(self, comment_id: int, body: str, token: str | None) -> CommentOut:
        """Replace a comment's body, with its edit token, inside the edit window."""
        body = self._check_body(body)
        html = self._render(body)
        now = self.now()
        with self.store.write() as tx:
            comment = self._editable(tx, comment_id, token, now)
            status = comment.status
            if self.settings.moderation == "all" and status == "approved":
                status = "pending"  # an edit must not slip past moderation
            tx.update_comment(
                comment_id, {"body": body, "html": html, "edited": now, "status": status}
            )
            tx.touch_thread(comment.thread_id)
            counts = tx.reaction_counts(comment_id)
        return self._out(comment, html=html, edited=now, status=status, reactions=counts)

    def delete(self, comment_id: int, token: str | None) -> None:
        """Delete a comment; one with replies stays as a placeholder so the thread holds."""
        now = self.now()
        with self.store.write() as tx:
            comment = self._editable(tx, comment_id, token, now)
            self._remove(tx, comment)
            tx.touch_thread(comment.thread_id)

    def react(
        self, comment_id: int, kind: str, author_name: str | None, who: Identity
    ) -> ReactionOut:
        """Toggle this person's reaction of ``kind`` on a visible comment."""
        if kind not in self.settings.reactions:
            raise Invalid(
                f"unknown reaction kind {kind!r}; allowed: {', '.join(self.settings.reactions)}"
            )
        actor = policy.actor_key(who, author_name)
        self._limit("react", who, actor, self.settings.rate_limit_per_minute * 6)
        with self.store.write() as tx:
            comment = tx.get_comment(comment_id)
            if comment is None or comment.status not in ("approved", "deleted"):
                raise NotFound(f"no comment {comment_id}")
            if comment.status == "deleted":
                raise Conflict(f"comment {comment_id} was deleted")
            active = tx.toggle_reaction(
                {
                    "comment_id": comment_id,
                    "kind": kind,
                    "actor": actor,
                    "email": who.email,
                    "person_id": who.person_id,
                    "created": self.now(),
                }
            )
            counts = tx.reaction_counts(comment_id)
            tx.touch_thread(comment.thread_id)
        return ReactionOut(
            comment_id=comment_id, kind=kind, active=active, reactions=self._reactions(counts)
        )

    # moderation ----------------------------------------------------------------
    def moderation_list(self, status: str, limit: int, offset: int) -> list[AdminComment]:
        with self.store.read() as tx:
            rows = tx.list_by_status(status, limit, offset)
        return [_admin(r) for r in rows]

    def moderate(self, comment_id: int, action: str, by: str | None = None) -> AdminComment:
        """Approve, reject, hide or delete a comment, recorded in the moderation log as ``by``.

        "hide" rejects an approved comment; "delete" erases its text and leaves a
        placeholder (the log row needs the comment row). A deleted one stays deleted.
        """
        now = self.now()
        with self.store.write() as tx:
            comment = tx.get_comment(comment_id)
            if comment is None:
                raise NotFound(f"no comment {comment_id}")
            if comment.status == "deleted":
                raise Conflict(f"comment {comment_id} was deleted")
            if action == "hide" and comment.status != "approved":
                raise Conflict(f"comment {comment_id} is not shown ({comment.status})")
            if action == "delete":
                tx.update_comment(comment_id, _ERASED | {"edited": now})
            else:
                status = {"approve": "approved", "reject": "rejected", "hide": "rejected"}[action]
                tx.update_comment(comment_id, {"status": status})
            tx.touch_thread(comment.thread_id)
            if by is not None:
                tx.log_moderation(comment_id, action, by, now)
            updated = tx.get_comment(comment_id)
        assert updated is not None
        log.info("comment %d: %s", comment_id, action)
        return _admin(updated)

    # people ----------------------------------------------------------------------
    def has_seen(self, email: str) -> bool:
        return email in self._seen

    def seen(self, who: Identity) -> None:
        """Record a person's first identified request once (profile activation)."""
        if who.email is None or who.email in self._seen:
            return
        with self.store.write() as tx:
            tx.record_account(who.email, who.person_id, self.now())
        self._seen.add(who.email)

    def unsubscribe(self, email: str) -> None:
        with self.store.write() as tx:
            tx.add_suppression(email.strip().lower(), self.now())

    # backup ----------------------------------------------------------------------
    def export(self) -> Iterator[str]:
        """Every record as JSON Lines (each line ends with a newline)."""
        with self.store.read() as tx:
            for line in export_lines(tx):
                yield line + "\n"

    def import_records(self, exported: Exported) -> ImportSummary:
        """Load an export in one transaction; records already present are skipped."""
        with self.store.write() as tx:
            return restore(tx, exported, self._render)

    def health(self) -> str | None:
        """Check the database answers; the schema version it is at."""
        from comments_api import migrations

        self.store.ping()
        return migrations.current(self.store)

    # helpers ---------------------------------------------------------------------
    def _check_thread(self, thread: str) -> None:
        if not self.threads.allows(thread):
            raise NotFound(f"no published item has the thread id {thread!r}")

    def _check_body(self, body: str) -> str:
        if len(body) > self.settings.max_length:
            raise PayloadTooLarge(f"a comment has at most {self.settings.max_length} characters")
        body = body.replace("\x00", "").replace("\r\n", "\n")
        if not body.strip():
            raise Invalid("the comment body is empty")
        return body

    def _author(self, data: CommentIn, who: Identity) -> tuple[str, str | None, str | None]:
        if who.email is not None:
            return who.name or who.email.split("@")[0], who.email, who.person_id
        name = policy.clean_text(data.author_name or "")
        if not name:
            raise Invalid("author_name is required")
        email = policy.clean_text(data.email or "").lower() or None
        if email is not None and not policy.valid_email(email):
            raise Invalid("email is not a valid address")
        person = self.settings.people.get(email) if email else None
        return name, email, person.id if person else None

    def _limit(self, action: str, who: Identity, person: str, limit: int) -> None:
        if limit <= 0:
            return
        for key in (f"{action}:p:{person}", f"{action}:a:{who.address}"):
            wait = self.limiter.hit(key, limit)
            if wait is not None:
                raise RateLimited("too many requests; try again later", retry_after=wait)

    def _editable(self, tx: Tx, comment_id: int, token: str | None, now: datetime) -> CommentRow:
        comment = tx.get_comment(comment_id)
        if comment is None:
            raise NotFound(f"no comment {comment_id}")
        if not token:
            raise Unauthorized("send the comment's edit token as 'Authorization: Bearer TOKEN'")
        if not policy.token_matches(token, comment.edit_token_hash):
            raise Forbidden("this edit token does not match the comment")
        if not policy.within_window(comment.created, now, self.settings.edit_window):
            raise Forbidden("the edit window of this comment has closed")
        if comment.status in ("deleted", "rejected"):
            raise Conflict(f"comment {comment_id} was {comment.status}")
        return comment

    def _remove(self, tx: Tx, comment: CommentRow) -> None:
        if tx.has_children(comment.id):
            tx.update_comment(comment.id, _ERASED | {"edited": self.now()})
            return
        tx.delete_comment(comment.id)
        # A placeholder left without replies has nothing more to hold up.
        parent_id = comment.parent
        while parent_id is not None:
            parent = tx.get_comment(parent_id)
            if parent is None or parent.status != "deleted" or tx.has_children(parent_id):
                break
            tx.delete_comment(parent_id)
            parent_id = parent.parent

    def _reactions(self, counts: dict[str, int]) -> dict[str, int]:
        out = dict.fromkeys(self.settings.reactions, 0)
        out.update((k, v) for k, v in counts.items() if k in out)
        return out

    def _out(
        self,
        c: CommentRow,
        *,
        html: str | None = None,
        edited: datetime | None = None,
        status: str | None = None,
        reactions: dict[str, int] | None = None,
    ) -> CommentOut:
        status = status or c.status
        deleted = status == "deleted"
        return CommentOut(
            id=c.id,
            parent=c.parent,
            author=None if deleted else c.author_name,
            person_id=None if deleted else c.person_id,
            html="" if deleted else (html if html is not None else c.html),
            created=c.created,
            edited=edited or c.edited,
            status="deleted" if deleted else "pending" if status == "pending" else "approved",
            reactions=self._reactions({} if deleted else reactions or {}),
        )

    def _visible(self, view: ThreadView) -> list[CommentOut]:
        shown = {c.id for c in view.comments}
        out = []
        for c in view.comments:
            item = self._out(c, reactions=view.reactions.get(c.id, {}))
            if c.parent is not None and c.parent not in shown:
                item = item.model_copy(update={"parent": None})  # parent hidden by moderation
            out.append(item)
        return out


def _admin(c: CommentRow) -> AdminComment:
    return AdminComment(
        id=c.id,
        thread=c.thread,
        parent=c.parent,
        author_name=c.author_name,
        email=c.email,
        person_id=c.person_id,
        body=c.body,
        html=c.html,
        status=c.status,
        created=c.created,
        edited=c.edited,
    )
