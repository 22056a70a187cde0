"""Lessons: created with a join code of their own, renamed, copied without their teams,
archived, and deleted only once their name is typed back."""

from __future__ import annotations

import pytest

from app.db import utcnow
from app.errors import Refused
from app.models import Lesson
from app.services.lessons import (
    create_lesson,
    delete_lesson,
    duplicate_lesson,
    lessons_of,
    losses,
    rename_lesson,
    set_archived,
)
from tests.support import Demo


def refused(action) -> str:
    with pytest.raises(Refused) as caught:
        action()
    return caught.value.code


def test_a_lesson_gets_a_join_code_nobody_else_has(session) -> None:
    made = [create_lesson(session, name=f"  Section {i} ", now=utcnow()) for i in range(5)]
    assert [lesson.name for lesson in made] == [f"Section {i}" for i in range(5)]
    codes = session.scalars(Lesson.__table__.select().with_only_columns(Lesson.join_code)).all()
    assert len(codes) == len(set(codes))
    assert refused(lambda: create_lesson(session, name="   ", now=utcnow())) == "name_required"
    assert refused(lambda: create_lesson(session, name="x" * 500, now=utcnow())) == (
        "name_too_long"
    )


def test_a_copy_keeps_the_levels_and_none_of_the_teams(session, demo: Demo) -> None:
    copy = duplicate_lesson(session, lesson_id=demo.lesson.id, now=utcnow())
    assert copy.name == f"{demo.lesson.name} (copy)" and copy.join_code != demo.lesson.join_code
    assert [lv.title for lv in copy.levels] == [lv.title for lv in demo.lesson.levels]
    assert {lv.state for lv in copy.levels} == {"draft"}
    assert copy.teams == []


def test_archiving_and_renaming_move_a_lesson_between_the_lists(session, demo: Demo) -> None:
    rename_lesson(session, lesson_id=demo.lesson.id, name="Tuesday")
    set_archived(session, lesson_id=demo.lesson.id, archived=True)
    assert demo.lesson.id not in [lesson.id for lesson in lessons_of(session, archived=False)]
    assert [lesson.name for lesson in lessons_of(session, archived=True)] == ["Tuesday"]


def test_deleting_needs_the_name_and_takes_everything_with_it(session, demo: Demo) -> None:
    gone = losses(session, lesson_id=demo.lesson.id)
    assert (gone.teams, gone.levels) == (len(demo.teams), len(demo.levels))
    wrong = lambda: delete_lesson(session, lesson_id=demo.lesson.id, confirm_name="Demo?")  # noqa: E731
    assert refused(wrong) == "confirmation_mismatch"
    assert session.get(Lesson, demo.lesson.id) is not None
    delete_lesson(session, lesson_id=demo.lesson.id, confirm_name=f" {demo.lesson.name} ")
    session.expire_all()
    assert session.get(Lesson, demo.lesson.id) is None
    assert losses(session, lesson_id=demo.lesson.id).teams == 0
