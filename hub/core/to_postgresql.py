"""Move a SQLite hub's data to PostgreSQL: ``aanwezig-hub migrate-to-postgresql SQLITE_PATH PG_URL``.

The PostgreSQL schema is brought up to date first (its own migrations), and must hold no data yet:
nothing there is overwritten. Every table is copied with COPY in the order of its foreign keys, in
one transaction, with the triggers off for the copy (the immutable log refuses nothing that merely
arrives, and the summary counters are copied as they are). Then the identity sequences continue
after the highest id, and each table is verified: the number of rows and a SHA-256 over its rows
(order-independent), read back from both sides. Any difference rolls the copy back.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.core import db as core_db
from hub.core import postgres

SKIPPED = {"schema_migrations", "sqlite_sequence", "sqlite_stat1"}
# rows a fresh schema makes itself (the cookie key, the database's name for kept grids): the SQLite
# hub's replace them
SEEDED = {"portal_keys", "database_identity"}


class MigrationRefused(Exception):
    """The copy cannot start (source not up to date, target not empty) or did not verify."""


@dataclass(frozen=True)
class TableCopy:
    table: str
    sqlite_rows: int
    postgresql_rows: int
    sqlite_sha256: str
    postgresql_sha256: str

    @property
    def same(self) -> bool:
        return self.sqlite_rows == self.postgresql_rows and self.sqlite_sha256 == self.postgresql_sha256


def _tables_in_dependency_order(lite: sqlite3.Connection) -> list[str]:
    names = [
        r[0]
        for r in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        if r[0] not in SKIPPED
    ]
    needs = {
        name: {r[2] for r in lite.execute(f"PRAGMA foreign_key_list('{name}')") if r[2] != name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and needs[n] <= set(ordered)]
        if not ready:  # a cycle between tables: copy the rest as they come (checks are off, see below)
            ready = [n for n in names if n not in ordered]
        ordered += ready
    return ordered


def _converter(kind: str) -> Callable[[Any], Any]:
    """A SQLite value as the PostgreSQL column of this type takes it (SQLite's types are loose)."""

    def to_int(v: Any) -> Any:
        return int(v) if isinstance(v, float) and v.is_integer() else v

    def to_bytes(v: Any) -> Any:
        return v.encode() if isinstance(v, str) else v

    def to_text(v: Any) -> Any:
        return v if v is None or isinstance(v, str) else (v.decode() if isinstance(v, bytes) else str(v))

    return {"bigint": to_int, "integer": to_int, "bytea": to_bytes, "text": to_text}.get(kind, lambda v: v)


def _canonical(row: Sequence[Any]) -> bytes:
    parts = []
    for v in row:
        if v is None:
            parts.append("\\N")
        elif isinstance(v, bytes | bytearray | memoryview):
            parts.append("x" + bytes(v).hex())
        elif isinstance(v, float):
            parts.append("f" + repr(v))
        else:
            parts.append(("i" if isinstance(v, int) else "s") + str(v))
    return "\x1f".join(parts).encode()


def _digest(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """(count, SHA-256 over the sorted row hashes): equal for equal rows in any order."""
    hashes = sorted(hashlib.sha256(_canonical(r)).digest() for r in rows)
    total = hashlib.sha256()
    for h in hashes:
        total.update(h)
    return len(hashes), total.hexdigest()


def _pg_columns(pg: postgres.Database, table: str) -> dict[str, str]:
    return {
        name: kind
        for name, kind in pg.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
    }


def migrate_to_postgresql(
    sqlite_path: str | Path, url: str, say: Callable[[str], None] = print
) -> list[TableCopy]:
    """Copy every table of the SQLite hub at ``sqlite_path`` to the PostgreSQL database at ``url``."""
    if not Path(sqlite_path).is_file():
        raise MigrationRefused(f"{sqlite_path}: no such SQLite database")
    if not core_db.is_postgresql(url):
        raise MigrationRefused(f"{url!r} is not a postgresql:// URL")
    lite = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        done = {r[0] for r in lite.execute("SELECT name FROM schema_migrations")}
        missing = [name for name, _sql in core_db.migrations("sqlite") if name not in done]
        if missing:
            raise MigrationRefused(
                f"{sqlite_path} is not up to date ({', '.join(missing)} not applied):"
                " run `aanwezig-hub migrate` first"
            )
        pg = core_db.open_database(url)
        try:
            return _copy(lite, pg, say)
        finally:
            pg.close()
    finally:
        lite.close()


def _copy(lite: sqlite3.Connection, pg: postgres.Database, say: Callable[[str], None]) -> list[TableCopy]:
    tables = _tables_in_dependency_order(lite)
    missing = [t for t in tables if t not in pg.table_names()]
    if missing:
        raise MigrationRefused(f"tables missing on PostgreSQL: {', '.join(missing)}")
    for table in tables:
        if table not in SEEDED and pg.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]:
            raise MigrationRefused(f"PostgreSQL already holds data in {table}: the copy goes to an empty hub")
    results = []
    with pg.write_transaction():
        _triggers_off(pg, tables)
        for table in SEEDED & set(tables):
            pg.execute(f'DELETE FROM "{table}"')
        for table in tables:
            kinds = _pg_columns(pg, table)
            columns = [r[1] for r in lite.execute(f"PRAGMA table_info('{table}')") if r[1] in kinds]
            convert = [_converter(kinds[c]) for c in columns]
            names = ", ".join(f'"{c}"' for c in columns)

            def rows(table=table, names=names, convert=convert):
                for row in lite.execute(f'SELECT {names} FROM "{table}"'):
                    yield [f(v) for f, v in zip(convert, row, strict=True)]

            postgres.copy_rows(pg, table, columns, rows())
            lite_count, lite_sha = _digest(rows())
            pg_count, pg_sha = _digest(pg.execute(f'SELECT {names} FROM "{table}"').fetchall())
            results.append(TableCopy(table, lite_count, pg_count, lite_sha, pg_sha))
        _triggers_on(pg, tables)
        _continue_sequences(pg, tables)
        wrong = [r.table for r in results if not r.same]
        say(report(results))
        if wrong:
            raise MigrationRefused(f"copy not verified for {', '.join(wrong)}: nothing was kept")
    return results


def _triggers_off(pg: postgres.Database, tables: list[str]) -> None:
    """Triggers (and foreign key checks) off for this transaction only, where the role may do so."""
    pg.execute("SAVEPOINT replica")
    try:
        pg.execute("SET LOCAL session_replication_role = replica")  # a superuser: FK checks too
        pg.execute("RELEASE SAVEPOINT replica")
    except sqlite3.Error:
        pg.execute("ROLLBACK TO SAVEPOINT replica")
        for table in tables:  # the table owner: the hub's own triggers; foreign keys stay checked
            pg.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')


def _triggers_on(pg: postgres.Database, tables: list[str]) -> None:
    if pg.execute("SHOW session_replication_role").fetchone()[0] == "replica":
        pg.execute("SET LOCAL session_replication_role = origin")
        return
    for table in tables:
        pg.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


def _continue_sequences(pg: postgres.Database, tables: list[str]) -> None:
    for table in tables:
        for (column,) in pg.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ? AND is_identity = 'YES'",
            (table,),
        ).fetchall():
            highest = f'SELECT max("{column}") FROM "{table}"'
            pg.execute(
                f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce(({highest}), 0) + 1, false)",
                (table, column),
            )


def report(results: list[TableCopy]) -> str:
    """The verification as a table: rows on each side and whether the checksums agree."""
    width = max([len("table")] + [len(r.table) for r in results])
    lines = [f"{'table':<{width}}  {'sqlite':>9}  {'postgresql':>10}  sha256"]
    for r in results:
        verdict = r.sqlite_sha256[:16] + (" ok" if r.same else f" != {r.postgresql_sha256[:16]}")
        lines.append(f"{r.table:<{width}}  {r.sqlite_rows:>9}  {r.postgresql_rows:>10}  {verdict}")
    total = sum(r.sqlite_rows for r in results)
    verified = "all verified" if all(r.same for r in results) else "NOT verified"
    lines.append(f"{len(results)} tables, {total} rows, {verified}")
    return "\n".join(lines)
