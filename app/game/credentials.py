"""Short codes people type: team PINs and lesson join codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L, 5/S, 2/Z: a PIN read off a slip of paper is typed right the first time.
ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
PIN_LENGTH = 6


def new_code(length: int) -> str:
    """A random code of ``length`` characters from the unambiguous alphabet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_password() -> str:
    """A password to read off a terminal and type: three groups of four, like K7QX-M3HD-9TRW."""
    return "-".join(new_code(4) for _ in range(3))


def derived_code(secret: str, purpose: str, length: int) -> str:
    """A code derived from the server's secret, so it can be printed again on every start."""
    digest = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[:length])


def normalize_code(typed: str) -> str:
    """What a person meant: spaces and dashes dropped, case ignored."""
    return typed.strip().replace(" ", "").replace("-", "").upper()
