"""Presets are plain texts in the expression language."""

from __future__ import annotations

import pytest

from app.game.expression import compile_function
from app.game.interval import analyze
from app.game.presets import PRESETS


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_is_finite_on_its_domain(key: str) -> None:
    preset = PRESETS[key]
    analysis = analyze(compile_function(preset.expression()), preset.x_min, preset.x_max)
    assert preset.x_min <= analysis.x_star <= preset.x_max


def test_parameters_fill_the_template_and_negative_numbers_are_bracketed() -> None:
    text = PRESETS["bowl"].expression(center=-2, a=1)
    assert text == "1*(x + 2)^2 + 2"
    assert compile_function(text).at(-2).fx == 2
    wells = PRESETS["two_wells"].expression(tilt=-0.8)
    assert "(x + 1.5)" in wells and "- 0.8*(x + 1.5)" in wells
    assert "(-" not in PRESETS["kink"].expression()


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_tidy_signs_keep_the_function(key: str) -> None:
    preset = PRESETS[key]
    raw = preset.template.format(
        **{name: f"({-abs(v) - 1:g})" for name, v in preset.defaults.items()}
    )
    tidy = PRESETS[key].expression(**{name: -abs(v) - 1 for name, v in preset.defaults.items()})
    for x in (preset.x_min / 2, 0.3, preset.x_max / 3):
        assert compile_function(tidy).at(x).fx == pytest.approx(
            compile_function(raw).at(x).fx, nan_ok=True
        )


def test_unknown_parameters_are_refused() -> None:
    with pytest.raises(KeyError):
        PRESETS["bowl"].expression(depth=3)
