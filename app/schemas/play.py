"""A team's play: logging in, entering, guessing, and what it reads of a level."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from app.models import Guess, Level
from app.schemas.base import Moment, Out, Strict


class LoginIn(Strict):
    """A team's login."""

    join_code: str = Field(max_length=40)
    team_number: int | str
    pin: str = Field(max_length=40)


class EnterIn(Strict):
    """Entering a level, with its password when it has one."""

    password: str | None = Field(default=None, max_length=100)


class VoteIn(Strict):
    """A team's prediction: the key of the reference player it thinks gets closest."""

    choice: str = Field(max_length=32)


class GuessIn(Strict):
    """A guess and the client's idempotency key: x as typed (string or number) on a
    free-guess level (and y on a two-parameter one), the learning rate η (and the
    momentum β) on a stepping level."""

    x: str | float | None = Field(default=None)
    y: str | float | None = Field(default=None)
    eta: str | float | None = Field(default=None)
    beta: str | float | None = Field(default=None)
    # on a level that offers a choice of batch size: 1 (left out) up to its batch_max
    batch: str | int | None = Field(default=None)
    idempotency_key: str = Field(max_length=64)

    @field_validator("x", "y", "eta", "beta", "batch", mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        """JSON true is not the number 1: kept as text, it is refused as not a number."""
        return str(value).lower() if isinstance(value, bool) else value


class HealthOut(Out):
    """The server is up, and how many live streams this process holds open."""

    status: str
    streams: int


class CsrfOut(Out):
    """This session's CSRF token, to send as X-CSRF-Token with every unsafe request."""

    csrf_token: str


class DoneOut(Out):
    """An action that answers nothing but that it was done."""

    ok: bool


class TeamOut(Out):
    """A team as everyone may name it."""

    number: int
    name: str | None


class LessonOut(Out):
    """A lesson as its teams know it."""

    name: str
    join_code: str


class SessionOut(Out):
    """A team logged in: who, in which lesson, and the token for its unsafe requests."""

    team: TeamOut
    lesson: LessonOut
    csrf_token: str


class GuessOut(Out):
    """One guess as the team sees it, tangent line included; on a two-parameter level also
    its y, ∂f/∂y (``gy``, beside ∂f/∂x in ``slope``) and its velocity along y. After the
    reveal: the true slopes of a noisy level, and the η a free step amounted to."""

    seq: int
    x: float
    fx: float
    slope: float
    intercept: float | None  # a line of f(x) only
    at: Moment
    eta: float | None
    beta: float | None
    velocity: float | None
    clamped: bool
    y: float | None = None
    gy: float | None = None
    velocity_y: float | None = None
    true_slope: float | None = None
    true_gy: float | None = None
    implied_eta: float | None = None
    batch: int | None = None  # the batch size the team chose, on a level that offers one

    @classmethod
    def of(cls, guess: Guess) -> GuessOut:
        """A stored guess as its team sees it (before the reveal)."""
        plane = {"y": guess.y, "gy": guess.gy, "velocity_y": guess.velocity_y}
        return cls(
            seq=guess.seq,
            x=guess.x,
            fx=guess.fx,
            slope=guess.slope,
            intercept=None if guess.y is not None else guess.intercept,
            at=guess.created_at,
            eta=guess.eta,
            beta=guess.beta,
            velocity=guess.velocity,
            clamped=guess.clamped,
            batch=guess.batch,
            **(plane if guess.y is not None else {}),
        )


class LevelOut(Out):
    """What every team may know of a level (nothing about f before the reveal)."""

    id: int
    title: str
    position: int
    state: str
    x_min: float
    x_max: float
    cooldown_seconds: int
    guess_budget: int | None
    time_limit_seconds: int | None
    deadline: Moment | None
    has_password: bool
    standings_visibility: str
    kind: str
    mode: str
    start_x: float | None
    eta_max: float | None
    beta_max: float | None
    slope_noise: float | None
    variants: bool
    plane: bool
    y_min: float | None
    y_max: float | None
    start_y: float | None
    note: str | None  # the instructor's line for teams under the title
    prediction: bool = False  # teams are asked to predict once it is closed
    batch_max: int | None = None  # teams choose a batch size from 1 to this

    @classmethod
    def fields_of(cls, level: Level, now: datetime) -> dict[str, Any]:
        """The level's fields as every team may know them, at ``now``."""
        eta_max, beta_max = level.move.shown_bounds(level.step_bounds)
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
            "deadline": level.clock.deadline,
            "has_password": bool(level.password),
            "standings_visibility": level.standings_visibility,
            "kind": level.domain.kind,
            "mode": level.mode,
            "start_x": level.start_x,
            "eta_max": eta_max,
            "beta_max": beta_max,
            "slope_noise": level.slope_noise,
            "variants": level.has_variants,
            "plane": level.domain.plane,
            "y_min": level.y_min,
            "y_max": level.y_max,
            "start_y": level.start_y,
            "note": level.note,
            "prediction": level.prediction,
            "batch_max": level.batch_max,
        }

    @classmethod
    def of(cls, level: Level, now: datetime) -> LevelOut:
        """What every team may know of ``level`` at ``now``."""
        return cls(**cls.fields_of(level, now))


class ListedLevelOut(LevelOut):
    """A level in the team's list, and whether the team has entered it."""

    entered: bool


class LevelsOut(Out):
    """The levels of the team's lesson it can see."""

    levels: list[ListedLevelOut]


class StartOut(Out):
    """Where every team of a stepping level starts, with f and the slope there."""

    x: float
    fx: float | None
    slope: float | None
    y: float | None = None
    gy: float | None = None


class PositionOut(Out):
    """Where a team stands on a stepping level: the point its next step starts from, f and
    the slope there (None where not defined), its velocity, and the level's start."""

    x: float
    fx: float | None
    slope: float | None
    velocity: float
    start: StartOut
    y: float | None = None
    gy: float | None = None
    velocity_y: float | None = None


class Contours(Out):
    """f sampled on a grid over a rectangle, for a contour map: xs, ys, one row per y."""

    x: list[float]
    y: list[float]
    z: list[list[float | None]]


class FitsOut(Out):
    """A model's output over its data (a level whose f is the model's loss): the points
    [u, v], the u where the outputs are drawn, and the output there for the best (a, b),
    each team's best (by team index; None where a team did not play) and each reference
    player's best (by ghost index)."""

    model: str
    data: list[list[float]]
    u: list[float]
    best: list[float | None]
    teams: list[list[float | None] | None] = []
    ghosts: list[list[float | None]] = []


class VariantOut(Out):
    """How a team's own copy of f is moved and stretched."""

    shift: float
    scale: float


class TeamRevealOut(Out):
    """The curve (or contour map) and the true minimum a team sees once the level is
    revealed: on a level with per-team variants, of the team's own copy of f."""

    expression: str
    x_star: float
    f_star: float
    curve: list[list[float]] | None = None
    variant: VariantOut | None = None
    y_star: float | None = None
    plane: Contours | None = None
    window: list[float] | None = None  # where the team played, see app.game.view


class PlayerChoiceOut(Out):
    """A reference player a team may predict, with its settings (η, β...)."""

    key: str
    params: dict[str, float]


class PredictionResultOut(Out):
    """A prediction's result, once the level is revealed: the closest players (all tied
    with the closest), how many teams voted for each player, and the teams that were right
    (their numbers) with the points each earned."""

    closest: list[str]
    counts: dict[str, int]
    right: list[int]
    points: int


class PredictionOut(Out):
    """A level's prediction as a team sees it: whether votes are taken (the level is
    closed), the players to choose from, the team's own vote, how many teams voted of how
    many (never what, before the reveal), the points a right vote earns, and the result
    once revealed."""

    open: bool
    choices: list[PlayerChoiceOut]
    mine: str | None
    votes: int
    teams: int
    points: int
    result: PredictionResultOut | None = None


class PlayStateOut(Out):
    """Everything the play page shows, for the first render and for refreshes."""

    level: LevelOut
    team: TeamOut
    entered: bool
    guesses: list[GuessOut]
    best: GuessOut | None
    guesses_left: int | None
    next_allowed_at: Moment | None
    server_now: Moment
    position: PositionOut | None
    reveal: TeamRevealOut | None
    prediction: PredictionOut | None = None  # asked once the level is closed


class TangentOut(Out):
    """The tangent line at a guess on a curve."""

    slope: float
    intercept: float


class AnswerOut(Out):
    """The answer to an accepted (or replayed) guess."""

    guess: GuessOut
    tangent: TangentOut | None  # a plane's answer is its gradient, in the guess
    guesses_left: int | None
    next_allowed_at: Moment | None
    best: GuessOut
    replayed: bool
    server_now: Moment


class GuessesOut(Out):
    """The team's own guesses on a level, in order."""

    guesses: list[GuessOut]
