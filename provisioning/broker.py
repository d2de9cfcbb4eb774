"""The broker's side of the fleet: the accounts store, the generated password file and ACL, the reload.

Where the state lives:

- the hub database says which units exist, for which location, and whether they are active;
- the accounts store (``accounts.json`` in the broker folder, mode 0600) holds each broker
  account's password *hash*, never the password: a unit's clear password exists only in its
  config bundle, the hub's only in the hub's own settings;
- Mosquitto's password file and ACL are derived from both, written whole after every change
  (to a temporary file, then renamed, so Mosquitto never reads half a file), and re-read by
  Mosquitto on SIGHUP. A unit that is revoked in the database, or has no hash, is in neither.

Changes take a lock on the folder, so two technicians enrolling at once do not lose a unit.
"""

from __future__ import annotations

import fcntl
import grp
import json
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from hub.units import service as units
from provisioning.errors import ProvisionError
from provisioning.mosquitto import acl_file, hash_password, hashed_line
from provisioning.settings import ProvisionSettings


class ReloadError(ProvisionError):
    """Mosquitto could not be told to re-read its files."""


@dataclass(frozen=True)
class Account:
    role: str  # "hub" or "unit"
    hash: str  # Mosquitto $7$ hash
    created_at: str


@dataclass(frozen=True)
class UnitGrant:
    unit: str
    location: str


def new_password() -> str:
    """A broker password: 256 random bits, URL-safe so it sits in a broker URL as it is."""
    return secrets.token_urlsafe(32)


class AccountStore:
    """The hashes of every broker account, in one JSON file that only root reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.accounts: dict[str, Account] = {}
        if path.exists():
            raw = json.loads(path.read_text())
            self.accounts = {name: Account(**fields) for name, fields in raw["accounts"].items()}

    def add(self, username: str, role: str, password: str) -> None:
        self.accounts[username] = Account(role, hash_password(password), _now())

    def remove(self, username: str) -> bool:
        return self.accounts.pop(username, None) is not None

    def save(self) -> None:
        body = {"accounts": {name: asdict(account) for name, account in sorted(self.accounts.items())}}
        write_atomically(self.path, json.dumps(body, indent=2) + "\n", mode=0o600)


@contextmanager
def locked(settings: ProvisionSettings) -> Iterator[AccountStore]:
    """The accounts store, held under an exclusive lock until the block ends."""
    settings.broker_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
    gid = group_id(settings.broker_group)
    if gid is not None:  # Mosquitto re-reads passwd and acl as its own user: it must get in
        os.chown(settings.broker_dir, -1, gid)
    with (settings.broker_dir / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield AccountStore(settings.accounts_file)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def grants(db: sqlite_utils.Database, store: AccountStore) -> list[UnitGrant]:
    """The units that may connect: active in the hub database and holding a password hash."""
    return [
        UnitGrant(unit.id, unit.location_id)
        for unit in units.active_units(db)
        if unit.id in store.accounts and store.accounts[unit.id].role == "unit"
    ]


def write_files(
    settings: ProvisionSettings, db: sqlite_utils.Database, store: AccountStore
) -> list[UnitGrant]:
    """Write Mosquitto's password file and ACL from the database and the store; returns the units in them."""
    hub = store.accounts.get(settings.hub_user)
    if hub is None:
        raise ProvisionError(
            f"de hub ({settings.hub_user}) heeft nog geen brokeraccount: `aanwezig-provision init`"
        )
    allowed = grants(db, store)
    lines = [hashed_line(settings.hub_user, hub.hash)]
    lines += [hashed_line(g.unit, store.accounts[g.unit].hash) for g in allowed]
    group = group_id(settings.broker_group)
    write_atomically(settings.password_file, "\n".join(lines) + "\n", mode=0o640, gid=group)
    write_atomically(settings.acl_file, acl_file(settings.hub_user, allowed), mode=0o640, gid=group)
    return allowed


def reload(settings: ProvisionSettings) -> str:
    """Make Mosquitto re-read the password file and ACL; returns what was done, for the technician."""
    if settings.mosquitto_pid_file is not None:
        try:
            pid = int(settings.mosquitto_pid_file.read_text().strip())
            os.kill(pid, signal.SIGHUP)
        except (OSError, ValueError) as exc:
            raise ReloadError(
                f"kon Mosquitto (pid-bestand {settings.mosquitto_pid_file}) niet herladen: {exc}"
            ) from None
        return f"SIGHUP naar Mosquitto (pid {pid})"
    try:
        done = subprocess.run(settings.reload, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReloadError(f"`{' '.join(settings.reload)}` mislukte: {exc}") from None
    if done.returncode != 0:
        raise ReloadError(f"`{' '.join(settings.reload)}` mislukte: {(done.stderr or done.stdout).strip()}")
    return f"`{' '.join(settings.reload)}`"


def write_atomically(
    path: Path, text: str, mode: int, gid: int | None = None, owner: tuple[int, int] | None = None
) -> None:
    """Replace ``path`` in one step with ``text``, permissions set before anyone can read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
            out.flush()
            os.fchmod(out.fileno(), mode)
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                os.fchown(out.fileno(), *owner)
            if gid is not None:
                os.fchown(out.fileno(), -1, gid)
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def group_id(name: str) -> int | None:
    if not name:
        return None
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise ProvisionError(
            f"de groep {name!r} bestaat niet: installeer eerst Mosquitto, "
            "of zet broker_group in provision.toml"
        ) from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
