"""The live monitor of one level: the page, its JSON and its stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from app.db import utcnow
from app.deps import RowId, SessionDep
from app.schemas import MonitorView, event_stream
from app.services import levels
from app.services.monitor import monitor_view
from app.services.reveal import reveal_view
from app.web.templating import render

router = APIRouter(prefix="/instructor")


def _monitor_snapshot(request: Request, level_id: int) -> MonitorView:
    with request.app.state.database.sessions() as session:
        return monitor_view(
            session, level=levels.get_level(session, level_id=level_id), now=utcnow()
        )


@router.get("/levels/{level_id}/monitor")
def monitor_page(level_id: RowId, request: Request, session: SessionDep) -> Response:
    """Every team on one level, live: guesses, best f(x), last guess, and a chart of them all
    over the true curve."""
    level = levels.get_level(session, level_id=level_id)
    return render(
        request,
        "console_monitor.html",
        level=level,
        lesson=level.lesson,
        snapshot=monitor_view(session, level=level, now=utcnow()),
        reveal=reveal_view(session, level=level, now=utcnow()),
        instructor=True,
    )


@router.get(
    "/levels/{level_id}/monitor.json", response_model=MonitorView, response_class=JSONResponse
)
def monitor_json(level_id: RowId, request: Request) -> Response:
    """The monitor's data, for browsers that cannot keep a stream open (polling)."""
    return _monitor_snapshot(request, level_id).response()


def _level_lesson(level_id: RowId, request: Request) -> int:
    # a short session of its own: a stream lasts a minute and must not hold a connection
    with request.app.state.database.sessions() as session:
        return levels.get_level(session, level_id=level_id).lesson_id


@router.get(
    "/levels/{level_id}/monitor/stream",
    response_class=EventSourceResponse,
    responses=event_stream("monitor", MonitorView),
)
async def monitor_stream(
    level_id: RowId, request: Request, lesson_id: Annotated[int, Depends(_level_lesson)]
) -> AsyncIterator[ServerSentEvent]:
    """The monitor's data now and after every change, as Server-Sent Events."""
    async for version in request.app.state.live.changes(lesson_id):
        snapshot = await run_in_threadpool(_monitor_snapshot, request, level_id)
        data = snapshot.model_dump_json(exclude_unset=True)
        yield ServerSentEvent(event="monitor", id=str(version), raw_data=data)
