"""Getting in and out of the instructor's console."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.db import utcnow
from app.deps import SessionDep
from app.errors import Refused
from app.services.instructor import login_instructor
from app.web.console.pages import Text, error_of
from app.web.templating import render

router = APIRouter(prefix="/instructor")
public = APIRouter(prefix="/instructor")  # the login form: open to all


@public.get("/login")
def login_page(request: Request) -> Response:
    """The instructor's login form."""
    if request.session.get("instructor") is True:
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
    request.session.update(instructor=True, csrf=csrf)
    return RedirectResponse("/instructor", status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """Log the instructor out of this browser."""
    request.session.pop("instructor", None)
    return RedirectResponse("/instructor/login", status_code=303)
