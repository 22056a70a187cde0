"""What the projector's live screen shows of a level in play beside its standings: the race
of the leading teams' best f(x) over time, and who is playing, cooling down or yet to join.

Nothing a team could not see itself before the reveal: the best f(x) the standings show
(up to their freeze), how many guesses each team made and when it may guess again; never
an x. Flat in the guesses stored and, beyond ``MAX_TILES``, in the teams: the race reads
only the leaders' guesses that lowered their best (``Guess.improved``, an index of its
own), and a large event's counts are counted by the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.game.rules import LevelState, TeamProgress, next_allowed_at
from app.game.scoring import Entry
from app.models import Guess, Level, Progress, Team
from app.schemas import Activity, RaceLine, TeamTile

MAX_TILES = 80  # a class shows every team as a tile; a larger event only the counts


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
    colours: dict[int, int],
) -> tuple[list[RaceLine] | None, datetime | None]:
    """Each leader's best f(x) after each guess that lowered it, up to ``as_of`` (frozen
    standings), and the race's minute 0 (``colours``: each leader's colour index); None on
    a level whose teams play their own copies of f (their standings compare gaps, not
    these values)."""
    if level.has_variants:
        return None, None
    query = (
        select(Guess.team_id, Guess.created_at, Guess.fx)
        .where(
            Guess.level_id == level.id,
            Guess.team_id.in_([e.team_id for e in leaders]),
            Guess.improved,
        )
        .order_by(Guess.team_id, Guess.seq)
    )
    if as_of is not None:
        query = query.where(Guess.created_at <= as_of)
    rows = session.execute(query).all()  # a team's first guess is among them: it lowered None
    start = race_start(level, min((at for _, at, _ in rows), default=None))
    best: dict[int, list[list[float]]] = {e.team_id: [] for e in leaders}
    if start is not None:
        for team_id, at, fx in rows:
            best[team_id].append([round((at - start).total_seconds() / 60, 4), fx])
    lines = [
        RaceLine(
            team_number=e.team_number,
            team_name=e.team_name,
            team_index=colours.get(e.team_id, 0),
            points=best[e.team_id],
        )
        for e in leaders
    ]
    return lines, start


def activity(session: Session, level: Level, now: datetime) -> Activity:
    """Every team of the lesson on this level: joined, guesses made, cooling down until (a
    tile each up to ``MAX_TILES`` teams, beyond that the counts alone)."""
    played = and_(Progress.team_id == Team.id, Progress.level_id == level.id)
    teams, joined, guessed = session.execute(
        select(
            func.count(Team.id),
            func.count(Team.joined_at),
            func.count(case((Progress.guesses_used > 0, 1))),
        )
        .outerjoin(Progress, played)
        .where(Team.lesson_id == level.lesson_id)
    ).one()
    tiles = _tiles(session, level, now) if teams <= MAX_TILES else None
    if tiles is not None:
        cooling = sum(tile.ready_at is not None for tile in tiles)
    else:
        cooling = _cooling(session, level, now)
    return Activity(teams=teams, joined=joined, played=guessed, cooling=cooling, tiles=tiles)


def _tiles(session: Session, level: Level, now: datetime) -> list[TeamTile]:
    """A tile for every team, by number: its colour is its place (as in the reveal)."""
    played = and_(Progress.team_id == Team.id, Progress.level_id == level.id)
    rows = session.execute(
        select(
            Team.number,
            Team.name,
            Team.joined_at,
            Progress.guesses_used,
            Progress.last_guess_at,
            Progress.last_batch,
        )
        .outerjoin(Progress, played)
        .where(Team.lesson_id == level.lesson_id)
        .order_by(Team.number)
    ).all()
    return [
        TeamTile(
            number=number,
            name=name,
            index=index,
            joined=joined_at is not None,
            guesses=guesses or 0,
            ready_at=_ready_at(level, now, last, batch),
        )
        for index, (number, name, joined_at, guesses, last, batch) in enumerate(rows)
    ]


def _cooling(session: Session, level: Level, now: datetime) -> int:
    """How many teams wait for their cooldown: read among the guesses of the longest
    cooldown a batch may take, not every team's row."""
    longest = timedelta(seconds=level.cooldown_seconds * (level.batch_max or 1))
    rows = session.execute(
        select(Progress.last_guess_at, Progress.last_batch).where(
            Progress.level_id == level.id, Progress.last_guess_at > now - longest
        )
    )
    return sum(_ready_at(level, now, last, batch) is not None for last, batch in rows)


def _ready_at(
    level: Level, now: datetime, last: datetime | None, batch: int | None
) -> datetime | None:
    """When a team may guess again; None when it may now (or never guessed, or the level
    is not open: a closed level cools no one). A batch of b waits b cooldowns."""
    if last is None or level.clock.state_at(now) is not LevelState.OPEN:
        return None
    ready_at = next_allowed_at(level.rules, TeamProgress(True, 0, last, batch or 1))
    return ready_at if ready_at is not None and ready_at > now else None
