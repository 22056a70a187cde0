"""How a number reads: on every page, in the report and in the CSV (Python's half of it; the
browser's is static/js/format.js, which follows the same rules so a value reads the same on
every screen).

- ``shown``: a value on a screen, to 6 significant digits (fewer for a gap), written as a
  browser writes a number (``0.00012``, ``1234570``, ``1.5e-7``), with ``–`` for none.
- ``points``: a team's points, with one decimal.
- ``plain``: a value in a CSV file, at full precision without float noise
  (``0.3584100000000001`` is written ``0.35841``).

Rounding is half away from zero on the value itself, as the browser's ``toPrecision`` and
``toFixed`` round (Python's ``format`` rounds ties to even).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NONE = "–"


def _round(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant digits, half away from zero."""
    if value == 0 or not math.isfinite(value):
        return value
    exact = Decimal(value)
    place = exact.adjusted() - digits + 1
    return float(exact.quantize(Decimal(1).scaleb(place), rounding=ROUND_HALF_UP))


def _as_browser_writes(value: float) -> str:
    """The shortest text of a float, in the browser's notation: plain decimals from 1e-7 to
    1e21, else an exponent without padding (``1.5e-7``, ``2e+21``)."""
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return text
    power = int(exponent)
    if -7 < power < 21:
        return f"{Decimal(text):f}"
    mantissa = mantissa.removesuffix(".0")
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def shown(value: float | None, digits: int = 6) -> str:
    """A value as every screen shows it: ``digits`` significant digits, ``–`` for none."""
    if value is None:
        return NONE
    if not math.isfinite(value):
        return NONE
    return _as_browser_writes(_round(value, digits))


def points(value: float) -> str:
    """A team's points, with one decimal (half away from zero)."""
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def plain(value: float) -> str:
    """A value at full precision without float noise: 15 significant digits, the most a
    float holds exactly in decimal, so ``0.1 + 0.2`` is written ``0.3``."""
    if not math.isfinite(value):
        return ""
    return repr(float(f"{value:.15g}"))
