"""Hashing of PINs and passwords (argon2id through pwdlib): only hashes are stored.

The parameters are OWASP's recommended minimum for argon2id (19 MiB of memory, two
passes, one lane), chosen for what they guard on the machine that serves a class:

- A team PIN is 6 characters of a 27-letter alphabet: 27⁶ ≈ 387 million PINs. Online,
  wrong PINs lock the team after a few tries (app.services.throttle), so the hash's cost
  does not stand between a classmate and a team. Offline, someone holding the database
  must try half the PINs of one team on average: at about 30 ms a try on a laptop core,
  some 67 core-days per team, to play a classroom game as another team; 19 MiB a try
  keeps GPUs from doing much better.
- A class logs in at once: 60 phones in one burst cost 60 × 30 ms of CPU, under 2 s on a
  two-core laptop, where argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes: about 130 ms
  and 64 MiB each, 60 × 64 MiB at once in the worst case) took four times as long.
- The instructor's password is 12 characters of the same alphabet (57 bits): far out of
  reach at the same cost.

Hashes made with other parameters (older databases) still verify: argon2 stores its
parameters in each hash.
"""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),))


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return _hasher.hash(secret)


def secret_matches(secret: str, secret_hash: str) -> bool:
    """Whether ``secret`` is the one ``secret_hash`` was made from."""
    return _hasher.verify(secret, secret_hash)


# Verified when there is nothing to verify against, so a miss costs the same time as a hit.
DUMMY_HASH = hash_secret("no-such-secret")
