"""Code mode: the instructor gives every team an API token; a program plays through the JSON
API with it, under the same rules as the team's phones, without cookies or CSRF tokens.
Wrong, revoked and archived tokens get their own clear refusal and change nothing; a token
reaches no other lesson and none of the instructor's routes."""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.db import Database, lock_for_write, utcnow
from app.game.moves import Mode
from app.game.settings import LevelSpec
from app.models import ApiToken, Guess, Lesson, Level
from app.services.demo import DEMO_JOIN_CODE
from app.services.levels import add_level
from app.services.tokens import issue_tokens
from tests.server import ROOT, instructor_client, running_server
from tests.support import SECRET, Demo, browser_like, enter, login_as, open_level, post, reread


def give_tokens(desk, lesson_id: int) -> dict[int, str]:
    """Team number -> token, read off the sheet the console shows once."""
    sheet = post(desk, f"/instructor/lessons/{lesson_id}/tokens")
    assert sheet.status_code == 200, sheet.text
    found = re.findall(r'data-team="(\d+)".*?class="slip-token">([^<]+)<', sheet.text, re.S)
    return {int(number): token for number, token in found}


def program(app, token: str) -> TestClient:
    """A program, not a browser: no Origin, no cookies, only the token."""
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def refusal(response) -> str:
    return response.json()["error"]["code"]


def guesses_stored(session) -> int:
    reread(session)
    return session.scalar(select(func.count()).select_from(Guess))


def test_a_program_plays_as_its_team_under_the_same_rules(app, desk, session, demo: Demo):
    tokens = give_tokens(desk, demo.lesson.id)
    assert sorted(tokens) == sorted(demo.teams) and len(set(tokens.values())) == len(tokens)
    level = demo.levels[0]  # open, with a cooldown
    with program(app, tokens[4]) as bot:
        listed = bot.get("/api/levels").json()
        assert level.id in [item["id"] for item in listed["levels"]]
        enter(bot, level.id)
        first = bot.post(
            f"/api/levels/{level.id}/guesses", json={"x": 1, "idempotency_key": "bot-0001"}
        )
        assert first.status_code == 200, first.text  # no CSRF token, no Origin: a program
        again = bot.post(
            f"/api/levels/{level.id}/guesses", json={"x": 1, "idempotency_key": "bot-0001"}
        )
        assert again.json()["guess"] == first.json()["guess"]  # a retry is answered once
        soon = bot.post(
            f"/api/levels/{level.id}/guesses", json={"x": 2, "idempotency_key": "bot-0002"}
        )
        assert soon.status_code == 429 and refusal(soon) == "cooldown"
    with browser_like(app) as phone:  # the team's phone sees the program's guess
        login_as(phone, 4, demo.pin(4))
        history = phone.get(f"/api/levels/{level.id}/guesses").json()["guesses"]
        assert [g["x"] for g in history] == [1]
        too_soon = phone.post(
            f"/api/levels/{level.id}/guesses", json={"x": 3, "idempotency_key": "phone-0001"}
        )
        assert refusal(too_soon) == "cooldown"  # one cooldown for the team, phone or program
    assert guesses_stored(session) == 1


def test_only_the_hash_of_a_token_is_kept(app, desk, session, demo: Demo) -> None:
    tokens = give_tokens(desk, demo.lesson.id)
    reread(session)
    dump = "\n".join(str(row) for row in session.execute(text("SELECT * FROM api_token")))
    assert len(session.scalars(select(ApiToken)).all()) == len(tokens)
    assert not any(token in dump or token[3:] in dump for token in tokens.values())


@pytest.mark.parametrize(
    ("header", "refused_post"),
    [
        ("Bearer dh_not-a-real-token-at-all", (401, "token_invalid")),
        ("Bearer ", (401, "token_invalid")),
        ("Bearer " + "x" * 5000, (401, "token_invalid")),
        # not a bearer token, and no browser login: a program that sent its token wrongly
        ("Basic dGVhbToxMjM0", (401, "token_invalid")),
        ("dh_the-token-without-its-scheme", (401, "token_invalid")),
    ],
)
def test_a_wrong_token_is_refused_and_changes_nothing(
    app, session, demo, header, refused_post
) -> None:
    level = demo.levels[0]
    with TestClient(app, headers={"Authorization": header}) as bot:
        read = bot.get("/api/levels")
        assert read.status_code == 401 and refusal(read) == "token_invalid"
        assert "Authorization: Bearer" in read.json()["error"]["message"]
        sent = bot.post(
            f"/api/levels/{level.id}/guesses", json={"x": 1, "idempotency_key": "bad-0001"}
        )
        assert (sent.status_code, refusal(sent)) == refused_post
    assert guesses_stored(session) == 0


def test_a_proxys_basic_auth_leaves_a_phones_login_as_it_is(app, session, demo) -> None:
    level = demo.levels[0]
    with browser_like(app) as phone:
        login_as(phone, 5, demo.pin(5))
        phone.headers["Authorization"] = "Basic dGVhbToxMjM0"
        assert phone.get("/api/levels").status_code == 200
        enter(phone, level.id)
        sent = {"x": 1, "idempotency_key": "proxy-0001"}
        answer = phone.post(f"/api/levels/{level.id}/guesses", json=sent)
        assert answer.status_code == 200, answer.text
    assert guesses_stored(session) == 1


def test_new_tokens_replace_the_old_and_revoked_ones_stop(app, desk, session, demo) -> None:
    old = give_tokens(desk, demo.lesson.id)
    new = give_tokens(desk, demo.lesson.id)
    assert set(old.values()).isdisjoint(new.values())
    with program(app, old[1]) as bot:
        assert refusal(bot.get("/api/levels")) == "token_revoked"
    with program(app, new[1]) as bot:
        assert bot.get("/api/levels").status_code == 200
    page = desk.get(f"/instructor/lessons/{demo.lesson.id}").text
    assert "10 teams hold a working token." in page
    assert post(desk, f"/instructor/lessons/{demo.lesson.id}/tokens/revoke").status_code == 303
    with program(app, new[1]) as bot:
        answer = bot.post(
            f"/api/levels/{demo.levels[0].id}/guesses", json={"x": 1, "idempotency_key": "rev-0001"}
        )
        assert answer.status_code == 401 and refusal(answer) == "token_revoked"
    assert (
        "No team holds a working token." in desk.get(f"/instructor/lessons/{demo.lesson.id}").text
    )
    assert guesses_stored(session) == 0


def test_a_token_reaches_neither_another_lesson_nor_the_console(app, desk, session, demo) -> None:
    made = post(desk, "/instructor/lessons", name="Other class")
    other_id = int(made.headers["location"].rsplit("/", 1)[1])
    post(desk, f"/instructor/lessons/{other_id}/teams", count="2")
    other = give_tokens(desk, other_id)
    with program(app, other[1]) as bot:
        for level in demo.levels:
            answer = bot.post(f"/api/levels/{level.id}/enter", json={})
            assert answer.status_code == 404 and refusal(answer) == "level_not_found"
            assert bot.get(f"/api/levels/{level.id}").status_code == 404
        console = bot.get("/instructor", headers={"Accept": "application/json"})
        assert console.status_code == 401 and refusal(console) == "instructor_login_required"
        moved = bot.post(f"/instructor/levels/{demo.levels[1].id}/state", data={"action": "open"})
        assert moved.status_code in (401, 403)
    reread(session)
    assert session.get(Level, demo.levels[1].id).state == demo.levels[1].state


def test_tokens_of_an_archived_lesson_stop_and_none_are_given(app, desk, session, demo) -> None:
    tokens = give_tokens(desk, demo.lesson.id)
    assert post(desk, f"/instructor/lessons/{demo.lesson.id}/archive").status_code == 303
    with program(app, tokens[2]) as bot:
        answer = bot.get("/api/levels")
        assert answer.status_code == 403 and refusal(answer) == "lesson_archived"
    refused = post(desk, f"/instructor/lessons/{demo.lesson.id}/tokens")
    assert refused.status_code == 409 and 'data-code="lesson_archived_tokens"' in refused.text


def test_a_lesson_without_teams_gets_no_tokens(desk, session) -> None:
    made = post(desk, "/instructor/lessons", name="Empty class")
    lesson_id = int(made.headers["location"].rsplit("/", 1)[1])
    refused = post(desk, f"/instructor/lessons/{lesson_id}/tokens")
    assert refused.status_code == 422 and 'data-code="tokens_need_teams"' in refused.text
    reread(session)
    assert session.scalars(select(ApiToken)).all() == []


def test_the_example_client_descends_a_level_on_a_real_server(tmp_path: Path) -> None:
    """examples/descend.py, as the README shows it, against a real uvicorn server: it waits
    out the cooldown and walks down f(x) = (x - 3)^2 + 1 from the middle of [-10, 10] until
    the budget is spent; on a learning-rate level it sends η and the server steps."""
    found: dict[str, object] = {}

    def prepare(url: str) -> None:
        database = Database(url)
        with database.sessions() as session:
            lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE)).one()
            common = {"expression": "(x - 3)^2 + 1", "x_min": -10, "x_max": 10}
            free = LevelSpec(title="By hand", cooldown_seconds=1, guess_budget=6, **common)
            steps = LevelSpec(
                title="By η",
                cooldown_seconds=0,
                guess_budget=3,
                mode=Mode.LEARNING_RATE,
                start_x=-5,
                **common,
            )
            plane = LevelSpec(
                title="In (x, y)",
                expression="(x - 3)^2 + 2*(y + 1)^2",
                x_min=-10,
                x_max=10,
                y_min=-5,
                y_max=5,
                cooldown_seconds=0,
                guess_budget=4,
            )
            for key, spec in (("free", free), ("steps", steps), ("plane", plane)):
                found[key] = open_level(session, lesson.id, spec).id
            later = LevelSpec(title="Later", cooldown_seconds=0, guess_budget=2, **common)
            lock_for_write(session)
            found["later"] = add_level(session, lesson_id=lesson.id, spec=later).id  # a draft
            session.commit()
            found["token"] = issue_tokens(session, lesson_id=lesson.id, now=utcnow())[0].token
        database.engine.dispose()

    def start(base: str, level: object) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-u", str(ROOT / "examples" / "descend.py"), str(level)],
            env={
                "DOWNHILL_URL": base,
                "DOWNHILL_TOKEN": str(found["token"]),
                "DOWNHILL_ETA": "0.25",
                "DOWNHILL_GUESSES": "10",
                "PATH": "/usr/bin:/bin",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def descend(base: str, level: object) -> list[str]:
        run = start(base, level)
        out, _ = run.communicate(timeout=120)
        assert run.returncode == 0, out
        return out.splitlines()

    with running_server(tmp_path, SECRET, prepare) as base:
        by_hand = descend(base, found["free"])
        by_eta = descend(base, found["steps"])
        in_plane = descend(base, found["plane"])
        # a level not open yet: the program waits on the live stream, then plays it
        waiting = start(base, found["later"])
        assert waiting.stdout is not None
        assert "waiting for the instructor" in waiting.stdout.readline()
        with closing(instructor_client(base)) as console:
            token = console.headers["X-CSRF-Token"]
            path = f"/instructor/levels/{found['later']}/state"
            assert console.post(path, data={"csrf_token": token, "action": "open"}).is_redirect
        later, _ = waiting.communicate(timeout=60)
        assert waiting.returncode == 0, later
        assert sum(line.startswith("x =") for line in later.splitlines()) == 2, later
    xs = [float(line.split()[2]) for line in by_hand if line.startswith("x =")]
    # x ← x − 0.25·2(x − 3) halves the distance to 3 each step; the budget stops it at six
    assert xs == pytest.approx([0, 1.5, 2.25, 2.625, 2.8125, 2.90625])
    assert by_hand[-1] == "stopped: Your team has used all its guesses on this level."
    # from -5, the server steps x ← x − 0.25·f'(x): -1, 1, 2
    assert [float(line.split()[2]) for line in by_eta[:3]] == pytest.approx([-1, 1, 2])
    # from the middle (0, 0): x halves its distance to 3, y ← y − 0.25·4(y + 1) jumps to -1
    points = [float(line.split()[k]) for line in in_plane[:4] for k in (2, 5)]
    assert points == pytest.approx([0, 0, 1.5, -1, 2.25, -1, 2.625, -1])
    assert in_plane[1].endswith("slope = -3, 0")  # ∂f/∂x, ∂f/∂y at (1.5, -1)
