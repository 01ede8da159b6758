"""Restoring an export: every record of ``veille comments import``, in one transaction.

Comments keep their ids, threading and dates; records already present are skipped,
and a record that points at a comment missing from the export is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from comments_api.errors import Conflict, Invalid
from comments_api.exchange import Exported
from comments_api.store import Tx


@dataclass(frozen=True, slots=True)
class ImportSummary:
    comments: int
    reactions: int
    accounts: int
    suppressions: int
    skipped: int
    saved: int = 0


def restore(tx: Tx, exported: Exported, render: Callable[[str], str]) -> ImportSummary:
    """Write ``exported`` into ``tx``; ``render`` turns a comment body into its HTML."""
    data = exported.data
    imported = reactions = skipped = 0
    thread_ids: dict[str, int] = {}
    for c in sorted(data.comments, key=lambda c: c.id):
        if c.thread not in thread_ids:
            thread_ids[c.thread] = tx.open_thread(c.thread, c.created)
        existing = tx.get_comment(c.id)
        if existing is not None:
            if existing.thread != c.thread or existing.created != c.created:
                raise Conflict(
                    f"comment {c.id} already exists with other content: "
                    "import into an empty database"
                )
            skipped += 1
            continue
        depth = 0
        if c.parent is not None:
            parent = tx.get_comment(c.parent)
            if parent is None:
                raise Invalid(f"comment {c.id}: parent {c.parent} is not in the export")
            depth = parent.depth + 1
        tx.import_comment(
            {
                "id": c.id,
                "thread_id": thread_ids[c.thread],
                "parent_id": c.parent,
                "depth": depth,
                "author_name": c.author_name,
                "email": c.email,
                "person_id": c.person_id,
                "body": c.body,
                "html": render(c.body) if c.status != "deleted" else "",
                "status": c.status,
                "created": c.created,
                "edited": c.edited,
                "edit_token_hash": None,
            }
        )
        imported += 1
    for n, r in enumerate(data.reactions):
        actor = (
            f"email:{r.email}"
            if r.email
            else f"person:{r.person_id}"
            if r.person_id
            else f"import:{r.created.isoformat()}:{n}"
        )
        if tx.get_comment(r.comment_id) is None:
            raise Invalid(f"reaction to comment {r.comment_id}, which is not in the export")
        values = {"comment_id": r.comment_id, "kind": r.kind, "actor": actor}
        values |= {"email": r.email, "person_id": r.person_id, "created": r.created}
        reactions += tx.import_reaction(values)
    for a in data.accounts:
        if a.email:
            tx.record_account(a.email.lower(), a.person_id, a.first_seen)
    for s in exported.suppressions:
        tx.add_suppression(s.email, s.created)
    saved = sum(
        tx.import_saved(
            {"email": v.email, "person_id": v.person_id, "thread": v.thread}
            | {"created": v.created}
        )
        for v in data.saved
    )
    for m in exported.moderation:
        if tx.get_comment(m.comment_id) is None:
            raise Invalid(f"moderation of comment {m.comment_id}, which is not in the export")
        tx.import_moderation(m.comment_id, m.action, m.by, m.at)
    for setting in exported.notification_settings:
        tx.set_notifications(setting.email, setting.person_id, setting.enabled, setting.updated)
    for thread_id in tx.all_thread_ids():
        tx.touch_thread(thread_id)
    tx.reset_sequences()
    return ImportSummary(
        imported, reactions, len(data.accounts), len(exported.suppressions), skipped, saved
    )
