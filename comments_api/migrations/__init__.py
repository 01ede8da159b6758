"""Schema versions (Alembic): ``upgrade`` brings a database to the newest version.

Called by ``veille comments migrate`` and on server start. Concurrent callers are
serialised (an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from comments_api.store import Store

HERE = Path(__file__).resolve().parent
_LOCK_ID = 0x7665696C  # "veil"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    return config


def head() -> str:
    """The newest schema version shipped with this code."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(store: Store) -> str | None:
    """The schema version the database is at (None before the first migration)."""
    with store.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if version is None else str(version)


def upgrade(store: Store) -> None:
    """Apply every pending migration in one transaction."""
    if current(store) == head():
        return
    config = alembic_config()
    with store.engine.connect().execution_options(veille_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_ID})")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
