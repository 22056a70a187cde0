"""Running the class: a level's state, the projector's announcement, order, reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.db import utcnow
from app.deps import RowId, SessionDep
from app.errors import Refused
from app.game.rules import LevelState, NoSuchMove
from app.models import Level
from app.services import lessons, levels, predictions, projector
from app.web.console.pages import refused_on_lesson_page

router = APIRouter(prefix="/instructor")


def _back_to(level: Level, back: str) -> Response:
    """Back to the lesson's level, or to the level's monitor when the move was made there."""
    if back == "monitor":
        return RedirectResponse(f"/instructor/levels/{level.id}/monitor", status_code=303)
    return RedirectResponse(
        f"/instructor/lessons/{level.lesson_id}#level-{level.id}", status_code=303
    )


MOVES = {"open": LevelState.OPEN, "close": LevelState.CLOSED, "reveal": LevelState.REVEALED}


@router.post("/levels/{level_id}/state")
def move_level(
    level_id: RowId,
    request: Request,
    session: SessionDep,
    action: Annotated[str, Form(max_length=10)] = "",
    back: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Open (or reopen), close or reveal a level; back to the lesson, or to the level's
    monitor when the move was made there."""
    level = levels.get_level(session, level_id=level_id)
    if action not in MOVES:
        raise Refused("invalid_request", fields=["action"])
    try:
        try:
            levels.set_level_state(session, level=level, state=MOVES[action], now=utcnow())
        except NoSuchMove:
            raise Refused("level_move_refused") from None
    except Refused as refusal:
        return refused_on_lesson_page(
            request, session, level.lesson_id, refusal, at=f"level-{level_id}"
        )
    return _back_to(level, back)


@router.post("/levels/{level_id}/prediction")
def ask_for_predictions(
    level_id: RowId,
    request: Request,
    session: SessionDep,
    ask: Annotated[str, Form(max_length=1)] = "",
    back: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Ask the teams to predict which algorithm gets closest (``ask`` 1), or stop (0)."""
    level = levels.get_level(session, level_id=level_id)
    if ask not in ("0", "1"):
        raise Refused("invalid_request", fields=["ask"])
    try:
        predictions.ask_for_predictions(session, level=level, ask=ask == "1", now=utcnow())
    except Refused as refusal:
        return refused_on_lesson_page(
            request, session, level.lesson_id, refusal, at=f"level-{level_id}"
        )
    return _back_to(level, back)


@router.post("/lessons/{lesson_id}/announce")
def announce(
    lesson_id: RowId,
    request: Request,
    session: SessionDep,
    level_id: Annotated[str, Form(max_length=12)] = "",
    show_password: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Choose what the projector shows: a level (or none yet) and its password or not."""
    lessons.get_lesson(session, lesson_id=lesson_id)
    try:
        projector.announce(
            session,
            lesson_id=lesson_id,
            level_id=level_id,
            show_password=show_password == "1",  # noqa: S105 - a checkbox, not a secret
            now=utcnow(),
        )
    except Refused as refusal:
        return refused_on_lesson_page(request, session, lesson_id, refusal, at="announce")
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#projector", status_code=303)


@router.post("/levels/{level_id}/move")
def move_level_order(
    level_id: RowId, session: SessionDep, step: Annotated[str, Form(max_length=2)] = ""
) -> Response:
    """Move a level up or down in its lesson."""
    if step not in ("-1", "1"):
        raise Refused("invalid_request", fields=["step"])
    level = levels.move_level(session, level_id=level_id, step=int(step))
    return RedirectResponse(
        f"/instructor/lessons/{level.lesson_id}#level-{level_id}", status_code=303
    )


@router.post("/levels/{level_id}/reset")
def reset_level(level_id: RowId, session: SessionDep) -> Response:
    """Delete a level's guesses (the page asked first)."""
    level = levels.get_level(session, level_id=level_id)
    lesson_id = level.lesson_id
    levels.reset_level(session, level_id=level_id)
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#level-{level_id}", status_code=303)
