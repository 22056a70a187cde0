"""What the console's rooms share: the home and lesson pages, shown again with a refusal."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.db import utcnow
from app.deps import SessionDep
from app.errors import Refused
from app.services import lessons, projector, tokens
from app.web.links import join_address, qr_svg, reachable_from_phones
from app.web.responses import refusal_body
from app.web.templating import render

Text = Annotated[str, Form(max_length=200)]

SLIPS = "slips"  # in the instructor's session: the slips just made, until the sheet is left
IMPORTED = "imported"  # in the instructor's session: the lesson a file was just imported as


def error_of(request: Request, refusal: Refused) -> dict[str, Any]:
    """A refusal as a page shows it beside a field: its code and translated message."""
    return refusal_body(request, refusal)["error"]


def show_home(
    request: Request,
    session: SessionDep,
    *,
    status_code: int = 200,
    error: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    import_error: dict[str, Any] | None = None,
) -> Response:
    """The console's home: every lesson (archived ones apart) and the forms to add one."""
    return render(
        request,
        "console_home.html",
        status_code=status_code,
        lessons=lessons.lessons_of(session, archived=False),
        archived=lessons.lessons_of(session, archived=True),
        error=error,
        form=form or {},
        import_error=import_error,
        instructor=True,
    )


def show_lesson(
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
        reachable=reachable_from_phones(request),
        announcement=projector.announcement_of(session, lesson_id=lesson_id),
        working_tokens=tokens.working_tokens(session, lesson_id=lesson_id),
        imported=request.session.pop(IMPORTED, None) == lesson.id,
        errors=errors or {},
        form=form or {},
        instructor=True,
    )


def refused_on_lesson_page(
    request: Request,
    session: SessionDep,
    lesson_id: int,
    refusal: Refused,
    *,
    at: str,
    form: dict[str, str] | None = None,
) -> Response:
    """The lesson page again, the refusal shown at ``at`` (a field or a row) and what was
    typed kept; whatever the refused action began is rolled back first."""
    session.rollback()
    return show_lesson(
        request,
        session,
        lesson_id,
        status_code=refusal.status,
        errors={at: error_of(request, refusal)},
        form=form,
    )
