"""A level's kind of domain answers for itself: an interval and a rectangle each evaluate,
step, start, place the reference players, find the minimum and draw f."""

from __future__ import annotations

import pytest

from app.game.domain import GhostRules, Interval, Plane, domain_of, ghost_start
from app.game.moves import Mode, Position, StepBounds
from app.game.plane import Rectangle
from app.game.variants import Variant

BOWL = "(x - 1)^2 + 2"
DISH = "(x - 1)^2 + 2*(y + 1)^2"
LINE = Interval(-4, 4)
PLANE = Plane(Rectangle(-4, 4, -3, 3))


def test_the_bounds_say_which_kind() -> None:
    assert domain_of(-4, 4, None, None) == LINE
    assert domain_of(-4, 4, -3, 3) == PLANE
    assert domain_of(-4, 4, -3, None) == LINE  # one y bound alone makes no rectangle
    assert (LINE.kind, LINE.plane, PLANE.kind, PLANE.plane) == (
        "interval",
        False,
        "rectangle",
        True,
    )


def test_each_kind_evaluates_f_and_its_gradient() -> None:
    at = LINE.evaluate(LINE.function(BOWL), 3, None)
    assert (at.fx, at.gx, at.gy) == (6, 4, None)
    on = PLANE.evaluate(PLANE.function(DISH), 3, 0)
    assert (on.fx, on.gx, on.gy) == (6, 4, 4)
    assert not LINE.evaluate(LINE.function("1/x"), 0, None).is_finite


def test_a_team_plays_its_own_copy_on_an_interval() -> None:
    moved = LINE.function(BOWL, Variant(shift=2.0, scale=3.0))
    assert moved.at(3).fx == pytest.approx(3 * 2)  # 3·f(3 − 2)


def test_steps_stop_at_the_walls_of_each_kind() -> None:
    step = LINE.step(Position(3, 6, 4), eta=2, beta=0)
    assert (step.x, step.clamped) == (-4, True)
    moved = PLANE.step(Position(3, 8, 4, y=0, gy=4), eta=0.25, beta=0)
    assert (moved.x, moved.y, moved.clamped) == (2, -1, False)
    wall = PLANE.step(Position(3, 8, 4, y=0, gy=40), eta=0.25, beta=0)
    assert (wall.y, wall.clamped) == (-3, True)


def test_where_teams_and_reference_players_start() -> None:
    assert LINE.start(None, None) == (0, None) and LINE.start(2.5, None) == (2.5, None)
    assert PLANE.start(None, 1) == (0, 1)
    firsts = [[1.0, 5.0], [3.0, 1.0], [8.0, 0.5]]
    assert ghost_start(LINE, Mode.FREE, (None, None), firsts) == (3.0, None)
    assert ghost_start(PLANE, Mode.FREE, (None, None), firsts) == (3.0, 1.0)
    assert ghost_start(PLANE, Mode.FREE, (None, None), []) == (0, 0)
    # on a stepping level every player starts where the teams did, whatever they guessed
    assert ghost_start(PLANE, Mode.MOMENTUM, (2.0, None), firsts) == (2.0, 0)


def test_each_kind_finds_its_minimum_and_draws_f() -> None:
    line, plane = LINE.facts(BOWL), PLANE.facts(DISH)
    assert (line.x_star, line.f_star, line.y_star) == (pytest.approx(1), pytest.approx(2), None)
    assert (plane.x_star, plane.y_star) == (pytest.approx(1), pytest.approx(-1))
    curve = LINE.picture(BOWL, reach=1, detail=11)
    assert (curve.curve[0][0], curve.curve[-1][0], curve.contours) == (-5, 5, None)
    contours = PLANE.picture(DISH, detail=5)
    assert contours.curve == [] and contours.contours is not None
    assert contours.contours["x"] == [-4, -2, 0, 2, 4] and len(contours.contours["z"]) == 5


@pytest.mark.parametrize("domain", [LINE, PLANE], ids=["interval", "rectangle"])
def test_reference_players_play_every_kind(domain) -> None:
    text = BOWL if domain is LINE else DISH
    play = GhostRules(Mode.LEARNING_RATE, StepBounds(), None, "seed")
    start = domain.start(None, None)
    ghosts = domain.play_ghosts(text, start, 8, play)
    assert ghosts and all(ghost.path for ghost in ghosts)
    assert all(ghost.path[0].x == start[0] for ghost in ghosts)  # from the level's start
