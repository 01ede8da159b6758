"""Storage, transactions: what every group of queries shares, one open connection.

``Tx`` (in ``engine``) combines the per-table query groups built on ``Queries``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


class Queries:
    """Queries bound to one open transaction, with the dialect's INSERT ... ON CONFLICT."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert

    def _inserted(self, stmt: Any, key: Any) -> bool:
        """Did an INSERT ... ON CONFLICT DO NOTHING insert? (rowcount is unreliable there)"""
        return self.conn.execute(stmt.returning(key)).first() is not None
