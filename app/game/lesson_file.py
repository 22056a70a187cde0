"""Lesson files: a lesson's levels and settings as versioned JSON (no teams, PINs or guesses).

Format, version 1::

    {
      "format": "downhill-lesson",
      "version": 1,
      "name": "Gradient descent, the lecture's way",
      "levels": [
        {"title": "Function 1", "expression": "(x - 3.7)^2/8 + 2", "x_min": -10, "x_max": 10,
         "cooldown_seconds": 10, "guess_budget": 30, "time_limit_seconds": null,
         "password": null, "standings_visibility": "shown", "freeze_seconds": null}
      ]
    }

``guess_budget``, ``time_limit_seconds``, ``password`` and ``freeze_seconds`` may be null or
left out; ``standings_visibility`` is "shown" (the default), "hidden" or "frozen".
``mode`` is "free" (the default: teams choose x), "learning_rate" or "momentum" (teams
choose η, or η and β, from ``start_x``, within ``eta_max`` and ``beta_max``).
``slope_noise`` (null or left out: none) is the standard deviation of the noise added to
every slope a team receives; with it, ``batch_max`` (null or left out: none) lets teams
choose a batch size from 1 to it for each guess (noise σ/√b, b cooldowns).
``variant_shift`` and ``variant_scale`` (null or left out:
none) give each team its own copy of f, moved along x by at most the shift and stretched by
a factor from 1/scale to scale. ``y_min`` and ``y_max`` (null or left out: a curve) make
a two-parameter level: f(x, y) over the rectangle, with ``start_y`` beside ``start_x`` on
a stepping one. ``prediction`` (true or false, the default) asks the teams, once the
level is closed, which reference player gets closest; a right vote earns
``prediction_points`` (null or left out: none). ``fit`` (null or left out: none) is
"line", "relu" or "neuron": f is then that model's loss over ``fit_data``, its points
(u, v) as a list of pairs (or as CSV text), with a ReLU's fixed ``fit_c`` and ``fit_d``;
``expression`` is then left out (the loss is written from the model).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from app.game.fitting import read_points
from app.game.settings import LevelSpec, SettingsErrors, read_level_settings

FORMAT = "downhill-lesson"
VERSION = 1
MAX_LEVELS = 50
MAX_NAME = 120
LEVEL_KEYS = (
    "title",
    "expression",
    "x_min",
    "x_max",
    "cooldown_seconds",
    "guess_budget",
    "time_limit_seconds",
    "password",
    "standings_visibility",
    "freeze_seconds",
    "mode",
    "start_x",
    "eta_max",
    "beta_max",
    "slope_noise",
    "variant_shift",
    "variant_scale",
    "y_min",
    "y_max",
    "start_y",
    "note",
    "fit",
    "fit_data",
    "fit_c",
    "fit_d",
    "prediction",
    "prediction_points",
    "batch_max",
)
REQUIRED_KEYS = ("title", "expression", "x_min", "x_max")  # no expression with a fit
_TEXT_KEYS = ("title", "expression", "password", "standings_visibility", "mode", "note", "fit")
_POINTS = {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}


def json_schema() -> dict[str, Any]:
    """The JSON schema of a lesson file (what the export documents in the OpenAPI)."""
    levels = {
        "type": "object",
        "required": list(REQUIRED_KEYS),
        "properties": {
            key: {"type": ["string", "null"] if key in _TEXT_KEYS else ["number", "null"]}
            for key in LEVEL_KEYS
        }
        | {"fit_data": {"anyOf": [_POINTS, {"type": ["string", "null"]}]}}
        | {"prediction": {"type": ["boolean", "null"]}},
    }
    return {
        "type": "object",
        "required": ["format", "version", "name", "levels"],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "name": {"type": "string", "maxLength": MAX_NAME},
            "levels": {"type": "array", "maxItems": MAX_LEVELS, "items": levels},
        },
    }


@dataclass(frozen=True)
class LessonFile:
    """A lesson file's content, every level checked."""

    name: str
    levels: list[LevelSpec]


class LessonFileError(ValueError):
    """Why a file is refused: a code, the field it is about (like ``levels[2].x_max``), and
    the code and parameters of the problem with that field."""

    def __init__(
        self, code: str, field: str | None = None, detail: str | None = None, **params: Any
    ) -> None:
        super().__init__(f"{code} at {field}: {detail} {params}")
        self.code = code
        self.field = field
        self.detail = detail
        self.params = params


def dump_lesson(name: str, levels: list[LevelSpec]) -> str:
    """The lesson file of a lesson, as text."""
    return (
        json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "name": name,
                "levels": [_dumped(spec) for spec in levels],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def _dumped(spec: LevelSpec) -> dict[str, object]:
    """A level as its file holds it: with a fit, its points as pairs and no expression."""
    level = {key: _plain(value) for key, value in asdict(spec).items()}
    if spec.fit is None:
        return {key: value for key, value in level.items() if not key.startswith("fit")}
    del level["expression"]
    level["fit_data"] = [list(point) for point in read_points(spec.fit_data or "")]
    return level


def _plain(value: object) -> object:
    return getattr(value, "value", value)  # an enum as its text


def load_lesson(text: str | bytes) -> LessonFile:
    """Read and check a whole lesson file; raise LessonFileError at the first bad field."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise LessonFileError("lesson_file_not_json") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LessonFileError("lesson_file_not_lesson", "format")
    if data.get("version") != VERSION:
        raise LessonFileError(
            "lesson_file_version", "version", version=str(data.get("version")), supported=VERSION
        )
    name = data.get("name")
    if not isinstance(name, str) or not " ".join(name.split()):
        raise LessonFileError("lesson_file_field", "name", "name_required")
    if len(name) > MAX_NAME:
        raise LessonFileError("lesson_file_field", "name", "name_too_long", limit=MAX_NAME)
    levels = data.get("levels")
    if not isinstance(levels, list) or not levels:
        raise LessonFileError("lesson_file_field", "levels", "lesson_file_no_levels")
    if len(levels) > MAX_LEVELS:
        raise LessonFileError(
            "lesson_file_field", "levels", "lesson_file_too_many", limit=MAX_LEVELS
        )
    return LessonFile(
        " ".join(name.split()), [_level(index, level) for index, level in enumerate(levels)]
    )


def _level(index: int, level: object) -> LevelSpec:
    where = f"levels[{index}]"
    if not isinstance(level, Mapping):
        raise LessonFileError("lesson_file_field", where, "lesson_file_not_object")
    unknown = sorted(set(level) - set(LEVEL_KEYS))
    if unknown:
        raise LessonFileError(
            "lesson_file_field", f"{where}.{unknown[0]}", "lesson_file_unknown_field"
        )
    for key in REQUIRED_KEYS:
        if key not in level and not (key == "expression" and level.get("fit")):
            raise LessonFileError(
                "lesson_file_field", f"{where}.{key}", "lesson_file_missing_field"
            )
    for key, value in level.items():
        if (key == "fit_data" and isinstance(value, list)) or key == "prediction":
            continue  # a list of pairs; a switch (read as the form's checkbox)
        if not isinstance(value, str | int | float | type(None)) or isinstance(value, bool):
            raise LessonFileError("lesson_file_field", f"{where}.{key}", "field_number")
    fields = {key: _as_text(level.get(key)) for key in LEVEL_KEYS}
    fields["fit_data"] = _points_text(level.get("fit_data"), f"{where}.fit_data")
    fields["cooldown_seconds"] = fields["cooldown_seconds"] or "10"
    try:
        return read_level_settings(fields)
    except SettingsErrors as failure:
        key, error = next(iter(failure.errors.items()))
        raise LessonFileError(
            "lesson_file_field", f"{where}.{key}", error.code, **error.params
        ) from None


def _points_text(value: object, where: str) -> str:
    """The points of a file's ``fit_data`` as CSV: a list of [u, v] pairs, or CSV text."""
    if not isinstance(value, list):
        return _as_text(value)
    lines = []
    for number, pair in enumerate(value, start=1):
        if not isinstance(pair, list) or not all(
            isinstance(n, int | float) and not isinstance(n, bool) for n in pair
        ):
            raise LessonFileError("lesson_file_field", where, "data_not_numbers", line=number)
        lines.append(",".join(_as_text(n) for n in pair))
    return "\n".join(lines)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
