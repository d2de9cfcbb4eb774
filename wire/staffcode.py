"""The unit's staff code, keyed to one unit: what the hub hashes and the unit checks.

The hub gives each unit a random key at enrolment (the file ``staff.key`` in its bundle) and
sends it, in the unit's retained config, ``staff_code_hash``: an argon2id hash of
``keyed(key, code)``, never of the code itself. Without that unit's key the hash cannot be tested
against candidate codes, so one unit's config and bundle tell nothing about another unit's hash;
the location's portal PIN is a different secret that never leaves the hub at all.

Standard library only (the argon2 step is done by each side with argon2-cffi).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_BYTES = 32
KEY_FILE = "staff.key"  # beside unit.toml, in the bundle and in /etc/aanwezig


def new_key() -> str:
    """A fresh unit key, as hex (how the hub stores it and the bundle carries it)."""
    return secrets.token_hex(KEY_BYTES)


def parse_key(text: str) -> bytes:
    """The key from the text of a ``staff.key`` file; raises ValueError when it is not one."""
    key = bytes.fromhex(text.strip())
    if len(key) != KEY_BYTES:
        raise ValueError(f"a staff key has {KEY_BYTES} bytes, not {len(key)}")
    return key


def keyed(key: bytes, code: str) -> str:
    """HMAC-SHA256 of the typed code under the unit's key, hex: the secret argon2 hashes."""
    return hmac.new(key, b"aanwezig-staff-code:" + code.encode(), hashlib.sha256).hexdigest()
