"""Signed-in browsers: made at a login, ended by a logout, a new PIN or password."""

from __future__ import annotations

from sqlalchemy import select

from app.db import utcnow
from app.models import Login
from app.services.logins import (
    end_instructor_logins,
    end_login,
    end_team_logins,
    instructor_signed_in,
    sign_in,
)
from tests.support import Demo


def live(session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(Login.id)))


def test_logins_end_one_by_one_or_by_team_or_for_the_instructor(session, demo: Demo) -> None:
    team_1, team_2 = demo.teams[1].id, demo.teams[2].id
    phone_a, phone_b = (sign_in(session, team_id=team_1, now=utcnow()) for _ in range(2))
    other = sign_in(session, team_id=team_2, now=utcnow())
    laptop = sign_in(session, team_id=None, now=utcnow())
    assert len({phone_a, phone_b, other, laptop}) == 4 and len(phone_a) == 32
    assert instructor_signed_in(session, login_id=laptop)
    assert not instructor_signed_in(session, login_id=phone_a)  # a team's is not the console's
    assert not instructor_signed_in(session, login_id=None)

    end_login(session, login_id=phone_a)
    assert live(session) == {phone_b, other, laptop}
    end_login(session, login_id=12345)  # not a login id: nothing happens
    end_team_logins(session, team_id=team_1)
    end_instructor_logins(session)
    session.commit()
    assert live(session) == {other}
    assert not instructor_signed_in(session, login_id=laptop)
