"""A real PostgreSQL server the tests start themselves, once per test session.

Debian's ``postgresql`` binaries (``initdb``, ``pg_ctl``) run as the ``postgres`` user through
``runuser`` when the tests run as root (CI does; PostgreSQL refuses to run as root), on a free
loopback port, with its unix socket in its own temp folder. Never the machine's own server on 5432.
Each test that asks for ``postgres_url`` gets a fresh database of its own on that server.

A test module marked ``pytestmark = pytest.mark.both_databases`` runs each of its tests that use
``hub_target`` (the hub database: the ``demo`` fixture seeds it) on SQLite and on PostgreSQL;
``hub_database`` gives the opened database. ``AANWEZIG_TEST_DATABASE=postgresql`` (or ``sqlite``)
runs only that one.
A missing PostgreSQL fails loudly: run scripts/install-test-deps (make test does).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.core.ports import free_port
from tests.support.faketime import real_time_env
from tests.support.waiting import wait_for

DATABASE_ENV = "AANWEZIG_TEST_DATABASE"
DATABASES = ("sqlite", "postgresql")


def postgres_bin() -> Path:
    """The folder of the newest installed PostgreSQL's server binaries."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL's initdb is not installed: run scripts/install-test-deps (make test does)"
        )
    return Path(found[-1]).parent


class PostgresServer:
    """One throwaway cluster: initdb in a temp folder, pg_ctl start on a free port, stop at the end."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        self.root = Path(tempfile.mkdtemp(prefix="aanwezig-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.port = free_port()
        self._names = itertools.count(1)
        self._template: str | None = None
        if self.as_root:
            shutil.chown(self.root, user="postgres")
            self.root.chmod(0o700)
        self._run(["mkdir", "-p", str(self.socket_dir)])

    def _run(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run(
            prefix + command, check=True, capture_output=True, env=real_time_env(), cwd=self.root, **kwargs
        )

    def start(self) -> PostgresServer:
        self._run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        )  # fmt: skip
        self._options = options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.socket_dir}"
            " -c fsync=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB"
        )
        self._run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
             "-o", options, "-w", "-t", "60", "start"]
        )  # fmt: skip
        wait_for(self._accepting, timeout=30, what=f"postgresql on port {self.port}")
        return self

    def _accepting(self) -> bool:
        import psycopg

        try:
            psycopg.connect(self.url("postgres"), connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database on this server; returns its URL."""
        import psycopg

        name = f"t_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_hub_database(self) -> str:
        """A new database with the hub's schema: a copy of a template migrated once per session."""
        import psycopg

        if self._template is None:
            from hub.core.db import open_database

            url = self.create_database()
            open_database(url).close()
            self._template = url.rsplit("/", 1)[1]
        name = f"t_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return self.url(name)

    def restart(self) -> None:
        """Stop (fast: connections are cut) and start again on the same port and data."""
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        log = str(self.root / "server.log")
        self._run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", self._options, "-w", "start"]
        )
        wait_for(self._accepting, timeout=30, what=f"postgresql on port {self.port} after restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh, empty database on the tests' own PostgreSQL server."""
    return postgres_server.create_database()


def databases_to_run() -> list[str]:
    forced = os.environ.get(DATABASE_ENV, "").strip().lower()
    if forced:
        if forced not in DATABASES:
            raise ValueError(f"{DATABASE_ENV}={forced!r}: expected one of {', '.join(DATABASES)}")
        return [forced]
    return list(DATABASES)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_databases: run the test's hub_target on SQLite and PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    both = metafunc.definition.get_closest_marker("both_databases") is not None
    if "hub_target" in metafunc.fixturenames and (both or "hub_database" in metafunc.fixturenames):
        metafunc.parametrize("hub_target", databases_to_run(), indirect=True)


@pytest.fixture
def hub_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the test's hub database lives, as ``database`` in hub.toml would say.

    The SQLite file ``<tmp>/hub/hub.sqlite3``, or (a test on both databases, its postgresql
    parameter) the URL of a fresh database on the tests' own PostgreSQL server.
    """
    if getattr(request, "param", "sqlite") == "postgresql":
        return request.getfixturevalue("postgres_server").create_hub_database()
    return tmp_path / "hub" / "hub.sqlite3"


@pytest.fixture
def hub_database(hub_target: Path | str):
    """The hub database as ``open_database`` returns it, on SQLite and on PostgreSQL; closed after."""
    from hub.core.db import open_database

    db = open_database(hub_target)
    try:
        yield db
    finally:
        db.close()
