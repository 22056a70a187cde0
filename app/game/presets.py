"""Named hidden functions for the demo lesson and the level editor.

Each preset is a template in the expression language of ``expression.py``: a preset
is only a convenient way to write a text, so it is parsed, checked and differentiated
exactly like anything an instructor types.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.game.plane import REGRESSION_POINTS, mean_squared_error


@dataclass(frozen=True)
class Preset:
    """A family of functions: a template with named parameters and a sensible domain."""

    key: str
    title: str
    lesson: str
    template: str
    defaults: Mapping[str, float]
    x_min: float
    x_max: float
    y_min: float | None = None  # a two-parameter preset: f(x, y) over a rectangle
    y_max: float | None = None

    def expression(self, **params: float) -> str:
        """The expression text for these parameters (defaults for the ones not given)."""
        unknown = set(params) - set(self.defaults)
        if unknown:
            raise KeyError(f"unknown parameters for {self.key}: {sorted(unknown)}")
        values = {**self.defaults, **params}
        text = self.template.format(**{name: _number(value) for name, value in values.items()})
        return tidy_signs(text)


_SIGNED = re.compile(r"([+-]) \((-)([^()]+)\)(?!\s*(?:\^|\*\*))")


def tidy_signs(text: str) -> str:
    """``x - (-2)`` reads ``x + 2`` and ``x + (-2)`` reads ``x - 2``: the same function."""
    return _SIGNED.sub(lambda m: ("+ " if m.group(1) == "-" else "- ") + m.group(3), text)


def _number(value: float) -> str:
    text = f"{float(value):.6g}"
    return f"({text})" if text.startswith("-") else text


def _preset(
    key: str, title: str, lesson: str, template: str, x_min: float, x_max: float, **defaults: float
) -> Preset:
    return Preset(key, title, lesson, template, MappingProxyType(defaults), x_min, x_max)


PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        preset.key: preset
        for preset in (
            _preset(
                "bowl",
                "Convex bowl",
                "The slope always points home.",
                "{a}*(x - {center})^2 + {floor}",
                -10,
                10,
                a=0.125,
                center=3.7,
                floor=2,
            ),
            _preset(
                "two_wells",
                "Two wells",
                "From the middle, the slope leads into the shallow well: use inertia.",
                "{a}*(x - {center})^4 - (x - {center})^2 + {tilt}*(x - {center}) + {floor}",
                -8,
                8,
                a=0.05,
                center=-1.5,
                tilt=0.8,
                floor=8,
            ),
            _preset(
                "wiggles",
                "Many wiggles",
                "Many local minima and one best.",
                "(x - {center})^2/{width} + {height}*sin(3*x) + {ripple}*cos(5*x) + {floor}",
                -10,
                10,
                center=1.3,
                width=20,
                height=1,
                ripple=0.5,
                floor=3,
            ),
            _preset(
                "plateau_valley",
                "Plateau with a narrow valley",
                "Where the ground is flat, the slope says almost nothing.",
                "{floor} - {depth}*exp(-((x - {center})/{width})^2) + 0.002*x^2",
                -10,
                10,
                center=4.2,
                width=0.6,
                depth=5,
                floor=6,
            ),
            _preset(
                "steep_wall",
                "Steep wall",
                "Big slopes punish big steps: the learning rate.",
                "exp({steep}*(x - {center})) + exp(-x + {center}) + {floor}",
                -6,
                6,
                steep=1.6,
                center=0.8,
                floor=1,
            ),
            _preset(
                "kink",
                "Sharp kink",
                "At the bottom the slope jumps: |x| has no smooth floor.",
                "{a}*abs(x - {center}) + {floor}",
                -10,
                10,
                a=1.5,
                center=-2.4,
                floor=1,
            ),
        )
    }
)


# Two-parameter presets (f of x and y over a rectangle), for levels of many parameters.
PLANE_PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        preset.key: preset
        for preset in (
            Preset(
                "bowl_2d",
                "Long bowl in two parameters",
                "The gradient points downhill, not at the bottom: a long valley zigzags.",
                "{a}*(x - {cx})^2 + {b}*(y - {cy})^2 + {floor}",
                MappingProxyType({"a": 0.5, "b": 4, "cx": 1.5, "cy": -1, "floor": 2}),
                -5,
                5,
                -5,
                5,
            ),
            Preset(
                "saddle",
                "A saddle",
                "Flat in the middle, downhill both ways along y: plain descent lingers at the "
                "saddle, where adaptive steps and momentum leave it for a valley.",
                "{a}*(x - {cx})^2 - {b}*y^2 + {c}*y^4 + {floor}",
                MappingProxyType({"a": 1, "cx": 0, "b": 2, "c": 0.25, "floor": 5}),
                -4,
                5,
                -3.6,
                3,
            ),
            Preset(
                "narrow_valley",
                "An ill-conditioned valley",
                "A narrow valley slanting across the axes: one η is too big across it and too "
                "small along it; momentum and adaptive steps differ from plain descent.",
                "{steep}*(x + y - {s})^2 + {gentle}*(x - y - {d})^2 + {floor}",
                MappingProxyType({"steep": 5, "gentle": 0.05, "s": 1, "d": 2, "floor": 1}),
                -5,
                5,
                -5,
                5,
            ),
            Preset(
                "regression",
                "The best regression line",
                "The mean squared error of IQ = a·(swearing factor) + b over the slide's nine "
                "points, with a as x and b as y: find the best line by gradient descent.",
                mean_squared_error(REGRESSION_POINTS),
                MappingProxyType({}),
                -2,
                6,
                0,
                120,
            ),
        )
    }
)
