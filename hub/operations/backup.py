"""Online backups of the hub's database, and restoring one into a stopped hub.

``aanwezig-hub backup DIR`` copies the database with SQLite's backup API while the hub runs (a
read transaction: the ingest keeps committing meanwhile, the copy is the database as it was when
the copy began), checks the copy (``PRAGMA integrity_check``), and writes beside it:

- ``NAME.sqlite3.sha256``: its SHA-256 in ``sha256sum`` format (``sha256sum -c`` checks it);
- ``NAME.json``: the manifest (time, hub version, migrations applied, rows per table, checksum).

It then applies the rotation (``backup_keep_daily``, ``backup_keep_weekly``). ``aanwezig-hub
restore FILE`` puts a backup back: only with the hub stopped (the data folder's lock), only when
the checksum matches and the copy is intact; the database it replaces is kept aside, renamed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hub import __version__
from hub.core.settings import HubSettings
from hub.operations.lock import DataFolderLock
from hub.operations.rotation import backups_to_keep

PREFIX = "aanwezig-hub-"
_NAME = re.compile(r"^aanwezig-hub-(\d{8}T\d{6}Z)\.sqlite3$")
_STAMP = "%Y%m%dT%H%M%SZ"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why, for the technician."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict
    removed: list[Path]


def refuse_other_databases(settings: HubSettings) -> None:
    """Only SQLite exists today; a PostgreSQL setting must not be backed up as if it were SQLite."""
    url = str(getattr(settings, "database_url", "") or "")
    if url.startswith(("postgres://", "postgresql://")):
        raise BackupError("backup and restore of PostgreSQL: not supported on this database yet")


def backup(settings: HubSettings, folder: Path, now: datetime | None = None) -> Backup:
    """Copy the database into ``folder`` consistently, with checksum and manifest, then rotate."""
    refuse_other_databases(settings)
    source_path = settings.database_path
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now.astimezone(UTC).strftime(_STAMP)}.sqlite3"
    final = folder / name
    if final.exists():
        raise BackupError(f"{final} exists already")
    partial = folder / f".{name}.partial"
    partial.unlink(missing_ok=True)

    source = sqlite3.connect(source_path, timeout=30)  # read-write: a WAL reader may need the -shm
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # all pages in one step: one read transaction, one consistent copy
    finally:
        source.close()
    try:
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check: {verdict}")
        manifest = {
            "file": name,
            "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
            "hub_version": __version__,
            "source": str(source_path),
            "migrations": [r[0] for r in target.execute("SELECT name FROM schema_migrations ORDER BY name")],
            "tables": table_counts(target),
        }
    finally:
        target.close()
    _fsync(partial)
    digest = sha256_of(partial)
    manifest["sha256"] = digest
    manifest["bytes"] = partial.stat().st_size
    partial.rename(final)
    _write_atomically(checksum_path(final), f"{digest}  {name}\n")
    _write_atomically(manifest_path(final), json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    _fsync_dir(folder)
    removed = rotate(folder, settings.backup_keep_daily, settings.backup_keep_weekly)
    return Backup(final, manifest, removed)


def restore(settings: HubSettings, file: Path, now: datetime | None = None) -> Path:
    """Put backup ``file`` in place of the hub's database; returns where the replaced one went.

    Refuses while a hub runs on the data folder, when the checksum file is missing or does not
    match, and when the copy fails SQLite's integrity check. Nothing is changed then.
    """
    refuse_other_databases(settings)
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"no backup at {file}")
    expected = read_checksum(file)
    with DataFolderLock(settings.data_dir).acquire("restore"):
        actual = sha256_of(file)
        if actual != expected:
            raise BackupError(f"{file}: checksum does not match ({actual} != {expected}); not restored")
        check = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if verdict != "ok":
            raise BackupError(f"{file} failed its integrity check: {verdict}; not restored")
        database = settings.database_path
        database.parent.mkdir(parents=True, exist_ok=True)
        incoming = database.with_name(f".{database.name}.restoring")
        shutil.copyfile(file, incoming)
        _fsync(incoming)
        stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(_STAMP)
        aside = database.with_name(f"{database.name}.replaced-{stamp}")
        if database.exists():
            # the -wal holds committed pages: it travels with the file it belongs to
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{database}{suffix}")
                if part.exists():
                    part.rename(Path(f"{aside}{suffix}"))
        incoming.rename(database)
        _fsync_dir(database.parent)
    return aside


def rotate(folder: Path, daily: int, weekly: int) -> list[Path]:
    """Remove the backups in ``folder`` the rotation no longer keeps (with checksum and manifest)."""
    found: dict[datetime, Path] = {}
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            found[datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)] = path
    keep = backups_to_keep(found, daily, weekly)
    removed = []
    for moment, path in sorted(found.items()):
        if moment not in keep:
            for part in (path, checksum_path(path), manifest_path(path)):
                part.unlink(missing_ok=True)
            removed.append(path)
    return removed


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def checksum_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".sha256")


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_suffix(".json")


def read_checksum(backup_file: Path) -> str:
    path = checksum_path(backup_file)
    if not path.exists():
        raise BackupError(f"{path} is missing: a backup is restored only with its checksum")
    digest = path.read_text().split()[0].lower() if path.read_text().strip() else ""
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise BackupError(f"{path} holds no SHA-256")
    return digest


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    _fsync(tmp)
    tmp.rename(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    _fsync(folder)
