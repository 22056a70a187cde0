"""Learning-rate and momentum levels through the JSON API: the server takes each step by
the update rule, keeps it in the domain, answers retries once, and refuses bad η and β
without changing anything."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.db import utcnow
from app.game.moves import Mode
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import Guess, Level
from app.services.levels import set_level_state
from tests.support import Demo, browser_like, enter, login_as, open_level, reread, set_level

# f(x) = (x - 1)^2, f'(x) = 2(x - 1); everyone starts at x = 4 where the slope is 6
EXPRESSION, START = "(x - 1)^2", 4.0


def slope(x: float) -> float:
    return 2 * (x - 1)


def stepping_level(session, demo: Demo, mode: Mode, **bounds) -> Level:
    return open_level(
        session,
        demo.lesson.id,
        LevelSpec(
            title=f"{mode.value} level",
            expression=EXPRESSION,
            x_min=-5,
            x_max=5,
            cooldown_seconds=0,
            mode=mode,
            start_x=START,
            **bounds,
        ),
    )


def step(client, level: Level, key: str, **choice):
    return client.post(f"/api/levels/{level.id}/guesses", json={**choice, "idempotency_key": key})


def stored(session, level: Level) -> int:
    reread(session)
    return session.scalar(select(func.count()).where(Guess.level_id == level.id))


def test_a_learning_rate_level_steps_x_minus_eta_times_the_slope(app, session, demo) -> None:
    level = stepping_level(session, demo, Mode.LEARNING_RATE)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        state = enter(client, level.id)
        assert state["level"]["mode"] == "learning_rate" and state["level"]["eta_max"] == 10
        assert state["position"] == {
            "x": START,
            "fx": 9.0,
            "slope": 6.0,
            "velocity": 0.0,
            "start": {"x": START, "fx": 9.0, "slope": 6.0},
        }
        first = step(client, level, "step-0001", eta=0.1).json()
        second = step(client, level, "step-0002", eta="0.25").json()
        state = client.get(f"/api/levels/{level.id}").json()
    assert first["guess"]["x"] == pytest.approx(3.4)  # 4 - 0.1 * 6
    assert first["guess"]["fx"] == pytest.approx(2.4**2)
    assert (first["guess"]["eta"], first["guess"]["beta"]) == (0.1, None)
    assert second["guess"]["x"] == pytest.approx(3.4 - 0.25 * 4.8)
    assert state["position"]["x"] == pytest.approx(2.2)
    assert state["position"]["slope"] == pytest.approx(2.4)
    assert state["position"]["start"]["x"] == START


def test_a_momentum_level_keeps_the_velocity(app, session, demo) -> None:
    level = stepping_level(session, demo, Mode.MOMENTUM, beta_max=0.95)
    with browser_like(app) as client:
        login_as(client, 2, demo.pin(2))
        enter(client, level.id)
        first = step(client, level, "step-0001", eta=0.1, beta=0.5).json()["guess"]
        second = step(client, level, "step-0002", eta=0.1, beta=0.5).json()["guess"]
        state = client.get(f"/api/levels/{level.id}").json()
    assert (first["x"], first["velocity"]) == (pytest.approx(3.4), pytest.approx(-0.6))
    # v = 0.5 * -0.6 - 0.1 * 4.8 = -0.78
    assert (second["x"], second["velocity"]) == (pytest.approx(2.62), pytest.approx(-0.78))
    assert state["position"]["velocity"] == pytest.approx(-0.78)
    assert state["level"]["beta_max"] == 0.95


def test_a_step_out_of_the_domain_stops_at_its_edge(app, session, demo) -> None:
    level = stepping_level(session, demo, Mode.LEARNING_RATE)
    with browser_like(app) as client:
        login_as(client, 3, demo.pin(3))
        enter(client, level.id)
        answer = step(client, level, "step-0001", eta=10).json()["guess"]
    # 4 - 10 * 6 = -56: the step stops at -5
    assert (answer["x"], answer["clamped"], answer["velocity"]) == (-5, True, -9)


def test_a_retried_step_is_answered_once(app, session, demo) -> None:
    level = stepping_level(session, demo, Mode.MOMENTUM)
    with browser_like(app) as client:
        login_as(client, 4, demo.pin(4))
        enter(client, level.id)
        first = step(client, level, "step-0001", eta=0.1, beta=0.9)
        again = step(client, level, "step-0001", eta=0.1, beta=0.9)
        other = step(client, level, "step-0001", eta=0.2, beta=0.9)
    assert again.json()["replayed"] is True
    assert again.json()["guess"] == first.json()["guess"]
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert stored(session, level) == 1


@pytest.mark.parametrize(
    ("mode", "choice", "code"),
    [
        (Mode.LEARNING_RATE, {"x": 1}, "choose_eta"),
        (Mode.LEARNING_RATE, {"eta": 0.1, "beta": 0.5}, "choose_eta"),
        (Mode.LEARNING_RATE, {}, "eta_missing"),
        (Mode.LEARNING_RATE, {"eta": ""}, "eta_missing"),
        (Mode.LEARNING_RATE, {"eta": "fast"}, "eta_not_a_number"),
        (Mode.LEARNING_RATE, {"eta": "NaN"}, "eta_not_a_number"),
        (Mode.LEARNING_RATE, {"eta": "inf"}, "eta_not_a_number"),
        (Mode.LEARNING_RATE, {"eta": 0}, "eta_out_of_bounds"),
        (Mode.LEARNING_RATE, {"eta": -0.5}, "eta_out_of_bounds"),
        (Mode.LEARNING_RATE, {"eta": 11}, "eta_out_of_bounds"),
        (Mode.MOMENTUM, {"eta": 0.1}, "beta_missing"),
        (Mode.MOMENTUM, {"eta": 0.1, "beta": 1}, "beta_out_of_bounds"),
        (Mode.MOMENTUM, {"eta": 0.1, "beta": -0.1}, "beta_out_of_bounds"),
        (Mode.MOMENTUM, {"eta": 0.1, "beta": "1e400"}, "beta_not_a_number"),
        (Mode.MOMENTUM, {"x": 2, "eta": 0.1, "beta": 0.5}, "choose_eta_beta"),
        (Mode.FREE, {"x": 2, "eta": 0.1}, "choose_x"),
    ],
)
def test_bad_choices_are_refused_and_change_nothing(app, session, demo, mode, choice, code):
    if mode is Mode.FREE:
        level = demo.levels[0]
    else:
        level = stepping_level(session, demo, mode)
    with browser_like(app) as client:
        login_as(client, 5, demo.pin(5))
        enter(client, level.id)
        answer = step(client, level, "refused-01", **choice)
        state = client.get(f"/api/levels/{level.id}").json()
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["message"]
    assert stored(session, level) == 0
    assert state["guesses_left"] == state["level"]["guess_budget"]
    if mode is not Mode.FREE:
        assert state["position"]["x"] == START


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=st.lists(st.tuples(st.floats(0.001, 2), st.floats(0, 0.99)), min_size=1, max_size=5))
def test_every_step_follows_the_update_rule(app, session, demo, moves) -> None:
    level = stepping_level(session, demo, Mode.MOMENTUM)
    x, v = START, 0.0
    with browser_like(app) as client:
        login_as(client, 6, demo.pin(6))
        enter(client, level.id)
        for i, (eta, beta) in enumerate(moves):
            answer = step(client, level, f"hypothesis-{i:04d}", eta=eta, beta=beta)
            assert answer.status_code == 200, answer.text
            v = beta * v - eta * slope(x)
            target = x + v
            x = min(max(target, -5.0), 5.0)
            if x != target:
                v = x - (target - v)
            got = answer.json()["guess"]
            assert got["x"] == pytest.approx(x, abs=1e-9)
            assert got["velocity"] == pytest.approx(v, abs=1e-9)
            assert got["clamped"] is (x != target)
            assert got["fx"] == pytest.approx((x - 1) ** 2)


def test_after_the_reveal_each_free_step_shows_its_implied_learning_rate(
    app, session, demo
) -> None:
    level = demo.levels[0]  # (x - 3.7)^2 / 8 + 2: f'(x) = (x - 3.7) / 4
    set_level(session, level, cooldown_seconds=0)
    with browser_like(app) as client:
        login_as(client, 7, demo.pin(7))
        enter(client, level.id)
        for i, x in enumerate((1, 2.35, 5)):
            step(client, level, f"implied-{i:04d}", x=x)
        before = client.get(f"/api/levels/{level.id}").json()["guesses"]
        for state in (LevelState.CLOSED, LevelState.REVEALED):
            set_level_state(session, level=level, state=state, now=utcnow())
        after = client.get(f"/api/levels/{level.id}").json()["guesses"]
    assert all("implied_eta" not in g for g in before)  # it would hint at f' between guesses
    assert "implied_eta" not in after[0]
    assert after[1]["implied_eta"] == pytest.approx(-(2.35 - 1) / ((1 - 3.7) / 4))  # 2
    assert after[2]["implied_eta"] == pytest.approx(-(5 - 2.35) / ((2.35 - 3.7) / 4))
