"""The projector: one public page per lesson for the big screen, live over Server-Sent
Events (polling when a stream cannot be had). It needs no login and shows only what is
meant for the room (see ``projector_view``)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
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
from app.web.links import join_address, qr_svg, reachable_from_phones
from app.web.templating import render

router = APIRouter(prefix="/projector", default_response_class=HTMLResponse)
THEMES = ("light", "dark")


SNAPSHOT_SECONDS = 1.0  # streams woken by one change share one snapshot for this long


def _snapshot(request: Request, join_code: str) -> ProjectorView:
    with request.app.state.database.sessions() as session:
        lesson = find_lesson(session, join_code=join_code)
        view = projector_view(session, lesson=lesson, now=utcnow())
        view.lesson.join_address = join_address(request, lesson)
        return view


def _shared_snapshot(
    request: Request, join_code: str, lesson_id: int, version: int
) -> ProjectorView:
    """The snapshot for this lesson version, built once for every stream and poll that asks
    within a second (sixty projectors and monitors woken by one guess make one query)."""
    cache: dict[tuple[int, int, str], tuple[float, ProjectorView]]
    cache = request.app.state.projector_snapshots
    key = (lesson_id, version, str(request.base_url))
    now = time.monotonic()
    hit = cache.get(key)
    if hit is not None and now - hit[0] < SNAPSHOT_SECONDS:
        return hit[1]
    snapshot = _snapshot(request, join_code)
    if len(cache) > 256:
        cache.clear()
    cache[key] = (now, snapshot)
    return snapshot


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
        qr=qr_svg(join_address(request, lesson), scale=8),
        reachable=reachable_from_phones(request),
        theme=theme if theme in THEMES else "dark",
    )


@router.get("/{join_code}/state.json", response_model=ProjectorView, response_class=JSONResponse)
def projector_json(join_code: str, request: Request) -> Response:
    """What the projector shows, for browsers that cannot keep a stream open (polling)."""
    lesson_id = _lesson_id(join_code, request)
    version = request.app.state.live.version(lesson_id)
    return _shared_snapshot(request, join_code, lesson_id, version).response()


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
        snapshot = await run_in_threadpool(_shared_snapshot, request, join_code, lesson_id, version)
        yield ServerSentEvent(
            event="projector",
            id=str(version),
            raw_data=snapshot.model_dump_json(exclude_unset=True),
        )
