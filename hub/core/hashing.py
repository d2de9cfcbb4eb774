"""Hashing secrets with argon2id (passwords, PINs, the units' staff codes). No I/O.

Everything is hashed alike with argon2-cffi's ``PasswordHasher`` (argon2id, the library's
RFC 9106 defaults); the scanner units verify the staff-code hash the hub sends them with the same
class, so the parameters must stay what both sides' defaults read from the hash itself.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verified when the account does not exist, so that an unknown e-mail costs as long as a known one.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


def hash_secret(secret: str) -> str:
    return _HASHER.hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    """Whether ``secret`` matches; a missing or unusable hash never matches (and takes as long)."""
    try:
        return _HASHER.verify(secret_hash or _DUMMY_HASH, secret) and secret_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
