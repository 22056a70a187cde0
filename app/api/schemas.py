"""What goes in and out of the JSON API, shared with the pages that embed the same data."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.game.expression import Analysis, compile_function, curve
from app.game.moves import Mode, implied_plane_rate, implied_rate
from app.game.plane import level_contours
from app.game.rules import curve_is_public, guesses_left, next_allowed_at
from app.game.scoring import OverallStanding
from app.game.variants import team_facts
from app.models import Guess, Level, Team
from app.services.guesses import Answer, PlayView
from app.services.standings import LevelStandings


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    """A team's login."""

    join_code: str = Field(max_length=40)
    team_number: int | str
    pin: str = Field(max_length=40)


class EnterIn(Strict):
    """Entering a level, with its password when it has one."""

    password: str | None = Field(default=None, max_length=100)


class GuessIn(Strict):
    """A guess and the client's idempotency key: x as typed (string or number) on a
    free-guess level (and y on a two-parameter one), the learning rate η (and the
    momentum β) on a stepping level."""

    x: str | float | None = Field(default=None)
    y: str | float | None = Field(default=None)
    eta: str | float | None = Field(default=None)
    beta: str | float | None = Field(default=None)
    idempotency_key: str = Field(max_length=64)

    @field_validator("x", "y", "eta", "beta", mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        """JSON true is not the number 1: kept as text, it is refused as not a number."""
        return str(value).lower() if isinstance(value, bool) else value


def guess_out(guess: Guess) -> dict[str, Any]:
    """One guess as the team sees it, tangent line included; on a two-parameter level also
    its y, ∂f/∂y (``gy``, beside ∂f/∂x in ``slope``) and its velocity along y."""
    out = {
        "seq": guess.seq,
        "x": guess.x,
        "fx": guess.fx,
        "slope": guess.slope,
        "intercept": None if guess.y is not None else guess.intercept,  # a line of f(x) only
        "at": guess.created_at.isoformat(),
        "eta": guess.eta,
        "beta": guess.beta,
        "velocity": guess.velocity,
        "clamped": guess.clamped,
    }
    if guess.y is not None:
        out |= {"y": guess.y, "gy": guess.gy, "velocity_y": guess.velocity_y}
    return out


def level_out(level: Level, now: datetime) -> dict[str, Any]:
    """What every team may know of a level (nothing about f before the reveal)."""
    deadline = level.clock.deadline
    return {
        "id": level.id,
        "title": level.title,
        "position": level.position,
        "state": level.clock.state_at(now).value,
        "x_min": level.x_min,
        "x_max": level.x_max,
        "cooldown_seconds": level.cooldown_seconds,
        "guess_budget": level.guess_budget,
        "time_limit_seconds": level.time_limit_seconds,
        "deadline": deadline.isoformat() if deadline else None,
        "has_password": bool(level.password),
        "standings_visibility": level.standings_visibility,
        "mode": level.mode,
        "start_x": level.start_x,
        "eta_max": level.step_bounds.eta_max if level.mode != "free" else None,
        "beta_max": level.step_bounds.beta_max if level.mode == "momentum" else None,
        "slope_noise": level.slope_noise,
        "variants": level.has_variants,
        "plane": level.is_plane,
        "y_min": level.y_min,
        "y_max": level.y_max,
        "start_y": level.start_y,
    }


def reveal_out(level: Level, team_id: int) -> dict[str, Any] | None:
    """The curve and the true minimum, only once the level is revealed: on a level with
    per-team variants, of the team's own copy of f."""
    if not curve_is_public(level.clock):
        return None
    if level.is_plane:
        return {
            "expression": level.expression,
            "x_star": level.x_star,
            "y_star": level.y_star,
            "f_star": level.f_star,
            "plane": level_contours(level.expression, level.rectangle),
        }
    variant = level.variant(team_id)
    fn = variant.of(compile_function(level.expression))
    points = curve(fn, level.x_min, level.x_max)
    own = (
        team_facts(level.expression, level.x_min, level.x_max, variant)
        if level.has_variants
        else Analysis(level.x_star, level.f_star, level.f_median)
    )
    return {
        "expression": level.expression,
        "x_star": own.x_star,
        "f_star": own.f_star,
        "curve": [[p.x, p.fx] for p in points],
        "variant": {"shift": variant.shift, "scale": variant.scale} if level.has_variants else None,
    }


def play_state_out(view: PlayView, team: Team, now: datetime) -> dict[str, Any]:
    """Everything the play page shows, for the first render and for refreshes."""
    level, progress, guesses = view.level, view.progress, view.guesses
    state = progress.as_rules_input() if progress else None
    allowed_at = next_allowed_at(level.rules, state) if state else None
    return {
        "level": level_out(level, now),
        "team": {"number": team.number, "name": team.name},
        "entered": progress is not None,
        "guesses": _guesses_out(level, guesses),
        "best": guess_out(view.best) if view.best else None,
        "guesses_left": guesses_left(level.rules, state) if state else level.guess_budget,
        "next_allowed_at": allowed_at.isoformat() if allowed_at else None,
        "server_now": now.isoformat(),
        "position": position_out(view),
        "reveal": reveal_out(level, team.id),
    }


def _guesses_out(level: Level, guesses: list[Guess]) -> list[dict[str, Any]]:
    """A team's guesses; after the reveal, with what the reveal teaches: on a level with
    noisy slopes the true slope beside each noisy one, and on a free-guess level the learning
    rate each step amounted to, η = −Δx / f'(x) (the team's intuition as the update rule)."""
    out = [guess_out(g) for g in guesses]
    if not curve_is_public(level.clock):
        return out
    for guess, row in zip(guesses, out, strict=True):
        if guess.true_slope is not None:
            row["true_slope"] = guess.true_slope
        if guess.true_gy is not None:
            row["true_gy"] = guess.true_gy
    if level.mode == Mode.FREE.value:
        for before, after in zip(out, out[1:], strict=False):
            if level.is_plane:
                after["implied_eta"] = implied_plane_rate(before, after)
            else:
                after["implied_eta"] = implied_rate(before["x"], before["slope"], after["x"])
    return out


def position_out(view: PlayView) -> dict[str, Any] | None:
    """Where a team stands on a stepping level (learning rate, momentum): the x its next
    step starts from, f and the slope there, its velocity, and the level's start point.
    None on free-guess levels."""
    if view.position is None or view.start is None:
        return None
    at, start = view.position, view.start
    out: dict[str, Any] = {
        "x": at.x,
        "fx": _finite(at.fx),
        "slope": _finite(at.slope),
        "velocity": at.velocity,
        "start": {"x": start.x, "fx": _finite(start.fx), "slope": _finite(start.slope)},
    }
    if at.y is not None and start.y is not None:
        out |= {"y": at.y, "gy": _finite(at.gy), "velocity_y": at.velocity_y}
        out["start"] |= {"y": start.y, "gy": _finite(start.gy)}
    return out


def _finite(value: float) -> float | None:
    """A number for JSON: None where f or its slope is not defined."""
    return value if math.isfinite(value) else None


def answer_out(answer: Answer, now: datetime) -> dict[str, Any]:
    """The answer to an accepted (or replayed) guess."""
    return {
        "guess": guess_out(answer.guess),
        "tangent": None  # a tangent line is of a curve; a plane's answer is the gradient
        if answer.guess.y is not None
        else {"slope": answer.guess.slope, "intercept": answer.guess.intercept},
        "guesses_left": answer.guesses_left,
        "next_allowed_at": answer.next_allowed_at.isoformat() if answer.next_allowed_at else None,
        "best": guess_out(answer.best),
        "replayed": answer.replayed,
        "server_now": now.isoformat(),
    }


def standings_out(result: LevelStandings) -> dict[str, Any]:
    """A level's standings: rank, team, best f(x), guesses; never another team's x."""
    return {
        "level_id": result.level.id,
        "final": result.final,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "rows": [
            {
                "rank": s.rank,
                "team_number": s.entry.team_number,
                "team_name": s.entry.team_name,
                "best_fx": s.entry.best_fx,
                "guesses": s.entry.guesses,
            }
            for s in result.standings
        ],
    }


def overall_out(ranking: list[OverallStanding], levels: list[Level]) -> dict[str, Any]:
    """The lesson's standings over its revealed levels."""
    return {
        "levels": [{"id": level.id, "title": level.title} for level in levels],
        "rows": [
            {
                "rank": row.rank,
                "team_number": row.team_number,
                "team_name": row.team_name,
                "total": row.total,
                "points": {str(k): round(v, 2) for k, v in row.per_level.items()},
            }
            for row in ranking
        ],
    }
