"""The projector: one public page per lesson for the big screen, live over Server-Sent
Events (polling when a stream cannot be had). It needs no login and shows only what is
meant for the room (see ``projector_view``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from app.db import utcnow
from app.deps import SessionDep
from app.schemas import ProjectorView, event_stream
from app.services.projector import projector_view
from app.services.teams import find_lesson
from app.snapshots import Shared, SharedSnapshots
from app.web.links import join_address, qr_svg, reachable_from_phones
from app.web.templating import render

router = APIRouter(prefix="/projector", default_response_class=HTMLResponse)
THEMES = ("light", "dark")


def _snapshot(request: Request, join_code: str) -> ProjectorView:
    with request.app.state.database.sessions() as session:
        lesson = find_lesson(session, join_code=join_code)
        view = projector_view(session, lesson=lesson, now=utcnow())
        view.lesson.join_address = join_address(request, lesson)
        return view


def _key(request: Request, lesson_id: int, version: int) -> tuple[Hashable, ...]:
    # the join address shown depends on the address the screen asked
    return ("projector", lesson_id, str(request.base_url), version)


def _shared_snapshot(request: Request, join_code: str, lesson_id: int, version: int) -> Shared:
    """The projector of this lesson version, shared by every stream and poll (app.snapshots)."""
    snapshots: SharedSnapshots = request.app.state.snapshots
    return snapshots.get(_key(request, lesson_id, version), lambda: _snapshot(request, join_code))


def _lesson_id(join_code: str, request: Request) -> int:
    # a short session of its own: a stream lasts a minute and must not hold a connection
    with request.app.state.database.sessions() as session:
        return find_lesson(session, join_code=join_code).id


@router.get("/{join_code}")
def projector_page(
    join_code: str, request: Request, session: SessionDep, theme: str = "dark"
) -> Response:
    """The projector page of a lesson (a kiosk link from the console)."""
    lesson = find_lesson(session, join_code=join_code)
    snapshot = _snapshot(request, lesson.join_code)
    return render(
        request,
        "projector.html",
        lesson=lesson,
        snapshot=snapshot,
        qr=qr_svg(join_address(request, lesson), scale=8, fill=True),
        reachable=reachable_from_phones(request),
        theme=theme if theme in THEMES else "dark",
    )


@router.get("/{join_code}/state.json", response_model=ProjectorView, response_class=JSONResponse)
def projector_json(join_code: str, request: Request) -> Response:
    """What the projector shows, for browsers that cannot keep a stream open (polling)."""
    lesson_id = _lesson_id(join_code, request)
    version = request.app.state.live.version(lesson_id)
    text = _shared_snapshot(request, join_code, lesson_id, version).text
    return Response(text, media_type="application/json")


@router.get(
    "/{join_code}/stream",
    response_class=EventSourceResponse,
    responses=event_stream("projector", ProjectorView),
)
async def projector_stream(
    join_code: str, request: Request, lesson_id: Annotated[int, Depends(_lesson_id)]
) -> AsyncIterator[ServerSentEvent]:
    """What the projector shows, now and after every change, as Server-Sent Events."""
    async for version in request.app.state.live.changes(lesson_id):
        snapshots: SharedSnapshots = request.app.state.snapshots
        shared = snapshots.cached(_key(request, lesson_id, version)) or await run_in_threadpool(
            _shared_snapshot, request, join_code, lesson_id, version
        )
        yield ServerSentEvent(event="projector", id=str(version), raw_data=shared.text)
