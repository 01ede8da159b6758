"""Storage, export and import: whole tables streamed out, sequences moved past imported ids."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.engine import RowMapping

from comments_api.store.comments import JOINED
from comments_api.store.queries import Queries
from comments_api.store.tables import comments, metadata, reactions, threads


class TransferQueries(Queries):
    """What ``veille comments export`` and ``import`` need beyond the per-table queries."""

    def iter_table(self, name: str) -> Iterator[RowMapping]:
        table = metadata.tables[name]
        order = table.c.id if "id" in table.c else table.c.email
        query = select(table).order_by(order)
        if name == "comments":
            query = select(comments, threads.c.path).select_from(JOINED).order_by(comments.c.id)
        elif name == "reactions":
            query = query.order_by(None).order_by(reactions.c.id)
        yield from self.conn.execution_options(yield_per=500).execute(query).mappings()

    def reset_sequences(self) -> None:
        """After explicit ids were imported, PostgreSQL's sequences must move past them."""
        if self.conn.dialect.name != "postgresql":
            return
        for name in ("threads", "comments", "reactions"):
            self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - fixed names
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
