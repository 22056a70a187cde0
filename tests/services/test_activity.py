"""Who plays, as the projector's tiles show it: cooldowns as the rules count them, and a
large event's counts counted by the database."""

from __future__ import annotations

from datetime import timedelta

from app.db import lock_for_write, utcnow
from app.models import Team
from app.services.activity import MAX_TILES, activity
from app.services.levels import enter_level
from app.services.submit import submit_guess
from tests.support import Demo, set_level


def play(session, demo: Demo, number: int, seconds_ago: float, batch: int | None = None) -> None:
    team, level = demo.teams[number], demo.levels[0]
    at = utcnow() - timedelta(seconds=seconds_ago)
    enter_level(session, team=team, level_id=level.id, password=None, now=at)
    submit_guess(
        session,
        team=team,
        level_id=level.id,
        raw_x="1",
        raw_batch=None if batch is None else str(batch),
        idempotency_key=f"activity-{number:04d}",
        now=at,
    )


def test_a_guess_on_a_batch_cools_the_team_down_for_that_many_cooldowns(session, demo) -> None:
    level = demo.levels[0]
    set_level(session, level, cooldown_seconds=10, slope_noise=0.5, batch_max=8)
    play(session, demo, 1, seconds_ago=15, batch=4)  # waits 40 s: 25 s to go
    play(session, demo, 2, seconds_ago=15, batch=1)  # waited its 10 s
    play(session, demo, 3, seconds_ago=5)  # a batch of one: 5 s to go
    now = utcnow()
    shown = activity(session, level, now)
    tiles = {tile.number: tile for tile in shown.tiles or []}
    assert tiles[1].ready_at is not None and tiles[1].ready_at - now > timedelta(seconds=20)
    assert tiles[2].ready_at is None
    assert tiles[3].ready_at is not None and tiles[3].ready_at - now < timedelta(seconds=6)
    assert (shown.played, shown.cooling) == (3, 2)


def test_beyond_the_tiles_the_counts_alone_say_the_same(session, demo) -> None:
    level = demo.levels[0]
    set_level(session, level, cooldown_seconds=10, slope_noise=0.5, batch_max=8)
    play(session, demo, 1, seconds_ago=15, batch=4)
    play(session, demo, 2, seconds_ago=15, batch=1)
    play(session, demo, 3, seconds_ago=5)
    small = activity(session, level, utcnow())
    assert small.tiles is not None and len(small.tiles) == len(demo.teams) <= MAX_TILES
    lock_for_write(session)
    hashed = demo.teams[1].pin_hash
    extra = MAX_TILES + 1 - len(demo.teams)
    for number in range(len(demo.teams) + 1, MAX_TILES + 2):
        session.add(Team(lesson_id=demo.lesson.id, number=number, pin_hash=hashed))
    session.commit()
    large = activity(session, level, utcnow())
    assert large.tiles is None  # a large event gets the counts alone
    assert (large.teams, large.joined) == (small.teams + extra, small.joined)
    assert (large.played, large.cooling) == (small.played, small.cooling) == (3, 2)
