"""What the projector's live screen shows of a level in play beside its standings: the race
of the leading teams' best f(x) over time, and who is playing, cooling down or yet to join.

Nothing a team could not see itself before the reveal: the best f(x) the standings show
(up to their freeze), how many guesses each team made and when it may guess again; never
an x. Two small queries and one over the leaders' guesses (at most ten teams' budgets).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.game.rules import LevelState
from app.game.scoring import Entry
from app.models import Guess, Level, Progress, Team
from app.schemas import Activity, RaceLine, TeamTile

MAX_TILES = 80  # a class shows every team as a tile; a larger event only the counts


def team_indexes(session: Session, lesson_id: int) -> dict[int, int]:
    """Each team's colour index: its place in the lesson by number (as in the reveal)."""
    ids = session.scalars(select(Team.id).where(Team.lesson_id == lesson_id).order_by(Team.number))
    return {team_id: index for index, team_id in enumerate(ids)}


def race_start(level: Level, first_guess: datetime | None) -> datetime | None:
    """Minute 0 of the race: when the level opened, or its first guess if earlier (a level
    reopened after guesses)."""
    starts = [at for at in (level.opened_at, first_guess) if at is not None]
    return min(starts, default=None)


def race(
    session: Session,
    level: Level,
    leaders: Sequence[Entry],
    as_of: datetime | None,
    indexes: dict[int, int],
) -> tuple[list[RaceLine] | None, datetime | None]:
    """Each leader's best f(x) after each guess that improved it, up to ``as_of`` (frozen
    standings), and the race's minute 0; None on a level whose teams play their own copies
    of f (their standings compare gaps, not these values)."""
    if level.has_variants:
        return None, None
    query = (
        select(Guess.team_id, Guess.created_at, Guess.fx)
        .where(Guess.level_id == level.id, Guess.team_id.in_([e.team_id for e in leaders]))
        .order_by(Guess.team_id, Guess.seq)
    )
    if as_of is not None:
        query = query.where(Guess.created_at <= as_of)
    rows = session.execute(query).all()
    start = race_start(level, min((at for _, at, _ in rows), default=None))
    best: dict[int, list[list[float]]] = {e.team_id: [] for e in leaders}
    for team_id, at, fx in rows:
        points = best[team_id]
        if start is not None and (not points or fx < points[-1][1]):
            points.append([round((at - start).total_seconds() / 60, 4), fx])
    lines = [
        RaceLine(
            team_number=e.team_number,
            team_name=e.team_name,
            team_index=indexes.get(e.team_id, 0),
            points=best[e.team_id],
        )
        for e in leaders
    ]
    return lines, start


def activity(session: Session, level: Level, now: datetime, indexes: dict[int, int]) -> Activity:
    """Every team of the lesson on this level: joined, guesses made, cooling down until."""
    played = and_(Progress.team_id == Team.id, Progress.level_id == level.id)
    rows = session.execute(
        select(
            Team.id,
            Team.number,
            Team.name,
            Team.joined_at,
            Progress.guesses_used,
            Progress.last_guess_at,
        )
        .outerjoin(Progress, played)
        .where(Team.lesson_id == level.lesson_id)
        .order_by(Team.number)
    ).all()
    cooldown = timedelta(seconds=level.cooldown_seconds)
    open_now = level.clock.state_at(now) is LevelState.OPEN  # a closed level cools no one
    tiles = []
    for team_id, number, name, joined_at, guesses, last in rows:
        ready_at = last + cooldown if open_now and last is not None else None
        if ready_at is not None and ready_at <= now:
            ready_at = None  # ready
        tiles.append(
            TeamTile(
                number=number,
                name=name,
                index=indexes.get(team_id, 0),
                joined=joined_at is not None,
                guesses=guesses or 0,
                ready_at=ready_at,
            )
        )
    return Activity(
        teams=len(tiles),
        joined=sum(tile.joined for tile in tiles),
        played=sum(tile.guesses > 0 for tile in tiles),
        cooling=sum(tile.ready_at is not None for tile in tiles),
        tiles=tiles if len(tiles) <= MAX_TILES else None,
    )
