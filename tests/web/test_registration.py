"""Teams that register themselves: the instructor's switch and cap, the join page's form,
the number and PIN shown once, and every refusal changing nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.models import Lesson, Team
from tests.support import Demo, browser_like, console_lesson, csrf_of, post, reread


def teams_in(session, lesson_id: int) -> int:
    reread(session)
    return session.scalar(select(func.count(Team.id)).where(Team.lesson_id == lesson_id))


def new_lesson(desk, session, name: str) -> Lesson:
    return console_lesson(desk, session, name)[0]


def register(phone, join_code: str, name: str, token: str | None = None):
    return phone.post(
        "/register",
        data={"csrf_token": token or csrf_of(phone), "join_code": join_code, "name": name},
        follow_redirects=False,
    )


def test_registration_is_off_until_the_instructor_turns_it_on(app, desk, session) -> None:
    lesson = new_lesson(desk, session, "Closed door")
    with browser_like(app) as phone:
        assert "/register" not in phone.get(f"/j/{lesson.join_code}").text
        assert "/register" not in phone.get("/").text
        refused = register(phone, lesson.join_code, "Owls")
        assert refused.status_code == 403
        assert 'data-code="registration_closed"' in refused.text
        assert 'value="Owls"' in refused.text  # what was typed stays
    assert teams_in(session, lesson.id) == 0


def test_the_instructor_sets_a_cap_and_bad_caps_change_nothing(desk, session, demo) -> None:
    lesson = new_lesson(desk, session, "Capped")
    for bad in ("0", "abc", "1000", "-1", "2.5"):
        refused = post(desk, f"/instructor/lessons/{lesson.id}/registration", enabled="1", cap=bad)
        assert refused.status_code == 422, bad
        assert 'data-code="field_whole_number"' in refused.text
        assert f'value="{bad}"' in refused.text
    reread(session)
    assert session.get(Lesson, lesson.id).self_registration is False
    # the demo has ten teams already: a cap of 5 cannot hold them
    below = post(desk, f"/instructor/lessons/{demo.lesson.id}/registration", enabled="1", cap="5")
    assert below.status_code == 422 and 'data-code="team_cap_below_teams"' in below.text
    done = post(desk, f"/instructor/lessons/{lesson.id}/registration", enabled="1", cap="2")
    assert done.status_code == 303
    reread(session)
    stored = session.get(Lesson, lesson.id)
    assert (stored.self_registration, stored.team_cap) == (True, 2)
    page = desk.get(f"/instructor/lessons/{lesson.id}").text
    assert re.search(r'name="enabled" value="1"\s+checked', page) and 'value="2"' in page
    post(desk, f"/instructor/lessons/{lesson.id}/registration", enabled="", cap="")
    reread(session)
    stored = session.get(Lesson, lesson.id)
    assert (stored.self_registration, stored.team_cap) == (False, None)


def test_a_team_registers_gets_a_number_and_pin_and_can_log_in_again(app, desk, session) -> None:
    lesson = new_lesson(desk, session, "Open door")
    post(desk, f"/instructor/lessons/{lesson.id}/teams", count="3")
    assert 'id="cap" name="cap" value="60"' in desk.get(f"/instructor/lessons/{lesson.id}").text
    post(desk, f"/instructor/lessons/{lesson.id}/registration", enabled="1", cap="5")
    with browser_like(app) as phone:
        join = phone.get(f"/j/{lesson.join_code}").text
        assert f'href="/register?code={lesson.join_code}"' in join
        form = phone.get(f"/register?code={lesson.join_code}").text
        assert f'value="{lesson.join_code}"' in form
        made = register(phone, lesson.join_code.lower(), "  The   Owls ")
        assert made.status_code == 303 and made.headers["location"] == "/registered"
        shown = phone.get("/registered")
        assert shown.headers["cache-control"] == "no-store"
        number = re.search(r"data-team-number>(\d+)<", shown.text).group(1)
        pin = re.search(r"data-pin>(\w+)<", shown.text).group(1)
        assert number == "4"  # after the three teams the instructor made
        # a second tap on the button (or a resent form) shows the same team again
        token = re.search(r'name="csrf_token" value="([^"]+)"', shown.text).group(1)
        again = register(phone, lesson.join_code, "the owls", token)
        assert again.headers["location"] == "/registered"
        assert f"data-pin>{pin}<" in phone.get("/registered").text
        assert teams_in(session, lesson.id) == 4
        assert phone.get("/team").status_code == 200  # logged in already
        # once the team goes on to its levels, the PIN is not shown again
        assert phone.get("/registered", follow_redirects=False).headers["location"] == "/team"
    reread(session)
    team = session.scalars(select(Team).where(Team.lesson_id == lesson.id, Team.number == 4)).one()
    assert team.name == "The Owls" and pin not in team.pin_hash
    with browser_like(app) as other_phone:
        token = csrf_of(other_phone)
        again = other_phone.post(
            "/login",
            data={
                "csrf_token": token,
                "join_code": lesson.join_code,
                "team_number": number,
                "pin": pin.lower(),
            },
            follow_redirects=False,
        )
        assert again.status_code == 303 and again.headers["location"] == "/team"
    # the instructor sees the new team in the list
    assert "The Owls" in desk.get(f"/instructor/lessons/{lesson.id}").text


def test_bad_registrations_are_refused_and_change_nothing(app, desk, session) -> None:
    lesson = new_lesson(desk, session, "Strict door")
    post(desk, f"/instructor/lessons/{lesson.id}/registration", enabled="1", cap="2")
    with browser_like(app) as phone:
        cases = [
            ("NOPE9", "Owls", 404, "lesson_not_found"),
            (lesson.join_code, "   ", 422, "name_required"),
            (lesson.join_code, "x" * 61, 422, "name_too_long"),
        ]
        for code, name, status, error in cases:
            refused = register(phone, code, name)
            assert refused.status_code == status, (code, name)
            assert f'data-code="{error}"' in refused.text
        assert teams_in(session, lesson.id) == 0
        assert register(phone, lesson.join_code, "Owls").status_code == 303
    # the same name in other clothes: capitals, full-width letters, an invisible space
    for lookalike in ("OWLS", "\uff2f\uff57\uff4c\uff53", "Ow\u200bls", "\u202eOwls"):
        with browser_like(app) as phone:
            taken = register(phone, lesson.join_code, lookalike)
            assert taken.status_code == 409, repr(lookalike)
            assert 'data-code="team_name_taken"' in taken.text
    with browser_like(app) as phone:
        assert register(phone, lesson.join_code, "Larks").status_code == 303
    with browser_like(app) as phone:
        full = register(phone, lesson.join_code, "Crows")
        assert full.status_code == 409 and 'data-code="lesson_full"' in full.text
        assert "This lesson already has its 2 teams" in full.text
    assert teams_in(session, lesson.id) == 2
    post(desk, f"/instructor/lessons/{lesson.id}/registration", enabled="1", cap="")
    post(desk, f"/instructor/lessons/{lesson.id}/archive", archived="1")
    with browser_like(app) as phone:
        archived = register(phone, lesson.join_code, "Crows")
        assert archived.status_code == 403 and 'data-code="lesson_archived"' in archived.text
    assert teams_in(session, lesson.id) == 2


def test_registering_needs_the_csrf_token(app, desk, session, demo: Demo) -> None:
    post(desk, f"/instructor/lessons/{demo.lesson.id}/registration", enabled="1", cap="")
    with browser_like(app) as phone:
        refused = phone.post("/register", data={"join_code": "DEMO", "name": "Owls"})
        assert refused.status_code == 403
    assert teams_in(session, demo.lesson.id) == 10


def test_the_join_page_offers_registration_only_for_a_lesson_that_takes_it(
    app, desk, session, demo: Demo
) -> None:
    lesson = new_lesson(desk, session, "Welcoming")
    post(desk, f"/instructor/lessons/{lesson.id}/registration", enabled="1", cap="")
    with browser_like(app) as phone:
        assert 'href="/register"' in phone.get("/").text  # no lesson chosen yet
        assert "/register" not in phone.get("/j/DEMO").text  # the demo takes no new teams
        page = phone.get(f"/j/{lesson.join_code}").text
        assert f'href="/register?code={lesson.join_code}"' in page
