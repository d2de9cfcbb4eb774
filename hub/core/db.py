"""Opening the hub database: SQLite through sqlite-utils, WAL, foreign keys, versioned migrations.

Migrations are the ``NNNN_name.sql`` files in ``hub/migrations``, applied in name order; the
table ``schema_migrations`` records which have run, by name, so migrations written on two
branches at once both apply after the merge. Each runs in its own transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import sqlite_utils

from hub.core.files import narrow, private_dir, private_file


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection for one thread, with the hub's pragmas set."""
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # an ack promises the event survives a power cut
    conn.execute("PRAGMA foreign_keys=ON")
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A transaction that takes the write lock at once (BEGIN IMMEDIATE), then commits.

    For read-check-write work such as a correction: nobody can commit in between, and the
    transaction waits for the lock (up to the busy timeout) instead of failing halfway.
    """
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise


def migrations() -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped with the hub, in the order they apply."""
    found = [
        (item.name, item.read_text())
        for item in resources.files("hub.core.migrations").iterdir()
        if item.name.endswith(".sql")
    ]
    return sorted(found)


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this database has not seen; returns the names applied now."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in migrations():
        if name in done:
            continue
        try:
            db.conn.executescript(
                f"BEGIN;\n{sql}\n;INSERT INTO schema_migrations (name, applied_at) "
                f"VALUES ('{name}', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));\nCOMMIT;"
            )
        except sqlite3.Error:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def make_private(path: str | Path) -> None:
    """Create the database's folder (0700) and file (0600) if needed; narrow a readable one."""
    private_dir(Path(path).parent)
    private_file(Path(path))  # SQLite gives its -wal and -shm files the database file's mode
    for companion in ("-wal", "-shm"):
        narrow(Path(f"{path}{companion}"))


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Create the database file if needed, bring its schema up to date and return it."""
    make_private(path)
    db = connect(path)
    migrate(db)
    return db
