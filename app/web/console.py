"""The instructor's console: logging in, lessons, teams and their slips, running levels."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from app.db import utcnow
from app.deps import Instructor, SessionDep
from app.errors import Refused
from app.game.rules import LevelState, NoSuchMove
from app.models import Lesson, Level
from app.security import check_csrf
from app.services import lessons, teams
from app.services.instructor import login_instructor
from app.services.levels import set_level_state
from app.web.responses import refusal_body
from app.web.templating import render

router = APIRouter(prefix="/instructor", dependencies=[Depends(check_csrf)])
console = APIRouter(prefix="/instructor", dependencies=[Depends(check_csrf), Instructor])

MOVES = {"open": LevelState.OPEN, "close": LevelState.CLOSED, "reveal": LevelState.REVEALED}
Text = Annotated[str, Form(max_length=200)]


def _error(request: Request, refusal: Refused) -> dict[str, Any]:
    return refusal_body(request, refusal)["error"]


def join_address(request: Request, lesson: Lesson) -> str:
    """The address a phone opens to join: the configured public URL, else this server's."""
    base = request.app.state.settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/j/{lesson.join_code}"


def qr_svg(address: str, scale: int = 4) -> Markup:
    """A QR code of ``address`` as inline SVG (a phone camera opens it)."""
    return Markup(segno.make(address, error="m").svg_inline(scale=scale, border=2))  # noqa: S704


def _reachable_from_phones(request: Request) -> bool:
    host = request.url.hostname or ""
    return bool(request.app.state.settings.public_url) or host not in (
        "127.0.0.1",
        "localhost",
        "::1",
    )


# ---- getting in ---------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request) -> Response:
    """The instructor's login form."""
    if request.session.get("instructor") is True:
        return RedirectResponse("/instructor", status_code=303)
    return render(request, "instructor_login.html", error=None)


@router.post("/login")
def login(request: Request, session: SessionDep, password: Text = "") -> Response:
    """Log the instructor in; this browser stops being a team's."""
    try:
        login_instructor(session, password=password, now=utcnow())
    except Refused as refusal:
        return render(
            request,
            "instructor_login.html",
            status_code=refusal.status,
            error=_error(request, refusal),
        )
    csrf = request.session.get("csrf")
    request.session.clear()
    request.session.update(instructor=True, csrf=csrf)
    return RedirectResponse("/instructor", status_code=303)


@console.post("/logout")
def logout(request: Request) -> Response:
    """Log the instructor out of this browser."""
    request.session.pop("instructor", None)
    return RedirectResponse("/instructor/login", status_code=303)


# ---- lessons ------------------------------------------------------------------------------


def _home(
    request: Request,
    session: SessionDep,
    *,
    status_code: int = 200,
    error: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    active = session.scalars(
        select(Lesson).where(Lesson.archived.is_(False)).order_by(Lesson.id.desc())
    ).all()
    archived = session.scalars(
        select(Lesson).where(Lesson.archived.is_(True)).order_by(Lesson.id.desc())
    ).all()
    return render(
        request,
        "console_home.html",
        status_code=status_code,
        lessons=active,
        archived=archived,
        error=error,
        form=form or {},
        instructor=True,
    )


@console.get("")
def home(request: Request, session: SessionDep) -> Response:
    """Every lesson, and a form to create one."""
    return _home(request, session)


@console.post("/lessons")
def create_lesson(request: Request, session: SessionDep, name: Text = "") -> Response:
    """Create a lesson, then go to it."""
    try:
        lesson = lessons.create_lesson(session, name=name, now=utcnow())
    except Refused as refusal:
        return _home(
            request,
            session,
            status_code=refusal.status,
            error=_error(request, refusal),
            form={"name": name},
        )
    return RedirectResponse(f"/instructor/lessons/{lesson.id}", status_code=303)


def _lesson_page(
    request: Request,
    session: SessionDep,
    lesson_id: int,
    *,
    status_code: int = 200,
    errors: dict[str, dict[str, Any]] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    address = join_address(request, lesson)
    return render(
        request,
        "console_lesson.html",
        status_code=status_code,
        lesson=lesson,
        now=utcnow(),
        join_address=address,
        qr=qr_svg(address),
        reachable=_reachable_from_phones(request),
        errors=errors or {},
        form=form or {},
        instructor=True,
    )


@console.get("/lessons/{lesson_id}")
def lesson_page(lesson_id: int, request: Request, session: SessionDep) -> Response:
    """One lesson: its join address and QR code, its teams, its levels and their moves."""
    return _lesson_page(request, session, lesson_id)


@console.post("/lessons/{lesson_id}/rename")
def rename_lesson(
    lesson_id: int, request: Request, session: SessionDep, name: Text = ""
) -> Response:
    """Rename a lesson."""
    try:
        lessons.rename_lesson(session, lesson_id=lesson_id, name=name)
    except Refused as refusal:
        if refusal.code == "lesson_not_found":
            raise
        return _lesson_page(
            request,
            session,
            lesson_id,
            status_code=refusal.status,
            errors={"name": _error(request, refusal)},
            form={"name": name},
        )
    return RedirectResponse(f"/instructor/lessons/{lesson_id}", status_code=303)


@console.post("/lessons/{lesson_id}/duplicate")
def duplicate_lesson(lesson_id: int, session: SessionDep) -> Response:
    """Copy a lesson's levels and settings into a new lesson (no teams, no guesses)."""
    copy = lessons.duplicate_lesson(session, lesson_id=lesson_id, now=utcnow())
    return RedirectResponse(f"/instructor/lessons/{copy.id}", status_code=303)


@console.post("/lessons/{lesson_id}/archive")
def archive_lesson(
    lesson_id: int, session: SessionDep, archived: Annotated[str, Form(max_length=1)] = "1"
) -> Response:
    """Archive a lesson (no more logins) or bring it back."""
    lessons.set_archived(session, lesson_id=lesson_id, archived=archived == "1")
    return RedirectResponse("/instructor", status_code=303)


@console.get("/lessons/{lesson_id}/delete")
def confirm_delete_lesson(lesson_id: int, request: Request, session: SessionDep) -> Response:
    """Ask before deleting a lesson, naming what goes with it."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return render(
        request,
        "console_delete.html",
        lesson=lesson,
        instructor=True,
        losses=lessons.losses(session, lesson_id=lesson_id),
        error=None,
    )


@console.post("/lessons/{lesson_id}/delete")
def delete_lesson(
    lesson_id: int, request: Request, session: SessionDep, confirm_name: Text = ""
) -> Response:
    """Delete a lesson once its name is typed back."""
    try:
        lessons.delete_lesson(session, lesson_id=lesson_id, confirm_name=confirm_name)
    except Refused as refusal:
        if refusal.code == "lesson_not_found":
            raise
        lesson = lessons.get_lesson(session, lesson_id=lesson_id)
        return render(
            request,
            "console_delete.html",
            status_code=refusal.status,
            lesson=lesson,
            instructor=True,
            error=_error(request, refusal),
            losses=lessons.losses(session, lesson_id=lesson_id),
        )
    return RedirectResponse("/instructor", status_code=303)


# ---- teams and their slips ----------------------------------------------------------------


def _sheet(request: Request, lesson: Lesson, credentials: list[teams.Credential]) -> Response:
    address = join_address(request, lesson)
    return render(
        request,
        "console_sheet.html",
        lesson=lesson,
        credentials=credentials,
        join_address=address,
        qr=qr_svg(address, scale=3),
        instructor=True,
    )


@console.post("/lessons/{lesson_id}/teams")
def add_teams(
    lesson_id: int,
    request: Request,
    session: SessionDep,
    count: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Add teams with generated PINs and show their slips, ready to print (only now: PINs
    are kept hashed)."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    try:
        made = teams.create_teams(session, lesson_id=lesson.id, count=count, now=utcnow())
    except Refused as refusal:
        return _lesson_page(
            request,
            session,
            lesson_id,
            status_code=refusal.status,
            errors={"count": _error(request, refusal)},
            form={"count": count},
        )
    return _sheet(request, lesson, made)


@console.post("/lessons/{lesson_id}/teams/{team_id}/pin")
def new_pin(lesson_id: int, team_id: int, request: Request, session: SessionDep) -> Response:
    """A new PIN for one team, on a slip of its own."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    made = teams.regenerate_pin(session, lesson_id=lesson.id, team_id=team_id)
    return _sheet(request, lesson, [made])


@console.post("/lessons/{lesson_id}/teams/{team_id}/rename")
def rename_team(
    lesson_id: int, team_id: int, request: Request, session: SessionDep, name: Text = ""
) -> Response:
    """Name a team."""
    try:
        teams.rename_team(session, lesson_id=lesson_id, team_id=team_id, name=name)
    except Refused as refusal:
        if refusal.code == "team_not_found":
            raise
        return _lesson_page(
            request,
            session,
            lesson_id,
            status_code=refusal.status,
            errors={f"team-{team_id}": _error(request, refusal)},
        )
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#teams", status_code=303)


@console.post("/lessons/{lesson_id}/teams/{team_id}/remove")
def remove_team(lesson_id: int, team_id: int, session: SessionDep) -> Response:
    """Remove a team and its guesses (the page asked first)."""
    teams.remove_team(session, lesson_id=lesson_id, team_id=team_id)
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#teams", status_code=303)


# ---- running the class --------------------------------------------------------------------


@console.post("/levels/{level_id}/state")
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
    except NoSuchMove:
        refusal = Refused("level_move_refused")
        return _lesson_page(
            request,
            session,
            level.lesson_id,
            status_code=refusal.status,
            errors={f"level-{level_id}": _error(request, refusal)},
        )
    return RedirectResponse(
        f"/instructor/lessons/{level.lesson_id}#level-{level_id}", status_code=303
    )
