"""Opening the hub database: SQLite through sqlite-utils, WAL, foreign keys, versioned migrations.

Migrations are the numbered ``*.sql`` files in ``hub/migrations``; ``PRAGMA user_version`` holds
the number of the last one applied. Each runs in its own transaction.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import sqlite_utils


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection for one thread, with the hub's pragmas set."""
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # an ack promises the event survives a power cut
    conn.execute("PRAGMA foreign_keys=ON")
    return sqlite_utils.Database(conn)


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped with the hub, in order."""
    found = []
    for item in resources.files("hub.migrations").iterdir():
        if item.name.endswith(".sql"):
            number = int(item.name.split("_", 1)[0])
            found.append((number, item.name, item.read_text()))
    return sorted(found)


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the migrations this database has not seen; returns the schema version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, _name, sql in migrations():
        if number <= version:
            continue
        try:
            db.conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        except sqlite3.Error:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        version = number
    return version


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Create the database file if needed, bring its schema up to date and return it."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    migrate(db)
    return db
