"""Logging teams in: PINs, join codes, throttling per team (never per address)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import Database, utcnow
from app.errors import Refused
from app.game.throttle import FREE_ATTEMPTS
from app.models import Team
from app.services.lessons import create_lesson
from app.services.teams import login_team, register_team, set_registration
from tests.support import Demo, run_together


def test_a_team_logs_in_with_its_number_and_pin_typed_loosely(session, demo: Demo) -> None:
    team = login_team(
        session, join_code=" demo ", team_number=" 3", pin=demo.pin(3).lower(), now=utcnow()
    )
    assert team.id == demo.teams[3].id


@pytest.mark.parametrize(
    ("join_code", "number", "pin", "code"),
    [
        ("NOPE", "1", None, "lesson_not_found"),
        ("", "1", None, "lesson_not_found"),
        ("DEMO", "x", None, "team_number_invalid"),
        ("DEMO", "0", None, "team_number_invalid"),
        ("DEMO", "", None, "team_number_invalid"),
        ("DEMO", "³", None, "team_number_invalid"),
        ("DEMO", "١", None, "team_number_invalid"),
        ("DEMO", "1", "WRONG1", "login_failed"),
        ("DEMO", "1", "", "login_failed"),
        ("DEMO", "77", None, "login_failed"),
    ],
)
def test_wrong_logins_are_refused(session, demo: Demo, join_code, number, pin, code) -> None:
    with pytest.raises(Refused) as caught:
        login_team(
            session,
            join_code=join_code,
            team_number=number,
            pin=pin if pin is not None else demo.pin(1),
            now=utcnow(),
        )
    assert caught.value.code == code


def test_an_archived_lesson_takes_no_logins(session, demo: Demo) -> None:
    demo.lesson.archived = True
    session.commit()
    with pytest.raises(Refused) as caught:
        login_team(session, join_code="DEMO", team_number=1, pin=demo.pin(1), now=utcnow())
    assert caught.value.code == "lesson_archived"


def test_wrong_pins_lock_the_team_not_the_class(session, demo: Demo) -> None:
    now = utcnow()
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(Refused) as caught:
            login_team(session, join_code="DEMO", team_number=1, pin="AAAAAA", now=now)
        assert caught.value.code == "login_failed"
    # team 1 is locked now, even with its right PIN...
    with pytest.raises(Refused) as caught:
        login_team(session, join_code="DEMO", team_number=1, pin=demo.pin(1), now=now)
    assert caught.value.code == "too_many_attempts"
    assert caught.value.params["seconds"] == 15
    # ...but every other team of the same classroom still logs in
    for number in range(2, 11):
        assert (
            login_team(
                session, join_code="DEMO", team_number=number, pin=demo.pin(number), now=now
            ).number
            == number
        )
    # and team 1 gets in once the lock has passed, which also forgets its wrong tries
    later = now + timedelta(seconds=16)
    assert login_team(session, join_code="DEMO", team_number=1, pin=demo.pin(1), now=later)
    with pytest.raises(Refused) as caught:
        login_team(session, join_code="DEMO", team_number=1, pin="AAAAAA", now=later)
    assert caught.value.code == "login_failed"


def test_teams_registering_at_once_get_distinct_numbers_within_the_cap(
    database: Database, session, demo: Demo
) -> None:
    lesson = create_lesson(session, name="Rush hour", now=utcnow())
    set_registration(session, lesson_id=lesson.id, enabled=True, cap="5")
    outcomes: list[str] = []

    def sign_up(i: int) -> None:
        with database.sessions() as own:
            try:
                register_team(own, join_code=lesson.join_code, name=f"Team {i}", now=utcnow())
                outcomes.append("registered")
            except Refused as refused:
                outcomes.append(refused.code)

    run_together(8, sign_up)
    assert sorted(outcomes) == ["lesson_full"] * 3 + ["registered"] * 5
    session.expire_all()
    numbers = session.scalars(select(Team.number).where(Team.lesson_id == lesson.id)).all()
    assert sorted(numbers) == [1, 2, 3, 4, 5]
