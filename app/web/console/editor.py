"""The level editor: presets with thumbnails, the form, its live preview, saving."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.deps import RowId, SessionDep
from app.errors import Refused
from app.game.domain import domain_of
from app.game.expression import ExpressionError
from app.game.fitting import FitError, read_fit
from app.game.presets import PLANE_PRESETS, PRESETS
from app.game.settings import LOCKED_FIELDS, MAX_DOMAIN, SettingsErrors, read_level_settings
from app.models import Lesson, Level
from app.schemas import PreviewOut
from app.services import lessons, levels
from app.web.responses import refusal_body
from app.web.templating import render

router = APIRouter(prefix="/instructor")


@cache
def preset_catalog() -> list[dict[str, Any]]:
    """The presets for the editor's picker, each with a thumbnail of its curve (SVG points)."""
    catalog = []
    for preset in (*PRESETS.values(), *PLANE_PRESETS.values()):
        domain = domain_of(preset.x_min, preset.x_max, preset.y_min, preset.y_max)
        ys = domain.thumbnail(preset.expression())
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
    batch_max: str = Field(default="", max_length=40)
    variant_shift: str = Field(default="", max_length=40)
    variant_scale: str = Field(default="", max_length=40)
    y_min: str = Field(default="", max_length=40)
    y_max: str = Field(default="", max_length=40)
    start_y: str = Field(default="", max_length=40)
    note: str = Field(default="", max_length=1200)
    fit: str = Field(default="", max_length=20)
    fit_data: str = Field(default="", max_length=60_000)
    fit_c: str = Field(default="", max_length=40)
    fit_d: str = Field(default="", max_length=40)
    prediction: str = Field(default="", max_length=10)  # a checkbox: "on" or absent
    prediction_points: str = Field(default="", max_length=40)


class PreviewIn(BaseModel):
    """What the editor sends for a preview."""

    model_config = ConfigDict(extra="forbid")

    expression: str = Field(max_length=10_000)
    x_min: float = Field(ge=-MAX_DOMAIN, le=MAX_DOMAIN)
    x_max: float = Field(ge=-MAX_DOMAIN, le=MAX_DOMAIN)
    y_min: float | None = Field(default=None, ge=-MAX_DOMAIN, le=MAX_DOMAIN)  # both: 2-D
    y_max: float | None = Field(default=None, ge=-MAX_DOMAIN, le=MAX_DOMAIN)
    fit: str = Field(default="", max_length=20)  # a model's loss over data, not expression
    fit_data: str = Field(default="", max_length=60_000)
    fit_c: str = Field(default="", max_length=40)
    fit_d: str = Field(default="", max_length=40)


def _form_values(level: Level | None) -> dict[str, str]:
    if level is None:
        return LevelForm(cooldown_seconds="10", x_min="-10", x_max="10").model_dump()

    def text(value: object) -> str:
        """A stored value as the form shows it, exactly (saving it again changes nothing)."""
        if isinstance(value, bool):
            return "on" if value else ""  # a checkbox
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


@router.get("/lessons/{lesson_id}/levels/new")
def new_level(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
    """The level editor, empty."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _editor(request, session, lesson, None, _form_values(None))


@router.post("/lessons/{lesson_id}/levels/new")
def create_level(
    lesson_id: RowId, request: Request, session: SessionDep, form: Annotated[LevelForm, Form()]
) -> Response:
    """Save a new level, or show the editor again with a message at each wrong field."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    return _save_level(request, session, lesson, None, form.model_dump())


@router.get("/levels/{level_id}/edit")
def edit_level(level_id: RowId, request: Request, session: SessionDep) -> Response:
    """The level editor for an existing level."""
    level = levels.get_level(session, level_id=level_id)
    return _editor(request, session, level.lesson, level, _form_values(level))


@router.post("/levels/{level_id}/edit")
def save_level(
    level_id: RowId, request: Request, session: SessionDep, form: Annotated[LevelForm, Form()]
) -> Response:
    """Save a level's changes (its function, domain, mode, start and variants only while nobody has
    guessed: the editor then shows them disabled, so the browser sends none of them, and
    they stay as they are; sent and changed, they are refused)."""
    level = levels.get_level(session, level_id=level_id)
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


def _preview_error(request: Request, field: str, code: str, params: dict[str, Any]) -> Response:
    """A preview's answer for a field that is wrong, other than the expression's text."""
    error = refusal_body(request, Refused(code, **params))["error"]
    return PreviewOut(error={**error, "position": None, "field": field}).response()


@router.post("/preview", response_model=PreviewOut, response_class=JSONResponse)
def preview(request: Request, body: PreviewIn) -> Response:
    """f and f' over the domain with the true minimum, or where the text goes wrong: what the
    editor draws while the instructor types (on a two-parameter level, f over a grid of
    the rectangle, for a contour map). Nothing is saved."""
    try:
        fit = read_fit(body.fit, body.fit_data, body.fit_c, body.fit_d)
        domain = domain_of(body.x_min, body.x_max, body.y_min, body.y_max, fit)
    except FitError as exc:
        return _preview_error(request, exc.field, exc.code, exc.params)
    text = fit.formula if fit else body.expression
    try:
        return PreviewOut(kind=domain.kind, **domain.preview(text)).response()
    except ExpressionError as exc:
        error = refusal_body(request, Refused(exc.code, **exc.params))["error"]
        return PreviewOut(error={**error, "position": exc.position}).response()
