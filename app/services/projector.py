"""What the projector shows for a lesson, as the instructor announces it: the current level
(none before the first) and whether its password is on the screen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.rules import LevelState, Visibility, freezes_at
from app.game.scoring import podium
from app.game.typed import whole_number
from app.models import MAX_ROW_ID, Announcement, Lesson, Level, Progress, Team
from app.schemas import (
    Board,
    OverallBoard,
    OverallRow,
    ProjectorLesson,
    ProjectorLevel,
    ProjectorView,
    StandingRow,
)
from app.services import live
from app.services.activity import activity, race
from app.services.players import prediction_view
from app.services.reveal import reveal_view
from app.services.standings import StandingsHead, overall_standings, standings_head


def announcement_of(session: Session, *, lesson_id: int) -> Announcement:
    """The lesson's announcement (nothing announced yet when the lesson has none)."""
    found = session.get(Announcement, lesson_id)
    return found if found is not None else Announcement(lesson_id=lesson_id, show_password=False)


def _level_id(raw: object) -> int | None:
    if not str(raw or "").strip():
        return None
    level_id = whole_number(raw, 1, MAX_ROW_ID)
    if level_id is None:
        raise Refused("level_not_found")
    return level_id


def announce(
    session: Session, *, lesson_id: int, level_id: object, show_password: bool, now: datetime
) -> Announcement:
    """Put a level of the lesson on the projector (blank: none, the lesson's welcome), with
    its password shown or not. A draft cannot be announced: open it first."""
    wanted = _level_id(level_id)
    lock_for_write(session)
    session.get(Lesson, lesson_id, with_for_update=True)  # one announcement at a time
    if wanted is not None:
        level = session.get(Level, wanted, populate_existing=True)
        if level is None or level.lesson_id != lesson_id:
            raise Refused("level_not_found")
        if level.clock.state_at(now) is LevelState.DRAFT:
            raise Refused("announce_draft")  # a draft is invisible to teams and projector
    return _store(
        session, lesson_id=lesson_id, level_id=wanted, show_password=show_password, now=now
    )


def follow_opened_level(session: Session, *, level: Level, now: datetime) -> None:
    """Opening a level puts it on the projector (inside the caller's locked transaction),
    keeping the instructor's choice about showing passwords."""
    current = session.get(Announcement, level.lesson_id)
    show = current.show_password if current is not None else False
    _store(
        session,
        lesson_id=level.lesson_id,
        level_id=level.id,
        show_password=show,
        now=now,
        commit=False,
    )


def _store(
    session: Session,
    *,
    lesson_id: int,
    level_id: int | None,
    show_password: bool,
    now: datetime,
    commit: bool = True,
) -> Announcement:
    announcement = session.get(Announcement, lesson_id)
    if announcement is None:
        announcement = Announcement(lesson_id=lesson_id)
        session.add(announcement)
    announcement.level_id = level_id
    announcement.show_password = show_password
    announcement.updated_at = now
    live.bump(session, lesson_id=lesson_id)
    if commit:
        session.commit()
    return announcement


TOP = 10  # standings rows the projector shows; the rest are summarised
OVERALL_PLACES, OVERALL_MOST = 5, 8  # the lesson's top five beside a reveal, ties included


def projector_view(session: Session, *, lesson: Lesson, now: datetime) -> ProjectorView:
    """What the projector shows now, and nothing that is not meant for the room.

    Before the reveal: the announced level's title, state, deadline, password (when the
    instructor shows it, while the level is open), how many guesses, and the standings as
    teams may see them (best f(x) only, never an x). After the reveal, the reveal itself and
    the lesson's points."""
    counted = select(func.count(Team.id), func.count(Team.joined_at))
    teams, joined = session.execute(counted.where(Team.lesson_id == lesson.id)).one()
    view = ProjectorView(
        lesson=ProjectorLesson(
            name=lesson.name, join_code=lesson.join_code, teams=teams, joined=joined
        ),
        level=None,
        server_now=now,
    )
    announcement = announcement_of(session, lesson_id=lesson.id)
    level = announcement.level
    if level is None or level.clock.state_at(now) is LevelState.DRAFT:
        return view  # never announced as a draft; a safety net all the same
    view.level = _level_on_screen(session, level, announcement.show_password, now)
    if view.level.state == LevelState.REVEALED.value:
        overall, revealed = overall_standings(session, lesson_id=lesson.id, now=now)
        shown = podium(overall, OVERALL_PLACES, OVERALL_MOST)
        view.overall = OverallBoard(
            levels=len(revealed),
            rows=[OverallRow.of(row) for row in shown],
            more=len(overall) - len(shown),
        )
    return view


def _level_on_screen(
    session: Session, level: Level, show_password: bool, now: datetime
) -> ProjectorLevel:
    state = level.clock.state_at(now)
    deadline = level.clock.deadline
    guesses = session.scalar(
        select(func.coalesce(func.sum(Progress.guesses_used), 0)).where(
            Progress.level_id == level.id
        )
    )
    board, seen = _standings(session, level, now)
    return ProjectorLevel(
        id=level.id,
        position=level.position,
        title=level.title,
        mode=level.mode,
        kind=level.domain.kind,
        plane=level.domain.plane,
        slope_noise=level.slope_noise,
        variants=level.has_variants,
        state=state.value,
        deadline=deadline,
        freeze_at=freezes_at(
            Visibility(level.standings_visibility), level.freeze_seconds, level.clock
        ),
        password=level.password if show_password and state is LevelState.OPEN else None,
        guesses=guesses or 0,
        standings=board,
        **_play(session, level, now, seen) if state is not LevelState.REVEALED else {},
        reveal=reveal_view(session, level=level, now=now),
        prediction=prediction_view(session, level=level, team_id=None, now=now),
    )


def _play(
    session: Session, level: Level, now: datetime, seen: StandingsHead | None
) -> dict[str, Any]:
    """The race of the board's teams (none while the standings are hidden) and who plays
    now (app.services.activity)."""
    lines, start = None, None
    leaders = [row.entry for row in seen.head] if seen is not None else []
    if seen is not None and leaders:
        # a leader's colour is its place in the lesson by number, as in the reveal
        colours = _places(session, level.lesson_id, [e.team_id for e in leaders])
        lines, start = race(session, level, leaders, seen.as_of, colours)
    return {"race": lines, "race_start": start, "activity": activity(session, level, now)}


def _places(session: Session, lesson_id: int, team_ids: list[int]) -> dict[int, int]:
    """Each of these teams' place among the lesson's teams by number, from 0."""
    place = func.row_number().over(order_by=Team.number) - 1
    numbered = select(Team.id, place.label("place")).where(Team.lesson_id == lesson_id)
    placed = numbered.subquery()
    found = session.execute(select(placed.c.id, placed.c.place).where(placed.c.id.in_(team_ids)))
    return {team_id: int(index) for team_id, index in found}


def _standings(session: Session, level: Level, now: datetime) -> tuple[Board, StandingsHead | None]:
    """The board as teams may see it, and the head of the standings it shows (None while
    hidden)."""
    try:
        seen = standings_head(session, level=level, now=now, top=TOP)
    except Refused:  # hidden until the level closes
        return Board(hidden=True), None
    board = Board(
        hidden=False,
        frozen_at=seen.as_of,
        final=seen.final,
        rows=[StandingRow.of(row) for row in seen.head],
        more=max(0, seen.played - TOP),
        waiting=seen.waiting,
    )
    return board, seen
