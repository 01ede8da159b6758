"""Storage, reactions: one row per (comment, kind, actor), toggled and counted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from comments_api.store.queries import Queries
from comments_api.store.tables import reactions


class ReactionQueries(Queries):
    """Reactions to comments; the unique constraint makes a toggle race-free."""

    def toggle_reaction(self, values: dict[str, Any]) -> bool:
        """Add the reaction, or remove it when this actor already gave it; True if now present."""
        stmt = (
            self._insert(reactions)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["comment_id", "kind", "actor"])
        )
        if self._inserted(stmt, reactions.c.id):
            return True
        self.conn.execute(
            delete(reactions).where(
                reactions.c.comment_id == values["comment_id"],
                reactions.c.kind == values["kind"],
                reactions.c.actor == values["actor"],
            )
        )
        return False

    def reaction_counts(self, comment_id: int) -> dict[str, int]:
        rows = self.conn.execute(
            select(reactions.c.kind, func.count())
            .where(reactions.c.comment_id == comment_id)
            .group_by(reactions.c.kind)
        ).all()
        return {kind: int(n) for kind, n in rows}

    def import_reaction(self, values: dict[str, Any]) -> bool:
        stmt = (
            self._insert(reactions)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["comment_id", "kind", "actor"])
        )
        return self._inserted(stmt, reactions.c.id)
