"""The demo lesson: the lecture's three functions, ten teams, seeded once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import utcnow
from app.game.expression import compile_function
from app.models import Lesson, Level, Team
from app.services.demo import seed_demo
from app.services.teams import login_team
from tests.support import SECRET


def test_seeding_twice_changes_nothing(session) -> None:
    before = [session.scalar(select(func.count()).select_from(t)) for t in (Lesson, Team, Level)]
    result = seed_demo(session, secret_key=SECRET, now=utcnow())
    after = [session.scalar(select(func.count()).select_from(t)) for t in (Lesson, Team, Level)]
    assert not result.created
    assert before == after == [1, 10, 3]


def test_the_demo_is_playable_at_once_and_teaches_the_trap(session) -> None:
    result = seed_demo(session, secret_key=SECRET, now=utcnow())
    first, second, third = result.levels
    assert [lv.state for lv in result.levels] == ["open", "draft", "draft"]
    assert first.password is None and second.password and third.password
    assert all(lv.cooldown_seconds == 10 for lv in result.levels)
    # Function 2: from the middle of the domain the slope leads to the shallow well
    f2 = compile_function(second.expression)
    middle = (second.x_min + second.x_max) / 2
    assert f2.at(middle).slope < 0 < second.x_star - second.x_min
    assert second.x_star < middle
    # Function 3 has many local minima
    f3 = compile_function(third.expression)
    xs = [third.x_min + i * (third.x_max - third.x_min) / 2000 for i in range(2001)]
    slopes = [f3.at(x).slope for x in xs]
    minima = sum(1 for a, b in zip(slopes, slopes[1:], strict=False) if a < 0 <= b)
    assert minima >= 5


def test_demo_pins_are_derived_from_the_secret_and_always_work(session) -> None:
    pins = seed_demo(session, secret_key=SECRET, now=utcnow()).pins
    assert len(set(pins.values())) == 10
    # a new secret key: the printed PINs change, and they are the ones that log in
    other = seed_demo(session, secret_key=SECRET + "-rotated", now=utcnow()).pins
    assert pins != other
    team = login_team(session, join_code="DEMO", team_number=3, pin=other[3], now=utcnow())
    assert team.number == 3
