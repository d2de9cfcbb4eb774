"""The hub database on PostgreSQL (psycopg 3), with the surface features use on SQLite.

Features speak plain parameterised SQL (``?`` and ``:name`` placeholders, as sqlite3 takes them) to
``db.execute`` / ``db.conn.execute`` / ``executemany`` and ``db[table].insert``; this module gives
them the same on PostgreSQL, so the dialects differ only in hub/core:

- placeholders are translated to psycopg's (``%s``, ``%(name)s``) outside string literals;
- transactions behave as Python's sqlite3 does: a statement that writes opens one when none is
  open, ``commit()`` ends it, ``with db.conn:`` commits or rolls back;
- rows are tuples; sum/avg come back as int or float, never Decimal; bools go in as 0/1;
- psycopg's errors surface as the sqlite3 errors the features already catch (IntegrityError for
  a constraint or a trigger's refusal, OperationalError for a lost connection or a lock timeout);
- a connection lost between transactions is opened again; one lost inside a transaction raises
  OperationalError, and the caller's retry (the ingest's, a person's) starts over;
- ``write_transaction`` takes one advisory lock for the transaction, so writes are serialised as
  SQLite's BEGIN IMMEDIATE serialises them.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import Loader
from psycopg.types.numeric import IntDumper

# pg_advisory_xact_lock key of the hub's write lock ("aanwezig" in ASCII, folded to 63 bits)
WRITE_LOCK_KEY = 0x61616E77657A6967 & 0x7FFFFFFFFFFFFFFF
LOCK_TIMEOUT = "10s"  # as long as SQLite's busy timeout: a writer waits, then fails as "locked"

_WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|WITH\b.*\b(INSERT|UPDATE|DELETE)\b)", re.I | re.S)
_NULL_TEST = re.compile(r"\s+IS\s+(NOT\s+)?NULL\b", re.I)
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|::|%|\?|:[A-Za-z_][A-Za-z0-9_]*")


def is_url(target: object) -> bool:
    """Whether a database target names PostgreSQL (a URL) rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """sqlite3's placeholders to psycopg's: ``?`` -> ``%s``, ``:name`` -> ``%(name)s``, ``%`` -> ``%%``.

    Quoted strings, identifiers and comments keep their text (their ``%`` doubled, as psycopg reads
    the whole query); ``::`` casts stay casts. A placeholder tested with ``IS [NOT] NULL`` is cast
    to text, since PostgreSQL cannot tell the type of an untyped parameter there.
    """

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "%":
            return "%%"
        if token == "::":
            return token
        if token == "?" or token.startswith(":"):
            mark = "%s" if token == "?" else f"%({token[1:]})s"
            return mark + "::text" if _NULL_TEST.match(match.string, match.end()) else mark
        return token.replace("%", "%%")

    return _TOKEN.sub(one, sql)


def _error(exc: psycopg.Error) -> sqlite3.Error:
    """The sqlite3 error a feature catches for this psycopg error (the cause stays attached)."""
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(str(exc).strip())
    if isinstance(exc, psycopg.errors.RaiseException | psycopg.errors.CheckViolation):
        return sqlite3.IntegrityError(str(exc).strip())
    if isinstance(exc, psycopg.OperationalError | psycopg.errors.LockNotAvailable | psycopg.InterfaceError):
        return sqlite3.OperationalError(str(exc).strip())
    if isinstance(exc, psycopg.ProgrammingError):
        return sqlite3.OperationalError(str(exc).strip())  # as sqlite3 reports a bad statement
    return sqlite3.DatabaseError(str(exc).strip())


class _NumericLoader(Loader):
    """numeric (sum of integers, avg, round) as SQLite returns it: int when whole, else float."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class _BoolAsInt(IntDumper):
    """True/False as 1/0: the hub's booleans are INTEGER columns on both databases."""

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)
    conn.adapters.register_dumper(bool, _BoolAsInt)


class Cursor:
    """The result of one statement, read as a sqlite3 cursor is."""

    def __init__(self, owner: Connection, cursor: psycopg.Cursor | None, rowcount: int = -1) -> None:
        self._owner = owner
        self._cursor = cursor
        self.rowcount = cursor.rowcount if cursor is not None else rowcount

    @property
    def description(self) -> Any:
        return None if self._cursor is None else self._cursor.description

    @property
    def lastrowid(self) -> int | None:
        """The id the last INSERT gave from a sequence in this session (sqlite3's lastrowid)."""
        return self._owner.last_id()

    def fetchone(self) -> tuple | None:
        if self._cursor is None or self._cursor.description is None:
            return None
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        if self._cursor is None or self._cursor.description is None:
            return []
        return self._cursor.fetchall()

    def fetchmany(self, size: int = 1) -> list[tuple]:
        if self._cursor is None or self._cursor.description is None:
            return []
        return self._cursor.fetchmany(size)

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.fetchall())

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()


class Connection:
    """A sqlite3.Connection look-alike on one psycopg connection (``db.conn``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._pg: psycopg.Connection | None = None
        self._open()

    def _open(self) -> None:
        try:
            self._pg = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise _error(exc) from exc
        _configure(self._pg)

    @property
    def pg(self) -> psycopg.Connection:
        """The psycopg connection (opened again when it was lost between transactions)."""
        if self._pg is None or self._pg.closed or self._pg.broken:
            self._open()
        assert self._pg is not None
        return self._pg

    @property
    def in_transaction(self) -> bool:
        if self._pg is None or self._pg.closed:
            return False
        return self._pg.info.transaction_status != pq.TransactionStatus.IDLE

    def _begin_if_writing(self, sql: str) -> bool:
        """BEGIN before a writing statement outside a transaction, as sqlite3 does; True if it did."""
        if not self.in_transaction and _WRITES.match(sql):
            self.pg.execute("BEGIN")
            return True
        return False

    def _failed(self, began: bool, exc: psycopg.Error) -> sqlite3.Error:
        # A statement that failed in the transaction it opened leaves nothing pending, as on SQLite.
        # One that fails later in a transaction aborts it on PostgreSQL (SQLite would undo only the
        # statement): the caller's rollback ends it, and statements until then fail.
        if began:
            self.rollback()
        return _error(exc)

    def _run(self, sql: str, params: Any = None) -> psycopg.Cursor:
        attempts = 1 if self.in_transaction else 2
        for attempt in range(attempts):
            began = False
            try:
                began = self._begin_if_writing(sql)
                cursor = self.pg.cursor()
                cursor.execute(translate(sql), _params(params))
                return cursor
            except psycopg.OperationalError as exc:
                # lost between transactions: nothing of ours was pending, so open again and retry once
                if attempt + 1 < attempts and self._pg is not None and self._pg.broken:
                    continue
                raise self._failed(began, exc) from exc
            except psycopg.Error as exc:
                raise self._failed(began, exc) from exc
        raise AssertionError("unreachable")

    def execute(self, sql: str, params: Any = None) -> Cursor:
        return Cursor(self, self._run(sql, params))

    def executemany(self, sql: str, rows: Iterable[Any]) -> Cursor:
        rows = [_params(r) for r in rows]
        if not rows:
            return Cursor(self, None, 0)
        began = False
        try:
            began = self._begin_if_writing(sql)
            with self.pg.cursor() as cursor:
                cursor.executemany(translate(sql), rows)
                count = cursor.rowcount
        except psycopg.Error as exc:
            raise self._failed(began, exc) from exc
        return Cursor(self, None, count)

    def executescript(self, sql: str) -> None:
        """Run several statements as they are (no placeholders); BEGIN/COMMIT in them are obeyed."""
        try:
            self.pg.execute(sql.encode())  # bytes: no placeholder parsing, several statements allowed
        except psycopg.Error as exc:
            raise _error(exc) from exc

    def last_id(self) -> int | None:
        try:
            with self.pg.cursor() as cursor:
                cursor.execute("SELECT lastval()")
                row = cursor.fetchone()
        except psycopg.Error:
            return None
        return None if row is None else row[0]

    def commit(self) -> None:
        if self.in_transaction:
            try:
                self.pg.execute("COMMIT")
            except psycopg.Error as exc:
                raise _error(exc) from exc

    def rollback(self) -> None:
        if self.in_transaction:
            with contextlib.suppress(psycopg.Error):
                self.pg.execute("ROLLBACK")

    def close(self) -> None:
        if self._pg is not None and not self._pg.closed:
            self.rollback()
            self._pg.close()

    @property
    def reusable(self) -> bool:
        """Open, not broken, and in no transaction: fit to serve another request (hub.core.db.pooled)."""
        return (
            self._pg is not None and not self._pg.closed and not self._pg.broken and not self.in_transaction
        )

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()


def _params(params: Any) -> Any:
    if params is None:
        return ()
    if isinstance(params, Mapping):
        return dict(params)
    return tuple(params)


class Table:
    """``db[name]``: the few sqlite-utils table calls the hub makes (insert, columns)."""

    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.name = name
        self.last_pk: Any = None

    def insert(self, record: Mapping[str, Any], ignore: bool = False, **_ignored: Any) -> Table:
        columns = list(record)
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        keys = self.db.primary_key(self.name)
        returning = f" RETURNING {', '.join(keys)}" if keys else ""
        conflict = " ON CONFLICT DO NOTHING" if ignore else ""
        sql = f'INSERT INTO "{self.name}" ({names}) VALUES ({marks}){conflict}{returning}'
        outside = not self.db.conn.in_transaction
        row = self.db.execute(sql, [record[c] for c in columns]).fetchone()
        if outside:  # sqlite-utils commits an insert made outside a transaction
            self.db.conn.commit()
        if row is not None:
            self.last_pk = row[0] if len(row) == 1 else tuple(row)
        else:  # ignored: the key as given, as sqlite-utils reports it
            given = [record.get(k) for k in keys]
            self.last_pk = given[0] if len(given) == 1 else tuple(given)
        return self

    @property
    def columns_dict(self) -> dict[str, type]:
        found = self.db.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (self.name,),
        ).fetchall()
        types = {"bigint": int, "integer": int, "double precision": float, "bytea": bytes}
        return {name: types.get(kind, str) for name, kind in found}

    def exists(self) -> bool:
        return self.name in self.db.table_names()

    @property
    def count(self) -> int:
        return self.db.execute(f'SELECT count(*) FROM "{self.name}"').fetchone()[0]


class Database:
    """The hub database on PostgreSQL: ``execute``, ``conn``, ``db[table]``, ``atomic`` and ``close``."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn = Connection(url)
        self._keys: dict[str, list[str]] = {}

    def execute(self, sql: str, params: Any = None) -> Cursor:
        """As sqlite-utils' execute: a write outside a transaction (returning no rows) commits at once."""
        outside = not self.conn.in_transaction
        cursor = self.conn.execute(sql, params)
        if outside and cursor.description is None:
            self.conn.commit()
        return cursor

    def executescript(self, sql: str) -> None:
        self.conn.executescript(sql)

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d.name for d in cursor.description or ()]
        for row in cursor.fetchall():
            yield dict(zip(names, row, strict=True))

    def __getitem__(self, name: str) -> Table:
        return Table(self, name)

    def table(self, name: str) -> Table:
        return Table(self, name)

    def table_names(self) -> list[str]:
        rows = self.execute(
            "SELECT tablename FROM pg_catalog.pg_tables"
            " WHERE schemaname = current_schema() ORDER BY tablename"
        )
        return [r[0] for r in rows]

    def primary_key(self, table: str) -> list[str]:
        if table not in self._keys:
            rows = self.execute(
                "SELECT a.attname FROM pg_index i"
                " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = to_regclass(?) AND i.indisprimary"
                " ORDER BY array_position(i.indkey, a.attnum)",
                (table,),
            ).fetchall()
            self._keys[table] = [r[0] for r in rows]
        return self._keys[table]

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction (a savepoint inside one), committed at the end, as sqlite-utils' atomic()."""
        if self.conn.in_transaction:
            self.execute("SAVEPOINT atomic")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.execute("ROLLBACK TO SAVEPOINT atomic")
                    self.execute("RELEASE SAVEPOINT atomic")
                raise
            self.execute("RELEASE SAVEPOINT atomic")
            return
        self.conn.pg.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[Database]:
        """One transaction holding the hub's write lock: writers take turns, as on SQLite."""
        if self.conn.in_transaction:  # as BEGIN IMMEDIATE refuses inside a transaction
            raise sqlite3.OperationalError("cannot start a transaction within a transaction")
        try:
            try:
                self.conn.pg.execute("BEGIN")
            except psycopg.OperationalError:
                # a connection the server cut while it was idle (a restart): nothing was pending,
                # so open it again once; a server still away fails the second try as well
                self.conn.pg.execute("BEGIN")
            self.conn.pg.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            self.conn.pg.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
        except psycopg.Error as exc:
            self.conn.rollback()
            raise _error(exc) from exc
        try:
            yield self
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise

    def close(self) -> None:
        self.conn.close()


def connect(url: str) -> Database:
    """A connection for one thread to the PostgreSQL database at ``url``."""
    return Database(url)


def copy_rows(db: Database, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into a table (the migration from SQLite); returns how many."""
    count = 0
    names = ", ".join(f'"{c}"' for c in columns)
    with db.conn.pg.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
