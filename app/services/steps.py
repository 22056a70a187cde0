"""Where a team stands on a stepping level (learning rate, momentum), and the slope it
receives there: the true one, or on a level with noisy slopes its own seeded noisy one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.game.moves import Position
from app.game.noise import batch_noise, slope_noise
from app.game.variants import NO_VARIANT
from app.models import Guess, Level, Progress


def position(session: Session, level: Level, progress: Progress | None) -> Position:
    """Where a team stands on a stepping level: after its last step, or at the start."""
    last = None
    if progress is not None and progress.guesses_used:
        last = session.scalars(
            select(Guess)
            .where(Guess.team_id == progress.team_id, Guess.level_id == progress.level_id)
            .order_by(Guess.seq.desc())
            .limit(1)
        ).first()
    if last is not None:
        return last_position(last)
    return start_position(level, progress.team_id if progress is not None else None)


def last_position(last: Guess) -> Position:
    """Where a stepping team stands after its step ``last``."""
    if last.y is not None:
        return Position(
            last.x,
            last.fx,
            last.slope,
            last.velocity or 0.0,
            last.y,
            last.gy if last.gy is not None else 0.0,
            last.velocity_y or 0.0,
        )
    return Position(last.x, last.fx, last.slope, last.velocity or 0.0)


def start_position(level: Level, team_id: int | None) -> Position:
    """Where every team starts on a stepping level, with f and the slope ``team_id`` is
    shown there: on its own copy of f on a level with variants, noisy on a level with noisy
    slopes (``None``: the level's own f and true slope, for the reveal)."""
    domain = level.domain
    x, y = domain.start(level.start_x, level.start_y)
    variant = level.variant(team_id) if team_id is not None else NO_VARIANT
    at = domain.evaluate(domain.function(level.expression, variant), x, y)
    if team_id is None:
        return Position(x, at.fx, at.gx, y=y, gy=at.gy or 0.0)
    gx = as_received(level, at.gx, team_id, 0)
    if y is None or at.gy is None:
        return Position(x, at.fx, gx)
    return Position(x, at.fx, gx, y=y, gy=as_received(level, at.gy, team_id, 0, True))


def as_received(
    level: Level,
    slope: float,
    team_id: int,
    seq: int,
    along_y: bool = False,
    batch: int | None = None,
) -> float:
    """The slope a team receives with its guess number ``seq``: noisy on a noisy level (on
    a two-parameter level, ∂f/∂y gets draws of its own with ``along_y``), the noise
    σ/√batch on a batch the team chose."""
    if not level.slope_noise:
        return slope
    seed = level.noise_seed or ""
    size = batch_noise(level.slope_noise, batch)
    return slope + slope_noise(f"{seed}/y" if along_y else seed, team_id, seq, size)
