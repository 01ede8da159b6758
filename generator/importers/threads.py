"""Comments of imported posts → JSON Lines in the format of ``veille comments import``.

Each comment keeps its source id, date and parent, on the thread of the post's new
URL; ``comments_api`` loads the file (the same code path as ``veille comments import``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from generator.importers.records import Comment, Note, Where


def comment_lines(
    comments: tuple[Comment, ...],
    thread: str,
    person_ids: Mapping[str, str],
    where: Where,
) -> tuple[list[str], list[Note]]:
    """One JSON object a line per comment (oldest first); notes for ids we cannot keep."""
    lines: list[str] = []
    notes: list[Note] = []
    kept: set[int] = set()
    numbered: list[tuple[int, Comment]] = []
    for comment in comments:
        if not comment.id.isdigit():
            notes.append(Note(where, f"comment id '{comment.id}' is not a number", "not imported"))
            continue
        numbered.append((int(comment.id), comment))
    known = {n for n, _ in numbered}
    for number, comment in sorted(numbered, key=lambda pair: (pair[1].created, pair[0])):
        parent = int(comment.parent) if comment.parent and comment.parent.isdigit() else None
        if parent is not None and parent not in known:
            notes.append(
                Note(where, f"comment {number} answers {parent}, not imported", "kept unthreaded")
            )
            parent = None
        if parent is not None and parent not in kept:
            parent = None  # answered before its parent (clock skew): unthreaded, never lost
        email = (comment.email or "").strip().lower() or None
        record = {
            "type": "comment",
            "id": number,
            "thread": thread,
            "parent": parent,
            "author_name": comment.author_name,
            "email": email,
            "person_id": person_ids.get(email) if email else None,
            "body": comment.body,
            "status": "approved" if comment.approved else "pending",
            "created": comment.created.isoformat(),
            "edited": None,
        }
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        kept.add(number)
    return lines, notes
