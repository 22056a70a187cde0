"""Entering levels, their passwords, and a level's life."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.errors import Refused
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import Progress
from app.services.levels import add_level, enter_level, set_level_state
from tests.support import Demo


def test_a_password_level_needs_its_password_said_aloud(session, demo: Demo) -> None:
    team, level = demo.teams[1], demo.levels[1]
    now = utcnow()
    set_level_state(session, level=level, state=LevelState.OPEN, now=now)
    with pytest.raises(Refused) as caught:
        enter_level(session, team=team, level_id=level.id, password="hill", now=now)
    assert caught.value.code == "password_wrong"
    assert session.get(Progress, (team.id, level.id)) is None
    # case and extra spaces do not matter
    enter_level(session, team=team, level_id=level.id, password="  Valley ", now=now)
    assert session.get(Progress, (team.id, level.id)) is not None
    # entering again is harmless, even without the password
    enter_level(session, team=team, level_id=level.id, password=None, now=now)


def test_guessing_level_passwords_is_throttled_per_team(session, demo: Demo) -> None:
    level = demo.levels[1]
    now = utcnow()
    set_level_state(session, level=level, state=LevelState.OPEN, now=now)
    for attempt in range(6):
        with pytest.raises(Refused) as caught:
            enter_level(
                session, team=demo.teams[1], level_id=level.id, password=f"guess{attempt}", now=now
            )
    assert caught.value.code == "too_many_attempts"
    enter_level(session, team=demo.teams[2], level_id=level.id, password="valley", now=now)


def test_draft_and_closed_levels_cannot_be_entered(session, demo: Demo) -> None:
    team = demo.teams[1]
    with pytest.raises(Refused) as caught:
        enter_level(session, team=team, level_id=demo.levels[1].id, password="valley", now=utcnow())
    assert caught.value.code == "level_not_found"
    set_level_state(session, level=demo.levels[0], state=LevelState.CLOSED, now=utcnow())
    with pytest.raises(Refused) as caught:
        enter_level(session, team=team, level_id=demo.levels[0].id, password=None, now=utcnow())
    assert caught.value.code == "level_closed"


def test_a_levels_life(session, demo: Demo) -> None:
    level = demo.levels[2]
    now = utcnow()
    with pytest.raises(ValueError, match="cannot become revealed"):
        set_level_state(session, level=level, state=LevelState.REVEALED, now=now)
    set_level_state(session, level=level, state=LevelState.OPEN, now=now)
    assert level.opened_at == now
    # the level has a time limit: past it, it is closed without anyone closing it
    later = now + timedelta(seconds=level.time_limit_seconds + 1)
    assert level.clock.state_at(later) is LevelState.CLOSED
    set_level_state(session, level=level, state=LevelState.REVEALED, now=later)
    assert level.closed_at == now + timedelta(seconds=level.time_limit_seconds)
    with pytest.raises(ValueError):
        set_level_state(session, level=level, state=LevelState.OPEN, now=later)


def test_closing_and_reopening(session, demo: Demo) -> None:
    level = demo.levels[0]
    now = utcnow()
    set_level_state(session, level=level, state=LevelState.CLOSED, now=now)
    assert level.closed_at == now
    set_level_state(session, level=level, state=LevelState.OPEN, now=now + timedelta(seconds=5))
    assert level.state == "open" and level.closed_at is None


def test_saving_a_level_finds_its_minimum_and_refuses_a_function_not_finite(
    session, demo: Demo
) -> None:
    level = add_level(
        session,
        lesson_id=demo.lesson.id,
        spec=LevelSpec(title="Shifted", expression="(x + 1)^2 - 3", x_min=-5, x_max=5),
    )
    assert level.x_star == pytest.approx(-1, abs=1e-6)
    assert level.f_star == pytest.approx(-3)
    assert level.position == 4 and level.state == "draft"
    with pytest.raises(Refused) as caught:
        add_level(
            session,
            lesson_id=demo.lesson.id,
            spec=LevelSpec(title="Bad", expression="sqrt(x)", x_min=-1, x_max=1),
        )
    assert caught.value.code == "expression_not_finite"
    assert caught.value.params["x"] == -1
    with pytest.raises(Refused) as caught:
        add_level(
            session,
            lesson_id=demo.lesson.id,
            spec=LevelSpec(title="Bad", expression="x + nope", x_min=-1, x_max=1),
        )
    assert caught.value.code == "expression_unknown_name"
    assert caught.value.params["position"] == 4
