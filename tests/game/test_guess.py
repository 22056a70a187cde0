"""A guess decided without a database: every refusal code with its parameters, and what an
accepted guess carries, on curves and planes, free and stepping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.game.expression import compile_function, compile_plane
from app.game.guess import (
    Accepted,
    Choice,
    GuessRefused,
    check_key,
    decide_guess,
    read_batch,
    read_choice,
)
from app.game.moves import Mode, Position, StepBounds
from app.game.noise import batch_noise
from app.game.rules import (
    NOT_ENTERED,
    GuessRules,
    LevelClock,
    LevelState,
    Refusal,
    TeamProgress,
    next_allowed_at,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OPEN = LevelClock(LevelState.OPEN, NOW - timedelta(minutes=1), None)
LINE = GuessRules(OPEN, x_min=-4, x_max=4, cooldown_seconds=10, guess_budget=3)
PLANE = GuessRules(OPEN, -4, 4, 10, None, y_min=0, y_max=2)
FRESH = TeamProgress(entered=True, guesses_used=0, last_guess_at=None)
BOWL = compile_function("(x - 1)^2")
DISH = compile_plane("x^2 + (y - 1)^2")
BOUNDS = StepBounds(eta_max=2, beta_max=0.9)


def refused(read) -> tuple[str, dict]:
    with pytest.raises(GuessRefused) as caught:
        read()
    return caught.value.refusal.code, dict(caught.value.refusal.params)


@pytest.mark.parametrize("key", [None, 12345678, "short", "x" * 65, "has space 1", "ключ-ключ"])
def test_a_key_that_is_no_key_is_refused(key: object) -> None:
    assert refused(lambda: check_key(key)) == ("idempotency_key_invalid", {})


@pytest.mark.parametrize(
    ("mode", "plane", "sent", "code", "params"),
    [
        (Mode.FREE, False, {"raw_y": 1}, "no_y_here", {}),
        (Mode.FREE, False, {"raw_x": 1, "raw_eta": 0.1}, "choose_x", {}),
        (Mode.FREE, False, {}, "x_missing", {}),
        (Mode.FREE, False, {"raw_x": "nan"}, "x_not_number", {}),
        (Mode.FREE, True, {"raw_x": 1}, "y_missing", {}),
        (Mode.FREE, True, {"raw_x": 1, "raw_y": "1e309"}, "y_not_number", {}),
        (Mode.LEARNING_RATE, False, {"raw_x": 1}, "choose_eta", {}),
        (Mode.LEARNING_RATE, False, {"raw_eta": 0.1, "raw_beta": 0.5}, "choose_eta", {}),
        (Mode.MOMENTUM, False, {"raw_x": 1}, "choose_eta_beta", {}),
        (Mode.LEARNING_RATE, False, {}, "eta_missing", {}),
        (Mode.LEARNING_RATE, False, {"raw_eta": "fast"}, "eta_not_a_number", {}),
        (Mode.LEARNING_RATE, False, {"raw_eta": 3}, "eta_out_of_bounds", {"high": 2}),
        (Mode.MOMENTUM, False, {"raw_eta": 1}, "beta_missing", {}),
        (Mode.MOMENTUM, False, {"raw_eta": 1, "raw_beta": "x"}, "beta_not_a_number", {}),
        (
            Mode.MOMENTUM,
            False,
            {"raw_eta": 1, "raw_beta": 0.95},
            "beta_out_of_bounds",
            {"high": 0.9},
        ),
    ],
)
def test_a_choice_the_level_does_not_take_is_refused(mode, plane, sent, code, params) -> None:
    raw = {"raw_x": None, "raw_eta": None, "raw_beta": None, "raw_y": None} | sent
    assert refused(lambda: read_choice(mode, BOUNDS, plane, **raw)) == (code, params)


def test_choices_are_read_as_typed() -> None:
    assert read_choice(Mode.FREE, BOUNDS, True, "1,5", None, None, "\uff12") == Choice(
        1.5, None, None, 2.0
    )
    assert read_choice(Mode.MOMENTUM, BOUNDS, False, None, "0.5", 0, None) == Choice(None, 0.5, 0.0)


def test_a_retry_is_the_same_choice_and_nothing_else() -> None:
    free, step = Choice(1.0, None, None), Choice(None, 0.5, 0.2)
    assert free.made(1.0, None, None, None, None) and not free.made(2.0, None, None, None, None)
    assert step.made(-3.0, None, 0.5, 0.2, None) and not step.made(-3.0, None, 0.5, 0.3, None)
    batch = Choice(1.0, None, None, batch=4)  # the same x on another batch: another choice
    assert batch.made(1.0, None, None, None, 4) and not batch.made(1.0, None, None, None, 1)


@pytest.mark.parametrize(
    ("raw", "batch_max", "found"),
    [(None, None, None), (None, 8, 1), (3, 8, 3), ("8", 8, 8), (" 2 ", 8, 2)],
)
def test_a_batch_size_is_a_whole_number_up_to_the_levels(raw, batch_max, found) -> None:
    assert read_batch(raw, batch_max) == found


@pytest.mark.parametrize(
    ("raw", "batch_max", "code"),
    [
        (2, None, "batch_not_here"),
        ("1", None, "batch_not_here"),
        (0, 8, "batch_outside"),
        (9, 8, "batch_outside"),
        (2.5, 8, "batch_outside"),
        ("two", 8, "batch_outside"),
        (True, 8, "batch_outside"),
        ("-1", 8, "batch_outside"),
    ],
)
def test_a_batch_size_out_of_bounds_is_refused(raw, batch_max, code) -> None:
    with pytest.raises(GuessRefused) as refused:
        read_batch(raw, batch_max)
    assert refused.value.refusal.code == code


def test_a_guess_on_a_batch_of_b_waits_b_cooldowns() -> None:
    after = TeamProgress(True, 1, NOW, last_batch=4)
    assert next_allowed_at(LINE, after) == NOW + timedelta(seconds=4 * LINE.cooldown_seconds)
    assert next_allowed_at(LINE, TeamProgress(True, 1, NOW)) == NOW + timedelta(
        seconds=LINE.cooldown_seconds
    )
    assert batch_noise(2.0, 4) == 1.0 and batch_noise(2.0, None) == 2.0


def decide(choice: Choice, progress: TeamProgress = FRESH, rules: GuessRules = LINE, **kw):
    return decide_guess(rules, progress, choice, NOW, function=kw.pop("function", BOWL), **kw)


@pytest.mark.parametrize(
    ("case", "code", "params"),
    [
        (lambda: decide(Choice(0, None, None), NOT_ENTERED), "level_not_entered", {}),
        (
            lambda: decide(Choice(9, None, None)),
            "x_outside_domain",
            {"x_min": -4, "x_max": 4},
        ),
        (
            lambda: decide(Choice(0, None, None), TeamProgress(True, 3, NOW - timedelta(hours=1))),
            "budget_used_up",
            {},
        ),
        (
            lambda: decide(
                Choice(0, None, None), TeamProgress(True, 1, NOW - timedelta(seconds=4))
            ),
            "cooldown",
            {"seconds": 6.0, "next_allowed_at": (NOW + timedelta(seconds=6)).isoformat()},
        ),
        (
            lambda: decide(Choice(0, None, None, 3), rules=PLANE, function=DISH),
            "y_outside_domain",
            {"y_min": 0, "y_max": 2},
        ),
        (
            lambda: decide(Choice(0, None, None), function=compile_function("1/x")),
            "not_finite_here",
            {},
        ),
        (
            lambda: decide(Choice(0, None, None, 0), rules=PLANE, function=compile_plane("1/x")),
            "not_finite_at_point",
            {},
        ),
        (
            lambda: decide(Choice(None, 1, None), at=Position(2, float("nan"), 1)),
            "start_undefined",
            {},
        ),
        (
            lambda: decide(
                Choice(None, 1, None), at=Position(1, 1, 1), function=compile_function("1/x")
            ),
            "step_lands_where_f_undefined",
            {},
        ),
    ],
)
def test_every_rule_of_a_guess_refuses_with_its_own_parameters(case, code, params) -> None:
    verdict = case()
    assert isinstance(verdict, Refusal)
    assert (verdict.code, dict(verdict.params)) == (code, params)


@pytest.mark.parametrize("state", [LevelState.DRAFT, LevelState.CLOSED])
def test_a_level_that_is_not_open_refuses(state: LevelState) -> None:
    rules = GuessRules(LevelClock(state, None, None), -4, 4, 10, None)
    verdict = decide(Choice(0, None, None), rules=rules)
    assert isinstance(verdict, Refusal)
    assert verdict.code == ("level_not_open" if state is LevelState.DRAFT else "level_closed")


def test_an_accepted_free_guess_carries_f_and_its_slope() -> None:
    assert decide(Choice(3, None, None)) == Accepted(3, None, 4, 4, None, None)


def test_an_accepted_step_moves_from_where_the_team_stands_and_stops_at_the_wall() -> None:
    verdict = decide(Choice(None, 1, 0.5), at=Position(3, 4, 4, velocity=-1))
    assert isinstance(verdict, Accepted) and verdict.step is not None
    assert (verdict.x, verdict.step.velocity, verdict.step.clamped) == (-1.5, -4.5, False)
    wall = decide(Choice(None, 2, None), at=Position(3, 4, 4))
    assert isinstance(wall, Accepted) and wall.step is not None
    assert (wall.x, wall.step.clamped) == (-4, True)


def test_a_step_on_a_plane_moves_both_coordinates() -> None:
    at = Position(2, 5, 4, y=2, gy=2)
    verdict = decide(Choice(None, 0.25, None), rules=PLANE, function=DISH, at=at)
    assert isinstance(verdict, Accepted)
    assert (verdict.x, verdict.y, verdict.fx, verdict.slope, verdict.gy) == (1, 1.5, 1.25, 2, 1)
