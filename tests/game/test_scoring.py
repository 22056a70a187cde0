"""The ranking rule (ties included) and the points of the lesson's standings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.game.scoring import (
    Entry,
    OverallStanding,
    SettledLevel,
    level_points,
    podium,
    rank_level,
    rank_overall,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def entry(team: int, best: float | None, seconds: float = 0) -> Entry:
    at = T0 + timedelta(seconds=seconds) if best is not None else None
    return Entry(team, team, f"Team {team}", best, at, 0 if best is None else 3)


def ranks(standings) -> list[tuple[int, int]]:
    return [(s.rank, s.entry.team_number) for s in standings]


def test_lowest_best_first() -> None:
    result = rank_level([entry(1, 5.0), entry(2, -1.0), entry(3, 2.0)])
    assert ranks(result) == [(1, 2), (2, 3), (3, 1)]


def test_a_tie_goes_to_the_team_that_reached_it_earlier() -> None:
    result = rank_level([entry(1, 1.0, seconds=30), entry(2, 1.0, seconds=10)])
    assert ranks(result) == [(1, 2), (2, 1)]


def test_the_same_best_at_the_same_moment_shares_the_rank() -> None:
    result = rank_level([entry(1, 1.0, 5), entry(2, 1.0, 5), entry(3, 2.0)])
    assert ranks(result) == [(1, 1), (1, 2), (3, 3)]


def test_teams_without_a_guess_come_last_together() -> None:
    result = rank_level([entry(1, None), entry(2, 100.0), entry(3, None)])
    assert ranks(result) == [(1, 2), (2, 1), (2, 3)]


@pytest.mark.parametrize(
    ("best", "points"),
    [(0.0, 100.0), (5.0, 50.0), (10.0, 0.0), (50.0, 0.0), (-1.0, 100.0), (None, 0.0)],
)
def test_points_are_scale_free_and_clipped(best: float | None, points: float) -> None:
    assert level_points(best, f_min=0.0, f_ref=10.0) == pytest.approx(points)
    if best is not None:  # the same place on a level whose f is a thousand times larger
        assert level_points(best * 1000, f_min=0.0, f_ref=10_000.0) == pytest.approx(points)


def test_a_flat_function_gives_every_guess_full_points() -> None:
    assert level_points(3.0, f_min=3.0, f_ref=3.0) == 100.0


def test_overall_sums_points_of_settled_levels() -> None:
    teams = [(1, 1, "A"), (2, 2, "B"), (3, 3, "C")]
    levels = [
        SettledLevel(10, f_min=0, f_ref=10, entries=[entry(1, 0.0), entry(2, 5.0)]),
        SettledLevel(11, f_min=0, f_ref=1000, entries=[entry(1, 1000.0), entry(2, 0.0)]),
    ]
    result = rank_overall(teams, levels)
    assert [(r.rank, r.team_number, r.total) for r in result] == [
        (1, 2, 150.0),
        (2, 1, 100.0),
        (3, 3, 0.0),
    ]
    assert result[0].per_level == {10: 50.0, 11: 100.0}


def test_equal_totals_share_a_rank() -> None:
    teams = [(1, 1, "A"), (2, 2, "B")]
    levels = [SettledLevel(1, 0, 10, [entry(1, 5.0), entry(2, 5.0, seconds=99)])]
    assert [(r.rank, r.team_number) for r in rank_overall(teams, levels)] == [(1, 1), (1, 2)]


def standing(rank: int, number: int, total: float) -> OverallStanding:
    return OverallStanding(rank, number, number, None, total, {})


def test_the_podium_shows_only_teams_that_placed_and_keeps_ties_together() -> None:
    ranking = [standing(1, 1, 9.0), standing(2, 2, 7.5), standing(3, 3, 0.0), standing(3, 4, 0.0)]
    assert [r.team_number for r in podium(ranking, places=5, most=8)] == [1, 2]  # no 0-point
    tied = [standing(1, 1, 9.0), *(standing(2, n, 5.0) for n in range(2, 8)), standing(8, 8, 1.0)]
    shown = podium(tied, places=3, most=8)
    assert [r.team_number for r in shown] == [1, 2, 3, 4, 5, 6, 7]  # the tie for 2nd, whole
    assert [r.team_number for r in podium(tied, places=3, most=4)] == [1, 2, 3, 4]  # at most
    assert podium([], places=5, most=8) == []
