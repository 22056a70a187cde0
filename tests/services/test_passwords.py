"""Secrets are kept only as salted argon2 hashes."""

from __future__ import annotations

from app.services.passwords import hash_secret, secret_matches


def test_a_secret_is_stored_salted_and_checked_exactly() -> None:
    first, second = hash_secret("K7-PIN"), hash_secret("K7-PIN")
    assert first != second and "K7-PIN" not in first  # salted: no two hashes alike
    assert first.startswith("$argon2")
    assert secret_matches("K7-PIN", first) and secret_matches("K7-PIN", second)
    assert not secret_matches("k7-pin", first) and not secret_matches("", first)
