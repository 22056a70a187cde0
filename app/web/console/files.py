"""What leaves and enters the console as a file: CSV exports, the report, lesson files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.db import utcnow
from app.deps import RowId, SessionDep
from app.errors import MESSAGES, Refused
from app.game.lesson_file import LessonFileError, dump_lesson, load_lesson
from app.game.lesson_file import json_schema as lesson_file_schema
from app.i18n import current_locale
from app.security import request_locale
from app.services import exports, lessons
from app.web.console.pages import IMPORTED, error_of, show_home
from app.web.report import lesson_report as build_report
from app.web.responses import translate
from app.web.templating import render

router = APIRouter(prefix="/instructor")


CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


MAX_LESSON_FILE = 1_000_000


@router.get("/lessons/{lesson_id}/guesses.csv", response_class=Response, responses=CSV)
def guesses_export(lesson_id: RowId, session: SessionDep) -> Response:
    """Every guess of the lesson as CSV."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _download(
        exports.guesses_csv(session, lesson=lesson), f"downhill-{lesson.join_code}-guesses.csv"
    )


@router.get("/lessons/{lesson_id}/standings.csv", response_class=Response, responses=CSV)
def standings_export(lesson_id: RowId, session: SessionDep) -> Response:
    """Each level's standings and the lesson's, as CSV."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _download(
        exports.standings_csv(session, lesson=lesson, now=utcnow()),
        f"downhill-{lesson.join_code}-standings.csv",
    )


@router.get("/lessons/{lesson_id}/report.html")
def lesson_report(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
    """The lesson report: one HTML file that opens offline, for the course website."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    current_locale.set(request_locale(request))
    report = build_report(session, lesson=lesson, now=utcnow())
    response = render(request, "report.html", report=report)
    name = f"downhill-{lesson.join_code}-report.html"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _download(text: str, filename: str, media_type: str = "text/csv; charset=utf-8") -> Response:
    # a byte-order mark so spreadsheet programs read Chinese names as UTF-8
    body = ("\ufeff" + text) if media_type.startswith("text/csv") else text
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/lessons/{lesson_id}/lesson.json",
    response_class=JSONResponse,
    responses={200: {"content": {"application/json": {"schema": lesson_file_schema()}}}},
)
def export_lesson_file(lesson_id: RowId, session: SessionDep) -> Response:
    """The lesson's levels and settings as a lesson file (no teams, PINs or guesses)."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _download(
        dump_lesson(lesson.name, lessons.level_specs(lesson)),
        f"downhill-{lesson.join_code}.json",
        "application/json",
    )


@router.post("/lessons/import")
def import_lesson_file(
    request: Request, session: SessionDep, lesson_file: Annotated[UploadFile | None, File()] = None
) -> Response:
    """Create a lesson from a lesson file, or say which field of the file is wrong."""
    try:
        if lesson_file is None or not lesson_file.filename:
            raise LessonFileError("lesson_file_missing")
        content = load_lesson(lesson_file.file.read(MAX_LESSON_FILE + 1))
    except LessonFileError as error:
        refusal = _lesson_file_refusal(request, error)
        return show_home(
            request, session, status_code=refusal.status, import_error=error_of(request, refusal)
        )
    lesson = lessons.import_lesson(session, lesson_file=content, now=utcnow())
    request.session[IMPORTED] = lesson.id  # the lesson page says what came in, once
    return RedirectResponse(f"/instructor/lessons/{lesson.id}", status_code=303)


def _lesson_file_refusal(request: Request, error: LessonFileError) -> Refused:
    if error.code != "lesson_file_field" or error.detail is None:
        return Refused(error.code, **error.params)
    problem = translate(request, MESSAGES[error.detail][1], **error.params)
    return Refused("lesson_file_field", field=error.field, problem=problem)
