"""Lessons: the list, a new one, one lesson's page, renaming, copying, archiving, deleting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.db import utcnow
from app.deps import RowId, SessionDep
from app.errors import Refused
from app.services import lessons
from app.web.console.pages import (
    SLIPS,
    Text,
    error_of,
    refused_on_lesson_page,
    show_home,
    show_lesson,
)
from app.web.templating import render

router = APIRouter(prefix="/instructor")


@router.get("")
def home(request: Request, session: SessionDep) -> Response:
    """Every lesson, and a form to create one."""
    return show_home(request, session)


@router.post("/lessons")
def create_lesson(request: Request, session: SessionDep, name: Text = "") -> Response:
    """Create a lesson, then go to it."""
    try:
        lesson = lessons.create_lesson(session, name=name, now=utcnow())
    except Refused as refusal:
        return show_home(
            request,
            session,
            status_code=refusal.status,
            error=error_of(request, refusal),
            form={"name": name},
        )
    return RedirectResponse(f"/instructor/lessons/{lesson.id}", status_code=303)


@router.get("/lessons/{lesson_id}")
def lesson_page(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
    """One lesson: its join address and QR code, its teams, its levels and their moves.
    Back here, the instructor has left the slip sheet: its PINs are forgotten."""
    request.session.pop(SLIPS, None)
    return show_lesson(request, session, lesson_id)


@router.post("/lessons/{lesson_id}/rename")
def rename_lesson(
    lesson_id: RowId, request: Request, session: SessionDep, name: Text = ""
) -> Response:
    """Rename a lesson."""
    try:
        lessons.rename_lesson(session, lesson_id=lesson_id, name=name)
    except Refused as refusal:
        if refusal.code == "lesson_not_found":
            raise
        return refused_on_lesson_page(
            request, session, lesson_id, refusal, at="name", form={"name": name}
        )
    return RedirectResponse(f"/instructor/lessons/{lesson_id}", status_code=303)


@router.post("/lessons/{lesson_id}/duplicate")
def duplicate_lesson(lesson_id: RowId, session: SessionDep) -> Response:
    """Copy a lesson's levels and settings into a new lesson (no teams, no guesses)."""
    copy = lessons.duplicate_lesson(session, lesson_id=lesson_id, now=utcnow())
    return RedirectResponse(f"/instructor/lessons/{copy.id}", status_code=303)


@router.post("/lessons/{lesson_id}/archive")
def archive_lesson(
    lesson_id: RowId, session: SessionDep, archived: Annotated[str, Form(max_length=1)] = "1"
) -> Response:
    """Archive a lesson (no more logins) or bring it back."""
    lessons.set_archived(session, lesson_id=lesson_id, archived=archived == "1")
    return RedirectResponse("/instructor", status_code=303)


@router.get("/lessons/{lesson_id}/delete")
def confirm_delete_lesson(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
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


@router.post("/lessons/{lesson_id}/delete")
def delete_lesson(
    lesson_id: RowId, request: Request, session: SessionDep, confirm_name: Text = ""
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
            error=error_of(request, refusal),
            losses=lessons.losses(session, lesson_id=lesson_id),
        )
    return RedirectResponse("/instructor", status_code=303)
