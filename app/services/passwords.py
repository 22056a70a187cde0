"""Hashing of PINs and passwords (argon2 through pwdlib): only hashes are stored."""

from __future__ import annotations

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return _hasher.hash(secret)


def secret_matches(secret: str, secret_hash: str) -> bool:
    """Whether ``secret`` is the one ``secret_hash`` was made from."""
    return _hasher.verify(secret, secret_hash)


# Verified when there is nothing to verify against, so a miss costs the same time as a hit.
DUMMY_HASH = hash_secret("no-such-secret")
