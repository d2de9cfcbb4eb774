"""Backups of a hub database on PostgreSQL: Debian's pg_dump, pg_restore and psql of the server's version.

``aanwezig-hub backup`` / ``restore`` use these when hub.toml names a ``postgresql://`` database
(hub/operations/backup.py does the rest: checksums, manifest, data files, rotation):

- :func:`dump` writes a custom-format archive of the hub's schema with ``pg_dump``, in a snapshot
  exported by a read-only REPEATABLE READ transaction that also counts each table's rows and reads
  the migrations applied: the manifest's counts are those of the archive, while the hub keeps writing;
- :func:`check` reads the archive's table of contents (``pg_restore --list``): a damaged one fails;
- :func:`restore` replaces the hub's schema by the archive's in one transaction (``psql
  --single-transaction``): the schema is dropped and recreated, then the archive's statements run;
  any error rolls everything back, so the database is either as it was or as in the backup.

The tools come from ``/usr/lib/postgresql/MAJOR/bin`` for the server's major version (an archive
is readable by a pg_restore of the same version or newer; Debian installs one folder per version).
A password in the URL goes to the tools through ``PGPASSWORD``, not on their command line.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

CLIENTS = Path("/usr/lib/postgresql")
LOCK_TIMEOUT_MS = 30_000  # a restore waits this long for hub processes still holding locks, then fails


class DumpError(RuntimeError):
    """pg_dump or pg_restore missing or failing; the message says why, for the technician."""


def server_major(url: str) -> int:
    """The major version of the server at ``url`` (15 for 15.8)."""
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            (number,) = conn.execute("SHOW server_version_num").fetchone()
    except psycopg.Error as exc:
        raise DumpError(f"cannot reach the database: {str(exc).strip()}") from None
    return int(number) // 10000


def tool(name: str, major: int, clients: Path = CLIENTS) -> Path:
    """Debian's ``name`` (pg_dump, pg_restore, psql) of PostgreSQL ``major``, or a clear DumpError."""
    path = clients / str(major) / "bin" / name
    if not os.access(path, os.X_OK):
        raise DumpError(
            f"{name} of PostgreSQL {major} is not installed ({path} missing): install Debian's "
            f"postgresql-client-{major} (apt-get install postgresql-client-{major}), or back the "
            "database up with PostgreSQL's own tools (pg_dump, pg_basebackup, a standby)"
        )
    return path


def _connection(url: str) -> tuple[str, dict[str, str]]:
    """The URL as a libpq connection string without its password, and the environment carrying it."""
    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = {
        **os.environ,
        "PGCONNECT_TIMEOUT": "10",
        "PGOPTIONS": f"-c lock_timeout={LOCK_TIMEOUT_MS} -c client_min_messages=warning",
    }
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**params), env


def without_password(url: str) -> str:
    """The URL as a connection string without its password, for a manifest or a banner."""
    params = conninfo_to_dict(url)
    params.pop("password", None)
    return make_conninfo(**params)


def _run(command: list[str | Path], env: dict[str, str], what: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], env=env, capture_output=True, **kwargs)
    if done.returncode != 0:
        error = (
            done.stderr.decode(errors="replace").strip() if isinstance(done.stderr, bytes) else done.stderr
        )
        raise DumpError(
            f"{what} failed ({Path(str(command[0])).name} exit {done.returncode}): {error[-2000:]}"
        )
    return done


def dump(url: str, archive: Path, clients: Path = CLIENTS) -> dict:
    """Write the hub's schema to ``archive`` (pg_dump, custom format) from one snapshot.

    Returns what the manifest records of that same snapshot: ``schema``, ``migrations``, ``tables``
    (rows per table).
    """
    pg_dump = tool("pg_dump", server_major(url), clients)
    conninfo, env = _connection(url)
    with psycopg.connect(url, connect_timeout=10) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        (schema,) = conn.execute("SELECT current_schema()").fetchone()
        (snapshot,) = conn.execute("SELECT pg_export_snapshot()").fetchone()
        names = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s ORDER BY tablename",
                (schema,),
            )
        ]
        tables = {n: conn.execute(f'SELECT count(*) FROM "{schema}"."{n}"').fetchone()[0] for n in names}
        migrations = [
            r[0] for r in conn.execute(f'SELECT name FROM "{schema}".schema_migrations ORDER BY name')
        ]
        # the snapshot lives as long as this transaction: pg_dump reads it while it is open
        _run(
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             f"--schema={schema}", f"--file={archive}", f"--dbname={conninfo}"],
            env, "pg_dump",
        )  # fmt: skip
        conn.rollback()
    return {"schema": schema, "migrations": migrations, "tables": tables}


def check(url: str, archive: Path, clients: Path = CLIENTS) -> int:
    """Read the archive's table of contents (pg_restore --list); returns its number of entries."""
    pg_restore = tool("pg_restore", server_major(url), clients)
    _conninfo, env = _connection(url)
    listed = _run([pg_restore, "--list", archive], env, f"reading {archive.name}", text=True)
    return sum(1 for line in listed.stdout.splitlines() if line and not line.startswith(";"))


def restore(url: str, archive: Path, work_dir: Path, schema: str = "public", clients: Path = CLIENTS) -> None:
    """Replace the hub's schema by the archive's, in one transaction: all of it or nothing.

    The archive becomes a script in ``work_dir`` first (0600, removed after): psql only starts on
    a whole script, so a pg_restore that fails halfway cannot hand it a shorter one to commit.
    """
    major = server_major(url)
    pg_restore, psql = tool("pg_restore", major, clients), tool("psql", major, clients)
    conninfo, env = _connection(url)
    fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".sql", dir=work_dir)  # 0600
    os.close(fd)
    script = Path(name)
    try:
        _run(
            [pg_restore, "--no-owner", "--no-privileges", f"--file={script}", archive],
            env, f"reading {archive.name}",
        )  # fmt: skip
        quoted = '"' + schema.replace('"', '""') + '"'
        # the archive (dumped with --schema) creates the schema itself
        _run(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
             "-c", f"DROP SCHEMA IF EXISTS {quoted} CASCADE", "-f", script, f"--dbname={conninfo}"],
            env, "restoring the database",
        )  # fmt: skip
    finally:
        script.unlink(missing_ok=True)
