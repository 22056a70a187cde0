"""Each lesson's live version: one more with every change live pages show."""

from __future__ import annotations

from app.db import lock_for_write
from app.services.live import bump, versions
from tests.support import Demo


def test_a_bump_counts_one_change_of_its_lesson_only(session, demo: Demo) -> None:
    before = versions(session)
    lock_for_write(session)
    bump(session, lesson_id=demo.lesson.id)
    bump(session, lesson_id=demo.lesson.id)
    session.commit()
    after = versions(session)
    assert after[demo.lesson.id] == before.get(demo.lesson.id, 0) + 2
    assert {k: v for k, v in after.items() if k != demo.lesson.id} == {
        k: v for k, v in before.items() if k != demo.lesson.id
    }
