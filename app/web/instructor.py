"""The instructor's pages: logging in, and running the class's levels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app.db import utcnow
from app.deps import Instructor, SessionDep
from app.errors import Refused
from app.game.rules import LevelState, NoSuchMove
from app.models import Lesson, Level
from app.security import check_csrf
from app.services.instructor import login_instructor
from app.services.levels import set_level_state
from app.web.responses import refusal_body
from app.web.templating import render

router = APIRouter(prefix="/instructor", dependencies=[Depends(check_csrf)])

MOVES = {"open": LevelState.OPEN, "close": LevelState.CLOSED, "reveal": LevelState.REVEALED}


@router.get("/login")
def login_page(request: Request) -> Response:
    """The instructor's login form."""
    if request.session.get("instructor") is True:
        return RedirectResponse("/instructor", status_code=303)
    return render(request, "instructor_login.html", error=None)


@router.post("/login")
def login(
    request: Request, session: SessionDep, password: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Log the instructor in; this browser stops being a team's."""
    try:
        login_instructor(session, password=password, now=utcnow())
    except Refused as refusal:
        return render(
            request,
            "instructor_login.html",
            status_code=refusal.status,
            error=refusal_body(request, refusal)["error"],
        )
    csrf = request.session.get("csrf")
    request.session.clear()
    request.session.update(instructor=True, csrf=csrf)
    return RedirectResponse("/instructor", status_code=303)


@router.post("/logout", dependencies=[Instructor])
def logout(request: Request) -> Response:
    """Log the instructor out of this browser."""
    request.session.pop("instructor", None)
    return RedirectResponse("/instructor/login", status_code=303)


def _console(
    request: Request,
    session: SessionDep,
    *,
    status_code: int = 200,
    error: dict | None = None,
    failed_level: int | None = None,
) -> Response:
    lessons = session.scalars(
        select(Lesson).where(Lesson.archived.is_(False)).order_by(Lesson.id.desc())
    ).all()
    return render(
        request,
        "instructor_console.html",
        status_code=status_code,
        lessons=lessons,
        now=utcnow(),
        error=error,
        failed_level=failed_level,
        instructor=True,
    )


@router.get("", dependencies=[Instructor])
def console(request: Request, session: SessionDep) -> Response:
    """Every lesson with its levels, their states and the moves each one allows."""
    return _console(request, session)


@router.post("/levels/{level_id}/state", dependencies=[Instructor])
def move_level(
    level_id: int,
    request: Request,
    session: SessionDep,
    action: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Open (or reopen), close or reveal a level."""
    level = session.get(Level, level_id)
    if level is None:
        raise Refused("level_not_found")
    if action not in MOVES:
        raise Refused("invalid_request", fields=["action"])
    try:
        set_level_state(session, level=level, state=MOVES[action], now=utcnow())
    except NoSuchMove as refused:
        refusal = Refused("level_move_refused", current=refused.current.value)
        return _console(
            request,
            session,
            status_code=refusal.status,
            error=refusal_body(request, refusal)["error"],
            failed_level=level_id,
        )
    return RedirectResponse(f"/instructor#level-{level_id}", status_code=303)
