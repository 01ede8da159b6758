"""Storage, accounts and suppressions: who has commented, and who asked for no more mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from comments_api.store.queries import Queries
from comments_api.store.tables import accounts, suppressions


class AccountQueries(Queries):
    """Accounts (first seen, person id) and the newsletter suppression list, keyed by email."""

    def record_account(self, email: str, person_id: str | None, now: datetime) -> None:
        stmt = self._insert(accounts).values(email=email, person_id=person_id, first_seen=now)
        self.conn.execute(stmt.on_conflict_do_nothing(index_elements=["email"]))

    def add_suppression(self, email: str, now: datetime) -> None:
        stmt = self._insert(suppressions).values(email=email, created=now)
        self.conn.execute(stmt.on_conflict_do_nothing(index_elements=["email"]))

    def suppressed_emails(self) -> frozenset[str]:
        """Every suppressed address, lower-cased (imports may have kept another case)."""
        rows = self.conn.execute(select(suppressions.c.email)).scalars()
        return frozenset(email.lower() for email in rows)
