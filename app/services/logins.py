"""Who is signed in: a row per signed-in browser (``app.models.Login``).

A login's id is a random token the signed session cookie carries; each request looks for
its row. Logging out deletes this browser's row; a new PIN deletes the team's rows, a
removed team takes its rows with it, and a new instructor password deletes the
instructor's. The rest of a team's devices stay signed in when one of them logs out.
A sign-in and a sign-out are transactions of their own; the others are written inside
the caller's transaction (which holds the write lock).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.models import Login, Team
from app.services import live

LOGIN = "login"  # the session cookie's key for this browser's login id


def sign_in(session: Session, *, team_id: int | None, now: datetime) -> str:
    """A new signed-in browser, of the team or (``None``) of the instructor; its id."""
    lock_for_write(session)
    login = Login(id=secrets.token_hex(16), team_id=team_id, created_at=now)
    session.add(login)
    if team_id is not None:
        _note_first_join(session, team_id, now)
    session.commit()
    return login.id


def _note_first_join(session: Session, team_id: int, now: datetime) -> None:
    """A team's first login: it has joined, and the projector's count moves."""
    first = update(Team).where(Team.id == team_id, Team.joined_at.is_(None))
    if cast(CursorResult[Any], session.execute(first.values(joined_at=now))).rowcount:
        lesson_id = session.scalar(select(Team.lesson_id).where(Team.id == team_id))
        if lesson_id is not None:
            live.bump(session, lesson_id=lesson_id)


def end_login(session: Session, *, login_id: object) -> None:
    """Sign this browser out: its cookie, replayed, no longer gets in."""
    if not isinstance(login_id, str):
        return
    lock_for_write(session)
    session.execute(delete(Login).where(Login.id == login_id))
    session.commit()


def end_team_logins(session: Session, *, team_id: int) -> None:
    """Sign every browser of the team out (in the caller's transaction)."""
    session.execute(delete(Login).where(Login.team_id == team_id))


def end_instructor_logins(session: Session) -> None:
    """Sign every browser of the instructor out (in the caller's transaction)."""
    session.execute(delete(Login).where(Login.team_id.is_(None)))


def instructor_signed_in(session: Session, *, login_id: object) -> bool:
    """Whether this id is an instructor's login still in force."""
    if not isinstance(login_id, str):
        return False
    query = select(Login.id).where(Login.id == login_id, Login.team_id.is_(None))
    return session.scalar(query) is not None
