"""The server writes numbers as the browser does (the same cases as tests/js/format.test.mjs),
and the CSV keeps full precision without float noise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.numbers import NONE, plain, points, shown

CASES = json.loads((Path(__file__).parent / "js" / "number_cases.json").read_text())


@pytest.mark.parametrize(("value", "digits", "text"), CASES["shown"])
def test_values_read_as_the_browser_writes_them(value: float, digits: int, text: str) -> None:
    assert shown(value, digits) == text


@pytest.mark.parametrize(("value", "text"), CASES["points"])
def test_points_have_one_decimal(value: float, text: str) -> None:
    assert points(value) == text


def test_nothing_to_show_is_a_dash() -> None:
    assert shown(None) == shown(float("nan")) == shown(float("inf")) == NONE


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.3584100000000001, "0.35841"),
        (0.1 + 0.2, "0.3"),
        (1 / 3, "0.333333333333333"),
        (-2.0, "-2.0"),
        (1e-12, "1e-12"),
        (65.46798444444445, "65.4679844444445"),
    ],
)
def test_the_csv_keeps_precision_but_no_float_noise(value: float, text: str) -> None:
    assert plain(value) == text
