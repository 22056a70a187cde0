"""The rules of a prediction: when a vote counts, who was right, and the level's switch."""

from __future__ import annotations

import json

import pytest

from app.game.lesson_file import LessonFileError, dump_lesson, load_lesson
from app.game.moves import Mode
from app.game.prediction import check_vote, players_enough, prediction_result
from app.game.rules import LevelState
from app.game.settings import SettingsErrors, read_level_settings

CHOICES = ["gradient_descent", "momentum", "adam"]


@pytest.mark.parametrize(
    ("state", "asked", "choice", "code"),
    [
        (LevelState.OPEN, True, "adam", "prediction_not_yet"),
        (LevelState.DRAFT, True, "adam", "prediction_not_yet"),
        (LevelState.REVEALED, True, "adam", "prediction_over"),
        (LevelState.CLOSED, False, "adam", "prediction_not_asked"),
        (LevelState.CLOSED, True, "newton", "prediction_choice_unknown"),
        (LevelState.CLOSED, True, 3, "prediction_choice_unknown"),
    ],
)
def test_a_vote_needs_a_closed_level_asked_and_one_of_its_players(state, asked, choice, code):
    refusal = check_vote(state, asked, choice, CHOICES)
    assert refusal is not None and refusal.code == code
    assert check_vote(LevelState.CLOSED, True, "adam", CHOICES) is None


def test_the_closest_players_win_ties_included_and_the_teams_that_chose_them() -> None:
    gaps = {"gradient_descent": 0.5, "momentum": 0.02, "adam": 0.02 + 1e-9, "bayesian": 3.0}
    votes = {1: "momentum", 2: "adam", 3: "bayesian", 4: "momentum"}
    found = prediction_result(gaps, votes)
    assert found.closest == ("momentum", "adam")  # a billionth apart: a tie
    assert found.right == {1, 2, 4}
    assert found.counts == {"momentum": 2, "adam": 1, "bayesian": 1}
    assert prediction_result({"adam": float("nan")}, {1: "adam"}).right == frozenset()
    assert prediction_result(gaps, {}).right == frozenset()


def test_a_learning_rate_level_has_nothing_to_predict() -> None:
    assert not players_enough(Mode.LEARNING_RATE)
    assert players_enough(Mode.FREE) and players_enough(Mode.MOMENTUM)
    base = {"title": "t", "expression": "x^2", "x_min": "-5", "x_max": "5", "cooldown_seconds": "5"}
    with pytest.raises(SettingsErrors) as refused:
        read_level_settings({**base, "mode": "learning_rate", "start_x": "3", "prediction": "on"})
    assert refused.value.errors["prediction"].code == "prediction_one_player"
    with pytest.raises(SettingsErrors) as refused:
        read_level_settings({**base, "prediction": "perhaps", "prediction_points": "21"})
    assert refused.value.errors["prediction"].code == "invalid_request"
    assert refused.value.errors["prediction_points"].code == "field_range"
    spec = read_level_settings({**base, "prediction": "on", "prediction_points": "5"})
    assert (spec.prediction, spec.prediction_points) == (True, 5)
    off = read_level_settings({**base, "prediction_points": "0"})
    assert (off.prediction, off.prediction_points) == (False, None)


def test_lesson_files_keep_the_switch() -> None:
    level = {"title": "t", "expression": "x^2", "x_min": -5, "x_max": 5}
    text = json.dumps(
        {
            "format": "downhill-lesson",
            "version": 1,
            "name": "n",
            "levels": [{**level, "prediction": True, "prediction_points": 3}, level],
        }
    )
    first, second = load_lesson(text).levels
    assert (first.prediction, first.prediction_points, second.prediction) == (True, 3, False)
    assert load_lesson(dump_lesson("n", [first, second])).levels == [first, second]
    bad = text.replace('"prediction": true', '"prediction": "sometimes"')
    with pytest.raises(LessonFileError) as refused:
        load_lesson(bad)
    assert refused.value.field == "levels[0].prediction"
