"""Storage: SQLAlchemy Core tables and queries, one code path for SQLite and PostgreSQL.

Split by table, as Isso's ``db/`` is: ``tables`` (schema), ``comments`` (threads and
comments), ``reactions``, ``accounts`` (accounts and suppressions), ``transfer``
(export and import) and ``engine`` (the ``Store`` and its ``Tx``). The table objects
live in ``tables`` only: here ``comments`` and ``reactions`` name the query modules.
"""

from comments_api.store.comments import CommentRow, ThreadView
from comments_api.store.engine import Store, Tx, normalise_url
from comments_api.store.tables import STATUSES, metadata, utc

__all__ = [
    "STATUSES",
    "CommentRow",
    "Store",
    "ThreadView",
    "Tx",
    "metadata",
    "normalise_url",
    "utc",
]
