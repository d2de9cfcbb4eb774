"""What the portal accepts as a password. No I/O. Hashing is :mod:`hub.core.hashing` (re-exported)."""

from __future__ import annotations

from hub.core.hashing import hash_secret, verify_secret

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "hash_secret", "password_problem", "verify_secret"]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # hashing a megabyte of "password" is a cheap way to load a server


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
