"""The JSON API: log in, enter a level, guess, read history and standings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from app.api.schemas import (
    EnterIn,
    GuessIn,
    LoginIn,
    answer_out,
    guess_out,
    level_out,
    overall_out,
    play_state_out,
    standings_out,
)
from app.db import utcnow
from app.deps import ApiTeam, RowId, SessionDep, remember_team
from app.security import check_csrf, csrf_token
from app.services import guesses, levels, standings, teams

router = APIRouter(prefix="/api", dependencies=[Depends(check_csrf)])
# Routes that use the database answer plain dicts with response_model=None: FastAPI then
# does not validate the answer in a second worker thread while the request's session still
# holds its pooled connection (with every thread busy and the pool empty, that wait never
# ends: each thread waits for a connection that a request waiting for a thread holds).


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """A trivial answer: the server is up, and how many live streams this process holds
    open (a baseline for benchmarks; tests count streams to find leaks)."""
    return {"status": "ok", "streams": request.app.state.live.streams}


@router.get("/csrf")
def get_csrf_token(request: Request) -> dict[str, str]:
    """This session's CSRF token, to send as X-CSRF-Token with every unsafe request."""
    return {"csrf_token": csrf_token(request)}


@router.post("/session", response_model=None)
def login(body: LoginIn, request: Request, session: SessionDep) -> dict[str, Any]:
    """Log a team in; the signed session cookie carries its id."""
    team = teams.login_team(
        session, join_code=body.join_code, team_number=body.team_number, pin=body.pin, now=utcnow()
    )
    request.session.clear()
    remember_team(request, team)
    return {
        "team": {"number": team.number, "name": team.name},
        "lesson": {"name": team.lesson.name, "join_code": team.lesson.join_code},
        "csrf_token": csrf_token(request),
    }


@router.delete("/session")
def logout(request: Request) -> dict[str, bool]:
    """Forget the team on this device (its guesses stay)."""
    request.session.clear()
    return {"ok": True}


@router.get("/levels", response_model=None)
def list_levels(team: ApiTeam, session: SessionDep) -> dict[str, Any]:
    """The levels of the team's lesson it can see, and which it has entered."""
    now = utcnow()
    entered = levels.entered_level_ids(session, team=team)
    return {
        "levels": [
            {**level_out(level, now), "entered": level.id in entered}
            for level in levels.visible_levels(session, lesson_id=team.lesson_id)
        ]
    }


@router.post("/levels/{level_id}/enter", response_model=None)
def enter(level_id: RowId, body: EnterIn, team: ApiTeam, session: SessionDep) -> dict[str, Any]:
    """Enter a level with its password."""
    levels.enter_level(session, team=team, level_id=level_id, password=body.password, now=utcnow())
    return play_state(level_id, team, session)


@router.get("/levels/{level_id}", response_model=None)
def play_state(level_id: RowId, team: ApiTeam, session: SessionDep) -> dict[str, Any]:
    """The level as the team's play page shows it: its own guesses, cooldown, budget."""
    now = utcnow()
    view = guesses.play_view(session, team=team, level_id=level_id, now=now)
    return play_state_out(view, team, now)


@router.get("/levels/{level_id}/guesses", response_model=None)
def history(level_id: RowId, team: ApiTeam, session: SessionDep) -> dict[str, Any]:
    """The team's own guesses on a level, in order."""
    rows = guesses.own_guesses(session, team=team, level_id=level_id, now=utcnow())
    return {"guesses": [guess_out(g) for g in rows]}


@router.post("/levels/{level_id}/guesses", response_model=None)
def guess(level_id: RowId, body: GuessIn, team: ApiTeam, session: SessionDep) -> dict[str, Any]:
    """Submit a guess: f(x), slope, tangent, guesses left, next allowed time, best so far
    (on a two-parameter level: x and y, f(x, y) and the gradient, ``slope`` and ``gy``)."""
    answer = guesses.submit_guess(
        session,
        team=team,
        level_id=level_id,
        idempotency_key=body.idempotency_key,
        raw_x=body.x,
        raw_eta=body.eta,
        raw_beta=body.beta,
        raw_y=body.y,
    )
    return answer_out(answer, utcnow())


@router.get("/levels/{level_id}/standings", response_model=None)
def level_standings(level_id: RowId, team: ApiTeam, session: SessionDep) -> dict[str, Any]:
    """The level's standings, when the level lets teams see them."""
    now = utcnow()
    level = levels.team_level(session, team=team, level_id=level_id)
    return standings_out(standings.team_level_standings(session, level=level, now=now))


@router.get("/standings", response_model=None)
def lesson_standings(team: ApiTeam, session: SessionDep) -> dict[str, Any]:
    """The lesson's overall standings over its revealed levels."""
    ranking, settled = standings.overall_standings(session, lesson_id=team.lesson_id, now=utcnow())
    return overall_out(ranking, settled)
