"""Lesson files: the round trip, and every bad file refused at its field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from app.game.lesson_file import LessonFileError, dump_lesson, load_lesson
from app.game.plane import REGRESSION_POINTS

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


@pytest.mark.parametrize("name", ["demo.json", "lecture.json"])
def test_the_shipped_lesson_files_read_and_round_trip(name: str) -> None:
    content = load_lesson((LESSONS / name).read_bytes())
    assert content.levels
    again = load_lesson(dump_lesson(content.name, content.levels))
    assert again == content


@pytest.mark.parametrize("name", ["demo.json", "lecture.json"])
def test_the_shipped_titles_are_not_numbered_the_pages_number_levels(name: str) -> None:
    titles = [level.title for level in load_lesson((LESSONS / name).read_bytes()).levels]
    assert not [t for t in titles if re.match(r"\d+[.)]\s", t)]  # not "1. 1. Follow the slope"


def test_the_lecture_file_walks_slope_local_minimum_and_plateau() -> None:
    titles = [level.title for level in load_lesson((LESSONS / "lecture.json").read_bytes()).levels]
    assert any("slope" in t.lower() for t in titles)
    assert any("inertia" in t.lower() for t in titles)
    assert any("plateau" in t.lower() for t in titles)


def test_the_lecture_file_has_a_learning_rate_and_a_momentum_level() -> None:
    levels = load_lesson((LESSONS / "lecture.json").read_bytes()).levels
    stepping = {level.mode.value: level for level in levels if level.mode.steps}
    assert set(stepping) == {"learning_rate", "momentum"}
    for level in stepping.values():
        assert level.start_x is not None and level.x_min <= level.start_x <= level.x_max
    assert stepping["momentum"].beta_max == 0.99


def test_the_lecture_file_ends_with_the_regression_line_and_a_neuron() -> None:
    levels = load_lesson((LESSONS / "lecture.json").read_bytes()).levels
    modes = {(level.mode.value, level.domain.plane) for level in levels}
    assert {("free", True), ("learning_rate", True)} <= modes
    assert any(level.slope_noise for level in levels)
    line, neuron = levels[-2:]
    assert "regression" in line.title.lower() and (line.y_min, line.y_max) == (0, 120)
    assert line.fit == "line" and line.fit_data and len(line.fit_data.splitlines()) == 9
    assert neuron.fit == "relu" and (neuron.fit_c, neuron.fit_d) == (1.5, 1)
    # the slide's line, fitted by least squares, is the level's true minimum
    facts = line.domain.facts(line.expression)
    u, v = np.array(REGRESSION_POINTS).T
    slope, intercept = np.polyfit(u, v, 1)
    assert facts.x_star == pytest.approx(slope, abs=1e-6)
    assert facts.y_star == pytest.approx(intercept, abs=1e-4)


def test_stepping_levels_round_trip_and_older_files_read_as_free_guess() -> None:
    data = good()
    data["levels"][0].update(mode="momentum", start_x=-2.5, eta_max=0.5, beta_max=0.8)
    content = load_lesson(json.dumps(data))
    first = content.levels[0]
    assert (first.mode.value, first.start_x, first.eta_max, first.beta_max) == (
        "momentum",
        -2.5,
        0.5,
        0.8,
    )
    assert load_lesson(dump_lesson(content.name, content.levels)) == content
    assert content.levels[1].mode.value == "free" and content.levels[1].start_x is None


def good() -> dict:
    return json.loads((LESSONS / "demo.json").read_text())


def refusal(data: object) -> LessonFileError:
    text = data if isinstance(data, str | bytes) else json.dumps(data)
    with pytest.raises(LessonFileError) as caught:
        load_lesson(text)
    return caught.value


def with_level(**changes: object) -> dict:
    data = good()
    data["levels"][1].update(changes)
    return data


def without(key: str) -> dict:
    data = good()
    del data["levels"][0][key]
    return data


@pytest.mark.parametrize(
    ("data", "code", "field", "detail"),
    [
        ("{not json", "lesson_file_not_json", None, None),
        (b"\xff\xfe\x00", "lesson_file_not_json", None, None),
        ([1, 2], "lesson_file_not_lesson", "format", None),
        ({**good(), "format": "other"}, "lesson_file_not_lesson", "format", None),
        ({**good(), "version": 2}, "lesson_file_version", "version", None),
        ({**good(), "name": " "}, "lesson_file_field", "name", "name_required"),
        ({**good(), "levels": []}, "lesson_file_field", "levels", "lesson_file_no_levels"),
        ({**good(), "levels": ["x"]}, "lesson_file_field", "levels[0]", "lesson_file_not_object"),
        (
            without("expression"),
            "lesson_file_field",
            "levels[0].expression",
            "lesson_file_missing_field",
        ),
        (
            with_level(colour="red"),
            "lesson_file_field",
            "levels[1].colour",
            "lesson_file_unknown_field",
        ),
        (
            with_level(expression="x +* 2"),
            "lesson_file_field",
            "levels[1].expression",
            "expression_syntax",
        ),
        (
            with_level(expression="__import__('os')"),
            "lesson_file_field",
            "levels[1].expression",
            "expression_unknown_function",
        ),
        (with_level(x_min=3, x_max=1), "lesson_file_field", "levels[1].x_max", "domain_invalid"),
        (
            with_level(cooldown_seconds=-5),
            "lesson_file_field",
            "levels[1].cooldown_seconds",
            "field_range",
        ),
        (with_level(guess_budget=0), "lesson_file_field", "levels[1].guess_budget", "field_range"),
        (with_level(x_min=True), "lesson_file_field", "levels[1].x_min", "field_number"),
        (with_level(mode="newton"), "lesson_file_field", "levels[1].mode", "invalid_request"),
        (
            with_level(mode="learning_rate", start_x=99),
            "lesson_file_field",
            "levels[1].start_x",
            "start_outside_domain",
        ),
        (
            with_level(mode="learning_rate"),
            "lesson_file_field",
            "levels[1].start_x",
            "field_number",
        ),
        (
            with_level(mode="momentum", start_x=0, beta_max=1),
            "lesson_file_field",
            "levels[1].beta_max",
            "field_range",
        ),
        (with_level(password=[1]), "lesson_file_field", "levels[1].password", "field_number"),
    ],
)
def test_bad_files_are_refused_at_their_field(data, code, field, detail) -> None:
    error = refusal(data)
    assert (error.code, error.field, error.detail) == (code, field, detail)


def test_the_noise_size_round_trips_through_a_lesson_file() -> None:
    content = {
        "format": "downhill-lesson",
        "version": 1,
        "name": "Noise",
        "levels": [
            {"title": "A", "expression": "x^2", "x_min": -1, "x_max": 1, "slope_noise": 0.3},
            {"title": "B", "expression": "x^2", "x_min": -1, "x_max": 1, "slope_noise": 0},
        ],
    }
    lesson = load_lesson(json.dumps(content))
    assert [level.slope_noise for level in lesson.levels] == [0.3, None]
    assert load_lesson(dump_lesson(lesson.name, lesson.levels)) == lesson
    content["levels"][0]["slope_noise"] = -2
    with pytest.raises(LessonFileError) as refused:
        load_lesson(json.dumps(content))
    assert (refused.value.field, refused.value.detail) == ("levels[0].slope_noise", "field_range")
