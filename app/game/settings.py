"""A level's settings as an instructor types them: checked field by field, as pure code.

``read_level_settings`` turns the text of a form (or of a lesson file) into a LevelSpec, or
raises SettingsErrors naming every field that is wrong, so a form can show each message at
its field and keep what was typed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.game.domain import Domain, domain_of
from app.game.expression import (
    CompiledFunction,
    CompiledPlane,
    ExpressionError,
    compile_function,
    compile_plane,
)
from app.game.fitting import Fit, FitError, points_csv, read_fit, stored_fit
from app.game.interval import analyze
from app.game.moves import DEFAULT_BETA_MAX, DEFAULT_ETA_MAX, MAX_BETA, MAX_ETA, Mode
from app.game.noise import MAX_BATCH, MAX_NOISE
from app.game.plane import Rectangle, analyze_plane
from app.game.prediction import MAX_PREDICTION_POINTS, players_enough
from app.game.rules import Visibility
from app.game.variants import MAX_SCALE

MAX_TITLE = 120
MAX_PASSWORD = 60
MAX_COOLDOWN = 3600
MAX_BUDGET = 10_000
MIN_TIME_LIMIT = 10
MAX_TIME_LIMIT = 24 * 3600
MAX_DOMAIN = 1e6
MAX_NOTE = 300


@dataclass(frozen=True)
class LevelSpec:
    """What an instructor decides about a level."""

    title: str
    expression: str
    x_min: float
    x_max: float
    cooldown_seconds: int = 10
    guess_budget: int | None = None
    time_limit_seconds: int | None = None
    password: str | None = None
    standings_visibility: Visibility = Visibility.SHOWN
    freeze_seconds: int | None = None
    mode: Mode = Mode.FREE
    start_x: float | None = None  # where stepping teams start (learning rate, momentum)
    eta_max: float | None = None  # the largest η a team may choose
    beta_max: float | None = None  # the largest β (momentum)
    slope_noise: float | None = None  # the noise's standard deviation on every slope
    variant_shift: float | None = None  # each team's copy of f moved by at most this
    variant_scale: float | None = None  # and stretched by a factor from 1/this to this
    y_min: float | None = None  # both set: a two-parameter level, f(x, y) on a rectangle
    y_max: float | None = None
    start_y: float | None = None  # where stepping teams start along y
    note: str | None = None  # a line for teams under the title (what x and y stand for...)
    fit: str | None = None  # f is this model's loss over fit_data (app.game.fitting)
    fit_data: str | None = None  # its points (u, v) as CSV, "u,v" a line
    fit_c: float | None = None  # a ReLU neuron's fixed c and d
    fit_d: float | None = None
    batch_max: int | None = None  # teams choose a batch size up to this (noisy slopes)
    prediction: bool = False  # teams predict the closest player once the level is closed
    prediction_points: int | None = None  # the points a right prediction earns (None: none)

    @property
    def domain(self) -> Domain:
        """The level's kind of domain: an interval, or a rectangle with both y bounds."""
        fit = stored_fit(self.fit, self.fit_data, self.fit_c, self.fit_d)
        return domain_of(self.x_min, self.x_max, self.y_min, self.y_max, fit)


# What stays as it is once a team has guessed on a level: its stored answers and steps must
# stay true (duplicate the lesson to change them). The first five make f itself.
FUNCTION_FIELDS = ("expression", "x_min", "x_max", "y_min", "y_max", "fit_data")
LOCKED_FIELDS = (*FUNCTION_FIELDS, "mode", "start_x", "start_y", "variant_shift", "variant_scale")


def changed_fields(spec: LevelSpec, current: Mapping[str, object]) -> set[str]:
    """The fields ``spec`` changes among those a played level keeps (``LOCKED_FIELDS``),
    against a level's ``current`` values."""
    return {
        name
        for name in LOCKED_FIELDS
        if getattr(getattr(spec, name), "value", getattr(spec, name)) != current[name]
    }


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field: a message code, its parameters, a place in the text."""

    code: str
    params: Mapping[str, Any]
    position: int | None = None


class SettingsErrors(ValueError):
    """Every field that is wrong, by field name."""

    def __init__(self, errors: dict[str, FieldError]) -> None:
        super().__init__(", ".join(f"{name}: {error.code}" for name, error in errors.items()))
        self.errors = errors


class _Reader:
    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = fields
        self.errors: dict[str, FieldError] = {}

    def fail(self, field: str, code: str, position: int | None = None, **params: Any) -> None:
        self.errors.setdefault(field, FieldError(code, params, position))

    def text(self, name: str) -> str:
        value = self.fields.get(name)
        return "" if value is None else str(value)

    def number(self, name: str) -> float | None:
        raw = self.text(name).strip().replace("\u2212", "-")
        try:
            value = float(raw)
        except ValueError:
            self.fail(name, "field_number")
            return None
        if not math.isfinite(value) or abs(value) > MAX_DOMAIN:
            self.fail(name, "field_range", low=-MAX_DOMAIN, high=MAX_DOMAIN)
            return None
        return value

    def bound(self, name: str, default: float, high: float) -> float | None:
        """An optional positive bound (blank: ``default``) no larger than ``high``."""
        if not self.text(name).strip():
            return default
        value = self.number(name)
        if value is not None and not 0 < value <= high:
            self.fail(name, "field_range", low=0, high=high)
            return None
        return value

    def size(self, name: str, high: float) -> float | None:
        """An optional size from 0 to ``high`` (blank or 0: none)."""
        if not self.text(name).strip():
            return None
        value = self.number(name)
        if value is not None and not 0 <= value <= high:
            self.fail(name, "field_range", low=0, high=high)
            return None
        return value or None

    def whole(self, name: str, low: int, high: int, *, optional: bool = False) -> int | None:
        raw = self.text(name).strip()
        if not raw and optional:
            return None
        if not (raw.isascii() and raw.lstrip("-").isdigit()):
            self.fail(name, "field_whole_number", low=low, high=high)
            return None
        value = int(raw)
        if not low <= value <= high:
            self.fail(name, "field_range", low=low, high=high)
            return None
        return value


def read_level_settings(fields: Mapping[str, Any]) -> LevelSpec:
    """The LevelSpec the fields describe, with f checked on its domain; or SettingsErrors.

    Fields: title, expression, x_min, x_max, cooldown_seconds, guess_budget (blank: none),
    time_limit_seconds (blank: none), password (blank: none), standings_visibility
    (shown / hidden / frozen), freeze_seconds (with frozen), mode (free / learning_rate /
    momentum) and, on stepping levels, start_x, eta_max and (momentum) beta_max;
    slope_noise, variant_shift and variant_scale (blank: none); y_min and y_max (both
    blank: a curve, f of x alone; both set: f(x, y) on the rectangle) and, on a stepping
    two-parameter level, start_y; note (blank: none), a line teams read under the title;
    fit (blank: none; line / relu / neuron) with fit_data (CSV) and, for relu, fit_c and
    fit_d: f is then that model's loss over the data, on the rectangle, and the typed
    expression is not used; prediction (a checkbox: on / true / 1, or blank / off / false
    / 0: teams predict the closest player once the level is closed) and prediction_points
    (blank or 0: none); batch_max (blank or 1: none; with slope_noise) lets teams choose a
    batch size.
    """
    read = _Reader(fields)
    title = " ".join(read.text("title").split())
    if not title:
        read.fail("title", "name_required")
    elif len(title) > MAX_TITLE:
        read.fail("title", "name_too_long", limit=MAX_TITLE)
    note = " ".join(read.text("note").split()) or None
    if note is not None and len(note) > MAX_NOTE:
        read.fail("note", "text_too_long", limit=MAX_NOTE)
    plane = bool(read.text("y_min").strip() or read.text("y_max").strip())
    spec: dict[str, Any] = {"title": title, "note": note, **_read_domain(read, plane)}
    spec |= _read_rules(read)
    spec |= _read_moves(read, spec, plane)
    spec |= _read_noise_and_variants(read, plane)
    spec |= _read_prediction(read, spec["mode"])
    fit = _read_fit(read, spec, plane)
    text = spec["expression"] = fit.formula if fit else read.text("expression").strip()
    x_min, x_max, start_x = spec["x_min"], spec["x_max"], spec["start_x"]
    try:
        if read.text("fit").strip():  # f is the model's loss: nothing typed to check
            if fit and plane:
                y_range = (spec["y_min"], spec["y_max"])
                _check_plane(read, fit.loss, x_min, x_max, *y_range, start_x, spec["start_y"])
        elif plane:
            y_range = (spec["y_min"], spec["y_max"])
            _check_plane(
                read, compile_plane(text), x_min, x_max, *y_range, start_x, spec["start_y"]
            )
        else:
            _check_curve(read, text, x_min, x_max, start_x, spec["variant_shift"])
    except ExpressionError as exc:
        field = "fit_data" if fit else "expression"  # a loss past overflow, on a fit
        read.fail(field, "data_loss_not_finite" if fit else exc.code, exc.position, **exc.params)
        if exc.code == "expression_unknown_name" and exc.params.get("name") == "y":
            read.fail("y_min", "y_range_needed")
    if read.errors:
        raise SettingsErrors(read.errors)
    return LevelSpec(**spec)


def _read_domain(read: _Reader, plane: bool) -> dict[str, Any]:
    """x_min and x_max, and on a ``plane`` (either y bound typed) y_min and y_max."""
    x_min, x_max = read.number("x_min"), read.number("x_max")
    if x_min is not None and x_max is not None and x_min >= x_max:
        read.fail("x_max", "domain_invalid")
    y_min = y_max = None
    if plane:
        for end in ("y_min", "y_max"):
            if not read.text(end).strip():
                read.fail(end, "y_range_both")
        y_min, y_max = read.number("y_min"), read.number("y_max")
        if y_min is not None and y_max is not None and y_min >= y_max:
            read.fail("y_max", "domain_invalid")
    elif read.text("start_y").strip():
        read.fail("start_y", "start_y_without_range")
    return {"x_min": x_min, "x_max": x_max, "y_min": y_min, "y_max": y_max}


def _read_rules(read: _Reader) -> dict[str, Any]:
    """The cooldown, the budget, the time limit, the password and the standings' visibility."""
    limit = read.whole("time_limit_seconds", MIN_TIME_LIMIT, MAX_TIME_LIMIT, optional=True)
    raw_password = read.text("password")
    password = raw_password.strip() or None
    if raw_password and not password:
        read.fail("password", "password_blank")
    elif password and len(password) > MAX_PASSWORD:
        read.fail("password", "name_too_long", limit=MAX_PASSWORD)
    try:
        visibility = Visibility(read.text("standings_visibility") or Visibility.SHOWN.value)
    except ValueError:
        read.fail("standings_visibility", "invalid_request")
        visibility = Visibility.SHOWN
    freeze = None
    if visibility is Visibility.FROZEN:
        if limit is None:
            read.fail("standings_visibility", "freeze_needs_time_limit")
        else:
            freeze = read.whole("freeze_seconds", 1, max(limit - 1, 1))
    return {
        "cooldown_seconds": read.whole("cooldown_seconds", 0, MAX_COOLDOWN),
        "guess_budget": read.whole("guess_budget", 1, MAX_BUDGET, optional=True),
        "time_limit_seconds": limit,
        "password": password,
        "standings_visibility": visibility,
        "freeze_seconds": freeze,
    }


def _read_moves(read: _Reader, domain: Mapping[str, Any], plane: bool) -> dict[str, Any]:
    """The mode and, on a stepping level, where teams start and the bounds of η and β."""
    try:
        mode = Mode(read.text("mode") or Mode.FREE.value)
    except ValueError:
        read.fail("mode", "invalid_request")
        mode = Mode.FREE
    moves: dict[str, Any] = {"mode": mode, "start_x": None, "start_y": None}
    moves |= {"eta_max": None, "beta_max": None}
    if not mode.steps:
        return moves
    for axis in ("x", "y") if plane else ("x",):
        low, high = domain[f"{axis}_min"], domain[f"{axis}_max"]
        start = moves[f"start_{axis}"] = read.number(f"start_{axis}")
        if low is not None and high is not None and start is not None:
            if not low <= start <= high:
                read.fail(f"start_{axis}", "start_outside_domain", x_min=low, x_max=high)
    moves["eta_max"] = read.bound("eta_max", DEFAULT_ETA_MAX, MAX_ETA)
    if mode is Mode.MOMENTUM:
        moves["beta_max"] = read.bound("beta_max", DEFAULT_BETA_MAX, MAX_BETA)
    return moves


def _read_noise_and_variants(read: _Reader, plane: bool) -> dict[str, Any]:
    """The slope noise (with the largest batch teams may choose: blank or 1, no choice),
    and each team's copy of f (one-variable levels only)."""
    variant_shift = read.size("variant_shift", MAX_DOMAIN)
    variant_scale = read.size("variant_scale", MAX_SCALE)
    if variant_scale is not None and variant_scale < 1:
        read.fail("variant_scale", "field_range", low=1, high=MAX_SCALE)
    variant_scale = variant_scale if variant_scale != 1 else None
    if plane and (variant_shift or variant_scale):
        read.fail("variant_shift", "variants_one_variable")
    noise = read.size("slope_noise", MAX_NOISE)
    batch_max = read.whole("batch_max", 1, MAX_BATCH, optional=True)
    if batch_max is not None and batch_max > 1 and not noise:
        read.fail("batch_max", "batch_needs_noise")
    return {
        "slope_noise": noise,
        "batch_max": batch_max if batch_max and batch_max > 1 else None,
        "variant_shift": variant_shift,
        "variant_scale": variant_scale,
    }


def _check_curve(
    read: _Reader,
    expression: str,
    x_min: float | None,
    x_max: float | None,
    start: float | None,
    variant_shift: float | None,
) -> None:
    """f(x) compiles and is defined over the whole interval, at the start, and as far out
    as teams' copies are moved."""
    function = compile_function(expression)
    if x_min is not None and x_max is not None and x_min < x_max:
        analyze(function, x_min, x_max)
        if start is not None and not function.at(start).is_finite:
            read.fail("start_x", "start_undefined")  # no slope there: no first step
        if variant_shift:
            _check_shifted(read, function, x_min - variant_shift, x_max + variant_shift)


_FLAGS = {"": False, "0": False, "off": False, "false": False, "1": True, "on": True, "true": True}


def _read_prediction(read: _Reader, mode: Mode) -> dict[str, Any]:
    """Whether teams are asked to predict (not where one player plays), and its points."""
    asked = _FLAGS.get(read.text("prediction").strip().lower())
    if asked is None:
        read.fail("prediction", "invalid_request")
    elif asked and not players_enough(mode):
        read.fail("prediction", "prediction_one_player")
    points = read.whole("prediction_points", 0, MAX_PREDICTION_POINTS, optional=True)
    return {"prediction": bool(asked), "prediction_points": points or None}


def _read_fit(read: _Reader, spec: dict[str, Any], plane: bool) -> Fit | None:
    """The model whose loss is f, if any (``app.game.fitting``), into ``spec``: it takes
    a two-parameter level, its a and b are the level's x and y."""
    spec |= {"fit": None, "fit_data": None, "fit_c": None, "fit_d": None}
    try:
        fit = read_fit(*(read.text(name) for name in ("fit", "fit_data", "fit_c", "fit_d")))
    except FitError as error:
        read.fail(error.field, error.code, **error.params)
        return None
    if fit is None:
        return None
    if not plane:
        read.fail("y_min", "fit_needs_rectangle")
    fixed = (fit.c, fit.d) if fit.kind.fixed else (None, None)
    spec |= {"fit": fit.kind.value, "fit_data": points_csv(fit.data)}
    spec["fit_c"], spec["fit_d"] = fixed
    return fit


def _check_plane(
    read: _Reader,
    fn: CompiledPlane,
    x_min: float | None,
    x_max: float | None,
    y_min: float | None,
    y_max: float | None,
    start: float | None,
    start_y: float | None,
) -> None:
    """f(x, y) is defined over the whole rectangle, and at the start."""
    if None in (x_min, x_max, y_min, y_max):
        return
    assert x_min is not None and x_max is not None and y_min is not None and y_max is not None  # noqa: S101
    if x_min < x_max and y_min < y_max:
        analyze_plane(fn, Rectangle(x_min, x_max, y_min, y_max))
        if start is not None and start_y is not None and not fn.at(start, start_y).is_finite:
            read.fail("start_x", "start_undefined")  # no gradient there: no first step
            read.fail("start_y", "start_undefined")


def _check_shifted(read: _Reader, function: CompiledFunction, low: float, high: float) -> None:
    """Teams' copies of f are moved by up to the shift: f must be defined that far out."""
    try:
        analyze(function, low, high)
    except ExpressionError:
        read.fail("variant_shift", "variant_shift_undefined", low=low, high=high)
