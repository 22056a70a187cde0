"""Annotated dependencies: the database session and the team logged in on this request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.errors import Refused
from app.models import Team


def get_session(request: Request) -> Iterator[Session]:
    """A database session for this request."""
    yield from request.app.state.database.session()


SessionDep = Annotated[Session, Depends(get_session)]


def get_current_team(request: Request, session: SessionDep) -> Team:
    """The team whose login this session's signed cookie carries, or ``not_logged_in``."""
    team_id = request.session.get("team_id")
    team = session.get(Team, team_id) if isinstance(team_id, int) else None
    if team is None or team.lesson.archived:
        request.session.pop("team_id", None)
        raise Refused("not_logged_in")
    return team


CurrentTeam = Annotated[Team, Depends(get_current_team)]


def require_instructor(request: Request) -> None:
    """Let only the instructor's session through: a team gets 403, nobody gets 401 (a
    page asks them to log in)."""
    if request.session.get("instructor") is True:
        return
    if request.session.get("team_id") is not None:
        raise Refused("instructor_only")
    raise Refused("instructor_login_required")


Instructor = Depends(require_instructor)
