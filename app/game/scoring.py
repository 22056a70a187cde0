"""Standings and points, computed from plain numbers so they are tested without a database."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


class Entry(NamedTuple):
    """One team's result on one level: its best f(x) and when it first reached it (a
    named tuple: a live page makes one per team a few times a second)."""

    team_id: int
    team_number: int
    team_name: str | None
    best_fx: float | None
    best_at: datetime | None
    guesses: int


class Standing(NamedTuple):
    """A ranked entry; teams with the same rank share it."""

    rank: int
    entry: Entry


def rank_level(entries: Iterable[Entry]) -> list[Standing]:
    """Rank a level: lowest best f(x) first; a tie goes to the team that reached it earlier.

    Teams that made no guess come last and share the last rank. Two teams share a rank
    only when both their best f(x) and the moment they reached it are equal.
    """
    ordered = sorted(entries, key=_rank_key)
    standings: list[Standing] = []
    previous: Standing | None = None
    for position, entry in enumerate(ordered, start=1):
        if previous is None or not _tied(previous.entry, entry):
            previous = Standing(position, entry)
        else:
            previous = Standing(previous.rank, entry)
        standings.append(previous)
    return standings


def _rank_key(entry: Entry) -> tuple[bool, float, float, int]:
    best = entry.best_fx
    if best is None:
        return (True, math.inf, math.inf, entry.team_number)
    return (False, best, _time_key(entry), entry.team_number)


def _time_key(entry: Entry) -> float:
    return entry.best_at.timestamp() if entry.best_at is not None else math.inf


def _tied(a: Entry, b: Entry) -> bool:
    if a.best_fx is None or b.best_fx is None:
        return a.best_fx is None and b.best_fx is None
    return a.best_fx == b.best_fx and a.best_at == b.best_at


def level_points(best_fx: float | None, f_min: float, f_ref: float) -> float:
    """Points for one revealed level, from 0 to 100, the same scale on every level.

    ``100 * (f_ref - best) / (f_ref - f_min)``, clipped to [0, 100], where ``f_min`` is the
    true minimum of f on the domain and ``f_ref`` the median of f over the domain. Reaching
    the true minimum earns 100; doing no better than a typical point of the domain earns 0;
    a team without a guess earns 0. On a flat function (f_ref == f_min) any guess earns 100.
    """
    if best_fx is None:
        return 0.0
    spread = f_ref - f_min
    if spread <= 0:
        return 100.0
    return min(max(100.0 * (f_ref - best_fx) / spread, 0.0), 100.0)


@dataclass(frozen=True)
class SettledLevel:
    """A revealed level's reference values and its teams' entries."""

    level_id: int
    f_min: float
    f_ref: float
    entries: Sequence[Entry]
    bonus: Mapping[int, float] = field(default_factory=dict)  # a right prediction's, by team


@dataclass(frozen=True)
class OverallStanding:
    """A team's place in the lesson: its total points and the points of each level."""

    rank: int
    team_id: int
    team_number: int
    team_name: str | None
    total: float
    per_level: dict[int, float]


def rank_overall(
    teams: Iterable[tuple[int, int, str | None]], levels: Iterable[SettledLevel]
) -> list[OverallStanding]:
    """Rank a lesson: the sum of ``level_points`` over its revealed levels, highest first
    (a level's ``bonus`` added to its points: a right prediction's).

    Teams with equal totals (rounded to 0.01 point) share a rank and are listed by team
    number. ``teams`` is (team_id, number, name) for every team of the lesson.
    """
    per_team: dict[int, dict[int, float]] = {team_id: {} for team_id, _, _ in teams}
    names = {team_id: (number, name) for team_id, number, name in teams}
    for level in levels:
        for entry in level.entries:
            if entry.team_id in per_team:
                per_team[entry.team_id][level.level_id] = level_points(
                    entry.best_fx, level.f_min, level.f_ref
                )
        for team_id, points in level.bonus.items():
            if team_id in per_team:
                earned = per_team[team_id].get(level.level_id, 0.0)
                per_team[team_id][level.level_id] = earned + points
    totals = {team_id: round(sum(points.values()), 2) for team_id, points in per_team.items()}
    ordered = sorted(per_team, key=lambda t: (-totals[t], names[t][0]))
    result: list[OverallStanding] = []
    for position, team_id in enumerate(ordered, start=1):
        previous = result[-1] if result else None
        rank = previous.rank if previous and previous.total == totals[team_id] else position
        number, name = names[team_id]
        result.append(
            OverallStanding(rank, team_id, number, name, totals[team_id], per_team[team_id])
        )
    return result


def podium(ranking: list[OverallStanding], places: int, most: int) -> list[OverallStanding]:
    """The rows a summary shows: teams that placed (more than 0 points; a team with none
    has not placed, whatever its rank), the first ``places`` of them and every team tied
    with the last of those (a tie is shown as a tie), at most ``most`` rows."""
    placed = [row for row in ranking if row.total > 0]
    if len(placed) <= places:
        return placed
    last_rank = placed[places - 1].rank
    return [row for row in placed if row.rank <= last_rank][:most]
