"""Installing the config bundle on a unit: from the SD card's boot partition to /etc/aanwezig.

    python -m device.bundle install /boot/firmware/aanwezig /etc/aanwezig

``aanwezig-install-bundle.service`` runs this as root at boot whenever the boot partition holds
a bundle (the folder ``aanwezig-provision enrol`` wrote). The bundle is checked first (the unit's
own configuration reader must accept it), so a damaged bundle never replaces a working
configuration. unit.toml and the CA file are installed with mode 0600 for the unit service's user,
and the bundle is then wiped from the boot partition: that partition is FAT, readable by anyone
who takes out the SD card, and the bundle holds the unit's broker password.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import sys
import tomllib
from pathlib import Path

from device.config import ConfigError, UnitSettings, from_dict, load

CONFIG_NAME = "unit.toml"
SERVICE_USER = "aanwezig"


class BundleError(RuntimeError):
    """The bundle is missing, incomplete or would not give a working unit."""


def install(bundle: Path, dest: Path, owner: str | None = SERVICE_USER) -> UnitSettings:
    """Check, install and then wipe the bundle; returns the settings the unit will run with."""
    source = bundle / CONFIG_NAME
    try:
        text = source.read_text()
        from_dict(tomllib.loads(text), base=dest)
    except FileNotFoundError:
        raise BundleError(f"no {CONFIG_NAME} in {bundle}") from None
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        raise BundleError(f"{source} is not a usable unit configuration: {exc}") from None
    uid, gid = _ids(owner)
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o750)
    if gid is not None:
        os.chown(dest, 0 if os.geteuid() == 0 else -1, gid)
    files = sorted(p for p in bundle.iterdir() if p.is_file() and not p.name.startswith("."))
    for path in files:
        _copy_private(path, dest / path.name, uid, gid)
    settings = load(dest / CONFIG_NAME)
    if settings.broker.ca_file and not Path(settings.broker.ca_file).is_file():
        raise BundleError(f"the broker's CA file {settings.broker.ca_file} is not in the bundle")
    for path in files:
        _wipe(path)
    with contextlib.suppress(OSError):  # something else lives there; the secrets are gone all the same
        bundle.rmdir()
    return settings


def _copy_private(source: Path, target: Path, uid: int | None, gid: int | None) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(source.read_bytes())
        os.fchmod(out.fileno(), 0o600)
        if uid is not None:
            os.fchown(out.fileno(), uid, gid)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)


def _wipe(path: Path) -> None:
    """Overwrite, then delete: on a FAT partition the deleted clusters stay readable otherwise."""
    size = path.stat().st_size
    with path.open("r+b") as out:
        out.write(b"\0" * size)
        out.flush()
        os.fsync(out.fileno())
    path.unlink()


def _ids(owner: str | None) -> tuple[int | None, int | None]:
    if not owner:
        return None, None
    try:
        entry = pwd.getpwnam(owner)
    except KeyError:
        raise BundleError(f"user {owner!r} does not exist (create it: see docs/technician.md)") from None
    return entry.pw_uid, entry.pw_gid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m device.bundle", description="Install a unit's config bundle from the boot partition"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    inst = sub.add_parser("install", help="check, install and wipe a config bundle")
    inst.add_argument("bundle", type=Path, help="the bundle folder, e.g. /boot/firmware/aanwezig")
    inst.add_argument("dest", type=Path, nargs="?", default=Path("/etc/aanwezig"))
    inst.add_argument("--owner", default=SERVICE_USER, help="user the unit service runs as ('' = keep)")
    args = parser.parse_args(argv)
    try:
        settings = install(args.bundle, args.dest, args.owner or None)
    except (BundleError, OSError) as exc:
        print(f"aanwezig bundle: {exc}", file=sys.stderr)
        return 1
    print(
        f"installed unit {settings.unit} for location {settings.location} in {args.dest} "
        f"(broker {settings.broker}); the bundle was removed from {args.bundle}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
