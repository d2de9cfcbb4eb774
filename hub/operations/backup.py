"""Online backups of the hub's database and data files, and restoring one into a stopped hub.

``aanwezig-hub backup DIR`` copies the database with SQLite's backup API while the hub runs (a
read transaction: the ingest keeps committing meanwhile, the copy is the database as it was when
the copy began), checks the copy (``PRAGMA integrity_check``), then copies the data folder's files
(:data:`DATA_FOLDERS`, :data:`DATA_FILES`: attachments, photos, team photos, the VAPID key) into a
tar beside it, and writes:

- ``NAME.sqlite3.sha256``: the SHA-256 of the database copy and of the tar in ``sha256sum`` format
  (``sha256sum -c`` checks both);
- ``NAME.json``: the manifest (time, hub version, migrations applied, rows per table, checksums,
  and each file with its SHA-256, size and mode).

The files are copied after the database: a feature writes its file before the row naming it is
committed, so every file the copied database names is there (unless it was deleted meanwhile).
A file that changes while it is read is read again (a few times), one that disappears is left out.

It then applies the rotation (``backup_keep_daily``, ``backup_keep_weekly``). ``aanwezig-hub
restore FILE`` puts a backup back: only with the hub stopped (the data folder's lock), only when
every checksum matches (the tar's, then each file's) and the copy is intact; the database and the
folders it replaces are kept aside, renamed ``*.replaced-STAMP``. A backup made before files were
backed up restores the database only.

On PostgreSQL (``database = "postgresql://…"`` in hub.toml) the database part is a pg_dump archive
``NAME.pgdump`` (hub/core/pg_dump.py: one snapshot, its row counts in the manifest, checked with
``pg_restore --list``); restore first dumps the database as it is into the data folder
(``hub.pgdump.replaced-STAMP``), then replaces the hub's schema by the archive's in one
transaction. Stop every hub process using that database first: the data folder's lock guards only
the hub on this machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hub import __version__
from hub.core import pg_dump
from hub.core.db import is_postgresql
from hub.core.files import PRIVATE_FILE, private_dir
from hub.core.settings import HubSettings
from hub.operations.lock import DataFolderLock
from hub.operations.rotation import backups_to_keep

PREFIX = "aanwezig-hub-"
_NAME = re.compile(r"^aanwezig-hub-(\d{8}T\d{6}Z)\.(sqlite3|pgdump)$")
_STAMP = "%Y%m%dT%H%M%SZ"

# What the hub's features keep in the data folder besides the database: message attachments
# (hub/messages), photos with thumbnails and originals (hub/photos), team photos (hub/news) and the
# Web Push key (hub/notify/vapid.py). Invoices and credit notes are in the database (their PDF too).
DATA_FOLDERS = ("berichten", "fotos", "team")
DATA_FILES = ("vapid.pem",)
# What is in the data folder on purpose and not in the tar: the database (copied on its own), the
# lock, the demo's and development's mail folder, the settings file, what a restore kept aside.
_NOT_DATA = re.compile(
    r"^(hub\.sqlite3(-wal|-shm|-journal)?|hub\.lock|mail|hub\.toml|.*\.replaced-\d{8}T\d{6}Z|\..*)$"
)
_READ_ATTEMPTS = 3  # a file still changing after this many reads goes in as last read


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why, for the technician."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict
    removed: list[Path]


def backup(settings: HubSettings, folder: Path, now: datetime | None = None) -> Backup:
    """Copy the database into ``folder`` consistently, with checksum and manifest, then rotate."""
    source_path = settings.database_path
    on_postgresql = is_postgresql(source_path)
    if not on_postgresql and not Path(source_path).exists():
        raise BackupError(f"no database at {source_path}")
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now.astimezone(UTC).strftime(_STAMP)}.{'pgdump' if on_postgresql else 'sqlite3'}"
    final = folder / name
    if final.exists():
        raise BackupError(f"{final} exists already")
    partial = folder / f".{name}.partial"
    partial.unlink(missing_ok=True)
    manifest = {
        "file": name,
        "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "hub_version": __version__,
    }
    try:
        if on_postgresql:
            manifest |= _dump_postgresql(str(source_path), partial)
        else:
            manifest |= _copy_sqlite(Path(source_path), partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _fsync(partial)
    digest = sha256_of(partial)
    manifest["sha256"] = digest
    manifest["bytes"] = partial.stat().st_size
    tar_final = files_path(final)
    tar_partial = folder / f".{tar_final.name}.partial"
    try:
        entries = _write_files_tar(settings.data_dir, tar_partial, folder)
        manifest["files"] = entries
        manifest["files_sha256"] = sha256_of(tar_partial)
        manifest["files_bytes"] = tar_partial.stat().st_size
        manifest["not_in_backup"] = _not_data(settings.data_dir, folder)
    except BaseException:
        tar_partial.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
        raise
    partial.rename(final)
    tar_partial.rename(tar_final)
    _write_atomically(
        checksum_path(final),
        f"{digest}  {name}\n{manifest['files_sha256']}  {tar_final.name}\n",
    )
    _write_atomically(manifest_path(final), json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    _fsync_dir(folder)
    removed = rotate(folder, settings.backup_keep_daily, settings.backup_keep_weekly)
    return Backup(final, manifest, removed)


def _copy_sqlite(source_path: Path, partial: Path) -> dict:
    """The SQLite database copied page by page into ``partial`` and checked; the manifest's part."""
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
        return {
            "source": str(source_path),
            "migrations": [r[0] for r in target.execute("SELECT name FROM schema_migrations ORDER BY name")],
            "tables": table_counts(target),
        }
    finally:
        target.close()


def _dump_postgresql(url: str, partial: Path) -> dict:
    """The PostgreSQL database dumped into ``partial`` (0600) and its archive read back."""
    partial.touch(mode=PRIVATE_FILE)
    try:
        taken = pg_dump.dump(url, partial)
        pg_dump.check(url, partial)
    except pg_dump.DumpError as exc:
        raise BackupError(str(exc)) from None
    return {"source": pg_dump.without_password(url), **taken}


def restore(settings: HubSettings, file: Path, now: datetime | None = None) -> Path:
    """Put backup ``file`` (and its data files) in place; returns where the replaced database went.

    Refuses while a hub runs on the data folder, when the checksum file is missing or does not
    match the database copy or the files' tar, when a file in the tar does not match its checksum
    in the manifest, and when the copy fails SQLite's integrity check (a PostgreSQL archive: when
    pg_restore cannot read it). Nothing is changed then.
    """
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"no backup at {file}")
    on_postgresql = is_postgresql(settings.database_path)
    if on_postgresql != (file.suffix == ".pgdump"):
        raise BackupError(
            f"{file.name} is a backup of a {'PostgreSQL' if file.suffix == '.pgdump' else 'SQLite'} hub and "
            f"this hub runs on {'PostgreSQL' if on_postgresql else 'SQLite'}; not restored "
            "(from SQLite to PostgreSQL: restore on SQLite, then aanwezig-hub migrate-to-postgresql)"
        )
    expected = read_checksums(file)
    tar = files_path(file)
    with DataFolderLock(settings.data_dir).acquire("restore"):
        actual = sha256_of(file)
        if actual != expected[file.name]:
            raise BackupError(
                f"{file}: checksum does not match ({actual} != {expected[file.name]}); not restored"
            )
        if on_postgresql:
            try:
                pg_dump.check(str(settings.database_path), file)
            except pg_dump.DumpError as exc:
                raise BackupError(f"{exc}; not restored") from None
        else:
            check = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
            try:
                verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                check.close()
            if verdict != "ok":
                raise BackupError(f"{file} failed its integrity check: {verdict}; not restored")
        stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(_STAMP)
        staging = None
        if tar.name in expected or tar.exists():
            if tar.name not in expected:
                raise BackupError(f"{checksum_path(file)} has no checksum for {tar.name}; not restored")
            staging = _unpack_verified(settings.data_dir, tar, expected[tar.name], file, stamp)
        try:
            if on_postgresql:
                aside = _restore_postgresql(settings, file, stamp)
            else:
                aside = _restore_sqlite(Path(settings.database_path), file, stamp)
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
        if staging is not None:
            # the data files as they were at the backup: what is there now is kept aside
            for name in (*DATA_FOLDERS, *DATA_FILES):
                current = settings.data_dir / name
                if current.exists():
                    current.rename(settings.data_dir / f"{name}.replaced-{stamp}")
                if (staging / name).exists():
                    (staging / name).rename(current)
            shutil.rmtree(staging, ignore_errors=True)
        _fsync_dir(aside.parent)
    return aside


def _restore_sqlite(database: Path, file: Path, stamp: str) -> Path:
    """The copy in place of the database file; the replaced file (and its -wal) renamed aside."""
    database.parent.mkdir(parents=True, exist_ok=True)
    incoming = database.with_name(f".{database.name}.restoring")
    shutil.copyfile(file, incoming)
    _fsync(incoming)
    aside = database.with_name(f"{database.name}.replaced-{stamp}")
    if database.exists():
        # the -wal holds committed pages: it travels with the file it belongs to
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{database}{suffix}")
            if part.exists():
                part.rename(Path(f"{aside}{suffix}"))
    incoming.rename(database)
    return aside


def _restore_postgresql(settings: HubSettings, file: Path, stamp: str) -> Path:
    """The database as it is dumped aside into the data folder, then the archive's schema in one
    transaction in place of the hub's; returns the dump kept aside."""
    url = str(settings.database_path)
    try:
        schema = json.loads(manifest_path(file).read_text()).get("schema", "public")
    except (OSError, ValueError, AttributeError):
        schema = "public"
    private_dir(settings.data_dir)
    aside = settings.data_dir / f"hub.pgdump.replaced-{stamp}"
    try:
        _dump_postgresql(url, aside)
    except BaseException as exc:
        aside.unlink(missing_ok=True)
        if isinstance(exc, BackupError):
            raise BackupError(f"{exc}; not restored") from None
        raise
    try:
        pg_dump.restore(url, file, settings.data_dir, schema)
    except pg_dump.DumpError as exc:
        raise BackupError(f"{exc}; not restored (the database is as it was)") from None
    return aside


def _write_files_tar(data_dir: Path, tar_path: Path, spool_dir: Path) -> list[dict]:
    """Copy the data folder's files into a new tar (0600); the manifest's entries for them."""
    entries = []
    fd = os.open(tar_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in _data_files(data_dir):
            relative = path.relative_to(data_dir).as_posix()
            with tempfile.SpooledTemporaryFile(max_size=8 << 20, dir=spool_dir) as spool:
                read = _read_steadily(path, spool)
                if read is None:
                    continue  # removed meanwhile (a photo deleted, a message not saved): not data any more
                digest, size, mode, mtime = read
                info = tarfile.TarInfo(relative)
                info.size, info.mode, info.mtime = size, mode, mtime
                spool.seek(0)
                tar.addfile(info, spool)
            entries.append({"path": relative, "sha256": digest, "bytes": size, "mode": f"{mode:04o}"})
        out.flush()
        os.fsync(out.fileno())
    return entries


def _data_files(data_dir: Path) -> list[Path]:
    found = [data_dir / name for name in DATA_FILES if (data_dir / name).is_file()]
    for name in DATA_FOLDERS:
        root = data_dir / name
        if root.is_dir():
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                # a name starting with a dot is a file being written aside before its rename
                found += [Path(folder) / f for f in sorted(files) if not f.startswith(".")]
    return [p for p in found if not p.is_symlink()]


def _read_steadily(path: Path, spool) -> tuple[str, int, int, int] | None:
    """Copy ``path`` into ``spool``: (sha256, size, mode, mtime), read again if it changed while
    it was read; None when it is gone."""
    for _attempt in range(_READ_ATTEMPTS):
        spool.seek(0)
        spool.truncate()
        digest = hashlib.sha256()
        size = 0
        try:
            with path.open("rb") as f:
                before = os.fstat(f.fileno())
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
                    spool.write(block)
                    size += len(block)
                after = os.fstat(f.fileno())
        except FileNotFoundError:
            return None
        if (before.st_size, before.st_mtime_ns) == (
            after.st_size,
            after.st_mtime_ns,
        ) and size == after.st_size:
            break
    return digest.hexdigest(), size, after.st_mode & 0o777, int(after.st_mtime)


def _not_data(data_dir: Path, backup_folder: Path) -> list[str]:
    """What is in the data folder that no backup carries: for the technician to look at."""
    known = set(DATA_FOLDERS) | set(DATA_FILES)
    names = []
    for path in sorted(Path(data_dir).iterdir()):
        if path.name in known or _NOT_DATA.match(path.name) or path.resolve() == backup_folder.resolve():
            continue
        names.append(path.name)
    return names


def _unpack_verified(data_dir: Path, tar_path: Path, expected: str, file: Path, stamp: str) -> Path:
    """Unpack the files' tar into a staging folder in the data folder, every file checked against
    the manifest; the staging folder, or :class:`BackupError` with nothing left behind."""
    actual = sha256_of(tar_path)
    if actual != expected:
        raise BackupError(f"{tar_path}: checksum does not match ({actual} != {expected}); not restored")
    try:
        manifest = json.loads(manifest_path(file).read_text())
        wanted = {entry["path"]: entry for entry in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(
            f"{manifest_path(file)}: no list of the backed-up files ({exc}); not restored"
        ) from None
    staging = private_dir(Path(data_dir) / f".restoring-{stamp}")
    try:
        seen = set()
        with tarfile.open(tar_path, mode="r:") as tar:
            for member in tar:
                entry = wanted.get(member.name)
                parts = Path(member.name).parts
                if (
                    entry is None
                    or not member.isreg()
                    or member.name in seen
                    or Path(member.name).is_absolute()
                    or ".." in parts
                    or parts[0] not in (*DATA_FOLDERS, *DATA_FILES)
                ):
                    raise BackupError(f"{tar_path}: {member.name!r} is not in the manifest; not restored")
                target = staging / member.name
                private_dir(target.parent)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
                with os.fdopen(fd, "wb") as out:
                    while block := source.read(1 << 20):
                        digest.update(block)
                        out.write(block)
                    out.flush()
                    os.fsync(out.fileno())
                if digest.hexdigest() != entry["sha256"]:
                    raise BackupError(f"{tar_path}: {member.name} does not match its checksum; not restored")
                os.chmod(target, int(entry["mode"], 8) & 0o700)  # the hub's user only, as it was written
                seen.add(member.name)
        missing = sorted(set(wanted) - seen)
        if missing:
            raise BackupError(
                f"{tar_path}: {len(missing)} files of the manifest missing ({missing[0]}, ...); not restored"
            )
    except tarfile.TarError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"{tar_path}: not a readable tar ({exc}); not restored") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


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
            for part in (path, files_path(path), checksum_path(path), manifest_path(path)):
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


def files_path(backup_file: Path) -> Path:
    """The tar of the data folder's files that belongs to ``backup_file``."""
    return backup_file.with_suffix(".files.tar")


def read_checksums(backup_file: Path) -> dict[str, str]:
    """The SHA-256 per file name in the backup's checksum file; the database's is always there."""
    path = checksum_path(backup_file)
    if not path.exists():
        raise BackupError(f"{path} is missing: a backup is restored only with its checksum")
    found = {}
    for number, line in enumerate(path.read_text().splitlines()):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        digest = digest.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise BackupError(f"{path} holds no SHA-256 on line {number + 1}")
        found[name.strip() or backup_file.name] = digest
    if backup_file.name not in found:
        raise BackupError(f"{path} holds no SHA-256 for {backup_file.name}")
    return found


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
