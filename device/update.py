"""Installing a signed software update on the unit, and going back to the previous one.

    python -m device.update install WHEEL [--key /etc/aanwezig/update-key.pub] [--venv /opt/aanwezig/.venv]
    python -m device.update rollback
    python -m device.update version

A wheel is installed only when ``WHEEL.sig`` lies beside it, its Ed25519 signature verifies with
the organisation's public key from the unit's bundle, and the wheel's SHA-256, file name, name and
version are the ones signed. Anything else is refused before pip runs. A verified wheel is kept in
the store (``/var/lib/aanwezig/updates``) with its signature; ``state.json`` there names the
current and the previous one, so ``rollback`` reinstalls the previous one (verified again). pip
installs from the local file only (``--no-index``; dependencies must already be on the unit or in
the store), and after installing the unit asks the venv which version it now has.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from wire.update_manifest import SIGNATURE_SUFFIX, BadManifest, UpdateManifest, wheel_name_and_version

DEFAULT_KEY = Path("/etc/aanwezig/update-key.pub")
DEFAULT_VENV = Path("/opt/aanwezig/.venv")
DEFAULT_STORE = Path("/var/lib/aanwezig/updates")
DISTRIBUTION = "aanwezig"
STATE_NAME = "state.json"


class UpdateRefused(Exception):
    """The update is not installed: the reason says why (for the unit's log and the technician)."""


@dataclass(frozen=True)
class Installed:
    version: str
    previous: str | None  # file name of the wheel installed before, kept for rollback


def verify(wheel: Path, public_key_pem: bytes, expect_name: str = DISTRIBUTION) -> UpdateManifest:
    """The signed manifest of ``wheel`` if everything checks out; raises :class:`UpdateRefused` otherwise."""
    signature_file = wheel.with_name(wheel.name + SIGNATURE_SUFFIX)
    if not wheel.is_file():
        raise UpdateRefused(f"{wheel}: no such file")
    if not signature_file.is_file():
        raise UpdateRefused(f"{wheel.name}: unsigned (no {signature_file.name}); refused")
    try:
        manifest, signature_b64 = UpdateManifest.from_json(signature_file.read_text())
        signature = base64.b64decode(signature_b64, validate=True)
        key = serialization.load_pem_public_key(public_key_pem)
    except (BadManifest, ValueError) as exc:
        raise UpdateRefused(f"{wheel.name}: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UpdateRefused("the unit's update key is not an Ed25519 public key")
    try:
        key.verify(signature, manifest.signed_bytes())
    except InvalidSignature:
        raise UpdateRefused(f"{wheel.name}: not signed by this organisation's update key; refused") from None
    digest = _sha256(wheel)
    if digest != manifest.sha256:
        raise UpdateRefused(f"{wheel.name}: SHA-256 {digest} is not the signed {manifest.sha256}; refused")
    if manifest.file != wheel.name or wheel_name_and_version(wheel.name) != (manifest.name, manifest.version):
        raise UpdateRefused(f"{wheel.name}: signed as {manifest.file}; refused")
    if manifest.name != expect_name:
        raise UpdateRefused(f"{wheel.name}: a wheel of {manifest.name}, not {expect_name}; refused")
    return manifest


def install(
    wheel: Path, public_key_pem: bytes, venv: Path = DEFAULT_VENV, store: Path = DEFAULT_STORE,
    expect_name: str = DISTRIBUTION,
) -> Installed:  # fmt: skip
    """Verify ``wheel``, keep it in the store, install it into ``venv``; returns the version now installed."""
    manifest = verify(wheel, public_key_pem, expect_name)
    store.mkdir(parents=True, exist_ok=True)
    kept = store / wheel.name
    if kept.resolve() != wheel.resolve():
        shutil.copyfile(wheel, kept)
        signature = wheel.with_name(wheel.name + SIGNATURE_SUFFIX)
        shutil.copyfile(signature, kept.with_name(kept.name + SIGNATURE_SUFFIX))
    verify(kept, public_key_pem, expect_name)  # the copy that pip reads is the one checked
    state = _state(store)
    _pip_install(venv, kept, store)
    version = installed_version(venv, manifest.name)
    if version != manifest.version:
        raise UpdateRefused(f"after installing {kept.name} the venv reports version {version}")
    previous = state.get("current") if state.get("current") != kept.name else state.get("previous")
    _write_state(store, {"current": kept.name, "previous": previous})
    return Installed(version, previous)


def rollback(
    public_key_pem: bytes, venv: Path = DEFAULT_VENV, store: Path = DEFAULT_STORE,
    expect_name: str = DISTRIBUTION,
) -> Installed:  # fmt: skip
    """Reinstall the previous wheel from the store (verified again)."""
    state = _state(store)
    if not state.get("previous"):
        raise UpdateRefused("no previous version in the store to go back to")
    previous = store / state["previous"]
    manifest = verify(previous, public_key_pem, expect_name)
    _pip_install(venv, previous, store)
    version = installed_version(venv, manifest.name)
    _write_state(store, {"current": previous.name, "previous": state.get("current")})
    return Installed(version, state.get("current"))


def installed_version(venv: Path, name: str = DISTRIBUTION) -> str | None:
    """The version of ``name`` that ``venv``'s Python sees (None: not installed)."""
    done = subprocess.run(
        # -I: only the venv's own packages count, not a source checkout in the working folder
        [str(_python(venv)), "-I", "-c", "import sys, importlib.metadata as m; print(m.version(sys.argv[1]))",
         name],
        capture_output=True, text=True, timeout=60, cwd=venv,
    )  # fmt: skip
    return done.stdout.strip() if done.returncode == 0 else None


def _pip_install(venv: Path, wheel: Path, store: Path) -> None:
    done = subprocess.run(
        [
            str(_python(venv)), "-I", "-m", "pip", "install", "--no-index", "--find-links", str(store),
            "--force-reinstall", "--no-input", "--disable-pip-version-check", str(wheel),
        ],
        capture_output=True, text=True, timeout=600, cwd=venv,
    )  # fmt: skip
    if done.returncode != 0:
        raise UpdateRefused(f"pip could not install {wheel.name}: {done.stderr.strip()[-800:]}")


def _python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _state(store: Path) -> dict:
    path = store / STATE_NAME
    return json.loads(path.read_text()) if path.exists() else {}


def _write_state(store: Path, state: dict) -> None:
    tmp = store / f".{STATE_NAME}.tmp"
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    tmp.rename(store / STATE_NAME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m device.update", description=__doc__.splitlines()[0])
    parser.add_argument("--key", type=Path, default=DEFAULT_KEY, help="the organisation's public update key")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="verify and install a signed wheel").add_argument("wheel", type=Path)
    sub.add_parser("rollback", help="reinstall the previous version")
    sub.add_parser("version", help="the version installed in the venv")
    args = parser.parse_args(argv)
    if args.command == "version":
        print(installed_version(args.venv) or "not installed")
        return 0
    try:
        key = args.key.read_bytes()
        done = (
            install(args.wheel, key, args.venv, args.store)
            if args.command == "install"
            else rollback(key, args.venv, args.store)
        )
    except (UpdateRefused, OSError) as exc:
        print(f"update refused: {exc}", file=sys.stderr)
        return 1
    kept = f" (previous kept: {done.previous})" if done.previous else ""
    print(f"installed version {done.version}{kept}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
