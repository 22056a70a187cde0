"""Noisy slopes: seeded draws that are the same on every retry and restart, differ between
teams and guesses, and have the size the instructor set."""

from __future__ import annotations

import statistics

import pytest

from app.game.expression import compile_function
from app.game.noise import slope_noise, with_noisy_slopes


def test_a_draw_depends_on_the_seed_the_team_and_the_guess_only() -> None:
    draw = slope_noise("seed", 7, 3, 2.0)
    assert slope_noise("seed", 7, 3, 2.0) == draw
    others = {slope_noise("seed", 8, 3, 2.0), slope_noise("seed", 7, 4, 2.0)}
    others |= {slope_noise("other", 7, 3, 2.0)}
    assert draw not in others and len(others) == 3


def test_draws_are_centred_and_of_the_size_set() -> None:
    draws = [slope_noise("size", team, seq, 1.5) for team in range(40) for seq in range(50)]
    assert statistics.fmean(draws) == pytest.approx(0, abs=0.1)
    assert statistics.stdev(draws) == pytest.approx(1.5, rel=0.05)


def test_the_players_view_is_noisy_in_the_slope_only() -> None:
    fn = compile_function("(x - 1)^2")
    assert with_noisy_slopes(fn, None, "s") is fn and with_noisy_slopes(fn, 0.0, "s") is fn
    noisy = with_noisy_slopes(fn, 0.5, "s")
    points = [noisy.at(3.0) for _ in range(400)]
    assert {p.fx for p in points} == {4.0}
    slopes = [p.slope for p in points]
    assert statistics.fmean(slopes) == pytest.approx(4.0, abs=0.1)
    assert statistics.stdev(slopes) == pytest.approx(0.5, rel=0.15)
    again = with_noisy_slopes(fn, 0.5, "s")
    assert [again.at(3.0).slope for _ in range(400)] == slopes  # seeded: the same game
