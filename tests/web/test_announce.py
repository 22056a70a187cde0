"""What the projector is told to show: the announced level and its password, chosen in the
console; opening a level announces it; refusals change nothing."""

from __future__ import annotations

from app.models import Announcement, Level, LiveVersion
from tests.support import Demo, console_lesson, post, reread, set_level


def announced(session, lesson_id: int) -> tuple[int | None, bool] | None:
    reread(session)
    row = session.get(Announcement, lesson_id)
    return None if row is None else (row.level_id, row.show_password)


def version(session, lesson_id: int) -> int:
    reread(session)
    row = session.get(LiveVersion, lesson_id)
    return row.version if row else 0


def new_level_elsewhere(desk, session) -> Level:
    return console_lesson(desk, session, "Other", title="Elsewhere", expression="x^2")[1]


def test_nothing_is_announced_before_the_instructor_chooses(desk, session, demo: Demo) -> None:
    draft = new_level_elsewhere(desk, session)
    page = desk.get(f"/instructor/lessons/{draft.lesson_id}").text
    assert 'class="announced" data-level=""' in page
    assert "Nothing announced yet" in page
    # a draft is hidden from the projector: it cannot be chosen
    assert f'<option value="{draft.id}" disabled>1. Elsewhere (draft)</option>' in page
    # the demo comes with its open first level announced
    demo_page = desk.get(f"/instructor/lessons/{demo.lesson.id}").text
    assert f'class="announced" data-level="{demo.levels[0].id}"' in demo_page


def test_announce_a_level_with_or_without_its_password(desk, session, demo: Demo) -> None:
    level = demo.levels[1]
    set_level(session, level, state="closed")
    before = version(session, demo.lesson.id)
    done = post(
        desk,
        f"/instructor/lessons/{demo.lesson.id}/announce",
        level_id=str(level.id),
        show_password="1",
    )
    assert done.status_code == 303 and done.headers["location"].endswith("#projector")
    assert announced(session, demo.lesson.id) == (level.id, True)
    assert version(session, demo.lesson.id) == before + 1  # live pages hear of it
    page = desk.get(f"/instructor/lessons/{demo.lesson.id}").text
    assert f'class="announced" data-level="{level.id}"' in page
    assert f"Announced for the projector: level 2, “{level.title}”." in page
    assert f"Its password, {level.password}, is on the screen." in page
    post(desk, f"/instructor/lessons/{demo.lesson.id}/announce", level_id=str(level.id))
    assert announced(session, demo.lesson.id) == (level.id, False)
    assert "Its password is not shown." in desk.get(f"/instructor/lessons/{demo.lesson.id}").text
    post(desk, f"/instructor/lessons/{demo.lesson.id}/announce", level_id="")
    assert announced(session, demo.lesson.id) == (None, False)


def test_a_level_of_another_lesson_or_garbage_is_refused(desk, session, demo: Demo) -> None:
    post(desk, f"/instructor/lessons/{demo.lesson.id}/announce", level_id=str(demo.levels[0].id))
    other = new_level_elsewhere(desk, session)
    for bad in ("abc", "-1", "99999", "1.5", str(other.id)):
        refused = post(desk, f"/instructor/lessons/{demo.lesson.id}/announce", level_id=bad)
        assert refused.status_code == 404, bad
        assert 'data-code="level_not_found"' in refused.text
    assert announced(session, demo.lesson.id) == (demo.levels[0].id, False)
    missing = post(desk, "/instructor/lessons/99999/announce", level_id="")
    assert missing.status_code == 404


def test_a_draft_level_cannot_be_announced(desk, session, demo: Demo) -> None:
    draft = demo.levels[2]
    refused = post(desk, f"/instructor/lessons/{demo.lesson.id}/announce", level_id=str(draft.id))
    assert refused.status_code == 409 and 'data-code="announce_draft"' in refused.text
    assert announced(session, demo.lesson.id) == (demo.levels[0].id, False)  # as seeded


def test_opening_a_level_announces_it_and_keeps_the_password_choice(
    desk, session, demo: Demo
) -> None:
    first, second = demo.levels[0], demo.levels[1]
    post(desk, f"/instructor/lessons/{demo.lesson.id}/announce", level_id="", show_password="1")
    post(desk, f"/instructor/levels/{second.id}/state", action="open")
    assert announced(session, demo.lesson.id) == (second.id, True)
    post(desk, f"/instructor/lessons/{demo.lesson.id}/announce", level_id=str(first.id))
    post(desk, f"/instructor/levels/{second.id}/state", action="close")
    assert announced(session, demo.lesson.id) == (first.id, False)  # closing moves nothing


def test_levels_of_an_archived_lesson_cannot_be_opened(desk, session, demo: Demo) -> None:
    level = demo.levels[2]
    post(desk, f"/instructor/lessons/{demo.lesson.id}/archive", archived="1")
    refused = post(desk, f"/instructor/levels/{level.id}/state", action="open")
    assert refused.status_code == 409
    assert 'data-code="lesson_archived_moves"' in refused.text
    reread(session)
    assert session.get(Level, level.id).state == "draft"
    assert announced(session, demo.lesson.id) == (demo.levels[0].id, False)  # unchanged
