"""Two-parameter levels through the JSON API: a free guess is a point and gets f and the
gradient; learning-rate and momentum steps move both coordinates by the update rule, each
kept in the rectangle; noise is seeded per coordinate; bad input changes nothing; the
reveal carries the contour map and the implied η."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.db import utcnow
from app.game.moves import Mode
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import Guess, Level, Progress
from app.services.levels import set_level_state
from app.services.projector import announce
from tests.support import PLANE, Demo, browser_like, enter, login_as, open_level, reread

# f(x, y) = (x - 1)^2 + 3(y + 2)^2: ∇f = (2(x - 1), 6(y + 2)); stepping teams start at (4, 1)
EXPRESSION = PLANE["expression"]
START = (4.0, 1.0)


def f(x: float, y: float) -> float:
    return (x - 1) ** 2 + 3 * (y + 2) ** 2


def grad(x: float, y: float) -> tuple[float, float]:
    return 2 * (x - 1), 6 * (y + 2)


def plane_level(session, demo: Demo, mode: Mode = Mode.FREE, **extra) -> Level:
    return open_level(
        session,
        demo.lesson.id,
        LevelSpec(
            title=f"plane {mode.value}",
            **PLANE,
            cooldown_seconds=0,
            mode=mode,
            start_x=START[0] if mode.steps else None,
            start_y=START[1] if mode.steps else None,
            **extra,
        ),
    )


def guess(client, level: Level, key: str, **choice):
    return client.post(f"/api/levels/{level.id}/guesses", json={**choice, "idempotency_key": key})


def stored(session, level: Level) -> int:
    reread(session)
    return session.scalar(select(func.count()).where(Guess.level_id == level.id))


def test_the_level_knows_its_true_minimum_in_two_parameters(session, demo) -> None:
    level = plane_level(session, demo)
    assert (level.x_star, level.y_star, level.f_star) == pytest.approx((1, -2, 0), abs=1e-6)
    assert level.domain.plane and level.domain.box.holds(0, 0)


def test_a_free_guess_is_a_point_answered_with_f_and_the_gradient(app, session, demo) -> None:
    level = plane_level(session, demo)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        state = enter(client, level.id)
        assert state["level"]["plane"] and (state["level"]["y_min"], state["level"]["y_max"]) == (
            -4,
            4,
        )
        first = guess(client, level, "plane-0001", x=3, y="0,5").json()
        second = guess(client, level, "plane-0002", x="1.5", y=-2).json()
        again = guess(client, level, "plane-0002", x="1.5", y=-2).json()
        state = client.get(f"/api/levels/{level.id}").json()
    assert first["guess"]["y"] == 0.5 and first["guess"]["fx"] == pytest.approx(f(3, 0.5))
    assert first["tangent"] is None and first["guess"]["intercept"] is None  # no line in 2-D
    assert (first["guess"]["slope"], first["guess"]["gy"]) == pytest.approx(grad(3, 0.5))
    assert second["best"]["seq"] == 2 and second["best"]["y"] == -2
    assert again["replayed"] and stored(session, level) == 2
    assert [g["y"] for g in state["guesses"]] == [0.5, -2]
    assert state["reveal"] is None  # nothing of f before the reveal
    progress = session.get(Progress, (demo.teams[1].id, level.id))
    assert (progress.best_x, progress.best_y) == (1.5, -2)


@pytest.mark.parametrize(
    ("choice", "code"),
    [
        ({"x": 1}, "y_missing"),
        ({"y": 1}, "x_missing"),
        ({"x": 1, "y": "abc"}, "y_not_number"),
        ({"x": 1, "y": "nan"}, "y_not_number"),
        ({"x": 1, "y": True}, "y_not_number"),  # JSON true is not the number 1
        ({"x": False, "y": 1}, "x_not_number"),
        ({"x": 1, "y": 4.5}, "y_outside_domain"),
        ({"x": 6, "y": 0}, "x_outside_domain"),
        ({"x": 1, "y": 1, "eta": 0.1}, "choose_x"),
    ],
)
def test_bad_points_get_a_clear_error_and_change_nothing(app, session, demo, choice, code) -> None:
    level = plane_level(session, demo)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        enter(client, level.id)
        response = guess(client, level, "bad-point-1", **choice)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert stored(session, level) == 0


def test_a_y_on_a_curve_and_a_point_on_a_stepping_plane_are_refused(app, session, demo) -> None:
    stepping = plane_level(session, demo, Mode.LEARNING_RATE)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        curve = client.get("/api/levels").json()["levels"][0]["id"]
        enter(client, curve)
        enter(client, stepping.id)
        on_curve = client.post(
            f"/api/levels/{curve}/guesses", json={"x": 1, "y": 2, "idempotency_key": "curve-y-1"}
        )
        on_steps = guess(client, stepping, "steps-y-01", eta=0.1, y=2)
    assert on_curve.json()["error"]["code"] == "no_y_here"
    assert on_steps.json()["error"]["code"] == "choose_eta"
    assert stored(session, stepping) == 0


def test_learning_rate_steps_move_both_coordinates(app, session, demo) -> None:
    level = plane_level(session, demo, Mode.LEARNING_RATE)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        state = enter(client, level.id)
        assert state["position"]["y"] == 1 and state["position"]["gy"] == 18
        first = guess(client, level, "lr-plane-01", eta=0.1).json()["guess"]
        second = guess(client, level, "lr-plane-02", eta=0.1).json()["guess"]
        state = client.get(f"/api/levels/{level.id}").json()
    assert (first["x"], first["y"]) == pytest.approx((4 - 0.1 * 6, 1 - 0.1 * 18))
    x1, y1 = first["x"], first["y"]
    gx, gy = grad(x1, y1)
    assert (second["x"], second["y"]) == pytest.approx((x1 - 0.1 * gx, y1 - 0.1 * gy))
    assert (state["position"]["x"], state["position"]["y"]) == (second["x"], second["y"])


def test_a_step_leaving_the_rectangle_stops_at_its_wall_and_is_marked(app, session, demo) -> None:
    level = plane_level(session, demo, Mode.LEARNING_RATE)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        enter(client, level.id)
        moved = guess(client, level, "wall-0001", eta=1).json()["guess"]
    # x: 4 - 6 = -2 stays inside; y: 1 - 18 = -17 stops at the wall y = -4
    assert (moved["x"], moved["y"], moved["clamped"]) == (-2, -4, True)
    assert moved["velocity_y"] == -5  # the distance actually travelled


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    eta=st.floats(0.001, 0.4),
    beta=st.floats(0, 0.95),
    moves=st.integers(1, 4),
)
def test_momentum_steps_match_a_reference_computation(app, session, demo, eta, beta, moves) -> None:
    level = plane_level(session, demo, Mode.MOMENTUM)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        enter(client, level.id)
        answers = [
            guess(client, level, f"momentum-{i:04d}", eta=eta, beta=beta).json()
            for i in range(moves)
        ]
    (x, y), (vx, vy) = START, (0.0, 0.0)
    for answer in answers:
        gx, gy = grad(x, y)
        vx, vy = beta * vx - eta * gx, beta * vy - eta * gy
        tx, ty = x + vx, y + vy
        nx, ny = min(max(tx, -5), 5), min(max(ty, -4), 4)
        if nx != tx:
            vx = nx - x
        if ny != ty:
            vy = ny - y
        x, y = nx, ny
        got = answer["guess"]
        assert (got["x"], got["y"]) == pytest.approx((x, y), rel=1e-9, abs=1e-12)
        assert (got["velocity"], got["velocity_y"]) == pytest.approx((vx, vy), rel=1e-9, abs=1e-12)
        assert got["fx"] == pytest.approx(f(x, y), rel=1e-9, abs=1e-12)


def test_noisy_gradients_are_seeded_per_coordinate_and_revealed(app, session, demo) -> None:
    level = plane_level(session, demo, slope_noise=2.0)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        enter(client, level.id)
        got = guess(client, level, "noisy-0001", x=3, y=1).json()["guess"]
        gx, gy = grad(3, 1)
        assert got["slope"] != gx and got["gy"] != gy
        assert got["slope"] - gx != pytest.approx(got["gy"] - gy)  # draws of their own
        assert "true_gy" not in got
        guess(client, level, "noisy-0002", x=2, y=0)
        set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
        set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
        state = client.get(f"/api/levels/{level.id}").json()
        page = client.get(f"/levels/{level.id}/reveal").text
    assert "the dotted one the true −∇f" in page
    first, second = state["guesses"]
    assert (first["true_slope"], first["true_gy"]) == pytest.approx((gx, gy))
    # the implied η: the step's length along −∇f (as received) over |∇f|²
    g = (first["slope"], first["gy"])
    step = (2 - 3, 0 - 1)
    assert second["implied_eta"] == pytest.approx(
        -(step[0] * g[0] + step[1] * g[1]) / (g[0] ** 2 + g[1] ** 2)
    )
    reveal = state["reveal"]
    assert (reveal["x_star"], reveal["y_star"]) == pytest.approx((1, -2), abs=1e-6)
    grid = reveal["plane"]
    assert len(grid["x"]) == len(grid["z"][0]) and len(grid["y"]) == len(grid["z"])
    for j in (0, 30, 60):
        for i in (0, 17, 60):
            assert grid["z"][j][i] == pytest.approx(f(grid["x"][i], grid["y"][j]), rel=1e-5)
    assert math.isfinite(reveal["f_star"])


def test_nothing_of_f_reaches_a_team_or_the_projector_before_the_reveal(app, session, demo) -> None:
    level = plane_level(session, demo, Mode.MOMENTUM)
    announce(
        session, lesson_id=demo.lesson.id, level_id=level.id, show_password=False, now=utcnow()
    )
    secrets = [EXPRESSION, '"x_star"', '"y_star"', '"f_star"', '"z"', repr(level.f_median)]
    code = demo.lesson.join_code
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        enter(client, level.id)
        guess(client, level, "leak-0001", eta=0.1, beta=0.5)
        paths = (
            f"/levels/{level.id}/play",
            f"/api/levels/{level.id}",
            f"/api/levels/{level.id}/guesses",
            f"/api/levels/{level.id}/standings",
            f"/levels/{level.id}/reveal",
            f"/projector/{code}",
            f"/projector/{code}/state.json",
        )
        for state in (LevelState.OPEN, LevelState.CLOSED):  # closed, not yet revealed
            if state is LevelState.CLOSED:
                set_level_state(session, level=level, state=state, now=utcnow())
            seen = [client.get(path).text for path in paths]
            for secret in secrets:
                assert not any(secret in text for text in seen), (state, secret)
        set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
        after = None
        for _ in range(50):  # the projector's snapshot follows the lesson's live version
            after = client.get(f"/projector/{code}/state.json").json()["level"]["reveal"]
            if after is not None:
                break
            time.sleep(0.1)
    assert after is not None
    # once revealed, the projector draws the contour map and every path over it
    assert after["expression"] == EXPRESSION and after["plane"]["z"]
    (team,) = [t for t in after["teams"] if t["guesses"]]
    x, y, fx, gx, gy = team["guesses"][0]
    assert (x, y) == pytest.approx((4 - 0.1 * 6, 1 - 0.1 * 18)) and fx == pytest.approx(f(x, y))
    assert (gx, gy) == pytest.approx(grad(x, y))
    assert after["start"] == [4, 1, f(4, 1)]
    assert {g["key"] for g in after["ghosts"]} == {"gradient_descent", "momentum"}
    for ghost in after["ghosts"]:
        assert all(-5 <= p[0] <= 5 and -4 <= p[1] <= 4 for p in ghost["path"])
        assert ghost["path"][0][:2] == [4, 1] and ghost["best_y"] is not None


def test_the_console_follows_a_two_parameter_level_to_the_report(app, desk, session, demo) -> None:
    level = plane_level(session, demo)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        enter(client, level.id)
        guess(client, level, "console-0001", x=3, y=1)
        guess(client, level, "console-0002", x=1.5, y=-1.5)
    monitor = desk.get(f"/instructor/levels/{level.id}/monitor.json").json()
    assert monitor["plane"]["z"] and monitor["curve"] == []
    (team,) = [t for t in monitor["teams"] if t["points"]]
    assert team["points"] == [[3, 1, f(3, 1)], [1.5, -1.5, f(1.5, -1.5)]]
    assert (team["best_x"], team["best_y"]) == (1.5, -1.5)
    monitor_page = desk.get(f"/instructor/levels/{level.id}/monitor").text
    assert "at (x, y) =" in monitor_page and "Best f(x, y)" in monitor_page
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
    set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        overall = client.get("/api/standings").json()
        pages = [client.get(path).text for path in ("/standings", f"/levels/{level.id}/reveal")]
    # the 2-D level's tables say what was minimised; the demo's curves keep f(x)
    assert all("Best f(x, y)" in page for page in pages) and "Best f(x)<" in pages[0]
    points = overall["rows"][0]["points"][str(level.id)]
    # 100 × (median − best) / (median − minimum): the best f is 0.25 + 0.75 = 1
    assert points == pytest.approx(100 * (level.f_median - 1) / (level.f_median - 0), abs=0.01)
    report = desk.get(f"/instructor/lessons/{demo.lesson.id}/report.html").text
    assert "f(x, y) = <code>" in report and '"type":"contour"' in report
    assert "Best f(x, y)" in report and "Best f(x)<" in report  # and the demo's curves
    copied = desk.post(
        f"/instructor/lessons/{demo.lesson.id}/duplicate", data={}, follow_redirects=False
    )
    assert copied.status_code == 303, copied.text
    reread(session)
    copy = session.scalars(select(Level).where(Level.title == level.title)).all()[-1]
    assert copy.id != level.id and (copy.y_min, copy.y_max, copy.y_star) == (-4, 4, level.y_star)
