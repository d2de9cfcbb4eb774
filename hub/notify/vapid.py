"""The hub's VAPID key pair (RFC 8292): made on first use, kept in the hub's data folder.

The private key is a PEM file, mode 0600, next to the database it serves (``vapid.pem``); it never
leaves the hub. Browsers get the public key (uncompressed P-256 point, base64url) to subscribe with.
"""

from __future__ import annotations

import base64
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hub.core.files import narrow, private_dir, write_private

FILE_NAME = "vapid.pem"
_lock = threading.Lock()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def private_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    """The hub's VAPID private key, made (and written 0600) the first time it is needed."""
    path = key_path(data_dir)
    with _lock:
        if not path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            private_dir(path.parent)  # on PostgreSQL no database file has made the data folder yet
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            write_private(temporary, pem)
            os.replace(temporary, path)  # a crash leaves the old state or the whole key
        narrow(path)
        return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key(data_dir: Path) -> str:
    """The public key as ``pushManager.subscribe`` wants it: the uncompressed point, base64url."""
    point = (
        private_key(data_dir)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return b64url(point)
