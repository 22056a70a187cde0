"""A level's settings as typed: every field checked, every wrong one named."""

from __future__ import annotations

import pytest

from app.game.rules import Visibility
from app.game.settings import SettingsErrors, read_level_settings

GOOD = {
    "title": " Function  4 ",
    "expression": "(x - 1)^2",
    "x_min": "-5",
    "x_max": "5",
    "cooldown_seconds": "10",
    "guess_budget": "",
    "time_limit_seconds": "",
    "password": "",
    "standings_visibility": "shown",
    "freeze_seconds": "",
}


def errors_of(**changes: str) -> dict[str, str]:
    with pytest.raises(SettingsErrors) as caught:
        read_level_settings({**GOOD, **changes})
    return {name: error.code for name, error in caught.value.errors.items()}


def test_good_settings_make_a_spec() -> None:
    spec = read_level_settings(
        {
            **GOOD,
            "guess_budget": "20",
            "time_limit_seconds": "300",
            "password": " Valley ",
            "standings_visibility": "frozen",
            "freeze_seconds": "60",
        }
    )
    assert (spec.title, spec.x_min, spec.x_max, spec.guess_budget) == ("Function 4", -5, 5, 20)
    assert (spec.password, spec.standings_visibility, spec.freeze_seconds) == (
        "Valley",
        Visibility.FROZEN,
        60,
    )
    assert read_level_settings(GOOD).guess_budget is None


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"title": "  "}, "title", "name_required"),
        ({"title": "t" * 121}, "title", "name_too_long"),
        ({"x_min": "5", "x_max": "5"}, "x_max", "domain_invalid"),
        ({"x_min": "7"}, "x_max", "domain_invalid"),
        ({"x_min": "abc"}, "x_min", "field_number"),
        ({"x_max": "inf"}, "x_max", "field_range"),
        ({"x_max": "1e9"}, "x_max", "field_range"),
        ({"cooldown_seconds": "-1"}, "cooldown_seconds", "field_range"),
        ({"cooldown_seconds": "2.5"}, "cooldown_seconds", "field_whole_number"),
        ({"cooldown_seconds": ""}, "cooldown_seconds", "field_whole_number"),
        ({"guess_budget": "0"}, "guess_budget", "field_range"),
        ({"time_limit_seconds": "5"}, "time_limit_seconds", "field_range"),
        ({"password": "   "}, "password", "password_blank"),
        ({"password": "p" * 61}, "password", "name_too_long"),
        ({"note": "n" * 301}, "note", "text_too_long"),
        ({"standings_visibility": "sometimes"}, "standings_visibility", "invalid_request"),
        ({"standings_visibility": "frozen"}, "standings_visibility", "freeze_needs_time_limit"),
        (
            {"standings_visibility": "frozen", "time_limit_seconds": "60", "freeze_seconds": "60"},
            "freeze_seconds",
            "field_range",
        ),
        ({"expression": "x + nope"}, "expression", "expression_unknown_name"),
        ({"expression": ""}, "expression", "expression_empty"),
        ({"expression": "sqrt(x)"}, "expression", "expression_not_finite"),
        ({"expression": "__import__('os')"}, "expression", "expression_unknown_function"),
    ],
)
def test_each_wrong_field_is_named(changes: dict[str, str], field: str, code: str) -> None:
    assert errors_of(**changes)[field] == code


def test_every_wrong_field_is_named_at_once() -> None:
    found = errors_of(title="", cooldown_seconds="-3", expression="x +")
    assert set(found) == {"title", "cooldown_seconds", "expression"}


def test_the_place_of_an_expression_mistake_is_kept() -> None:
    with pytest.raises(SettingsErrors) as caught:
        read_level_settings({**GOOD, "expression": "x^2 + foo"})
    assert caught.value.errors["expression"].position == 6
