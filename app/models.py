"""The tables. The schema changes only through migrations (see migrations/)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.game.domain import Domain, domain_of
from app.game.fitting import stored_fit
from app.game.moves import DEFAULT_BETA_MAX, DEFAULT_ETA_MAX, Mode, StepBounds
from app.game.rules import GuessRules, LevelClock, LevelState, TeamProgress, Visibility
from app.game.variants import Variant, team_variant


class Lesson(Base):
    """One run of the game for one class."""

    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Teams may register themselves from the join page, up to team_cap teams in all.
    self_registration: Mapped[bool] = mapped_column(Boolean, default=False)
    team_cap: Mapped[int | None] = mapped_column(Integer)

    teams: Mapped[list[Team]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", order_by="Team.number"
    )
    levels: Mapped[list[Level]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", order_by="Level.position"
    )


class Team(Base):
    """A team of a lesson: a number, a display name and a hashed PIN."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("lesson_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(60))  # None: shown as "Team <number>"
    pin_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # its first login

    lesson: Mapped[Lesson] = relationship(back_populates="teams")


class ApiToken(Base):
    """A team's token for code mode: the team plays through the JSON API from a program
    (a notebook) with ``Authorization: Bearer <token>``. Only its SHA-256 is kept; the
    instructor sees the token once, when it is made."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()


# The largest id an id column holds on every engine (PostgreSQL's INTEGER is 32 bits): a
# larger number sent for an id is refused before it reaches the driver.
MAX_ROW_ID = 2**31 - 1


def new_noise_seed() -> str:
    """A level's secret seed of its slope noise: no team can work the noise out."""
    return secrets.token_hex(16)


class Level(Base):
    """A level of a lesson: a hidden function, a domain, its rules and its state."""

    __tablename__ = "level"
    __table_args__ = (
        CheckConstraint("x_min < x_max", name="domain_ordered"),
        CheckConstraint("cooldown_seconds >= 0", name="cooldown_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    expression: Mapped[str] = mapped_column(Text)
    x_min: Mapped[float] = mapped_column(Float)
    x_max: Mapped[float] = mapped_column(Float)
    cooldown_seconds: Mapped[int] = mapped_column(Integer, default=10)
    guess_budget: Mapped[int | None] = mapped_column(Integer)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    password: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(12), default=LevelState.DRAFT.value)
    standings_visibility: Mapped[str] = mapped_column(String(12), default=Visibility.SHOWN.value)
    freeze_seconds: Mapped[int | None] = mapped_column(Integer)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    x_star: Mapped[float] = mapped_column(Float)
    f_star: Mapped[float] = mapped_column(Float)
    f_median: Mapped[float] = mapped_column(Float)
    # what teams choose: x (free), or η (learning rate) or η and β (momentum) from start_x
    mode: Mapped[str] = mapped_column(String(16), default=Mode.FREE.value, server_default="free")
    start_x: Mapped[float | None] = mapped_column(Float)
    eta_max: Mapped[float | None] = mapped_column(Float)
    beta_max: Mapped[float | None] = mapped_column(Float)
    # noisy slopes (app.game.noise): the noise's standard deviation; with ``batch_max``
    # teams choose a batch size b up to it: noise σ/√b, a cooldown b times the level's
    slope_noise: Mapped[float | None] = mapped_column(Float)
    batch_max: Mapped[int | None] = mapped_column(Integer)
    # the secret seed of the level's draws: slope noise, and each team's variant
    noise_seed: Mapped[str | None] = mapped_column(String(32), default=new_noise_seed)
    # per-team variants (app.game.variants): the largest shift along x, the largest factor
    variant_shift: Mapped[float | None] = mapped_column(Float)
    variant_scale: Mapped[float | None] = mapped_column(Float)
    # two-parameter levels (app.game.plane): f(x, y) over the rectangle x_min..x_max by
    # y_min..y_max (both None: a one-variable level); where stepping teams start along y,
    # and the y of the true minimum
    y_min: Mapped[float | None] = mapped_column(Float)
    y_max: Mapped[float | None] = mapped_column(Float)
    start_y: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)  # a line for teams under the title
    # a model fitted to data (app.game.fitting): f is its loss, x and y its a and b; its
    # kind, its points as CSV ("u,v" a line), and a ReLU's fixed c and d
    fit: Mapped[str | None] = mapped_column(String(16))
    fit_data: Mapped[str | None] = mapped_column(Text)
    fit_c: Mapped[float | None] = mapped_column(Float)
    fit_d: Mapped[float | None] = mapped_column(Float)
    # a prediction once the level is closed (app.game.prediction): whether teams are asked
    # which reference player gets closest, and the points a right vote earns (None: none)
    prediction: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    prediction_points: Mapped[int | None] = mapped_column(Integer)
    y_star: Mapped[float | None] = mapped_column(Float)

    lesson: Mapped[Lesson] = relationship(back_populates="levels")

    @property
    def clock(self) -> LevelClock:
        """The level's state and timing, for the pure rules."""
        return LevelClock(LevelState(self.state), self.opened_at, self.time_limit_seconds)

    @property
    def step_bounds(self) -> StepBounds:
        """The limits on η and β of a stepping level."""
        return StepBounds(
            eta_max=self.eta_max if self.eta_max is not None else DEFAULT_ETA_MAX,
            beta_max=self.beta_max if self.beta_max is not None else DEFAULT_BETA_MAX,
        )

    @property
    def domain(self) -> Domain:
        """Where teams look for the minimum: an interval of x, or a rectangle of (x, y)
        (where f may be a model's loss over the level's data)."""
        fit = stored_fit(self.fit, self.fit_data, self.fit_c, self.fit_d)
        return domain_of(self.x_min, self.x_max, self.y_min, self.y_max, fit)

    @property
    def move(self) -> Mode:
        """What teams choose: x (free), or η (learning rate), or η and β (momentum)."""
        return Mode(self.mode)

    @property
    def has_variants(self) -> bool:
        return bool(self.variant_shift or self.variant_scale)

    def variant(self, team_id: int) -> Variant:
        """The team's own copy of this level's function (the level itself without variants)."""
        seed = self.noise_seed or f"level-{self.id}"
        return team_variant(seed, team_id, self.variant_shift, self.variant_scale)

    @property
    def rules(self) -> GuessRules:
        """The level's rules of a guess, for the pure rules."""
        return GuessRules(
            self.clock,
            self.x_min,
            self.x_max,
            self.cooldown_seconds,
            self.guess_budget,
            self.y_min,
            self.y_max,
        )


class Progress(Base):
    """One team on one level: cheap cooldown checks and standings."""

    __tablename__ = "progress"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    level_id: Mapped[int] = mapped_column(
        ForeignKey("level.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    guesses_used: Mapped[int] = mapped_column(Integer, default=0)
    last_guess_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    best_fx: Mapped[float | None] = mapped_column(Float)
    best_x: Mapped[float | None] = mapped_column(Float)
    best_y: Mapped[float | None] = mapped_column(Float)  # on two-parameter levels
    best_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_batch: Mapped[int | None] = mapped_column(Integer)  # its cooldown counts this many

    def as_rules_input(self) -> TeamProgress:
        """The progress as the pure rules see it."""
        return TeamProgress(True, self.guesses_used, self.last_guess_at, self.last_batch or 1)


class Vote(Base):
    """A team's prediction on a closed level: the reference player it thinks gets closest to
    the minimum. One per team and level, changed in place until the reveal."""

    __tablename__ = "vote"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    level_id: Mapped[int] = mapped_column(
        ForeignKey("level.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    choice: Mapped[str] = mapped_column(String(32))
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Guess(Base):
    """One accepted guess. Never updated; deleted only with its level, team or a reset."""

    __tablename__ = "guess"
    __table_args__ = (
        UniqueConstraint("team_id", "level_id", "seq"),
        UniqueConstraint("team_id", "level_id", "idempotency_key"),
        # Standings that froze: a team's best f(x) before the freeze and when it was first
        # reached are seeks in the first, its guesses after the freeze a range of the
        # second, however many guesses the level holds (see level_entries).
        Index("ix_guess_level_team_fx", "level_id", "team_id", "fx", "created_at"),
        Index("ix_guess_level_team_created", "level_id", "team_id", "created_at"),
        # The projector's race: the leaders' guesses that lowered their best, a few a team
        # however many guesses the level holds (see app.services.activity).
        Index(
            "ix_guess_level_team_improved",
            "level_id",
            "team_id",
            "seq",
            sqlite_where=text("improved = 1"),
            postgresql_where=text("improved"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("level.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    x: Mapped[float] = mapped_column(Float)
    fx: Mapped[float] = mapped_column(Float)
    slope: Mapped[float] = mapped_column(Float)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # on stepping levels: what the team chose, the velocity after the step, a stop at an edge
    eta: Mapped[float | None] = mapped_column(Float)
    beta: Mapped[float | None] = mapped_column(Float)
    velocity: Mapped[float | None] = mapped_column(Float)
    clamped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # on a level with noisy slopes: the true f'(x) (``slope`` is the noisy one answered)
    true_slope: Mapped[float | None] = mapped_column(Float)
    # on two-parameter levels: y, and ∂f/∂y beside ∂f/∂x (``slope``), as received and true,
    # and the velocity along y
    y: Mapped[float | None] = mapped_column(Float)
    gy: Mapped[float | None] = mapped_column(Float)
    true_gy: Mapped[float | None] = mapped_column(Float)
    velocity_y: Mapped[float | None] = mapped_column(Float)
    # on a level where teams choose a batch size: this guess's (its slope's noise σ/√batch)
    batch: Mapped[int | None] = mapped_column(Integer)
    # this guess lowered the team's best f(x) on the level (its first guess always does)
    improved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def intercept(self) -> float:
        """Where the tangent line at this guess crosses the y axis."""
        return self.fx - self.slope * self.x


class Throttle(Base):
    """Wrong attempts in a row at a secret (a team's PIN, a level password) and the lock."""

    __tablename__ = "throttle"
    __table_args__ = (UniqueConstraint("scope", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(60))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Instructor(Base):
    """The instructor's account: one row, a hashed password (there is no default one)."""

    __tablename__ = "instructor"

    id: Mapped[int] = mapped_column(primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Login(Base):
    """One signed-in browser: a team's (``team_id``) or the instructor's (none). The
    session cookie carries its id and every request looks for it here, so a logout, a new
    PIN, a removed team or a new instructor password ends the sessions it should at once,
    on every process, however long the signed cookie itself would still be good for."""

    __tablename__ = "login"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Announcement(Base):
    """What the projector shows for a lesson: the level the instructor announced (none
    before the first), and whether its password is on the screen."""

    __tablename__ = "announcement"

    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("lesson.id", ondelete="CASCADE"), primary_key=True
    )
    level_id: Mapped[int | None] = mapped_column(ForeignKey("level.id", ondelete="SET NULL"))
    show_password: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    level: Mapped[Level | None] = relationship()


class LiveVersion(Base):
    """A counter per lesson, bumped in the same transaction as anything live pages show (an
    accepted guess, a level's move). Each server process watches these few rows and wakes
    its open streams: several processes stay in step with no broker."""

    __tablename__ = "live_version"

    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("lesson.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
