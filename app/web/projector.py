"""The projector: one public page per lesson for the big screen, live over Server-Sent
Events (polling when a stream cannot be had). It needs no login and shows only what is
meant for the room (see ``projector_view``)."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
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
_BUILDING: dict[int, threading.Lock] = {}  # per lesson: one snapshot built at a time
_BUILDING_GUARD = threading.Lock()


def _snapshot(request: Request, join_code: str) -> ProjectorView:
    with request.app.state.database.sessions() as session:
        lesson = find_lesson(session, join_code=join_code)
        view = projector_view(session, lesson=lesson, now=utcnow())
        view.lesson.join_address = join_address(request, lesson)
        return view


@dataclass(frozen=True)
class Shared:
    """A snapshot as every stream and poll of one lesson version gets it: built and
    encoded once."""

    made: float
    view: ProjectorView
    text: str


def _cached(request: Request, lesson_id: int, version: int) -> Shared | None:
    """The snapshot of this lesson version, if one was made within the last second."""
    key = (lesson_id, version, str(request.base_url))
    hit: Shared | None = request.app.state.projector_snapshots.get(key)
    return hit if hit is not None and time.monotonic() - hit.made < SNAPSHOT_SECONDS else None


def _shared_snapshot(request: Request, join_code: str, lesson_id: int, version: int) -> Shared:
    """The snapshot for this lesson version, built once for every stream and poll that asks
    within a second: a thousand projectors and phones woken by one guess make one query
    and one encoding (single flight: whoever comes while it is built waits for it)."""
    with _BUILDING_GUARD:
        building = _BUILDING.setdefault(lesson_id, threading.Lock())
    with building:
        hit = _cached(request, lesson_id, version)
        if hit is not None:
            return hit
        view = _snapshot(request, join_code)
        shared = Shared(time.monotonic(), view, view.model_dump_json(exclude_unset=True))
        cache = request.app.state.projector_snapshots
        if len(cache) > 256:
            cache.clear()
        cache[(lesson_id, version, str(request.base_url))] = shared
        return shared


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
        shared = _cached(request, lesson_id, version) or await run_in_threadpool(
            _shared_snapshot, request, join_code, lesson_id, version
        )
        yield ServerSentEvent(event="projector", id=str(version), raw_data=shared.text)
