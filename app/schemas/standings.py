"""Standings: a level's rows and the lesson's points, the same on every face."""

from __future__ import annotations

from typing import Any

from app.game.scoring import OverallStanding, Standing
from app.schemas.base import Moment, Out


class StandingRow(Out):
    """A row of a level's standings: rank (None before a first guess), team, best f(x),
    guesses; never another team's x."""

    rank: int | None
    team_number: int
    team_name: str | None
    best_fx: float | None
    guesses: int

    @staticmethod
    def fields(row: Standing) -> dict[str, Any]:
        """A ranked entry's fields as every standings table shows them (plain values: a
        thousand rows are validated at once with the table that holds them)."""
        entry = row.entry
        return {
            "rank": row.rank if entry.best_fx is not None else None,
            "team_number": entry.team_number,
            "team_name": entry.team_name,
            "best_fx": entry.best_fx,
            "guesses": entry.guesses,
        }

    @classmethod
    def of(cls, row: Standing) -> StandingRow:
        """A ranked entry as every standings table shows it."""
        return cls(**cls.fields(row))


class LevelStandingsOut(Out):
    """A level's standings, as teams may see them now (``as_of``: frozen at that moment)."""

    level_id: int
    final: bool
    as_of: Moment | None
    rows: list[StandingRow]


class LevelRef(Out):
    """A level named in a table."""

    id: int
    title: str


class OverallRow(Out):
    """A team's points over the revealed levels (level id -> points, and the total)."""

    rank: int
    team_number: int
    team_name: str | None
    total: float
    points: dict[str, float]

    @classmethod
    def of(cls, row: OverallStanding) -> OverallRow:
        """A team's overall standing."""
        return cls(
            rank=row.rank,
            team_number=row.team_number,
            team_name=row.team_name,
            total=row.total,
            points={str(level_id): round(points, 2) for level_id, points in row.per_level.items()},
        )


class OverallOut(Out):
    """The lesson's standings over its revealed levels."""

    levels: list[LevelRef]
    rows: list[OverallRow]
