"""Which passwords are accepted, and how secrets are hashed."""

from __future__ import annotations

from hub.accounts.passwords import hash_secret, password_problem, verify_secret


def test_a_password_is_typed_twice_alike_and_is_long_enough() -> None:
    assert "niet gelijk" in password_problem("een-lang-wachtwoord", "een-lang-wachtwoorD")
    assert "minstens 10" in password_problem("kort-1", "kort-1")
    assert "eenvoudig" in password_problem("aaaaaaaaaaaa", "aaaaaaaaaaaa")
    assert password_problem("zonnebloem-2026", "zonnebloem-2026") is None


def test_secrets_are_argon2id_hashes_that_never_match_a_missing_hash() -> None:
    hashed = hash_secret("4826")
    assert hashed.startswith("$argon2id$")
    assert verify_secret(hashed, "4826") and not verify_secret(hashed, "4827")
    assert not verify_secret(None, "4826") and not verify_secret("not a hash", "4826")
