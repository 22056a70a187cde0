"""Each lesson's mark: its live version (one more with every change the instructor makes)
and the guesses on its open levels (one more with every guess, without a shared row)."""

from __future__ import annotations

from datetime import timedelta

from app.db import lock_for_write, utcnow
from app.game.rules import LevelState
from app.services.levels import enter_level, set_level_state
from app.services.live import bump, marks
from app.services.submit import submit_guess
from tests.support import Demo


def test_a_bump_counts_one_change_of_its_lesson_only(session, demo: Demo) -> None:
    before = marks(session.connection())
    lock_for_write(session)
    bump(session, lesson_id=demo.lesson.id)
    bump(session, lesson_id=demo.lesson.id)
    session.commit()
    after = marks(session.connection())
    assert after[demo.lesson.id][0] == before.get(demo.lesson.id, (0, 0))[0] + 2
    assert {k: v for k, v in after.items() if k != demo.lesson.id} == {
        k: v for k, v in before.items() if k != demo.lesson.id
    }


def test_a_guess_moves_its_lessons_mark_and_closing_the_level_moves_it_again(
    session, demo: Demo
) -> None:
    level, team = demo.levels[0], demo.teams[1]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    before = marks(session.connection()).get(demo.lesson.id, (0, 0))
    submit_guess(session, team=team, level_id=level.id, raw_x=1, idempotency_key="key-00001")
    after = marks(session.connection())[demo.lesson.id]
    assert after == (before[0], before[1] + 1)  # no shared row written: the count moved
    later = utcnow() + timedelta(seconds=1)
    set_level_state(session, level=level, state=LevelState.CLOSED, now=later)
    assert marks(session.connection())[demo.lesson.id] != after
