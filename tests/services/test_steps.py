"""Where a stepping team stands: at the level's start (the middle unless set), then where its
last step took it, with the slope it received there."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import lock_for_write, utcnow
from app.game.moves import Mode
from app.game.settings import LevelSpec
from app.models import Progress
from app.services.levels import enter_level
from app.services.steps import position, start_position
from app.services.submit import submit_guess
from tests.support import Demo, open_level

SPEC = LevelSpec(title="Steps", expression="(x - 1)^2", x_min=-4, x_max=6, mode=Mode.LEARNING_RATE)


def test_a_team_starts_in_the_middle_then_stands_where_it_stepped(session, demo: Demo) -> None:
    level = open_level(session, demo.lesson.id, SPEC)
    team = demo.teams[1]
    start = start_position(level, team.id)
    assert (start.x, start.fx, start.slope) == (1.0, 0.0, 0.0)  # the middle of [-4, 6]
    lock_for_write(session)
    level.start_x = 3.0
    session.commit()
    at = start_position(level, team.id)
    assert (at.x, at.fx, at.slope) == (3.0, 4.0, 4.0)
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    progress = session.get(Progress, (team.id, level.id))
    assert position(session, level, progress) == at
    submit_guess(
        session, team=team, level_id=level.id, raw_eta="0.25", idempotency_key="step-0001", now=now
    )
    moved = position(session, level, progress)
    assert (moved.x, moved.fx, moved.slope) == (2.0, 1.0, 2.0)  # x ← 3 − 0.25·4
    assert moved.velocity == pytest.approx(-1.0)
    later = now + timedelta(seconds=11)
    submit_guess(
        session,
        team=team,
        level_id=level.id,
        raw_eta="0.25",
        idempotency_key="step-0002",
        now=later,
    )
    assert position(session, level, progress).x == 1.5
