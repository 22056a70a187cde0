"""Standings of a level and of a lesson, from Progress rows (one per team and level)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import Refused
from app.game.interval import Analysis
from app.game.rules import LevelState, Visibility, standings_visible
from app.game.scoring import (
    Entry,
    OverallStanding,
    SettledLevel,
    Standing,
    rank_level,
    rank_overall,
)
from app.game.variants import on_level_scale, team_facts
from app.models import Guess, Level, LiveVersion, Progress, Team
from app.schemas import LevelRef, LevelStandingsOut, OverallOut, OverallRow, StandingRow
from app.services.players import prediction_bonus
from app.services.prepared import Prepared


@dataclass(frozen=True)
class LevelStandings:
    """A level's ranking and as of when (None: live)."""

    level: Level
    standings: list[Standing]
    as_of: datetime | None
    final: bool

    def out(self) -> LevelStandingsOut:
        """The standings as every face shows them."""
        rows = [StandingRow.fields(row) for row in self.standings]
        fields = {"level_id": self.level.id, "final": self.final, "as_of": self.as_of}
        return LevelStandingsOut.model_validate({**fields, "rows": rows})


def level_entries(session: Session, *, level: Level, as_of: datetime | None = None) -> list[Entry]:
    """Every team of the level's lesson with its best f(x) on the level (as of a moment);
    with per-team variants, on the level's scale (see ``app.game.variants``). Plain rows,
    no ORM objects: a thousand teams are read a few times a second by live pages."""
    if as_of is None:
        rows = _live_rows(session, level)
    else:
        frozen = {row[0]: row for row in _settled_rows(session, level, as_of)}
        teams = session.execute(
            select(Team.id, Team.number, Team.name).where(Team.lesson_id == level.lesson_id)
        )
        rows = [(*team, *frozen.get(team[0], (None, None, None, 0))[1:]) for team in teams]
    entries, variants = [], level.has_variants  # (an ORM attribute: read once, not per team)
    for team_id, number, name, best, best_at, guesses in rows:
        if best is not None and variants:
            best = _on_level_scale(level, team_id, best)
        entries.append(Entry(team_id, number, name, best, best_at, guesses or 0))
    return entries


def _live_rows(session: Session, level: Level) -> Sequence[Any]:
    """Per team of the lesson (id, number, name, best f(x), when first reached, guesses):
    its progress row on the level, if it has one. Run on the DB-API cursor
    (``app.services.prepared``): SQLAlchemy's result rows cost twice the query itself for a
    thousand teams, read a few times a second by live pages."""
    values = {"level_id": level.id, "lesson_id": level.lesson_id}
    return _LIVE_ROWS.all(session.connection(), values)


# A team's Entry (app.game.scoring) as a row, and its progress on the level, if any
_ENTRY = (
    Team.id,
    Team.number,
    Team.name,
    Progress.best_fx,
    Progress.best_at,
    Progress.guesses_used,
)
_ON_LEVEL = and_(Progress.team_id == Team.id, Progress.level_id == bindparam("level_id"))
_LIVE_ROWS = Prepared(
    select(*_ENTRY).outerjoin(Progress, _ON_LEVEL).where(Team.lesson_id == bindparam("lesson_id"))
)


# Standings that froze stop changing once every guess made before the freeze is committed
# (a guess commits within moments of the time it is given): each process keeps them, under
# the lesson's live version, which any change an instructor makes (a reset, new teams)
# moves. Reading them again for every look cost more than the rest of the standings.
SETTLED_AFTER = timedelta(seconds=10)
MOST_KEPT = 64
_settled: dict[tuple[str, int, datetime, int], Sequence[Any]] = {}


def _settled_rows(session: Session, level: Level, as_of: datetime) -> Sequence[Any]:
    """The frozen rows, read once per process when the freeze is long enough past."""
    key = _settled_key(session, level, as_of)
    if key is None:
        return _frozen_rows(session, level, as_of)
    rows = _settled.get(key)
    if rows is None:
        rows = _frozen_rows(session, level, as_of)
        _keep(_settled, key, rows)
    return rows


SettledKey = tuple[str, int, datetime, int]


def _settled_key(session: Session, level: Level, as_of: datetime) -> SettledKey | None:
    """What frozen standings are kept under once settled (None: not yet settled)."""
    if utcnow() < as_of + SETTLED_AFTER:  # the server clock: it is about commits in flight
        return None
    version = session.scalar(
        select(LiveVersion.version).where(LiveVersion.lesson_id == level.lesson_id)
    )
    return (str(session.get_bind().engine.url), level.id, as_of, version or 0)


def _keep(kept: dict[Any, Any], key: Any, value: Any) -> None:
    if len(kept) >= MOST_KEPT:
        kept.clear()
    kept[key] = value


def _frozen_rows(session: Session, level: Level, as_of: datetime) -> Sequence[Any]:
    """The same as of a moment (the freeze)."""
    # Per team, from the guess table's indexes: the best f(x) before the freeze is a seek
    # in f(x) order, when it was first reached another seek, and the guesses made by then
    # are all the team's guesses less those made after it (a range the freeze bounds).
    # None of it reads every guess of the level.
    own = (Guess.level_id == level.id, Guess.team_id == Progress.team_id)
    best_fx = (  # the first in f(x) order made by then: SQLite's min() would read them all
        select(Guess.fx)
        .where(*own, Guess.created_at <= as_of)
        .order_by(Guess.fx)
        .limit(1)
        .scalar_subquery()
    )
    later = (
        select(func.count())
        .select_from(Guess)
        .where(*own, Guess.created_at > as_of)
        .scalar_subquery()
    )
    best = (
        select(
            Progress.team_id,
            best_fx.label("best_fx"),
            (Progress.guesses_used - later).label("guesses"),
        )
        .where(Progress.level_id == level.id)
        .subquery()
    )
    first_at = (
        select(func.min(Guess.created_at))
        .where(
            Guess.level_id == level.id,
            Guess.team_id == best.c.team_id,
            Guess.fx == best.c.best_fx,
        )
        .scalar_subquery()
    )
    return session.execute(select(best.c.team_id, best.c.best_fx, first_at, best.c.guesses)).all()


def _on_level_scale(level: Level, team_id: int, best: float) -> float:
    """A team's best on its own copy of f, as the same standing on the level's f (its gap
    to its own minimum, in the level's terms): what rankings and points compare."""
    own = team_facts(level.expression, level.x_min, level.x_max, level.variant(team_id))
    return on_level_scale(best, own, Analysis(level.x_star, level.f_star, level.f_median))


def team_level_standings(session: Session, *, level: Level, now: datetime) -> LevelStandings:
    """The level's standings as teams may see them, or ``standings_hidden``."""
    as_of = _visible_as_of(level, now)
    entries = level_entries(session, level=level, as_of=as_of)
    final = level.clock.is_settled(now)
    return LevelStandings(level, rank_level(entries), as_of, final)


def _visible_as_of(level: Level, now: datetime) -> datetime | None:
    """As of when teams may see the level's standings (None: live); ``standings_hidden``."""
    visible, as_of = standings_visible(
        Visibility(level.standings_visibility), level.freeze_seconds, level.clock, now
    )
    if not visible:
        raise Refused("standings_hidden")
    return as_of


@dataclass(frozen=True)
class StandingsHead:
    """The head of a level's standings as teams may see them: its first ``top`` teams that
    have played, ranked as in the whole standings, and how many teams played and did not."""

    head: list[Standing]
    played: int
    waiting: int
    as_of: datetime | None
    final: bool


def standings_head(session: Session, *, level: Level, now: datetime, top: int) -> StandingsHead:
    """``team_level_standings``'s first ``top`` rows of teams that played, and the counts:
    what a board shows. Live, the database orders the teams and counts them (a projector
    ranked a thousand teams a few times a second to show ten); frozen standings, or a level
    whose variants put each team's best on the level's scale first, are ranked whole."""
    as_of = _visible_as_of(level, now)
    final = level.clock.is_settled(now)
    if as_of is not None or level.has_variants:
        return _whole_head(session, level, as_of, top, final)
    connection, values = session.connection(), {"level_id": level.id, "lesson_id": level.lesson_id}
    head = rank_level(Entry(*row) for row in _head_rows(top).all(connection, values))
    teams, played = _COUNTS.first(connection, values) or (0, 0)
    return StandingsHead(head, played, teams - played, None, final)


def _whole_head(
    session: Session, level: Level, as_of: datetime | None, top: int, final: bool
) -> StandingsHead:
    """The head of the standings ranked whole; settled frozen ones once per process."""
    key = _settled_key(session, level, as_of) if as_of is not None else None
    kept = _settled_heads.get((key, top)) if key is not None else None
    if kept is not None:
        return kept
    ranked = rank_level(level_entries(session, level=level, as_of=as_of))
    played = [row for row in ranked if row.entry.best_fx is not None]
    head = StandingsHead(played[:top], len(played), len(ranked) - len(played), as_of, final)
    if key is not None:
        _keep(_settled_heads, (key, top), head)
    return head


_settled_heads: dict[tuple[SettledKey, int], StandingsHead] = {}

# A team's rank key (rank_level): its best f(x), then when it first reached it, then its
# number; a prefix of that order ranks as the whole does.
_HEAD_ROWS = (
    select(*_ENTRY)
    .join(Progress, _ON_LEVEL)
    .where(Team.lesson_id == bindparam("lesson_id"), Progress.best_fx.is_not(None))
    .order_by(Progress.best_fx, Progress.best_at, Team.number)
)
_heads: dict[int, Prepared] = {}


def _head_rows(top: int) -> Prepared:
    """The first ``top`` rows in that order (a statement per ``top``, compiled once)."""
    if top not in _heads:
        _heads[top] = Prepared(_HEAD_ROWS.suffix_with(f"LIMIT {int(top)}"))
    return _heads[top]


_COUNTS = Prepared(
    select(func.count(Team.id), func.count(Progress.best_fx))
    .outerjoin(Progress, _ON_LEVEL)
    .where(Team.lesson_id == bindparam("lesson_id"))
)


def overall_standings(
    session: Session, *, lesson_id: int, now: datetime
) -> tuple[list[OverallStanding], list[Level]]:
    """The lesson's standings over its revealed levels, and those levels in order.

    A right prediction's points are added to its level's. Points wait for the reveal: with
    two teams' best f(x) and points, the points rule would give away the true minimum and
    the median of a level that is only closed (and may be reopened).
    """
    levels = session.scalars(
        select(Level).where(Level.lesson_id == lesson_id).order_by(Level.position)
    ).all()
    revealed = [level for level in levels if level.clock.state_at(now) is LevelState.REVEALED]
    teams = session.scalars(select(Team).where(Team.lesson_id == lesson_id)).all()
    scored = [
        SettledLevel(
            level.id,
            level.f_star,
            level.f_median,
            level_entries(session, level=level),
            prediction_bonus(session, level),
        )
        for level in revealed
    ]
    ranking = rank_overall([(t.id, t.number, t.name) for t in teams], scored)
    return ranking, revealed


def overall_out(ranking: list[OverallStanding], levels: list[Level]) -> OverallOut:
    """The lesson's standings over its revealed levels, as the JSON API answers them."""
    return OverallOut(
        levels=[LevelRef(id=level.id, title=level.title) for level in levels],
        rows=[OverallRow.of(row) for row in ranking],
    )
