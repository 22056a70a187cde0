"""Annotated dependencies: the database session and the team logged in on this request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import Refused
from app.models import MAX_ROW_ID, Login, Team
from app.services.logins import LOGIN, instructor_signed_in, sign_in
from app.services.submit import Caller
from app.services.tokens import team_for_token


def get_session(request: Request) -> Iterator[Session]:
    """A database session for this request."""
    yield from request.app.state.database.session()


SessionDep = Annotated[Session, Depends(get_session)]

# An id in a path: a whole number an id column can hold (a larger one would not be "not
# found" but an error of the driver), so anything else is refused as a bad request.
RowId = Annotated[int, Path(ge=-MAX_ROW_ID - 1, le=MAX_ROW_ID)]


TEAM_KEYS = ("team_id", "team_since", LOGIN)  # what a team's login puts in the cookie


def remember_team(request: Request, session: Session, team: Team) -> None:
    """Log the team in on this browser: the signed cookie carries its id, when it was
    made and this browser's login (``app.services.logins``).

    The id alone is not enough: SQLite gives the id of a deleted last row to the next row, so
    a phone of a removed team (or of a deleted lesson's team) would otherwise wake up as the
    next team made, in any lesson."""
    request.session["team_id"] = team.id
    request.session["team_since"] = team.created_at.isoformat()
    request.session[LOGIN] = sign_in(session, team_id=team.id, now=utcnow())


def forget_team(request: Request) -> None:
    """This browser is no longer the team's (its login was ended, or never was)."""
    for key in TEAM_KEYS:
        request.session.pop(key, None)


def session_team(request: Request, session: Session) -> Team | None:
    """The team this browser logged in as, if that very team still exists and this
    browser's login is still in force."""
    team_id, login_id = request.session.get("team_id"), request.session.get(LOGIN)
    if not isinstance(team_id, int) or not isinstance(login_id, str):
        return None
    signed_in = and_(Login.team_id == Team.id, Login.id == login_id)
    team = session.scalars(select(Team).join(Login, signed_in).where(Team.id == team_id)).first()
    if team is None or request.session.get("team_since") != team.created_at.isoformat():
        return None
    return team


def get_current_team(request: Request, session: SessionDep) -> Team:
    """The team whose login this session's signed cookie carries, or ``not_logged_in``."""
    team = session_team(request, session)
    if team is None or team.lesson.archived:
        forget_team(request)
        raise Refused("not_logged_in")
    # End the read transaction: its connection goes back to the pool while the request
    # waits for a worker thread to run the endpoint. Held across that wait, connections
    # run out when more requests are in flight than the pool holds, and every worker
    # thread then waits for a connection that only a waiting request can give back.
    session.commit()
    return team


CurrentTeam = Annotated[Team, Depends(get_current_team)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="API token",
    description="A team's API token, for code mode (the instructor gives them out).",
)


def get_api_team(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Team:
    """The team a JSON API request plays as: a program's bearer token (code mode), or else
    the browser's login. A request that sends a bearer token is judged by it alone; another
    kind of Authorization (a proxy's) leaves the browser's login as it is, and without one
    it is a program that sent its token wrongly."""
    if credentials is None:
        if request.headers.get("authorization") and session_team(request, session) is None:
            raise Refused("token_invalid")
        return get_current_team(request, session)
    team = team_for_token(session, credentials.credentials)
    session.commit()  # as get_current_team: no connection held while waiting for a thread
    return team


ApiTeam = Annotated[Team, Depends(get_api_team)]


async def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """Who sends a guess, read from the request alone (no database): a program's bearer
    token, or the browser's signed login. The guess checks it in its own transaction, so
    an accepted guess is one transaction (see app.services.submit)."""
    if credentials is not None:
        return Caller(token=credentials.credentials)
    caller = session_caller(request.session)
    if caller is None:
        raise Refused("token_invalid" if request.headers.get("authorization") else "not_logged_in")
    return caller


def session_caller(login: Mapping[str, Any]) -> Caller | None:
    """The team a browser's signed session names (checked later, in the guess's own
    transaction); None when it names none."""
    team_id, since, login_id = login.get("team_id"), login.get("team_since"), login.get(LOGIN)
    if not all(isinstance(v, t) for v, t in ((team_id, int), (since, str), (login_id, str))):
        return None
    return Caller(team_id=team_id, since=since, login=login_id)


GuessCaller = Annotated[Caller, Depends(get_caller)]


def require_instructor(request: Request, session: SessionDep) -> None:
    """Let only the instructor's session through, while its login is in force: a team
    gets 403, nobody gets 401 (a page asks them to log in)."""
    if instructor_signed_in(session, login_id=request.session.get(LOGIN)):
        session.commit()  # as get_current_team: no connection held while waiting
        return
    request.session.pop("instructor", None)
    if request.session.get("team_id") is not None:
        raise Refused("instructor_only")
    raise Refused("instructor_login_required")


Instructor = Depends(require_instructor)
