"""The instructor's console, one room per noun: getting in, lessons, files, teams, running
levels, the level editor and the live monitor. Every room is a read, a service call and a
render; the login form is open to all, every other route is the instructor's alone."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from app.deps import Instructor
from app.security import check_csrf
from app.web.console import editor, entry, files, lessons, levels, monitor, teams

# pages by default: the routes that answer JSON, CSV or a stream say so
public = APIRouter(dependencies=[Depends(check_csrf)], default_response_class=HTMLResponse)
public.include_router(entry.public)
router = APIRouter(
    dependencies=[Depends(check_csrf), Instructor], default_response_class=HTMLResponse
)
for room in (entry, lessons, files, teams, levels, editor, monitor):
    router.include_router(room.router)
