"""Predictions before the reveal: the instructor asks, teams vote on their phones (one vote
a team, changed until the reveal), the projector counts the votes, the reveal says who
was right (``app.game.prediction`` holds the rules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.prediction import check_vote, players_enough
from app.game.rules import LevelState
from app.models import Level, Team, Vote
from app.services import live
from app.services.levels import team_level
from app.services.players import level_players


def vote(session: Session, *, team: Team, level_id: int, choice: object, now: datetime) -> None:
    """Record the team's prediction on a closed level (its earlier one replaced), or refuse
    and change nothing: a level of another lesson or a draft (``level_not_found``), a level
    not closed yet or revealed, no prediction asked, a player the level does not have."""
    level = team_level(session, team=team, level_id=level_id)
    keys = [g.key for g in level_players(session, level)]  # played before the lock
    lock_for_write(session)
    session.refresh(level)
    refusal = check_vote(level.clock.state_at(now), level.prediction, choice, keys)
    if refusal is not None:
        session.rollback()
        raise Refused(refusal.code, **refusal.params)
    held = session.get(Vote, (team.id, level.id))
    if held is None:
        session.add(Vote(team_id=team.id, level_id=level.id, choice=choice, voted_at=now))
    else:
        held.choice, held.voted_at = str(choice), now
    live.bump(session, lesson_id=level.lesson_id)  # the projector counts the votes
    session.commit()


def ask_for_predictions(session: Session, *, level: Level, ask: bool, now: datetime) -> None:
    """Start (or stop) taking the teams' predictions on a level: any time before its
    reveal (votes open once it is closed), on a level with players to choose between.
    Votes already made stay, and count again if the prediction is asked again."""
    lock_for_write(session)
    session.refresh(level)
    if ask and not players_enough(level.move):
        session.rollback()
        raise Refused("prediction_one_player")
    if ask and level.clock.state_at(now) is LevelState.REVEALED:
        session.rollback()
        raise Refused("prediction_over")
    level.prediction = ask
    live.bump(session, lesson_id=level.lesson_id)
    session.commit()
