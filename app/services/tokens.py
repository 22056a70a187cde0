"""Code mode: API tokens that let a team play through the JSON API from a program.

The instructor gives every team of a lesson a token at once (and may do it again: the old
tokens stop working) or revokes them all. A token is shown once, when it is made; only its
SHA-256 is stored (tokens are long and random, so a slow hash adds nothing). A request with
``Authorization: Bearer <token>`` plays as that team under the same rules as its phones:
the same cooldown, budget and idempotent retries.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.models import ApiToken, Lesson, Team
from app.services.lessons import get_lesson

PREFIX = "dh_"


@dataclass(frozen=True)
class IssuedToken:
    """A team's new token, as the instructor sees it once."""

    team: Team
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_tokens(session: Session, *, lesson_id: int, now: datetime) -> list[IssuedToken]:
    """A new token for every team of the lesson; the teams' earlier tokens stop working."""
    lesson = get_lesson(session, lesson_id=lesson_id)
    lock_for_write(session)
    if lesson.archived:
        raise Refused("lesson_archived_tokens")
    teams = list(
        session.scalars(select(Team).where(Team.lesson_id == lesson.id).order_by(Team.number))
    )
    if not teams:
        raise Refused("tokens_need_teams")
    _revoke(session, lesson.id, now)
    issued = []
    for team in teams:
        token = PREFIX + secrets.token_urlsafe(24)
        session.add(ApiToken(team_id=team.id, token_hash=token_hash(token), created_at=now))
        issued.append(IssuedToken(team, token))
    session.commit()
    return issued


def revoke_tokens(session: Session, *, lesson_id: int, now: datetime) -> int:
    """Stop every token of the lesson's teams; how many were working."""
    lesson = get_lesson(session, lesson_id=lesson_id)
    lock_for_write(session)
    count = _revoke(session, lesson.id, now)
    session.commit()
    return count


def _revoke(session: Session, lesson_id: int, now: datetime) -> int:
    teams = select(Team.id).where(Team.lesson_id == lesson_id).scalar_subquery()
    done = session.execute(
        update(ApiToken)
        .where(ApiToken.team_id.in_(teams), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return cast(CursorResult[Any], done).rowcount or 0  # an UPDATE's result has a row count


def working_tokens(session: Session, *, lesson_id: int) -> int:
    """How many of the lesson's teams hold a working token."""
    query = (
        select(func.count())
        .select_from(ApiToken)
        .join(Team, Team.id == ApiToken.team_id)
        .where(Team.lesson_id == lesson_id, ApiToken.revoked_at.is_(None))
    )
    return session.scalar(query) or 0


def team_for_token(session: Session, token: str) -> Team:
    """The team a bearer token plays as (one read: the token, its team and lesson);
    ``token_invalid``, ``token_revoked`` or ``lesson_archived`` otherwise."""
    found = None
    if token.startswith(PREFIX) and len(token) <= 100:
        found = session.execute(
            select(ApiToken.revoked_at, Team, Lesson.archived)
            .join(Team, Team.id == ApiToken.team_id)
            .join(Lesson, Lesson.id == Team.lesson_id)
            .where(ApiToken.token_hash == token_hash(token))
        ).first()
    if found is None:
        raise Refused("token_invalid")
    revoked_at, team, archived = found
    if revoked_at is not None:
        raise Refused("token_revoked")
    if archived:
        raise Refused("lesson_archived")
    return team
