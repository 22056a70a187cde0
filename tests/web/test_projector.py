"""The projector's page, JSON and stream: public, live, and with nothing secret in them
before the reveal (checked in every state of a level); after the reveal, everything."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.db import lock_for_write
from app.models import Guess, Lesson, Level
from tests.support import (
    ago,
    browser_like,
    console_lesson,
    enter,
    login_as,
    post,
    reread,
    set_level,
    slip_sheet,
)

EXPRESSION = "(x - 2.718281)^2 + 1.414213"
SECRET_XS = ["1.234567", "4.444444"]  # what the teams type: never shown before the reveal
SECRETS = ["2.718281", "2.71828", "1.414213", "x - 2.718"]
SECRET_KEYS = {"curve", "x_star", "f_star", "expression", "ghosts", "replay"}


@pytest.fixture
def lesson(app, desk, session):
    """A lesson of its own: one level with a function no page could show by chance, two
    teams that guessed on it, announced to the projector with its password shown."""
    lesson, level = console_lesson(
        desk, session, "Projected", title="Euler's valley", expression=EXPRESSION, password="ridge"
    )
    post(desk, f"/instructor/lessons/{lesson.id}/teams", count="3")
    post(desk, f"/instructor/levels/{level.id}/state", action="open")
    post(
        desk, f"/instructor/lessons/{lesson.id}/announce", level_id=str(level.id), show_password="1"
    )
    return lesson, level


def play(app, desk, lesson, level, number: int, x: str) -> None:
    path = f"/instructor/lessons/{lesson.id}/teams/{team_id(desk, lesson, number)}/pin"
    sheet = slip_sheet(desk, path)
    pin = sheet.text.split('class="slip-pin">')[1].split("<")[0]
    with browser_like(app) as phone:
        token = phone.get("/api/csrf").json()["csrf_token"]
        answer = phone.post(
            "/api/session",
            headers={"X-CSRF-Token": token},
            json={"join_code": lesson.join_code, "team_number": number, "pin": pin},
        )
        phone.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        enter(phone, level.id, "ridge")
        guess = phone.post(
            f"/api/levels/{level.id}/guesses",
            json={"x": x, "idempotency_key": f"projector-{number}"},
        )
        assert guess.status_code == 200, guess.text


def edit(desk, level, **changes: str) -> None:
    """Change a level's settings in the editor, as the instructor does mid-level."""
    form = {
        "title": "Euler's valley",
        "expression": EXPRESSION,
        "x_min": "-10",
        "x_max": "10",
        "cooldown_seconds": "0",
        "password": "ridge",
        "standings_visibility": "shown",
    }
    saved = post(desk, f"/instructor/levels/{level.id}/edit", **{**form, **changes})
    assert saved.status_code == 303, saved.text


def team_id(desk, lesson, number: int) -> int:
    page = desk.get(f"/instructor/lessons/{lesson.id}").text
    return int(page.split(f"<td>{number}</td>")[0].rsplit('id="team-', 1)[1].split('"')[0])


def everything_public(app, join_code: str) -> dict[str, str]:
    """The page, the JSON and the stream's first event, as anyone in the room gets them."""
    with browser_like(app) as anyone:
        page = anyone.get(f"/projector/{join_code}")
        data = anyone.get(f"/projector/{join_code}/state.json")
        with anyone.stream("GET", f"/projector/{join_code}/stream") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            first = ""
            for line in stream.iter_lines():
                first += line + "\n"
                if line.startswith("data:"):
                    break
        assert page.status_code == 200 and data.status_code == 200
        return {"page": page.text, "json": data.text, "stream": first}


def keys_of(value) -> set[str]:
    """Every key in a JSON tree."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def snapshots(found: dict[str, str]) -> dict[str, dict]:
    """The data each of the three carries: the page's embedded snapshot, the JSON, the event."""
    embedded = found["page"].split('id="projector-data">')[1].split("</script>")[0]
    event = next(line for line in found["stream"].splitlines() if line.startswith("data:"))
    return {
        "page": json.loads(embedded)["snapshot"],
        "json": json.loads(found["json"]),
        "stream": json.loads(event.removeprefix("data:")),
    }


def assert_nothing_secret(found: dict[str, str], state: str) -> None:
    for where, text in found.items():
        for secret in SECRETS + SECRET_XS:
            assert secret not in text, (state, where, secret)
    for where, data in snapshots(found).items():
        assert not keys_of(data) & SECRET_KEYS, (state, where)
        assert data["level"] is None or data["level"]["reveal"] is None, (state, where)


def test_nothing_secret_before_the_reveal_in_any_state(app, desk, session, lesson) -> None:
    lesson, level = lesson
    # open, nobody has guessed
    assert_nothing_secret(everything_public(app, lesson.join_code), "open, empty")
    play(app, desk, lesson, level, 1, SECRET_XS[0])
    play(app, desk, lesson, level, 2, SECRET_XS[1])
    found = everything_public(app, lesson.join_code)
    assert_nothing_secret(found, "open")
    view = json.loads(found["json"])
    assert view["level"]["password"] == "ridge" and view["level"]["guesses"] == 2
    assert [row["team_number"] for row in view["level"]["standings"]["rows"]] == [1, 2]
    assert view["level"]["standings"]["waiting"] == 1
    # the race of the board's teams (best f(x) over time) and who plays: no x anywhere
    race = {line["team_number"]: line["points"] for line in view["level"]["race"]}
    best = {row["team_number"]: row["best_fx"] for row in view["level"]["standings"]["rows"]}
    assert {number: points[-1][1] for number, points in race.items()} == best
    assert all(len(points[0]) == 2 and points[0][0] >= 0 for points in race.values())
    activity = view["level"]["activity"]
    assert (activity["teams"], activity["joined"], activity["played"]) == (3, 2, 2)
    assert [(t["number"], t["joined"], t["guesses"]) for t in activity["tiles"]] == [
        (1, True, 1),
        (2, True, 1),
        (3, False, 0),
    ]
    assert activity["cooling"] == 0  # no cooldown on this level
    # hidden standings say so and show no row
    edit(desk, level, standings_visibility="hidden")
    view = json.loads(everything_public(app, lesson.join_code)["json"])
    assert view["level"]["standings"] == {"hidden": True}
    assert view["level"]["race"] is None  # the race is the standings over time
    edit(desk, level, standings_visibility="shown")
    # closed (settled): final standings, still no function, no password any more
    post(desk, f"/instructor/levels/{level.id}/state", action="close")
    found = everything_public(app, lesson.join_code)
    assert_nothing_secret(found, "closed")
    assert "ridge" not in found["json"]
    # reopened, then closed again: still nothing
    post(desk, f"/instructor/levels/{level.id}/state", action="open")
    assert_nothing_secret(everything_public(app, lesson.join_code), "reopened")
    post(desk, f"/instructor/levels/{level.id}/state", action="close")
    # revealed: the curve, the minimum, the teams' x values and the ghosts
    post(desk, f"/instructor/levels/{level.id}/state", action="reveal")
    found = everything_public(app, lesson.join_code)
    reveal = json.loads(found["json"])["level"]["reveal"]
    assert reveal["expression"] == EXPRESSION
    assert reveal["x_star"] == pytest.approx(2.718281, abs=1e-5)
    assert len(reveal["curve"]) == 241
    assert [t["guesses"][0][0] for t in reveal["teams"][:2]] == [1.234567, 4.444444]
    assert reveal["replay"] == [[0, 0], [1, 0]]
    assert [g["key"] for g in reveal["ghosts"]] == [
        "gradient_descent",
        "momentum",
        "random_search",
        "tangent_intersection",
        "adam",
        "rmsprop",
        "bayesian",
    ]
    assert reveal["ghost_start"] == pytest.approx((1.234567 + 4.444444) / 2)
    assert reveal["ghost_budget"] == 2  # the teams used one guess each; two at least
    assert all(len(g["path"]) == 2 for g in reveal["ghosts"])
    assert "1.234567" in found["stream"] and EXPRESSION in found["stream"]


def test_the_welcome_screen_before_any_announcement(app, desk, session) -> None:
    post(desk, "/instructor/lessons", name="Quiet room")
    reread(session)
    lesson = session.scalars(select(Lesson).where(Lesson.name == "Quiet room")).one()
    post(desk, f"/instructor/lessons/{lesson.id}/teams", count="4")
    with browser_like(app) as anyone:
        page = anyone.get(f"/projector/{lesson.join_code.lower()}")
        assert page.status_code == 200 and "Quiet room" in page.text
        assert f"/j/{lesson.join_code}" in page.text and "<svg" in page.text
        view = anyone.get(f"/projector/{lesson.join_code}/state.json").json()
        assert view["level"] is None and view["lesson"]["teams"] == 4
        assert anyone.get("/projector/NOPE9").status_code == 404
        assert anyone.get("/projector/NOPE9/state.json").status_code == 404


def test_the_projector_needs_no_login_and_a_theme_is_chosen_by_link(app, demo) -> None:
    with browser_like(app) as anyone:
        assert 'class="projector theme-dark"' in anyone.get("/projector/DEMO").text
        assert 'class="projector theme-light"' in anyone.get("/projector/DEMO?theme=light").text
        assert 'class="projector theme-dark"' in anyone.get("/projector/DEMO?theme=<x>").text


def test_a_team_sees_the_reveal_of_its_own_lesson_only_once_revealed(
    app, desk, session, demo
) -> None:
    level = demo.levels[0]
    with browser_like(app) as phone:
        login_as(phone, 4)
        early = phone.get(f"/levels/{level.id}/reveal")
        assert early.status_code == 403 and 'data-code="reveal_not_yet"' in early.text
        assert demo.levels[0].expression not in early.text
        post(desk, f"/instructor/levels/{level.id}/state", action="close")
        post(desk, f"/instructor/levels/{level.id}/state", action="reveal")
        shown = phone.get(f"/levels/{level.id}/reveal")
        assert shown.status_code == 200 and level.expression.replace(">", "&gt;") in shown.text
        assert "Gradient descent" in shown.text and "they earn no points" in shown.text
        draft = phone.get(f"/levels/{demo.levels[2].id}/reveal")
        assert draft.status_code == 404
    with browser_like(app) as nobody:
        assert nobody.get(f"/levels/{level.id}/reveal", follow_redirects=False).status_code == 303


def test_frozen_standings_are_shown_as_they_froze_with_a_countdown(
    app, desk, session, lesson
) -> None:
    lesson, level = lesson
    play(app, desk, lesson, level, 1, SECRET_XS[0])
    # ten minutes, frozen for the last five, and seven have passed: frozen since two ago
    stored = session.get(Level, level.id)
    set_level(
        session,
        stored,
        time_limit_seconds=600,
        standings_visibility="frozen",
        freeze_seconds=300,
        opened_at=ago(420),
    )
    lock_for_write(session)  # team 1's guess was made before the freeze
    for guess in session.scalars(select(Guess).where(Guess.level_id == level.id)):
        guess.created_at = ago(200)
    session.commit()
    play(app, desk, lesson, level, 2, SECRET_XS[1])  # after the freeze: not on the screen
    view = json.loads(everything_public(app, lesson.join_code)["json"])["level"]
    assert view["standings"]["frozen_at"] is not None
    assert [row["team_number"] for row in view["standings"]["rows"]] == [1]
    assert view["deadline"] is not None and view["freeze_at"] == view["standings"]["frozen_at"]
    assert view["guesses"] == 2  # the count is not a standing: it stays live
    assert [line["team_number"] for line in view["race"]] == [1]  # as of the freeze
    assert view["activity"]["played"] == 2  # who played is not a standing either


def test_the_password_shows_only_when_the_instructor_chooses(app, desk, lesson) -> None:
    lesson, level = lesson
    post(desk, f"/instructor/lessons/{lesson.id}/announce", level_id=str(level.id))
    found = everything_public(app, lesson.join_code)
    assert json.loads(found["json"])["level"]["password"] is None
    assert all("ridge" not in text for text in found.values())


def test_a_level_whose_slope_is_undefined_somewhere_is_revealed_all_the_same(
    app, desk, session
) -> None:
    cusp, level = console_lesson(
        desk, session, "Cusp", title="Cusp", expression="sqrt(abs(x))", x_min="-5", x_max="5"
    )
    for action in ("open", "close", "reveal"):
        post(desk, f"/instructor/levels/{level.id}/state", action=action)
    with browser_like(app) as anyone:
        assert anyone.get(f"/projector/{cusp.join_code}").status_code == 200
        view = anyone.get(f"/projector/{cusp.join_code}/state.json").json()
    ghosts = view["level"]["reveal"]["ghosts"]
    assert all(all(abs(v) < 1e9 for point in g["path"] for v in point) for g in ghosts)


def test_the_reveal_mirrors_each_teams_strategy(app, desk, session, demo) -> None:
    """Team 2 halves a bracket of slope signs (f = 0.125(x − 3.7)² + 2 on [−10, 10]): the
    reveal names it bisection on its page, in the monitor's table and on the projector."""
    level = demo.levels[0]
    set_level(session, session.get(Level, level.id), cooldown_seconds=0)
    with browser_like(app) as phone:
        login_as(phone, 2)
        enter(phone, level.id)
        for k, x in enumerate(["-10", "10", "0", "5", "2.5", "3.75", "3.125"]):
            answer = phone.post(
                f"/api/levels/{level.id}/guesses", json={"x": x, "idempotency_key": f"mirror-{k}-x"}
            )
            assert answer.status_code == 200, answer.text
        post(desk, f"/instructor/levels/{level.id}/state", action="close")
        post(desk, f"/instructor/levels/{level.id}/state", action="reveal")
        page = phone.get(f"/levels/{level.id}/reveal").text
    assert "Your team searched like bisection: 6 guesses to within 0.2 of the minimum." in page
    view = browser_like(app).get(f"/projector/{demo.lesson.join_code}/state.json").json()
    mirrors = {t["number"]: t.get("mirror") for t in view["level"]["reveal"]["teams"]}
    assert mirrors[2] == {"method": "bisection", "eta": None, "reached_after": 6, "tolerance": 0.2}
    assert mirrors[1] is None  # no guesses: nothing to mirror
    monitor = desk.get(f"/instructor/levels/{level.id}/monitor").text
    assert '<td class="searched">bisection</td>' in monitor
