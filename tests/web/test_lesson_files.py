"""Lesson files through the console: export, import, and a bad file changes nothing."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Lesson, Level
from tests.support import Demo, csrf_of, reread

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
SETTINGS = (
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
    "x_star",
    "f_star",
    "f_median",
    "position",
)


def upload(client, content: bytes, filename: str = "lesson.json"):
    return client.post(
        "/instructor/lessons/import",
        data={"csrf_token": csrf_of(client)},
        files={"lesson_file": (filename, content, "application/json")},
        follow_redirects=False,
    )


def counts(session) -> tuple[int, int]:
    reread(session)
    return (
        session.scalar(select(func.count()).select_from(Lesson)),
        session.scalar(select(func.count()).select_from(Level)),
    )


def test_export_then_import_gives_identical_levels(desk, session, demo: Demo) -> None:
    exported = desk.get(f"/instructor/lessons/{demo.lesson.id}/lesson.json")
    assert 'filename="downhill-DEMO.json"' in exported.headers["content-disposition"]
    data = json.loads(exported.content)
    assert "pin" not in exported.text.lower() and "teams" not in data
    imported = upload(desk, exported.content)
    assert imported.status_code == 303
    reread(session)
    copy = session.get(Lesson, int(imported.headers["location"].rsplit("/", 1)[1]))
    original = session.get(Lesson, demo.lesson.id)
    assert copy.name == original.name and copy.join_code != original.join_code
    assert [[getattr(lv, key) for key in SETTINGS] for lv in copy.levels] == [
        [getattr(lv, key) for key in SETTINGS] for lv in original.levels
    ]
    assert all(level.state == "draft" for level in copy.levels)


@pytest.mark.parametrize("name", ["demo.json", "lecture.json"])
def test_the_shipped_files_import_and_the_page_says_what_came_in(desk, name: str) -> None:
    content = json.loads((LESSONS / name).read_bytes())
    imported = upload(desk, (LESSONS / name).read_bytes())
    assert imported.status_code == 303
    page = desk.get(imported.headers["location"]).text
    said = f"Imported “{content['name']}”: {len(content['levels'])} levels, all drafts."
    assert said in html.unescape(page)
    assert "Imported" not in desk.get(imported.headers["location"]).text  # said once


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"{not json", "lesson_file_not_json", "not JSON"),
        (
            json.dumps(
                {"format": "downhill-lesson", "version": 9, "name": "x", "levels": []}
            ).encode(),
            "lesson_file_version",
            "version 9",
        ),
        (
            json.dumps(
                {
                    "format": "downhill-lesson",
                    "version": 1,
                    "name": "x",
                    "levels": [{"title": "a", "expression": "x^2", "x_min": -1}],
                }
            ).encode(),
            "lesson_file_field",
            "levels[0].x_max",
        ),
        (
            json.dumps(
                {
                    "format": "downhill-lesson",
                    "version": 1,
                    "name": "x",
                    "levels": [
                        {"title": "a", "expression": "x^2", "x_min": -1, "x_max": 1},
                        {"title": "b", "expression": "x +", "x_min": -1, "x_max": 1},
                    ],
                }
            ).encode(),
            "lesson_file_field",
            "levels[1].expression",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_field_and_nothing_is_imported(
    desk, session, content, code, words
) -> None:
    before = counts(session)
    response = upload(desk, content)
    assert response.status_code == 422
    assert f'data-code="{code}"' in response.text and words in response.text
    assert counts(session) == before


def test_no_file_and_a_huge_file_are_refused(desk, session) -> None:
    before = counts(session)
    missing = desk.post(
        "/instructor/lessons/import",
        data={"csrf_token": csrf_of(desk)},
        files={"lesson_file": ("", b"", "application/json")},
    )
    assert missing.status_code == 422 and 'data-code="lesson_file_missing"' in missing.text
    huge = upload(desk, b" " * (50 * 1024 * 1024))
    assert huge.status_code == 413
    assert counts(session) == before
