"""How long to lock out a team after wrong PINs or level passwords."""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_ATTEMPTS = 5
FIRST_LOCK_SECONDS = 15
MAX_LOCK_SECONDS = 600


def lock_after_failure(failures: int, now: datetime) -> datetime | None:
    """Until when the subject is locked after its ``failures``-th wrong attempt in a row.

    The first ``FREE_ATTEMPTS`` wrong attempts cost nothing (fingers slip); each one after
    doubles the wait, from 15 seconds to at most 10 minutes.
    """
    if failures < FREE_ATTEMPTS:
        return None
    seconds = min(FIRST_LOCK_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCK_SECONDS)
    return now + timedelta(seconds=seconds)
