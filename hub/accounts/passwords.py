"""Hashing secrets with argon2id, and what the portal accepts as a password. No I/O.

Passwords and PINs are hashed alike with argon2-cffi's ``PasswordHasher`` (argon2id, the
library's RFC 9106 defaults); the scanner units verify the PIN hash the hub sends them with the
same class, so the parameters must stay what both sides' defaults read from the hash itself.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # hashing a megabyte of "password" is a cheap way to load a server

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


def password_problem(password: str, repeated: str) -> str | None:
    """Why a new password cannot be set (Dutch, for the screen), or None."""
    if password != repeated:
        return "De twee wachtwoorden zijn niet gelijk. Typ twee keer hetzelfde wachtwoord."
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Kies een wachtwoord van hoogstens {MAX_PASSWORD_LENGTH} tekens."
    if len(set(password)) < 4:
        return "Dit wachtwoord is te eenvoudig: gebruik meer verschillende tekens."
    return None
