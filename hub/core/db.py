"""Opening the hub database: SQLite through sqlite-utils (WAL, foreign keys), or PostgreSQL.

The target is a SQLite file's path, or a ``postgresql://`` URL (``database`` in hub.toml), and
features speak the same parameterised SQL to either (hub/core/postgres.py gives PostgreSQL the
surface they use). Migrations are the ``NNNN_name.sql`` files in ``hub/core/migrations`` for
SQLite and their twins in ``hub/core/migrations/postgresql``, applied in name order; the table
``schema_migrations`` records which have run, by name, so migrations written on two branches at
once both apply after the merge. On SQLite each runs in its own transaction; on PostgreSQL the
pending ones run in one transaction (each in a savepoint) under an advisory lock, so hub processes
starting together migrate once.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import sqlite_utils

from hub.core.files import narrow, private_dir, private_file

# What features catch, whichever database runs: PostgreSQL's errors are raised as these (postgres.py).
IntegrityError = sqlite3.IntegrityError
OperationalError = sqlite3.OperationalError

# serialises migrations when several hub processes start at once on one PostgreSQL database
MIGRATION_LOCK_KEY = 0x61616E77657A6967 & 0x7FFFFFFFFFFFFFFF ^ 1


def is_postgresql(target: object) -> bool:
    """Whether a database target (path or URL) names PostgreSQL."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def target(database: str | Path) -> str | Path:
    """A database target as given: a PostgreSQL URL stays text, a SQLite file becomes a Path."""
    return str(database) if is_postgresql(database) else Path(database)


def dialect(db: object) -> str:
    """'postgresql' or 'sqlite': for the few places in hub/core where the SQL differs."""
    return getattr(db, "dialect", "sqlite")


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection for one thread, with the hub's pragmas set (a PostgreSQL URL: its executor)."""
    if is_postgresql(path):
        from hub.core import postgres

        return postgres.connect(str(path))  # the same surface features use (see postgres.py)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # an ack promises the event survives a power cut
    conn.execute("PRAGMA foreign_keys=ON")
    return sqlite_utils.Database(conn)


# idle PostgreSQL connections per database URL, kept for the next request of this process
POOLED_IDLE = 8
_idle: dict[str, list] = {}
_idle_lock = threading.Lock()


@contextlib.contextmanager
def pooled(path: str | Path) -> Iterator[sqlite_utils.Database]:
    """A connection for one request, closed or given back after it.

    On PostgreSQL it is taken from this process's idle connections and given back (at most
    ``POOLED_IDLE`` kept), since a new one costs a server process and its start-up each time (a
    few ms, twice per page); whatever the request left open is rolled back first, and the hub keeps
    no state in a session beyond a transaction (``SET LOCAL``, transaction-level advisory locks). A
    SQLite file is opened and closed as ever: that costs next to nothing.
    """
    if not is_postgresql(path):
        conn = connect(path)
        try:
            yield conn
        finally:
            conn.close()
        return
    key = str(path)
    with _idle_lock:
        idle = _idle.get(key)
        conn = idle.pop() if idle else None
    if conn is None:
        conn = connect(path)
    try:
        yield conn
    finally:
        conn.conn.rollback()
        kept = False
        if conn.conn.reusable:
            with _idle_lock:
                idle = _idle.setdefault(key, [])
                if len(idle) < POOLED_IDLE:
                    idle.append(conn)
                    kept = True
        if not kept:
            conn.close()


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A transaction that takes the write lock at once (BEGIN IMMEDIATE), then commits.

    For read-check-write work such as a correction: nobody can commit in between, and the
    transaction waits for the lock (up to the busy timeout) instead of failing halfway. On
    PostgreSQL: a transaction holding the hub's advisory write lock (lock_timeout as busy timeout).
    """
    if dialect(db) == "postgresql":
        with db.write_transaction():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise


def migrations(kind: str = "sqlite") -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped with the hub for a dialect, in the order they apply."""
    folder = resources.files("hub.core.migrations")
    if kind == "postgresql":
        folder = folder / "postgresql"
    found = [(item.name, item.read_text()) for item in folder.iterdir() if item.name.endswith(".sql")]
    return sorted(found)


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this database has not seen; returns the names applied now."""
    if dialect(db) == "postgresql":
        return _migrate_postgresql(db)
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


def _migrate_postgresql(db) -> list[str]:
    applied = []
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    with db.write_transaction():  # one process migrates at a time; the others then find it done
        db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))
        done = {row[0] for row in db.execute("SELECT name FROM schema_migrations")}
        for name, sql in migrations("postgresql"):
            if name in done:
                continue
            db.execute("SAVEPOINT migration")
            db.executescript(sql)
            db.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES "
                "(?, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                (name,),
            )
            db.execute("RELEASE SAVEPOINT migration")
            applied.append(name)
    return applied


def make_private(path: str | Path) -> None:
    """Create the database's folder (0700) and file (0600) if needed; narrow a readable one.

    A PostgreSQL URL has no file here: nothing to do.
    """
    if is_postgresql(path):
        return
    private_dir(Path(path).parent)
    private_file(Path(path))  # SQLite gives its -wal and -shm files the database file's mode
    for companion in ("-wal", "-shm"):
        narrow(Path(f"{path}{companion}"))


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Create the database file if needed, bring its schema up to date and return it.

    ``path`` may be a ``postgresql://`` URL: the database must exist; its schema is brought up to date.
    """
    make_private(path)
    db = connect(path)
    migrate(db)
    return db
