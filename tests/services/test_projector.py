"""The projector: a level is announced (never a draft, never another lesson's); the room sees
its title, state and standings as teams may, the password only while the instructor shows
it on an open level, and after the reveal the reveal and the lesson's points."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import lock_for_write, utcnow
from app.errors import Refused
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import LiveVersion
from app.services.lessons import create_lesson
from app.services.levels import add_level, set_level_state
from app.services.logins import end_team_logins, sign_in
from app.services.projector import announce, projector_view
from tests.support import Demo


def live_version(session, lesson_id: int) -> int:
    session.expire_all()
    return (
        session.scalar(select(LiveVersion.version).where(LiveVersion.lesson_id == lesson_id)) or 0
    )


def test_nothing_is_announced_before_the_instructor_says(session, demo: Demo) -> None:
    fresh = create_lesson(session, name="Before class", now=utcnow())
    view = projector_view(session, lesson=fresh, now=utcnow())
    assert view.level is None and view.lesson.teams == 0 and view.overall is None
    assert view.lesson.joined == 0


def test_a_draft_or_another_lessons_level_is_refused(session, demo: Demo) -> None:
    lock_for_write(session)
    draft = add_level(session, lesson_id=demo.lesson.id, spec=LevelSpec("Hidden", "x^2", -1, 1))
    session.commit()
    other = create_lesson(session, name="Another class", now=utcnow())
    for lesson_id, level_id, code in [
        (demo.lesson.id, draft.id, "announce_draft"),
        (other.id, demo.levels[0].id, "level_not_found"),
        (demo.lesson.id, "twelve", "level_not_found"),
    ]:
        with pytest.raises(Refused) as caught:
            announce(
                session, lesson_id=lesson_id, level_id=level_id, show_password=False, now=utcnow()
            )
        assert caught.value.code == code


def test_the_password_shows_only_while_chosen_and_open(session, demo: Demo) -> None:
    level = demo.levels[1]  # the demo's level with a password
    set_level_state(session, level=level, state=LevelState.OPEN, now=utcnow())
    view = projector_view(session, lesson=demo.lesson, now=utcnow())
    assert view.level is not None and view.level.id == level.id  # opening announces it
    assert view.level.password is None
    announce(session, lesson_id=demo.lesson.id, level_id=level.id, show_password=True, now=utcnow())
    view = projector_view(session, lesson=demo.lesson, now=utcnow())
    assert view.level is not None and view.level.password == level.password
    assert view.level.reveal is None and view.level.standings.rows == []
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
    view = projector_view(session, lesson=demo.lesson, now=utcnow())
    assert view.level is not None and view.level.password is None  # closed: no password
    set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
    view = projector_view(session, lesson=demo.lesson, now=utcnow())
    assert view.level is not None and view.level.reveal is not None
    assert view.overall is not None and view.overall.levels == 1
    # nobody played it: no team placed, none is listed as if it had
    assert view.overall.rows == [] and view.overall.more == len(demo.teams)


def test_the_projector_counts_the_teams_that_joined_out_of_those_made(session, demo: Demo) -> None:
    def counts() -> tuple[int, int]:
        session.expire_all()
        lesson = projector_view(session, lesson=demo.lesson, now=utcnow()).lesson
        return lesson.joined, lesson.teams

    before = live_version(session, demo.lesson.id)
    assert counts() == (0, len(demo.teams))
    for _ in range(2):  # a team that logs in twice (two phones) joined once
        sign_in(session, team_id=demo.teams[3].id, now=utcnow())
    sign_in(session, team_id=None, now=utcnow())  # the instructor is no team
    assert counts() == (1, len(demo.teams))
    assert live_version(session, demo.lesson.id) == before + 1  # the screen moves, once
    end_team_logins(session, team_id=demo.teams[3].id)  # logged out: it still joined
    session.commit()
    assert counts() == (1, len(demo.teams))
