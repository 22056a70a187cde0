"""The benchmarks read what the game holds: a new kind of level must not break `make bench`."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.game.lesson_file import load_lesson
from bench import sampling

LECTURE = Path(__file__).resolve().parents[1] / "lessons" / "lecture.json"


def test_the_sampling_benchmark_times_every_level_of_the_lecture(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sampling, "RUNS", 1)
    levels = load_lesson(LECTURE.read_bytes()).levels
    assert any(level.fit for level in levels)  # a level whose f is a model's loss is among them
    for level in levels:
        fast, slow = sampling.both(level)
        assert len(fast) == len(slow) == 2, level.title
        assert all(ms > 0 for ms in fast + slow), level.title
