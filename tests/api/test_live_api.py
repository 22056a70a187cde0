"""What a team's pages follow live (``/api/live`` and its stream): the lesson's levels as
teams see them, the level on the projector and one level's standings when teams may see
them; a reset changes the level's ``round``; bad requests are refused and change nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Database
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import Lesson
from app.services.demo import DEMO_JOIN_CODE
from app.services.levels import reset_level
from tests.server import level_command, logged_in, running_server
from tests.support import SECRET, Demo, enter, login_as, open_level, reread, set_level


@pytest.fixture
def team1(client, demo: Demo):
    login_as(client, 1)
    return client


def live(client, level: int | None = None):
    return client.get("/api/live", params={} if level is None else {"level": level})


def test_the_lesson_as_teams_see_it(team1, demo: Demo, session) -> None:
    body = live(team1).json()
    visible = [lv for lv in demo.levels if lv.state != LevelState.DRAFT.value]
    assert [lv["id"] for lv in body["levels"]] == [lv.id for lv in visible]
    first = body["levels"][0]
    assert first["state"] == "open" and first["title"] == demo.levels[0].title
    assert body["standings"] is None and body["server_now"]
    for secret in ("expression", "x_star", "f_star", "f_median", "password", "noise_seed"):
        assert all(secret not in level for level in body["levels"])
    assert demo.levels[0].expression not in json.dumps(body)


def test_standings_of_a_level_when_teams_may_see_them(team1, demo: Demo, session) -> None:
    level = demo.levels[0]
    enter(team1, level.id)
    team1.post(f"/api/levels/{level.id}/guesses", json={"x": "2", "idempotency_key": "live-0001"})
    rows = live(team1, level.id).json()["standings"]["rows"]
    assert [(r["team_number"], r["guesses"]) for r in rows if r["guesses"]] == [(1, 1)]
    set_level(session, level, standings_visibility="hidden")
    time.sleep(1.1)  # past the shared snapshot's second
    assert live(team1, level.id).json()["standings"] is None


def test_a_reset_changes_the_levels_round_and_a_guess_does_not(team1, demo: Demo, session):
    level = demo.levels[0]
    enter(team1, level.id)
    before = live(team1).json()["levels"][0]["round"]
    team1.post(f"/api/levels/{level.id}/guesses", json={"x": "2", "idempotency_key": "live-0002"})
    time.sleep(1.1)
    assert live(team1).json()["levels"][0]["round"] == before
    reset_level(session, level_id=level.id)
    time.sleep(1.1)
    assert live(team1).json()["levels"][0]["round"] != before


@pytest.mark.parametrize(
    ("level", "status", "code"),
    [("0", 422, "invalid_request"), ("abc", 422, "invalid_request"), ("99999", 404, None)],
)
def test_a_level_not_the_teams_is_refused(team1, level, status, code) -> None:
    response = team1.get("/api/live", params={"level": level})
    assert response.status_code == status
    assert response.json()["error"]["code"] == (code or "level_not_found")


def test_a_draft_or_another_lessons_level_is_not_found(team1, demo: Demo, session) -> None:
    reread(session)
    other = Lesson(name="Other", join_code="OTHER1")
    session.add(other)
    session.commit()
    elsewhere = open_level(
        session, other.id, LevelSpec(title="Far", expression="x^2", x_min=-1, x_max=1)
    )
    drafts = [lv.id for lv in demo.levels if lv.state == LevelState.DRAFT.value]
    for level_id in [elsewhere.id, *drafts]:
        response = live(team1, level_id)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "level_not_found"


def test_no_login_no_live_view(client) -> None:
    for path in ("/api/live", "/api/live/stream"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_logged_in"


def next_event(lines) -> dict:
    return next(json.loads(line[5:]) for line in lines if line.startswith("data:"))


def test_a_stream_hears_a_level_close_within_a_second(tmp_path: Path) -> None:
    """A program waits on the stream instead of polling: the instructor closes the level
    from a terminal, and the stream says so within a second."""
    found: dict[str, int] = {}

    def prepare(url: str) -> None:
        database = Database(url)
        with database.sessions() as session:
            lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE))
            found["level"] = min(lv.id for lv in lesson.one().levels)
        database.engine.dispose()

    with running_server(tmp_path, SECRET, prepare) as base, logged_in(base, 2) as web:
        level_id = found["level"]
        with web.stream("GET", f"{base}/api/live/stream", params={"level": level_id}) as stream:
            events = stream.iter_lines()
            states = {lv["id"]: lv["state"] for lv in next_event(events)["levels"]}
            assert states[level_id] == "open"
            level_command(tmp_path, SECRET, "close", str(level_id))
            closed = time.monotonic()
            while True:
                update = next_event(events)
                if {lv["id"]: lv["state"] for lv in update["levels"]}[level_id] == "closed":
                    break
            took = time.monotonic() - closed
    assert took < 1.0, took
