"""The room's screens: the reveal, the instructor's monitor and editor, the projector."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.schemas.base import Moment, Out
from app.schemas.play import Contours, FitsOut, LevelOut, PredictionOut
from app.schemas.standings import LevelStandingsOut, OverallRow, StandingRow


class MirrorOut(Out):
    """The method a team's guesses most resemble (``app.game.mirror``): its key, the typical
    η of a descent, and after how many guesses it was within ``tolerance`` of x*."""

    method: str
    eta: float | None
    reached_after: int | None
    tolerance: float


class RevealTeam(Out):
    """A team in the reveal: its guesses in order ([x, f, slope(, true slope)], or on a
    plane [x, y, f, ∂f/∂x, ∂f/∂y(, the true ones)]), moved onto the level's own curve, and
    the method they resemble (free guesses on a curve only)."""

    number: int
    name: str | None
    guesses: list[list[float]]
    mirror: MirrorOut | None = None
    batches: list[int] | None = None  # the batch of each guess, where teams chose one


class RevealStandingRow(StandingRow):
    """A final standings row in the reveal: with the team's colour and its gap to f*."""

    team_index: int
    gap: float | None


class GhostOut(Out):
    """A reference player's game: its parameters, path, guesses and best."""

    key: str
    params: dict[str, float]
    path: list[list[float]]
    guesses: int
    best_fx: float
    best_x: float
    best_y: float | None
    gap: float


class RevealView(Out):
    """Everything the reveal shows: the curve (or contour map), every team's guesses with
    the order they came in (``replay``: [team index, guess index]), the final standings and
    the reference players as ghosts. Only ever built for a revealed level."""

    level_id: int
    kind: str
    expression: str
    x_min: float
    x_max: float
    x_star: float
    f_star: float
    variants: bool
    curve: list[list[float]]
    plane: Contours | None
    teams: list[RevealTeam]
    replay: list[list[int]]
    standings: list[RevealStandingRow]
    mode: str
    slope_noise: float | None
    start: list[float] | None  # a stepping level's start: [x, f, slope], or [x, y, f]
    ghost_start: float
    ghost_start_y: float | None
    ghost_budget: int
    ghosts: list[GhostOut]
    # where the play happened: [x0, x1, y0, y1] (y is f on a curve), see app.game.view
    window: list[float] | None
    y_min: float | None = None
    y_max: float | None = None
    y_star: float | None = None
    fits: FitsOut | None = None  # on a model's loss: its output over the data
    prediction: PredictionOut | None = None  # when one was asked: its result


class MonitorLevel(Out):
    """The level as the monitor shows it, its true minimum included."""

    id: int
    title: str
    state: str
    deadline: Moment | None
    x_min: float
    x_max: float
    x_star: float
    f_star: float
    y_min: float | None
    y_max: float | None
    y_star: float | None


class MonitorTeam(Out):
    """A team on the monitor: entered or not, guesses, best, last guess, its points."""

    number: int
    name: str | None
    entered: bool
    guesses: int
    best_fx: float | None
    best_x: float | None
    best_y: float | None
    last_guess_at: Moment | None
    points: list[list[float]]


class MonitorView(Out):
    """What the instructor's monitor shows of a level: every team, every point, the curve
    (on a two-parameter level, a contour map and each team's path of points (x, y, f))."""

    kind: str
    curve: list[list[float]]
    plane: Contours | None
    level: MonitorLevel
    teams: list[MonitorTeam]
    guesses: int
    server_now: Moment


class ProjectorLesson(Out):
    """The lesson on the projector: its name, join code and address, how many teams it
    has and how many of them have joined (logged in at least once)."""

    name: str
    join_code: str
    teams: int
    joined: int
    join_address: str | None = None


class Board(Out):
    """The standings on the projector as teams may see them: hidden, or the top rows of
    the teams that played (``more`` beyond them, ``waiting`` without a guess)."""

    hidden: bool
    frozen_at: Moment | None = None
    final: bool | None = None
    rows: list[StandingRow] = Field(default_factory=list)
    more: int = 0
    waiting: int = 0


class OverallBoard(Out):
    """The lesson's overall top rows on the projector, over ``levels`` revealed levels."""

    levels: int
    rows: list[OverallRow]
    more: int


class RaceLine(Out):
    """A team's best f(x) over the level's time, as the standings showed it: [minutes since
    the level opened, best so far] at each improvement."""

    team_number: int
    team_name: str | None
    team_index: int  # the team's colour, as in the reveal
    points: list[list[float]]


class TeamTile(Out):
    """A team on the projector's live screen: joined, how many guesses, and until when it
    cools down (None: ready, or not played)."""

    number: int
    name: str | None
    index: int
    joined: bool
    guesses: int
    ready_at: Moment | None


class Activity(Out):
    """Who plays the level now: every team as a tile (a class of up to ``MAX_TILES``
    teams), or only the counts (a department's event)."""

    teams: int
    joined: int
    played: int
    cooling: int  # at the snapshot's moment
    tiles: list[TeamTile] | None


class ProjectorLevel(Out):
    """The announced level on the projector: never more than teams could see themselves
    (the password only while the instructor shows it on an open level)."""

    id: int
    position: int
    title: str
    kind: str
    mode: str
    plane: bool
    slope_noise: float | None
    variants: bool
    state: str
    deadline: Moment | None
    freeze_at: Moment | None
    password: str | None
    guesses: int
    standings: Board
    reveal: RevealView | None
    race: list[RaceLine] | None = None  # the board's teams; None while hidden
    race_start: Moment | None = None  # the race's minute 0
    activity: Activity | None = None
    prediction: PredictionOut | None = None  # how many voted; after the reveal, the result


class ProjectorView(Out):
    """What the projector shows now; ``overall`` once the announced level is revealed."""

    lesson: ProjectorLesson
    level: ProjectorLevel | None
    server_now: Moment
    overall: OverallBoard | None = None


class PreviewOut(Out):
    """The editor's preview of a function as typed: on a curve f and f' over the domain, on
    a plane a grid for a contour map, with the true minimum and the median; or, when the
    text goes wrong, only ``error`` (its code, message and place). Nothing is saved."""

    kind: str | None = None
    x_star: float | None = None
    f_star: float | None = None
    f_median: float | None = None
    x: list[float] | None = None
    f: list[float] | None = None
    df: list[float] | None = None
    y_star: float | None = None
    plane: Contours | None = None
    fits: FitsOut | None = None  # a model's loss: the data, and the best model over it
    error: dict[str, Any] | None = None


class LiveLevelOut(LevelOut):
    """A level as a team's pages follow it; ``round`` changes when the level is reset (its
    guesses wiped), so a page knows to read its own state again."""

    round: str


class TeamLiveOut(Out):
    """What a team's pages follow live: the levels the team can see, the level on the
    projector (None: none), and the standings of the level asked about when teams may see
    them now (None: hidden, or no level asked). The same for every team of the lesson."""

    levels: list[LiveLevelOut]
    announced: int | None
    standings: LevelStandingsOut | None
    server_now: Moment
