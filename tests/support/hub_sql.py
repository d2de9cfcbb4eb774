"""Plain SQL on a test's hub database, SQLite file or PostgreSQL URL alike.

``with hub_sql(world.database) as db:`` stands where a test said ``with sqlite3.connect(path) as db:``:
``db.execute`` takes the same ``?`` placeholders on both databases (hub/core/postgres.py translates
them), the block commits when it ends without an error, and the connection is closed after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from hub.core.db import connect


@contextlib.contextmanager
def hub_sql(database: Path | str) -> Iterator:
    """The connection (``db.conn``) of the hub database at ``database``, committed at the end."""
    db = connect(database)
    try:
        with db.conn:
            yield db.conn
    finally:
        db.close()


def sql_rows(database: Path | str, sql: str, params: tuple = ()) -> list[tuple]:
    """One statement on the hub database at ``database``, committed; its rows."""
    with hub_sql(database) as db:
        return db.execute(sql, params).fetchall()
