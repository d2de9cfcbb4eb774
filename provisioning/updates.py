"""Signing software updates for the units with the organisation's Ed25519 key.

``aanwezig-provision update-key`` makes the key pair once, in ``update_key_dir`` (the private key
readable by root only); every bundle written afterwards carries the public key as
``update-key.pub``. ``aanwezig-provision sign-update WHEEL`` writes ``WHEEL.sig``
(:mod:`wire.update_manifest`). Keep the private key off the units, and a copy of it offline.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from provisioning.errors import ProvisionError
from wire.update_manifest import SIGNATURE_SUFFIX, UpdateManifest, wheel_name_and_version

PRIVATE_NAME = "update-signing.key"
PUBLIC_NAME = "update-key.pub"  # the same name in the key folder, the bundle and /etc/aanwezig


def make_key(folder: Path) -> Path:
    """Create the organisation's update key pair in ``folder``; returns the public key's path."""
    private, public = folder / PRIVATE_NAME, folder / PUBLIC_NAME
    if private.exists():
        raise ProvisionError(f"{private} bestaat al: met een nieuwe sleutel weigeren alle scanners updates")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public


def public_key_file(folder: Path) -> Path | None:
    path = folder / PUBLIC_NAME
    return path if path.exists() else None


def sign_update(wheel: Path, folder: Path, now: datetime | None = None) -> Path:
    """Write ``WHEEL.sig`` for ``wheel`` with the private key in ``folder``; returns its path."""
    private = folder / PRIVATE_NAME
    if not private.exists():
        raise ProvisionError(f"geen updatesleutel in {folder}: eerst 'aanwezig-provision update-key'")
    if not wheel.is_file():
        raise ProvisionError(f"{wheel} bestaat niet")
    try:
        name, version = wheel_name_and_version(wheel.name)
    except ValueError as exc:
        raise ProvisionError(str(exc)) from None
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ProvisionError(f"{private} is geen Ed25519-sleutel")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    manifest = UpdateManifest(
        file=wheel.name,
        name=name,
        version=version,
        sha256=digest,
        signed_at=(now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
    )
    signature = base64.b64encode(key.sign(manifest.signed_bytes())).decode()
    out = wheel.with_name(wheel.name + SIGNATURE_SUFFIX)
    out.write_text(manifest.to_json(signature))
    return out
