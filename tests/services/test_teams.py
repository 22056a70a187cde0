"""Logging teams in: PINs, join codes, throttling per team (never per address)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.errors import Refused
from app.game.throttle import FREE_ATTEMPTS
from app.services.teams import login_team
from tests.support import Demo


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
