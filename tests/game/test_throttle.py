"""How long a team waits after wrong PINs or level passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.game.throttle import FREE_ATTEMPTS, MAX_LOCK_SECONDS, lock_after_failure

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_few_slips_cost_nothing_then_the_wait_doubles_up_to_a_cap() -> None:
    assert all(lock_after_failure(n, NOW) is None for n in range(1, FREE_ATTEMPTS))
    waits = [
        (lock_after_failure(n, NOW) - NOW).total_seconds()
        for n in range(FREE_ATTEMPTS, FREE_ATTEMPTS + 8)
    ]
    assert waits[:3] == [15, 30, 60]
    assert waits == sorted(waits)
    assert max(waits) == MAX_LOCK_SECONDS
    assert lock_after_failure(100, NOW) == NOW + timedelta(seconds=MAX_LOCK_SECONDS)
