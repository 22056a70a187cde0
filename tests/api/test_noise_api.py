"""Levels with noisy slopes through the JSON API: each slope a team receives is the true
one plus its own seeded draw, f(x) and the standings stay exact, the true slope stays on
the server until the reveal, and steps of a learning-rate level follow the noisy slope."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.db import utcnow
from app.game.moves import Mode
from app.game.noise import slope_noise
from app.game.settings import LevelSpec
from app.models import Guess, Level
from app.services.reveal import reveal_view
from tests.support import Demo, browser_like, enter, login_as, open_level, post, reread

EXPRESSION = "(x - 1)^2"  # f'(x) = 2(x - 1)
NOISE = 0.75


def noisy_level(session, demo: Demo, mode: Mode = Mode.FREE, noise: float = NOISE) -> Level:
    return open_level(
        session,
        demo.lesson.id,
        LevelSpec(
            title="Noisy",
            expression=EXPRESSION,
            x_min=-5,
            x_max=5,
            cooldown_seconds=0,
            mode=mode,
            start_x=4.0 if mode.steps else None,
            slope_noise=noise,
        ),
    )


def guess(client, level: Level, key: str, **choice) -> dict:
    answer = client.post(f"/api/levels/{level.id}/guesses", json={**choice, "idempotency_key": key})
    assert answer.status_code == 200, answer.text
    return answer.json()


def received(level: Level, team_id: int, seq: int, true_slope: float) -> float:
    assert level.noise_seed
    return true_slope + slope_noise(level.noise_seed, team_id, seq, NOISE)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(xs=st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=4))
def test_each_slope_received_is_the_true_one_plus_the_teams_own_draw(
    app, session, demo: Demo, xs: list[float]
) -> None:
    level = noisy_level(session, demo)
    team = demo.teams[1]
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        enter(client, level.id)
        answers = [guess(client, level, f"noisy-{i:04d}", x=x)["guess"] for i, x in enumerate(xs)]
    for seq, (x, answer) in enumerate(zip(xs, answers, strict=True), start=1):
        assert answer["fx"] == pytest.approx((x - 1) ** 2)  # f is exact
        assert answer["slope"] == pytest.approx(received(level, team.id, seq, 2 * (x - 1)))
        assert answer["slope"] != pytest.approx(2 * (x - 1), abs=1e-9)
        assert "true_slope" not in answer


def test_the_true_slope_stays_on_the_server_until_the_reveal(app, desk, session, demo) -> None:
    level = noisy_level(session, demo)
    with browser_like(app) as client:
        login_as(client, 2, demo.pin(2))
        enter(client, level.id)
        answer = guess(client, level, "noisy-0001", x=3)
        again = guess(client, level, "noisy-0001", x=3)  # a retry: the same noisy slope
        assert again["guess"]["slope"] == answer["guess"]["slope"]
        truth = json.dumps(2 * (3 - 1))
        for path in (f"/api/levels/{level.id}", f"/api/levels/{level.id}/guesses"):
            body = client.get(path).json()
            assert "true_slope" not in json.dumps(body)
        assert client.get(f"/api/levels/{level.id}").json()["level"]["slope_noise"] == NOISE
        page = client.get(f"/levels/{level.id}/play").text
        assert "Noisy slopes" in page and "true_slope" not in page
        for action in ("close", "reveal"):
            post(desk, f"/instructor/levels/{level.id}/state", action=action)
        shown = client.get(f"/api/levels/{level.id}").json()["guesses"]
    assert shown[0]["true_slope"] == float(truth)
    assert shown[0]["slope"] == answer["guess"]["slope"]
    reread(session)
    stored = session.query(Guess).filter_by(level_id=level.id).one()
    assert (stored.true_slope, stored.slope) == (4.0, answer["guess"]["slope"])


def test_a_learning_rate_step_follows_the_noisy_slope(app, session, demo) -> None:
    level = noisy_level(session, demo, Mode.LEARNING_RATE)
    team = demo.teams[3]
    with browser_like(app) as client:
        login_as(client, 3, demo.pin(3))
        state = enter(client, level.id)
        start_slope = received(level, team.id, 0, 6.0)  # its own draw at the start
        assert state["position"]["slope"] == pytest.approx(start_slope)
        assert state["position"]["start"]["slope"] == pytest.approx(start_slope)
        first = guess(client, level, "noisy-step-1", eta=0.1)["guess"]
        second = guess(client, level, "noisy-step-2", eta=0.1)["guess"]
    assert first["x"] == pytest.approx(4.0 - 0.1 * start_slope)
    assert second["x"] == pytest.approx(first["x"] - 0.1 * first["slope"])


def test_teams_receive_different_noise_at_the_same_x(app, session, demo) -> None:
    level = noisy_level(session, demo)
    slopes = []
    for number in (1, 2):
        with browser_like(app) as client:
            login_as(client, number, demo.pin(number))
            enter(client, level.id)
            slopes.append(guess(client, level, f"same-x-{number}-1", x=2)["guess"]["slope"])
    assert slopes[0] != slopes[1]


def test_the_reveal_shows_true_slopes_beside_the_noisy_ones(app, desk, session, demo) -> None:
    level = noisy_level(session, demo)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        enter(client, level.id)
        noisy = guess(client, level, "reveal-0001", x=-1)["guess"]["slope"]
    for action in ("close", "reveal"):
        post(desk, f"/instructor/levels/{level.id}/state", action=action)
    reread(session)
    view = reveal_view(session, level=session.get(Level, level.id), now=utcnow()).json_data()
    assert view is not None and view["slope_noise"] == NOISE
    path = next(team["guesses"] for team in view["teams"] if team["number"] == 1)
    assert path == [[-1.0, 4.0, noisy, -4.0]]
    ghosts = {ghost["key"]: ghost for ghost in view["ghosts"]}
    # the players moved on noisy slopes too: descent does not land on 1 exactly
    assert ghosts["gradient_descent"]["best_fx"] > 0
    again = reveal_view(session, level=session.get(Level, level.id), now=utcnow()).json_data()
    assert again is not None and again["ghosts"] == view["ghosts"]  # seeded
    monitor = desk.get(f"/instructor/levels/{level.id}/monitor").text
    assert "true_slopes" in monitor and "dotted tangents are the true slopes" in monitor


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "1e7", "lots"])
def test_a_bad_noise_size_is_refused_and_changes_nothing(desk, session, demo, value) -> None:
    level = demo.levels[0]
    fields = {
        "title": level.title,
        "expression": level.expression,
        "x_min": str(level.x_min),
        "x_max": str(level.x_max),
        "cooldown_seconds": "0",
        "standings_visibility": "shown",
        "mode": "free",
        "slope_noise": value,
    }
    answer = post(desk, f"/instructor/levels/{level.id}/edit", **fields)
    assert answer.status_code == 422
    assert 'data-field="slope_noise"' in answer.text
    reread(session)
    assert session.get(Level, level.id).slope_noise is None
