"""The console's lessons and teams: every action, its bad input, and the printable slips."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.models import Guess, Lesson, Level, Team
from app.services.lessons import level_specs
from tests.support import BASE_URL, Demo, browser_like, enter, login_as, post, reread, slip_sheet


def slips(page: str) -> dict[int, str]:
    """Team number -> PIN, read off a printed sheet."""
    found = re.findall(
        r'class="slip-number">(\d+)</strong>.*?class="slip-pin">(\w+)</strong>', page, re.S
    )
    return {int(number): pin for number, pin in found}


def team_logs_in(app, join_code: str, number: int, pin: str) -> int:
    with browser_like(app) as phone:
        token = phone.get("/api/csrf").json()["csrf_token"]
        return phone.post(
            "/api/session",
            headers={"X-CSRF-Token": token},
            json={"join_code": join_code, "team_number": number, "pin": pin},
        ).status_code


def test_create_a_lesson_and_find_its_join_address_and_qr_code(desk, session) -> None:
    refused = post(desk, "/instructor/lessons", name="   ")
    assert refused.status_code == 422 and 'data-code="name_required"' in refused.text
    created = post(desk, "/instructor/lessons", name="  Monday   section ")
    reread(session)
    lesson = session.scalars(select(Lesson).where(Lesson.name == "Monday section")).one()
    assert created.headers["location"] == f"/instructor/lessons/{lesson.id}"
    assert re.fullmatch(r"[346789ABCDEFGHJKMNPQRTUVWXY]{5}", lesson.join_code)
    page = desk.get(f"/instructor/lessons/{lesson.id}").text
    assert f"{BASE_URL}/j/{lesson.join_code}" in page
    assert "<svg" in page and 'class="segno"' in page
    assert "Phones cannot open 127.0.0.1" not in page  # testserver is not loopback
    too_long = post(desk, f"/instructor/lessons/{lesson.id}/rename", name="x" * 121)
    assert too_long.status_code == 422 and 'value="' + "x" * 121 + '"' in too_long.text


def test_teams_come_with_slips_whose_pins_log_in(app, desk, session, demo: Demo) -> None:
    post(desk, "/instructor/lessons", name="Tuesday")
    reread(session)
    lesson = session.scalars(select(Lesson).where(Lesson.name == "Tuesday")).one()
    field = re.search(r'<input id="count"[^>]*>', desk.get(f"/instructor/lessons/{lesson.id}").text)
    assert field and 'value=""' in field[0] and "placeholder" not in field[0]  # empty, no "12"
    for bad in ("", "0", "-3", "abc", "201", "1.5"):
        refused = post(desk, f"/instructor/lessons/{lesson.id}/teams", count=bad)
        assert refused.status_code == 422, bad
        assert 'data-code="team_count_invalid"' in refused.text
    made = post(desk, f"/instructor/lessons/{lesson.id}/teams", count="12")
    assert made.headers["location"] == f"/instructor/lessons/{lesson.id}/slips"
    sheet = desk.get(made.headers["location"])
    assert sheet.status_code == 200 and sheet.headers["cache-control"] == "no-store"
    pins = slips(sheet.text)
    assert sorted(pins) == list(range(1, 13))
    assert len(set(pins.values())) == 12
    assert f"/j/{lesson.join_code}" in sheet.text and "<svg" in sheet.text
    assert team_logs_in(app, lesson.join_code, 7, pins[7]) == 200
    assert slips(desk.get(made.headers["location"]).text) == pins  # a reload makes nothing
    reread(session)
    assert len(session.get(Lesson, lesson.id).teams) == 12
    more = slips(slip_sheet(desk, f"/instructor/lessons/{lesson.id}/teams", count="2").text)
    assert sorted(more) == [13, 14]  # numbers go on from the last team
    # PINs are stored hashed: the lesson page never shows them, and once the instructor
    # is back on it, the sheet is gone too
    page = desk.get(f"/instructor/lessons/{lesson.id}").text
    assert all(pin not in page for pin in pins.values())
    gone = desk.get(f"/instructor/lessons/{lesson.id}/slips", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].endswith("#teams")


def test_a_new_pin_replaces_the_old_one(app, desk, session, demo: Demo) -> None:
    team = demo.teams[3]
    sheet = slip_sheet(desk, f"/instructor/lessons/{demo.lesson.id}/teams/{team.id}/pin")
    new = slips(sheet.text)
    assert list(new) == [3]
    assert team_logs_in(app, "DEMO", 3, demo.pin(3)) == 401
    assert team_logs_in(app, "DEMO", 3, new[3]) == 200


def test_rename_and_remove_a_team(app, desk, session, demo: Demo) -> None:
    team = demo.teams[2]
    renamed = post(
        desk,
        f"/instructor/lessons/{demo.lesson.id}/teams/{team.id}/rename",
        name=" Gradient  Gang ",
    )
    assert renamed.status_code == 303
    reread(session)
    assert team.name == "Gradient Gang"
    too_long = post(
        desk, f"/instructor/lessons/{demo.lesson.id}/teams/{team.id}/rename", name="n" * 61
    )
    assert too_long.status_code == 422
    reread(session)
    assert team.name == "Gradient Gang"
    team_id = team.id
    removed = post(desk, f"/instructor/lessons/{demo.lesson.id}/teams/{team_id}/remove")
    assert removed.status_code == 303
    reread(session)
    assert session.get(Team, team_id) is None


def test_a_team_of_another_lesson_is_not_found(desk, session, demo: Demo) -> None:
    post(desk, "/instructor/lessons", name="Elsewhere")
    reread(session)
    other = session.scalars(select(Lesson).where(Lesson.name == "Elsewhere")).one()
    team = demo.teams[1]
    for action in ("pin", "rename", "remove"):
        response = post(desk, f"/instructor/lessons/{other.id}/teams/{team.id}/{action}")
        assert response.status_code == 404, action
    reread(session)
    assert session.get(Team, team.id) is not None


def test_duplicate_copies_levels_and_settings_but_no_teams(desk, session, demo: Demo) -> None:
    post(desk, f"/instructor/lessons/{demo.lesson.id}/registration", enabled="1", cap="40")
    copied = post(desk, f"/instructor/lessons/{demo.lesson.id}/duplicate")
    copy_id = int(copied.headers["location"].rsplit("/", 1)[1])
    reread(session)
    copy = session.get(Lesson, copy_id)
    assert copy.name == "Downhill demo (copy)" and copy.join_code != "DEMO"
    assert level_specs(copy) == level_specs(demo.lesson)  # every setting of every level
    assert [(lv.position, lv.state, lv.x_star, lv.f_star, lv.f_median) for lv in copy.levels] == [
        (lv.position, "draft", lv.x_star, lv.f_star, lv.f_median) for lv in demo.levels
    ]
    assert (copy.self_registration, copy.team_cap) == (True, 40)
    assert copy.teams == []


def test_archive_stops_logins_and_bring_back_restores_them(app, desk, session, demo: Demo) -> None:
    post(desk, f"/instructor/lessons/{demo.lesson.id}/archive", archived="1")
    assert team_logs_in(app, "DEMO", 1, demo.pin(1)) == 403
    assert "Downhill demo" in desk.get("/instructor").text.split("Archived")[1]
    post(desk, f"/instructor/lessons/{demo.lesson.id}/archive", archived="0")
    assert team_logs_in(app, "DEMO", 1, demo.pin(1)) == 200


def test_deleting_a_lesson_names_what_goes_and_wants_its_name(
    app, desk, session, demo: Demo
) -> None:
    with browser_like(app) as phone:
        login_as(phone, 1)
        enter(phone, demo.levels[0].id)
        phone.post(
            f"/api/levels/{demo.levels[0].id}/guesses",
            json={"x": 1, "idempotency_key": "to-be-deleted"},
        )
    page = desk.get(f"/instructor/lessons/{demo.lesson.id}/delete").text
    assert "10 teams, 3 levels and 1 guesses" in page
    wrong = post(desk, f"/instructor/lessons/{demo.lesson.id}/delete", confirm_name="Downhill")
    assert wrong.status_code == 422 and 'data-code="confirmation_mismatch"' in wrong.text
    assert session.get(Lesson, demo.lesson.id) is not None
    gone = post(desk, f"/instructor/lessons/{demo.lesson.id}/delete", confirm_name="Downhill demo")
    assert gone.headers["location"] == "/instructor"
    reread(session)
    counts = [
        session.scalar(select(func.count()).select_from(t)) for t in (Lesson, Team, Level, Guess)
    ]
    assert counts == [0, 0, 0, 0]
