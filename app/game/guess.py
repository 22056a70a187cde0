"""A guess decided: what the team chose, every refusal with its own parameters, the point.

The guess service reads what the decision needs (the level, the team's progress, where a
stepping team stands, a stored answer for a retried key) under the team's lock, asks
``read_choice`` and ``decide_guess`` here, and writes what they say. Nothing here does I/O.

The refusal codes of a guess, in the order they are checked:
``idempotency_key_invalid``; reading the choice (``no_y_here``, ``choose_x``, ``x_missing``,
``x_not_number``, ``y_missing``, ``y_not_number``, ``choose_eta``, ``choose_eta_beta``,
``eta_missing``, ``eta_not_a_number``, ``eta_out_of_bounds``, ``beta_missing``,
``beta_not_a_number``, ``beta_out_of_bounds``); ``level_not_found`` (the service's lookup);
``idempotency_key_reused``; the rules of ``app.game.rules.check_guess`` (``level_not_entered``,
``level_not_open``, ``level_closed``, ``x_outside_domain``, ``budget_used_up``, ``cooldown``,
``y_outside_domain``); ``start_undefined``; and rule 6, f finite where the guess lands
(``not_finite_here``, ``not_finite_at_point``, ``step_lands_where_f_undefined``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from app.game.domain import domain_of
from app.game.expression import CompiledFunction, CompiledPlane
from app.game.moves import BadStep, Mode, PlaneStep, Position, Step, StepBounds, read_rate
from app.game.rules import BadNumber, GuessRules, Refusal, TeamProgress, check_guess, parse_x

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


class GuessRefused(ValueError):
    """A guess the rules refuse: its ``Refusal`` (a code and that code's parameters)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.refusal = Refusal(code, params=params)


def check_key(key: object) -> str:
    """The client's idempotency key: 8 to 64 letters, digits, '-' or '_'."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise GuessRefused("idempotency_key_invalid")
    return key


@dataclass(frozen=True)
class Choice:
    """What a team chose: x (and y on a two-parameter level), or η (and β on momentum)."""

    x: float | None
    eta: float | None
    beta: float | None
    y: float | None = None
    batch: int | None = None  # the batch size, on a level that lets teams choose one

    def made(
        self, x: float, y: float | None, eta: float | None, beta: float | None, batch: int | None
    ) -> bool:
        """Whether a stored guess of (x, y, η, β, batch) is what this choice made (a retry)."""
        if batch != self.batch:
            return False
        if self.eta is None:
            return (x, y) == (self.x, self.y)
        return (eta, beta) == (self.eta, self.beta)


def read_batch(raw: object, batch_max: int | None) -> int | None:
    """The batch size a team sent: a whole number from 1 to the level's ``batch_max`` (left
    out: 1), and none at all on a level that offers no choice (``app.game.noise``)."""
    if batch_max is None:
        if raw is not None:
            raise GuessRefused("batch_not_here")
        return None
    if raw is None:
        return 1
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= batch_max:
        raise GuessRefused("batch_outside", high=batch_max)
    return int(text)


def read_choice(
    mode: Mode,
    bounds: StepBounds,
    plane: bool,
    raw_x: object,
    raw_eta: object,
    raw_beta: object,
    raw_y: object,
) -> Choice:
    """Read what a team sent for a level of ``mode`` (on a ``plane``, a point has a y).

    Raises GuessRefused when the level does not take this kind of choice or a number in it
    is missing, not a finite number, or outside the level's bounds of η and β."""
    if raw_y is not None and not plane:
        raise GuessRefused("no_y_here")
    if mode is Mode.FREE:
        if raw_eta is not None or raw_beta is not None:
            raise GuessRefused("choose_x")
        try:
            x = parse_x(raw_x)
        except BadNumber as exc:
            raise GuessRefused(exc.code) from None
        if not plane:
            return Choice(x, None, None)
        try:
            return Choice(x, None, None, parse_x(raw_y))
        except BadNumber as exc:
            raise GuessRefused("y_missing" if exc.code == "x_missing" else "y_not_number") from None
    stray_beta = mode is Mode.LEARNING_RATE and raw_beta is not None
    if raw_x is not None or raw_y is not None or stray_beta:
        raise GuessRefused("choose_eta" if mode is Mode.LEARNING_RATE else "choose_eta_beta")
    try:
        eta = read_rate(raw_eta, name="eta", bounds=bounds)
        beta = read_rate(raw_beta, name="beta", bounds=bounds) if mode is Mode.MOMENTUM else None
    except BadStep as exc:
        raise GuessRefused(exc.code, **exc.params) from None
    return Choice(None, eta, beta)


@dataclass(frozen=True)
class Accepted:
    """A guess the rules accept: where it lands, f and its true gradient there, the step."""

    x: float
    y: float | None
    fx: float
    slope: float  # ∂f/∂x (f'(x) on a curve)
    gy: float | None  # ∂f/∂y on a two-parameter level
    step: Step | PlaneStep | None  # on a stepping level, the move the server made


def decide_guess(
    rules: GuessRules,
    progress: TeamProgress,
    choice: Choice,
    now: datetime,
    *,
    function: CompiledFunction | CompiledPlane,
    at: Position | None = None,
) -> Accepted | Refusal:
    """Decide a guess: every rule of a guess, in order, on what the service read.

    ``function`` is the f the team plays (its own copy on a level with variants); ``at``
    where a stepping team stands (the slope there as the team received it). The level's
    kind of domain (from the rules' bounds) takes the step and evaluates f."""
    if not progress.entered:
        return Refusal("level_not_entered")
    domain = domain_of(rules.x_min, rules.x_max, rules.y_min, rules.y_max)
    step: Step | PlaneStep | None = None
    x, y = choice.x, choice.y
    if choice.eta is not None:
        if at is None or not all(map(math.isfinite, (at.fx, at.slope, at.gy))):
            return Refusal("start_undefined")  # a team's copy, at a kink
        step = domain.step(at, eta=choice.eta, beta=choice.beta or 0.0)
        x, y = step.x, getattr(step, "y", None)
    assert x is not None  # noqa: S101 - a free choice has x, a step makes one
    refusal = check_guess(rules, progress, x, now, y)
    if refusal is not None:
        return refusal
    found = domain.evaluate(function, x, y)
    if not found.is_finite:
        if step is not None:
            return Refusal("step_lands_where_f_undefined")
        return Refusal("not_finite_here" if y is None else "not_finite_at_point")
    return Accepted(x, y, found.fx, found.gx, found.gy, step)
