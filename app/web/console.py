"""The instructor's console: logging in, lessons, teams and their slips, running levels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.db import utcnow
from app.deps import Instructor, RowId, SessionDep
from app.errors import MESSAGES, Refused
from app.game.expression import (
    ExpressionError,
    analyze,
    compile_function,
    compile_plane,
    curve,
)
from app.game.lesson_file import LessonFileError, dump_lesson, load_lesson
from app.game.lesson_file import json_schema as lesson_file_schema
from app.game.plane import Rectangle, analyze_plane, contour_grid
from app.game.presets import PLANE_PRESETS, PRESETS
from app.game.rules import LevelState, NoSuchMove
from app.game.settings import MAX_DOMAIN, SettingsErrors, read_level_settings
from app.i18n import current_locale
from app.models import Lesson, Level
from app.schemas import Contours, MonitorView, PreviewOut, event_stream
from app.security import check_csrf, request_locale
from app.services import exports, lessons, levels, projector, teams, tokens
from app.services.instructor import login_instructor
from app.services.monitor import monitor_view
from app.services.reveal import reveal_view
from app.web.links import join_address, public_base, qr_svg, reachable_from_phones
from app.web.report import lesson_report as build_report
from app.web.responses import refusal_body, translate
from app.web.templating import render

# pages by default: the routes that answer JSON, CSV or a stream say so
PAGES = {"default_response_class": HTMLResponse}
router = APIRouter(prefix="/instructor", dependencies=[Depends(check_csrf)], **PAGES)
console = APIRouter(prefix="/instructor", dependencies=[Depends(check_csrf), Instructor], **PAGES)
CSV = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}

MAX_LESSON_FILE = 1_000_000
MOVES = {"open": LevelState.OPEN, "close": LevelState.CLOSED, "reveal": LevelState.REVEALED}
Text = Annotated[str, Form(max_length=200)]


def _error(request: Request, refusal: Refused) -> dict[str, Any]:
    return refusal_body(request, refusal)["error"]


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
    import_error: dict[str, Any] | None = None,
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
        import_error=import_error,
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
        reachable=reachable_from_phones(request),
        announcement=projector.announcement_of(session, lesson_id=lesson_id),
        working_tokens=tokens.working_tokens(session, lesson_id=lesson_id),
        errors=errors or {},
        form=form or {},
        instructor=True,
    )


def _refused_on_lesson_page(
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
    return _lesson_page(
        request,
        session,
        lesson_id,
        status_code=refusal.status,
        errors={at: _error(request, refusal)},
        form=form,
    )


@console.get("/lessons/{lesson_id}")
def lesson_page(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
    """One lesson: its join address and QR code, its teams, its levels and their moves."""
    return _lesson_page(request, session, lesson_id)


@console.post("/lessons/{lesson_id}/rename")
def rename_lesson(
    lesson_id: RowId, request: Request, session: SessionDep, name: Text = ""
) -> Response:
    """Rename a lesson."""
    try:
        lessons.rename_lesson(session, lesson_id=lesson_id, name=name)
    except Refused as refusal:
        if refusal.code == "lesson_not_found":
            raise
        return _refused_on_lesson_page(
            request, session, lesson_id, refusal, at="name", form={"name": name}
        )
    return RedirectResponse(f"/instructor/lessons/{lesson_id}", status_code=303)


@console.post("/lessons/{lesson_id}/duplicate")
def duplicate_lesson(lesson_id: RowId, session: SessionDep) -> Response:
    """Copy a lesson's levels and settings into a new lesson (no teams, no guesses)."""
    copy = lessons.duplicate_lesson(session, lesson_id=lesson_id, now=utcnow())
    return RedirectResponse(f"/instructor/lessons/{copy.id}", status_code=303)


@console.post("/lessons/{lesson_id}/archive")
def archive_lesson(
    lesson_id: RowId, session: SessionDep, archived: Annotated[str, Form(max_length=1)] = "1"
) -> Response:
    """Archive a lesson (no more logins) or bring it back."""
    lessons.set_archived(session, lesson_id=lesson_id, archived=archived == "1")
    return RedirectResponse("/instructor", status_code=303)


@console.get("/lessons/{lesson_id}/delete")
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


@console.post("/lessons/{lesson_id}/delete")
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
            error=_error(request, refusal),
            losses=lessons.losses(session, lesson_id=lesson_id),
        )
    return RedirectResponse("/instructor", status_code=303)


@console.get("/lessons/{lesson_id}/guesses.csv", response_class=Response, responses=CSV)
def guesses_export(lesson_id: RowId, session: SessionDep) -> Response:
    """Every guess of the lesson as CSV."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _download(
        exports.guesses_csv(session, lesson=lesson), f"downhill-{lesson.join_code}-guesses.csv"
    )


@console.get("/lessons/{lesson_id}/standings.csv", response_class=Response, responses=CSV)
def standings_export(lesson_id: RowId, session: SessionDep) -> Response:
    """Each level's standings and the lesson's, as CSV."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _download(
        exports.standings_csv(session, lesson=lesson, now=utcnow()),
        f"downhill-{lesson.join_code}-standings.csv",
    )


@console.get("/lessons/{lesson_id}/report.html")
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


@console.get(
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


@console.post("/lessons/import")
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
        return _home(
            request, session, status_code=refusal.status, import_error=_error(request, refusal)
        )
    lesson = lessons.import_lesson(session, lesson_file=content, now=utcnow())
    return RedirectResponse(f"/instructor/lessons/{lesson.id}", status_code=303)


def _lesson_file_refusal(request: Request, error: LessonFileError) -> Refused:
    if error.code != "lesson_file_field" or error.detail is None:
        return Refused(error.code, **error.params)
    problem = translate(request, MESSAGES[error.detail][1], **error.params)
    return Refused("lesson_file_field", field=error.field, problem=problem)


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
    lesson_id: RowId,
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
        return _refused_on_lesson_page(
            request, session, lesson_id, refusal, at="count", form={"count": count}
        )
    return _sheet(request, lesson, made)


@console.post("/lessons/{lesson_id}/tokens")
def issue_tokens(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
    """Give every team of the lesson a new API token for code mode, and show them once
    (they are kept hashed); the teams' earlier tokens stop working."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    try:
        issued = tokens.issue_tokens(session, lesson_id=lesson.id, now=utcnow())
    except Refused as refusal:
        return _refused_on_lesson_page(request, session, lesson_id, refusal, at="tokens")
    return render(
        request,
        "console_tokens.html",
        lesson=lesson,
        issued=issued,
        api_base=public_base(request),
        reachable=reachable_from_phones(request),
        levels=sorted(lesson.levels, key=lambda level: level.position),
        instructor=True,
    )


@console.post("/lessons/{lesson_id}/tokens/revoke")
def revoke_tokens(lesson_id: RowId, session: SessionDep) -> Response:
    """Stop every API token of the lesson's teams at once."""
    tokens.revoke_tokens(session, lesson_id=lesson_id, now=utcnow())
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#tokens", status_code=303)


@console.post("/lessons/{lesson_id}/registration")
def set_registration(
    lesson_id: RowId,
    request: Request,
    session: SessionDep,
    enabled: Annotated[str, Form(max_length=1)] = "",
    cap: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Let teams register themselves from the join page (up to a cap), or stop it."""
    lessons.get_lesson(session, lesson_id=lesson_id)
    try:
        teams.set_registration(session, lesson_id=lesson_id, enabled=enabled == "1", cap=cap)
    except Refused as refusal:
        return _refused_on_lesson_page(
            request,
            session,
            lesson_id,
            refusal,
            at="cap",
            form={"cap": cap, "registration": enabled},
        )
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#teams", status_code=303)


@console.post("/lessons/{lesson_id}/teams/{team_id}/pin")
def new_pin(lesson_id: RowId, team_id: RowId, request: Request, session: SessionDep) -> Response:
    """A new PIN for one team, on a slip of its own."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    made = teams.regenerate_pin(session, lesson_id=lesson.id, team_id=team_id)
    return _sheet(request, lesson, [made])


@console.post("/lessons/{lesson_id}/teams/{team_id}/rename")
def rename_team(
    lesson_id: RowId, team_id: RowId, request: Request, session: SessionDep, name: Text = ""
) -> Response:
    """Name a team."""
    try:
        teams.rename_team(session, lesson_id=lesson_id, team_id=team_id, name=name)
    except Refused as refusal:
        if refusal.code == "team_not_found":
            raise
        return _refused_on_lesson_page(request, session, lesson_id, refusal, at=f"team-{team_id}")
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#teams", status_code=303)


@console.post("/lessons/{lesson_id}/teams/{team_id}/remove")
def remove_team(lesson_id: RowId, team_id: RowId, session: SessionDep) -> Response:
    """Remove a team and its guesses (the page asked first)."""
    teams.remove_team(session, lesson_id=lesson_id, team_id=team_id)
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#teams", status_code=303)


# ---- running the class --------------------------------------------------------------------


@console.post("/levels/{level_id}/state")
def move_level(
    level_id: RowId,
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
        try:
            levels.set_level_state(session, level=level, state=MOVES[action], now=utcnow())
        except NoSuchMove:
            raise Refused("level_move_refused") from None
    except Refused as refusal:
        return _refused_on_lesson_page(
            request, session, level.lesson_id, refusal, at=f"level-{level_id}"
        )
    return RedirectResponse(
        f"/instructor/lessons/{level.lesson_id}#level-{level_id}", status_code=303
    )


@console.post("/lessons/{lesson_id}/announce")
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
        return _refused_on_lesson_page(request, session, lesson_id, refusal, at="announce")
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#projector", status_code=303)


# ---- levels: the editor, its live preview, order, reset -----------------------------------


@cache
def preset_catalog() -> list[dict[str, Any]]:
    """The presets for the editor's picker, each with a thumbnail of its curve (SVG points)."""
    catalog = []
    for preset in (*PRESETS.values(), *PLANE_PRESETS.values()):
        if preset.y_min is None or preset.y_max is None:
            points = curve(compile_function(preset.expression()), preset.x_min, preset.x_max, 48)
            ys = [p.fx for p in points]
        else:  # f along x through the minimum: the valley's cross-section
            plane = compile_plane(preset.expression())
            box = Rectangle(preset.x_min, preset.x_max, preset.y_min, preset.y_max)
            low_y = analyze_plane(plane, box).y_star
            xs = [preset.x_min + (preset.x_max - preset.x_min) * i / 47 for i in range(48)]
            ys = [plane.at(x, low_y).fx for x in xs]
        low, high = min(ys), max(ys)
        span = high - low or 1.0
        thumb = " ".join(
            f"{i * 96 / 47:.1f},{44 - (y - low) / span * 40:.1f}" for i, y in enumerate(ys)
        )
        catalog.append(
            {
                "key": preset.key,
                "title": preset.title,
                "lesson": preset.lesson,
                "template": preset.template,
                "defaults": dict(preset.defaults),
                "x_min": preset.x_min,
                "x_max": preset.x_max,
                "y_min": preset.y_min,
                "y_max": preset.y_max,
                "thumb": thumb,
            }
        )
    return catalog


class LevelForm(BaseModel):
    """The editor's fields, as typed (checked by ``read_level_settings``)."""

    title: str = Field(default="", max_length=600)
    expression: str = Field(default="", max_length=600)
    x_min: str = Field(default="", max_length=40)
    x_max: str = Field(default="", max_length=40)
    cooldown_seconds: str = Field(default="", max_length=40)
    guess_budget: str = Field(default="", max_length=40)
    time_limit_seconds: str = Field(default="", max_length=40)
    password: str = Field(default="", max_length=200)
    standings_visibility: str = Field(default="shown", max_length=20)
    freeze_seconds: str = Field(default="", max_length=40)
    mode: str = Field(default="", max_length=20)
    start_x: str = Field(default="", max_length=40)
    eta_max: str = Field(default="", max_length=40)
    beta_max: str = Field(default="", max_length=40)
    slope_noise: str = Field(default="", max_length=40)
    variant_shift: str = Field(default="", max_length=40)
    variant_scale: str = Field(default="", max_length=40)
    y_min: str = Field(default="", max_length=40)
    y_max: str = Field(default="", max_length=40)
    start_y: str = Field(default="", max_length=40)


LOCKED_FIELDS = (
    "expression",
    "x_min",
    "x_max",
    "y_min",
    "y_max",
    "mode",
    "start_x",
    "start_y",
    "variant_shift",
    "variant_scale",
)  # once teams have guessed


class PreviewIn(BaseModel):
    """What the editor sends for a preview."""

    model_config = ConfigDict(extra="forbid")

    expression: str = Field(max_length=10_000)
    x_min: float = Field(ge=-MAX_DOMAIN, le=MAX_DOMAIN)
    x_max: float = Field(ge=-MAX_DOMAIN, le=MAX_DOMAIN)
    y_min: float | None = Field(default=None, ge=-MAX_DOMAIN, le=MAX_DOMAIN)  # both: 2-D
    y_max: float | None = Field(default=None, ge=-MAX_DOMAIN, le=MAX_DOMAIN)


def _form_values(level: Level | None) -> dict[str, str]:
    if level is None:
        return LevelForm(cooldown_seconds="10", x_min="-10", x_max="10").model_dump()

    def text(value: object) -> str:
        """A stored value as the form shows it, exactly (saving it again changes nothing)."""
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        return "" if value is None else str(value)

    return {name: text(getattr(level, name)) for name in LevelForm.model_fields}


def _editor(
    request: Request,
    session: Session,
    lesson: Lesson,
    level: Level | None,
    form: dict[str, str],
    *,
    status_code: int = 200,
    errors: dict[str, Any] | None = None,
) -> Response:
    locked = level is not None and levels.has_guesses(session, level.id)
    return render(
        request,
        "console_level.html",
        status_code=status_code,
        lesson=lesson,
        level=level,
        form=form,
        errors=errors or {},
        presets=preset_catalog(),
        function_locked=locked,
        instructor=True,
    )


def _field_errors(request: Request, failure: SettingsErrors) -> dict[str, Any]:
    out = {}
    for name, error in failure.errors.items():
        body = refusal_body(request, Refused(error.code, **error.params))["error"]
        out[name] = {**body, "position": error.position}
    return out


def _level(session: Session, level_id: int) -> Level:
    level = session.get(Level, level_id)
    if level is None:
        raise Refused("level_not_found")
    return level


@console.get("/lessons/{lesson_id}/levels/new")
def new_level(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
    """The level editor, empty."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _editor(request, session, lesson, None, _form_values(None))


@console.post("/lessons/{lesson_id}/levels/new")
def create_level(
    lesson_id: RowId, request: Request, session: SessionDep, form: Annotated[LevelForm, Form()]
) -> Response:
    """Save a new level, or show the editor again with a message at each wrong field."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _save_level(request, session, lesson, None, form.model_dump())


@console.get("/levels/{level_id}/edit")
def edit_level(level_id: RowId, request: Request, session: SessionDep) -> Response:
    """The level editor for an existing level."""
    level = _level(session, level_id)
    return _editor(request, session, level.lesson, level, _form_values(level))


@console.post("/levels/{level_id}/edit")
def save_level(
    level_id: RowId, request: Request, session: SessionDep, form: Annotated[LevelForm, Form()]
) -> Response:
    """Save a level's changes (its function, domain, mode, start and variants only while nobody has
    guessed: the editor then shows them disabled, so the browser sends none of them, and
    they stay as they are; sent and changed, they are refused)."""
    level = _level(session, level_id)
    fields = form.model_dump()
    if levels.has_guesses(session, level.id):
        kept = _form_values(level)
        fields.update({name: kept[name] for name in LOCKED_FIELDS if not fields[name].strip()})
    return _save_level(request, session, level.lesson, level, fields)


def _save_level(
    request: Request, session: Session, lesson: Lesson, level: Level | None, form: dict[str, str]
) -> Response:
    try:
        spec = read_level_settings(form)
        if level is None:
            level = levels.create_level(session, lesson_id=lesson.id, spec=spec)
        else:
            levels.update_level(session, level_id=level.id, spec=spec)
    except SettingsErrors as failure:
        return _editor(
            request,
            session,
            lesson,
            level,
            form,
            status_code=422,
            errors=_field_errors(request, failure),
        )
    except Refused as refusal:
        if refusal.code == "level_not_found":
            raise
        errors = {"expression": {**refusal_body(request, refusal)["error"], "position": None}}
        return _editor(
            request, session, lesson, level, form, status_code=refusal.status, errors=errors
        )
    return RedirectResponse(f"/instructor/lessons/{lesson.id}#level-{level.id}", status_code=303)


@console.post("/preview", response_model=PreviewOut, response_class=JSONResponse)
def preview(request: Request, body: PreviewIn) -> Response:
    """f and f' over the domain with the true minimum, or where the text goes wrong: what the
    editor draws while the instructor types (on a two-parameter level, f over a grid of
    the rectangle, for a contour map). Nothing is saved."""
    try:
        if body.y_min is not None and body.y_max is not None:
            box = Rectangle(body.x_min, body.x_max, body.y_min, body.y_max)
            fn = compile_plane(body.expression)
            found = analyze_plane(fn, box)
            return PreviewOut(
                plane=Contours(**contour_grid(fn, box)),
                x_star=found.x_star,
                y_star=found.y_star,
                f_star=found.f_star,
                f_median=found.f_median,
            ).response()
        if not body.x_min < body.x_max:
            raise ExpressionError("domain_invalid")
        function = compile_function(body.expression)
        analysis = analyze(function, body.x_min, body.x_max)
    except ExpressionError as exc:
        error = refusal_body(request, Refused(exc.code, **exc.params))["error"]
        return PreviewOut(error={**error, "position": exc.position}).response()
    points = curve(function, body.x_min, body.x_max, 241)
    return PreviewOut(
        x=[p.x for p in points],
        f=[p.fx for p in points],
        df=[p.slope for p in points],
        x_star=analysis.x_star,
        f_star=analysis.f_star,
        f_median=analysis.f_median,
    ).response()


@console.post("/levels/{level_id}/move")
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


@console.post("/levels/{level_id}/reset")
def reset_level(level_id: RowId, session: SessionDep) -> Response:
    """Delete a level's guesses (the page asked first)."""
    level = _level(session, level_id)
    lesson_id = level.lesson_id
    levels.reset_level(session, level_id=level_id)
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#level-{level_id}", status_code=303)


# ---- the live monitor ----------------------------------------------------------------------


def _monitor_snapshot(request: Request, level_id: int) -> MonitorView:
    with request.app.state.database.sessions() as session:
        return monitor_view(session, level=_level(session, level_id), now=utcnow())


@console.get("/levels/{level_id}/monitor")
def monitor_page(level_id: RowId, request: Request, session: SessionDep) -> Response:
    """Every team on one level, live: guesses, best f(x), last guess, and a chart of them all
    over the true curve."""
    level = _level(session, level_id)
    return render(
        request,
        "console_monitor.html",
        level=level,
        lesson=level.lesson,
        snapshot=monitor_view(session, level=level, now=utcnow()),
        reveal=reveal_view(session, level=level, now=utcnow()),
        instructor=True,
    )


@console.get(
    "/levels/{level_id}/monitor.json", response_model=MonitorView, response_class=JSONResponse
)
def monitor_json(level_id: RowId, request: Request) -> Response:
    """The monitor's data, for browsers that cannot keep a stream open (polling)."""
    return _monitor_snapshot(request, level_id).response()


def _level_lesson(level_id: RowId, request: Request) -> int:
    # a short session of its own: a stream lasts a minute and must not hold a connection
    with request.app.state.database.sessions() as session:
        return _level(session, level_id).lesson_id


@console.get(
    "/levels/{level_id}/monitor/stream",
    response_class=EventSourceResponse,
    responses=event_stream("monitor", MonitorView),
)
async def monitor_stream(
    level_id: RowId, request: Request, lesson_id: Annotated[int, Depends(_level_lesson)]
) -> AsyncIterator[ServerSentEvent]:
    """The monitor's data now and after every change, as Server-Sent Events."""
    async for version in request.app.state.live.changes(lesson_id):
        snapshot = await run_in_threadpool(_monitor_snapshot, request, level_id)
        data = snapshot.model_dump_json(exclude_unset=True)
        yield ServerSentEvent(event="monitor", id=str(version), raw_data=data)
