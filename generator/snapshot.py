"""The build-time comments snapshot: ``CommentsData`` → per-thread views for the templates.

Pure and deterministic: approved comments of each thread as a reply tree (in
the order they were written), their HTML rendered once, comment counts and
reaction totals per thread and per comment. The static pages show it, so they
make sense without JavaScript; the widget then replaces it with the live thread.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from markupsafe import Markup

from generator.model import CommentRecord, CommentsData, ReactionRecord, SavedRecord

Render = Callable[[str], str]
ThreadView = dict[str, Any]

VISIBLE = "approved"
DELETED = "deleted"


def build_snapshot(
    data: CommentsData, render: Render, kinds: Sequence[str] = ()
) -> dict[str, ThreadView]:
    """Thread path → ``{"count", "reactions", "comments"}`` for ``Views``.

    ``comments`` is a tree: each comment is ``{"id", "parent", "author", "html",
    "created", "edited", "deleted", "reactions", "reaction_total", "replies"}``;
    ``reactions`` lists ``(kind, count)`` in the order of ``kinds`` (the configured
    kinds; other kinds are ignored when ``kinds`` is given). A deleted comment only
    stays, as a placeholder, while visible replies hang below it.
    """
    by_thread: dict[str, list[CommentRecord]] = defaultdict(list)
    for comment in data.comments:
        by_thread[comment.thread].append(comment)
    per_comment = _reaction_counts(data.reactions, kinds)
    snapshot: dict[str, ThreadView] = {}
    for thread in sorted(by_thread):
        view = _thread(by_thread[thread], per_comment, kinds, render)
        if view["comments"]:
            snapshot[thread] = view
    return snapshot


def _reaction_counts(
    reactions: Iterable[ReactionRecord], kinds: Sequence[str]
) -> dict[int, Counter[str]]:
    allowed = set(kinds)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for reaction in reactions:
        if not allowed or reaction.kind in allowed:
            counts[reaction.comment_id][reaction.kind] += 1
    return counts


def _thread(
    comments: list[CommentRecord],
    per_comment: dict[int, Counter[str]],
    kinds: Sequence[str],
    render: Render,
) -> ThreadView:
    ordered = sorted(comments, key=lambda c: (c.created, c.id))
    kept = {c.id: c for c in ordered if c.status in (VISIBLE, DELETED)}
    children: dict[int | None, list[CommentRecord]] = defaultdict(list)
    for c in kept.values():
        # A reply whose parent is hidden (pending, rejected) is shown at the top level.
        parent = c.parent if c.parent in kept else None
        children[parent].append(c)

    def has_visible(c: CommentRecord) -> bool:
        return c.status == VISIBLE or any(has_visible(r) for r in children[c.id])

    def node(c: CommentRecord) -> dict[str, Any] | None:
        if not has_visible(c):
            return None
        deleted = c.status == DELETED
        counts = Counter[str]() if deleted else per_comment.get(c.id, Counter())
        order = list(kinds) if kinds else sorted(counts)
        replies = [n for n in (node(r) for r in children[c.id]) if n is not None]
        return {
            "id": c.id,
            "parent": c.parent if c.parent in kept else None,
            "author": None if deleted else c.author_name,
            "person_id": None if deleted else c.person_id,
            "html": Markup("") if deleted else Markup(render(c.body)),  # noqa: S704 - sanitised
            "created": c.created,
            "edited": c.edited,
            "deleted": deleted,
            "reactions": [(k, counts.get(k, 0)) for k in order],
            "reaction_total": sum(counts.values()),
            "replies": replies,
        }

    tree = [n for n in (node(c) for c in children[None]) if n is not None]
    visible = [c for c in kept.values() if c.status == VISIBLE]
    return {
        "count": len(visible),
        "reactions": sum(sum(per_comment.get(c.id, Counter()).values()) for c in visible),
        "comments": tree,
    }


def saved_counts(saved: Iterable[SavedRecord], min_group_size: int) -> dict[str, int]:
    """Thread path → how many people saved it, only where that reaches ``min_group_size``.

    An aggregate, never a personal signal: smaller counts are dropped, so a card never
    hints at who saved an item.
    """
    savers: dict[str, set[str]] = defaultdict(set)
    for record in saved:
        savers[record.thread].add(record.email)
    return {t: len(s) for t, s in sorted(savers.items()) if len(s) >= min_group_size}
