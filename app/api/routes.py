"""The JSON API: log in, enter a level, guess, read history and standings.

Every route declares the model of its answer (``app.schemas``) and answers
``model.response()``: see there why FastAPI is not asked to validate it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from app.db import utcnow
from app.deps import (
    ApiTeam,
    GuessCaller,
    RowId,
    SessionDep,
    bearer,
    forget_team,
    get_caller,
    remember_team,
)
from app.errors import Refused
from app.hot_path import DECIDED
from app.models import MAX_ROW_ID
from app.schemas import (
    AnswerOut,
    CsrfOut,
    DoneOut,
    EnterIn,
    GuessesOut,
    GuessIn,
    GuessOut,
    HealthOut,
    LessonOut,
    LevelsOut,
    LevelStandingsOut,
    ListedLevelOut,
    LoginIn,
    OverallOut,
    PlayStateOut,
    PredictionOut,
    SessionOut,
    TeamLiveOut,
    TeamOut,
    VoteIn,
    event_stream,
)
from app.security import check_csrf, csrf_token
from app.services import follow, guesses, levels, players, predictions, standings, submit, teams
from app.services.logins import LOGIN, end_login
from app.snapshots import Shared, SharedSnapshots

router = APIRouter(prefix="/api", dependencies=[Depends(check_csrf)])
Body = TypeVar("Body", bound=BaseModel)


@router.get("/health", response_model=HealthOut)
def health(request: Request) -> Response:
    """A trivial answer: the server is up, and how many live streams this process holds
    open (a baseline for benchmarks; tests count streams to find leaks)."""
    return HealthOut(status="ok", streams=request.app.state.live.streams).response()


@router.get("/csrf", response_model=CsrfOut)
def get_csrf_token(request: Request) -> Response:
    """This session's CSRF token, to send as X-CSRF-Token with every unsafe request."""
    return CsrfOut(csrf_token=csrf_token(request)).response()


@router.post("/session", response_model=SessionOut)
def login(body: LoginIn, request: Request, session: SessionDep) -> Response:
    """Log a team in; the signed session cookie carries its id."""
    team = teams.login_team(
        session, join_code=body.join_code, team_number=body.team_number, pin=body.pin, now=utcnow()
    )
    request.session.clear()
    remember_team(request, session, team)
    return SessionOut(
        team=TeamOut(number=team.number, name=team.name),
        lesson=LessonOut(name=team.lesson.name, join_code=team.lesson.join_code),
        csrf_token=csrf_token(request),
    ).response()


@router.delete("/session", response_model=DoneOut)
def logout(request: Request, session: SessionDep) -> Response:
    """Log this device out: its cookie, replayed, no longer gets in (the team's guesses
    stay, and its other devices stay logged in)."""
    end_login(session, login_id=request.session.get(LOGIN))
    request.session.clear()
    return DoneOut(ok=True).response()


@router.get("/levels", response_model=LevelsOut)
def list_levels(team: ApiTeam, session: SessionDep) -> Response:
    """The levels of the team's lesson it can see, and which it has entered."""
    now = utcnow()
    entered = levels.entered_level_ids(session, team=team)
    listed = [
        ListedLevelOut(**ListedLevelOut.fields_of(level, now), entered=level.id in entered)
        for level in levels.visible_levels(session, lesson_id=team.lesson_id)
    ]
    return LevelsOut(levels=listed).response()


@router.post("/levels/{level_id}/enter", response_model=PlayStateOut)
def enter(level_id: RowId, body: EnterIn, team: ApiTeam, session: SessionDep) -> Response:
    """Enter a level with its password."""
    levels.enter_level(session, team=team, level_id=level_id, password=body.password, now=utcnow())
    return play_state(level_id, team, session)


@router.get("/levels/{level_id}", response_model=PlayStateOut)
def play_state(level_id: RowId, team: ApiTeam, session: SessionDep) -> Response:
    """The level as the team's play page shows it: its own guesses, cooldown, budget."""
    now = utcnow()
    view = guesses.play_view(session, team=team, level_id=level_id, now=now)
    return guesses.play_state(view, team, now).response()


@router.get("/levels/{level_id}/guesses", response_model=GuessesOut)
def history(level_id: RowId, team: ApiTeam, session: SessionDep) -> Response:
    """The team's own guesses on a level, in order."""
    rows = guesses.own_guesses(session, team=team, level_id=level_id, now=utcnow())
    return GuessesOut(guesses=[GuessOut.of(g) for g in rows]).response()


@router.post("/levels/{level_id}/guesses", response_model=AnswerOut)
async def guess(level_id: RowId, body: GuessIn, caller: GuessCaller, request: Request) -> Response:
    """Submit a guess: f(x), slope, tangent, guesses left, next allowed time, best so far
    (on a two-parameter level: x and y, f(x, y) and the gradient, ``slope`` and ``gy``).

    Answered once the guess is stored (``app.writer``); nothing here blocks the event loop.
    An accepted guess is answered before it reaches here (``app.hot_path``), which hands
    on the outcome of one it did not answer."""
    try:
        decided = request.scope.pop(DECIDED, None)
        if decided is not None:  # the writer refused it, or failed to store it
            raise decided
        answer = await request.app.state.guesses.submit(
            submit.GuessRequest(
                caller,
                level_id,
                body.idempotency_key,
                body.x,
                body.eta,
                body.beta,
                body.y,
                body.batch,
            )
        )
    except Refused as refused:
        if refused.code == "not_logged_in":  # as every page: forget a login that is gone
            forget_team(request)
        raise
    request.app.state.live.poke()  # this process's streams need not wait for their next look
    return guesses.answer_out(answer, utcnow()).response()


async def guess_directly(request: Request) -> Response:
    """``guess`` as the server answers what ``app.hot_path`` hands on (a program's token,
    a refusal, a request it does not read): what FastAPI's routing and dependency
    resolution do for it (the CSRF check, the caller, the level's id and the body against
    its schema, in that order), done here in a few calls. ``GUESS_ROUTE`` serves this in
    front of every other route (``app.main``); ``guess`` declares the route in the API's
    schema and answers the ids this does not take (below zero: refused as no level of the
    team)."""
    await check_csrf(request)
    caller = await get_caller(request, await bearer(request))
    level_id: int = request.path_params["level_id"]
    if level_id > MAX_ROW_ID:
        raise Refused("invalid_request", fields=["level_id"])
    return await guess(level_id, read_body(GuessIn, await request.body()), caller, request)


GUESS_ROUTE = Route(
    "/api/levels/{level_id:int}/guesses", guess_directly, methods=["POST"], include_in_schema=False
)


def read_body(model: type[Body], raw: bytes) -> Body:
    """A JSON body read against its schema, refused as FastAPI refuses one (the fields at
    fault) when it does not fit."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as invalid:
        fields = [".".join(str(part) for part in error["loc"]) for error in invalid.errors()]
        raise Refused("invalid_request", fields=fields) from None


@router.get("/levels/{level_id}/prediction", response_model=PredictionOut)
def prediction(level_id: RowId, team: ApiTeam, session: SessionDep) -> Response:
    """The level's prediction, once the level is closed and the instructor asked for one:
    the algorithms to choose from, the team's own vote, how many teams voted (never what),
    and after the reveal the result; ``prediction_not_asked`` (409) before that."""
    level = levels.team_level(session, team=team, level_id=level_id)
    shown = players.prediction_view(session, level=level, team_id=team.id, now=utcnow())
    if shown is None:
        raise Refused("prediction_not_asked")
    return shown.response()


@router.post("/levels/{level_id}/prediction", response_model=PredictionOut)
def vote(level_id: RowId, body: VoteIn, team: ApiTeam, session: SessionDep) -> Response:
    """Vote for the algorithm the team thinks gets closest to the minimum: one vote a
    team, which a new vote replaces until the reveal."""
    predictions.vote(session, team=team, level_id=level_id, choice=body.choice, now=utcnow())
    return prediction(level_id, team, session)


@router.get("/levels/{level_id}/standings", response_model=LevelStandingsOut)
def level_standings(level_id: RowId, team: ApiTeam, session: SessionDep) -> Response:
    """The level's standings, when the level lets teams see them."""
    now = utcnow()
    level = levels.team_level(session, team=team, level_id=level_id)
    return standings.team_level_standings(session, level=level, now=now).out().response()


@router.get("/standings", response_model=OverallOut)
def lesson_standings(team: ApiTeam, session: SessionDep) -> Response:
    """The lesson's overall standings over its revealed levels."""
    ranking, settled = standings.overall_standings(session, lesson_id=team.lesson_id, now=utcnow())
    return standings.overall_out(ranking, settled).response()


Followed = tuple[int, int | None]  # (lesson, level or None)


def _followed(
    team: ApiTeam,
    session: SessionDep,
    level: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
) -> Followed:
    """The team's lesson, and the level whose standings it asks for (of its lesson, not a
    draft: else ``level_not_found``)."""
    if level is not None:
        levels.team_level(session, team=team, level_id=level)
        session.commit()  # no connection held for the minute a stream lasts
    return team.lesson_id, level


def _team_snapshot(request: Request, followed: Followed) -> Shared:
    """The teams' view of this lesson version, shared by every phone (app.snapshots)."""
    lesson_id, level_id = followed
    version = request.app.state.live.version(lesson_id)

    def build() -> TeamLiveOut:
        with request.app.state.database.sessions() as session:
            return follow.team_live_view(
                session, lesson_id=lesson_id, level_id=level_id, now=utcnow()
            )

    snapshots: SharedSnapshots = request.app.state.snapshots
    return snapshots.get(("team", lesson_id, level_id, version), build)


@router.get("/live", response_model=TeamLiveOut)
def live_state(request: Request, followed: Annotated[Followed, Depends(_followed)]) -> Response:
    """The lesson as its teams see it now: every level's state and deadline, the level on
    the projector, and (with ``level``) that level's standings when teams may see them.
    The stream below sends the same after every change; this is for polling."""
    return Response(_team_snapshot(request, followed).text, media_type="application/json")


@router.get(
    "/live/stream",
    response_class=EventSourceResponse,
    responses=event_stream("lesson", TeamLiveOut),
)
async def live_stream(
    request: Request, followed: Annotated[Followed, Depends(_followed)]
) -> AsyncIterator[ServerSentEvent]:
    """The same as ``/api/live``, now and within a second of every change, as Server-Sent
    Events (a level opening, closing, revealed or reset; a guess moving the standings). A
    program waits here for a level to open instead of polling. A stream ends after a
    minute; reconnect (browsers' EventSource does by itself)."""
    lesson_id, level_id = followed
    snapshots: SharedSnapshots = request.app.state.snapshots
    async for version in request.app.state.live.changes(lesson_id):
        key = ("team", lesson_id, level_id, version)
        shared = snapshots.cached(key) or await run_in_threadpool(_team_snapshot, request, followed)
        yield ServerSentEvent(event="lesson", id=str(version), raw_data=shared.text)
