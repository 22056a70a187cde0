"""Wrong attempts are counted per subject: a few are free, then the waits double; a right one
forgets them. Another subject (another team) is never locked by them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import lock_for_write, utcnow
from app.errors import Refused
from app.game.throttle import FIRST_LOCK_SECONDS, FREE_ATTEMPTS
from app.services.throttle import ensure_not_locked, record_attempt

SCOPE = {"scope": "level_password", "subject": "team:1:level:1"}


def fail(session, times: int, now) -> None:
    lock_for_write(session)
    for _ in range(times):
        record_attempt(session, success=False, now=now, **SCOPE)
    session.commit()


def test_free_attempts_then_a_lock_that_doubles(session) -> None:
    now = utcnow()
    fail(session, FREE_ATTEMPTS - 1, now)
    ensure_not_locked(session, now=now, **SCOPE)  # fingers slip: no lock yet
    fail(session, 1, now)
    with pytest.raises(Refused) as caught:
        ensure_not_locked(session, now=now, **SCOPE)
    assert caught.value.code == "too_many_attempts"
    assert caught.value.params["seconds"] == FIRST_LOCK_SECONDS
    ensure_not_locked(session, now=now + timedelta(seconds=FIRST_LOCK_SECONDS), **SCOPE)
    fail(session, 1, now)
    with pytest.raises(Refused) as again:
        ensure_not_locked(session, now=now, **SCOPE)
    assert again.value.params["seconds"] == 2 * FIRST_LOCK_SECONDS
    # another team's subject is untouched
    ensure_not_locked(session, scope="level_password", subject="team:2:level:1", now=now)


def test_a_right_attempt_forgets_the_wrong_ones(session) -> None:
    now = utcnow()
    fail(session, FREE_ATTEMPTS - 1, now)
    lock_for_write(session)
    record_attempt(session, success=True, now=now, **SCOPE)
    session.commit()
    fail(session, FREE_ATTEMPTS - 1, now)
    ensure_not_locked(session, now=now, **SCOPE)  # counting starts again
