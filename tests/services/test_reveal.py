"""The reveal: nothing before it; after it every team's path in order, the final standings
with their gaps, and the reference players from where the teams began."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.game.expression import compile_function
from app.game.rules import LevelState
from app.services.levels import enter_level, set_level_state
from app.services.reveal import reveal_view, team_reveal
from app.services.submit import submit_guess
from tests.support import Demo


def play(session, demo: Demo, number: int, xs: list[float], start) -> None:
    """Team ``number`` enters the first level and guesses ``xs``, a cooldown apart."""
    team, level = demo.teams[number], demo.levels[0]
    enter_level(session, team=team, level_id=level.id, password=None, now=start)
    for i, x in enumerate(xs):
        at = start + timedelta(seconds=11 * i)
        key = f"reveal-{number}-{i:03d}"
        submit_guess(session, team=team, level_id=level.id, raw_x=x, idempotency_key=key, now=at)


@pytest.fixture
def revealed(session, demo: Demo):
    start = utcnow() - timedelta(minutes=5)
    play(session, demo, 1, [-4.0, 2.0, 3.5], start)
    play(session, demo, 2, [6.0], start + timedelta(seconds=5))
    level = demo.levels[0]
    assert reveal_view(session, level=level, now=utcnow()) is None  # open: nothing
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
    assert reveal_view(session, level=level, now=utcnow()) is None  # closed: still nothing
    assert team_reveal(level, demo.teams[1].id) is None
    set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
    return level


def test_after_the_reveal_every_path_and_the_order_of_guesses(session, demo, revealed) -> None:
    view = reveal_view(session, level=revealed, now=utcnow())
    assert view is not None and view.expression == revealed.expression
    paths = {team.number: [point[0] for point in team.guesses] for team in view.teams}
    assert paths[1] == [-4.0, 2.0, 3.5] and paths[2] == [6.0]
    order = [(view.teams[i].number, j) for i, j in view.replay]
    assert order == [(1, 0), (2, 0), (1, 1), (1, 2)]  # by the time each was made
    fn = compile_function(revealed.expression)
    for team in view.teams:
        for x, fx, slope in team.guesses:  # each point on the curve, with its tangent's slope
            assert (fx, slope) == (pytest.approx(fn.at(x).fx), pytest.approx(fn.at(x).slope))
    assert min(p[1] for p in view.curve) >= view.f_star - 1e-9


def test_final_standings_and_reference_players(session, demo, revealed) -> None:
    view = reveal_view(session, level=revealed, now=utcnow())
    assert view is not None
    played = [row for row in view.standings if row.best_fx is not None]
    assert [row.team_number for row in played][:2] in ([1, 2], [2, 1])
    assert all(row.gap is not None and row.gap >= 0 for row in played)
    assert all(row.rank is None for row in view.standings if row.best_fx is None)
    # the players start at the median of the teams' first guesses, with the level's budget
    assert view.ghost_start == pytest.approx((-4.0 + 6.0) / 2)
    assert view.ghost_budget == revealed.guess_budget
    assert {ghost.key for ghost in view.ghosts} >= {"gradient_descent", "random_search"}
    assert all(ghost.gap >= -1e-9 for ghost in view.ghosts)


def test_a_team_sees_the_curve_and_minimum_once_revealed(session, demo, revealed) -> None:
    own = team_reveal(revealed, demo.teams[1].id)
    assert own is not None and own.curve and own.plane is None
    assert (own.x_star, own.f_star) == (revealed.x_star, revealed.f_star)
