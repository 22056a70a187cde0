"""Getting in and out of the instructor's console."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.db import utcnow
from app.deps import SessionDep
from app.errors import Refused
from app.services.instructor import login_instructor
from app.services.logins import LOGIN, end_login, instructor_signed_in, sign_in
from app.web.console.pages import Text, error_of
from app.web.templating import render

router = APIRouter(prefix="/instructor")
public = APIRouter(prefix="/instructor")  # the login form: open to all


@public.get("/login")
def login_page(request: Request, session: SessionDep) -> Response:
    """The instructor's login form."""
    if instructor_signed_in(session, login_id=request.session.get(LOGIN)):
        return RedirectResponse("/instructor", status_code=303)
    return render(request, "instructor_login.html", error=None)


@public.post("/login")
def login(request: Request, session: SessionDep, password: Text = "") -> Response:
    """Log the instructor in; this browser stops being a team's."""
    try:
        login_instructor(session, password=password, now=utcnow())
    except Refused as refusal:
        return render(
            request,
            "instructor_login.html",
            status_code=refusal.status,
            error=error_of(request, refusal),
        )
    csrf = request.session.get("csrf")
    request.session.clear()
    login_id = sign_in(session, team_id=None, now=utcnow())
    request.session.update({"instructor": True, LOGIN: login_id, "csrf": csrf})
    return RedirectResponse("/instructor", status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """Log the instructor out of this browser (its cookie, replayed, no longer gets in)."""
    end_login(session, login_id=request.session.get(LOGIN))
    request.session.pop("instructor", None)
    request.session.pop(LOGIN, None)
    return RedirectResponse("/instructor/login", status_code=303)
