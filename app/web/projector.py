"""The projector: one public page per lesson for the big screen, live over Server-Sent
Events (polling when a stream cannot be had). It needs no login and shows only what is
meant for the room (see ``projector_view``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from app.db import utcnow
from app.deps import SessionDep
from app.services.projector import projector_view
from app.services.teams import find_lesson
from app.web.links import join_address, qr_svg
from app.web.templating import render

router = APIRouter(prefix="/projector")
THEMES = ("light", "dark")


def _snapshot(request: Request, join_code: str) -> dict[str, Any]:
    with request.app.state.database.sessions() as session:
        lesson = find_lesson(session, join_code=join_code)
        view = projector_view(session, lesson=lesson, now=utcnow())
        view["lesson"]["join_address"] = join_address(request, lesson)
        return view


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
        qr=qr_svg(snapshot["lesson"]["join_address"], scale=8),
        theme=theme if theme in THEMES else "dark",
    )


@router.get("/{join_code}/state.json")
def projector_json(join_code: str, request: Request) -> dict[str, Any]:
    """What the projector shows, for browsers that cannot keep a stream open (polling)."""
    return _snapshot(request, join_code)


def _lesson_id(join_code: str, session: SessionDep) -> int:
    return find_lesson(session, join_code=join_code).id


@router.get("/{join_code}/stream", response_class=EventSourceResponse)
async def projector_stream(
    join_code: str, request: Request, lesson_id: Annotated[int, Depends(_lesson_id)]
) -> AsyncIterator[ServerSentEvent]:
    """What the projector shows, now and after every change, as Server-Sent Events."""
    async for version in request.app.state.live.changes(lesson_id):
        snapshot = await run_in_threadpool(_snapshot, request, join_code)
        yield ServerSentEvent(event="projector", id=str(version), data=snapshot)
