"""The signed manifest of a software update for the units (stdlib only, shared by signer and unit).

``aanwezig-provision sign-update WHEEL`` writes ``WHEEL.sig`` beside the wheel: a JSON object with
the wheel's file name, distribution name, version, SHA-256 and signing time, plus ``signature``:
Ed25519 (the organisation's update key) over :func:`signed_bytes` of the other fields, base64. The
unit (``device/update.py``) installs a wheel only when the signature verifies with the public key
in its bundle and the file's SHA-256 and name match the manifest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass

SIGNATURE_SUFFIX = ".sig"
SIGNATURE_SCHEME = "ed25519"
# name-version(-build)?-python-abi-platform.whl (PEP 427; names normalised with underscores)
_WHEEL_NAME = re.compile(
    r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[A-Za-z0-9_.!+]+)(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$"
)


class BadManifest(ValueError):
    """A signature file that is not a manifest this version understands."""


@dataclass(frozen=True)
class UpdateManifest:
    file: str
    name: str
    version: str
    sha256: str
    signed_at: str
    scheme: str = SIGNATURE_SCHEME

    def signed_bytes(self) -> bytes:
        """What the signature covers: every field, as compact JSON with sorted keys."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    def to_json(self, signature_b64: str) -> str:
        return json.dumps({**asdict(self), "signature": signature_b64}, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> tuple[UpdateManifest, str]:
        """(manifest, base64 signature) from a signature file's text."""
        try:
            raw = json.loads(text)
            signature = raw.pop("signature")
            manifest = cls(**raw)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BadManifest(f"not an update signature file: {exc}") from None
        if manifest.scheme != SIGNATURE_SCHEME or not re.fullmatch(r"[0-9a-f]{64}", manifest.sha256):
            raise BadManifest("unknown signature scheme or malformed sha256")
        return manifest, str(signature)


def wheel_name_and_version(file_name: str) -> tuple[str, str]:
    """The distribution name and version a wheel's file name declares."""
    match = _WHEEL_NAME.match(file_name)
    if not match:
        raise BadManifest(f"{file_name} is not a wheel's file name")
    return match["name"], match["version"]


def download_token(staff_key: bytes, file: str) -> str:
    """The password a unit sends to fetch ``file`` from the hub: HMAC-SHA256 of the file name with
    the unit's staff key (the hub holds it too, see wire/staffcode.py)."""
    return hmac.new(staff_key, b"update:" + file.encode(), hashlib.sha256).hexdigest()
