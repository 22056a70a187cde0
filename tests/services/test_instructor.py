"""The instructor's account: never a default password, one generated and shown once, a
configured one kept, wrong passwords refused and throttled."""

from __future__ import annotations

import pytest

from app.db import utcnow
from app.errors import Refused
from app.game.throttle import FREE_ATTEMPTS
from app.models import Instructor
from app.services.instructor import ensure_password, login_instructor, set_password


def refusal(action) -> str:
    with pytest.raises(Refused) as caught:
        action()
    return caught.value.code


def test_a_first_start_generates_a_password_shown_once(session) -> None:
    session.query(Instructor).delete()
    session.commit()
    generated = ensure_password(session, configured=None, now=utcnow())
    assert generated is not None and len(generated) >= 10
    assert ensure_password(session, configured=None, now=utcnow()) is None  # not again
    login_instructor(session, password=generated, now=utcnow())


def test_a_configured_password_is_kept_and_a_short_one_refused(session) -> None:
    ensure_password(session, configured="a-configured-password", now=utcnow())
    login_instructor(session, password="a-configured-password", now=utcnow())
    short = lambda: ensure_password(session, configured="short", now=utcnow())  # noqa: E731
    assert refusal(short) == "instructor_password_too_short"
    login_instructor(session, password="a-configured-password", now=utcnow())  # unchanged


def test_wrong_passwords_are_refused_then_throttled(session) -> None:
    set_password(session, password="the-right-password", now=utcnow())
    for _ in range(FREE_ATTEMPTS):
        wrong = lambda: login_instructor(session, password="guess", now=utcnow())  # noqa: E731
        assert refusal(wrong) == "instructor_password_wrong"
    right = lambda: login_instructor(session, password="the-right-password", now=utcnow())  # noqa: E731
    assert refusal(right) == "too_many_attempts"  # even the right one waits out the lock
