"""May this guess be accepted? The rules of a guess, as pure functions.

The service layer loads the level and the team's progress inside one locked
transaction, asks ``check_guess`` and stores what it says; nothing here does I/O.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class LevelState(StrEnum):
    """A level's life: draft -> open -> closed -> revealed (closed -> open on reopen)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    REVEALED = "revealed"


class Visibility(StrEnum):
    """Whether teams see a level's standings while it is open."""

    SHOWN = "shown"
    HIDDEN = "hidden"
    FROZEN = "frozen"


@dataclass(frozen=True)
class LevelClock:
    """The parts of a level that decide whether it is open right now."""

    state: LevelState
    opened_at: datetime | None
    time_limit_seconds: int | None

    @property
    def deadline(self) -> datetime | None:
        """When an open level with a time limit closes by itself."""
        if self.state is not LevelState.OPEN or self.opened_at is None:
            return None
        if self.time_limit_seconds is None:
            return None
        return self.opened_at + timedelta(seconds=self.time_limit_seconds)

    def state_at(self, now: datetime) -> LevelState:
        """The state as users see it: an open level past its deadline is closed."""
        deadline = self.deadline
        if deadline is not None and now >= deadline:
            return LevelState.CLOSED
        return self.state

    def is_settled(self, now: datetime) -> bool:
        """Closed or revealed: no more guesses, final standings."""
        return self.state_at(now) in (LevelState.CLOSED, LevelState.REVEALED)


@dataclass(frozen=True)
class Transition:
    """A level's state and timestamps after the instructor moves it."""

    state: LevelState
    opened_at: datetime | None
    closed_at: datetime | None
    revealed_at: datetime | None


class NoSuchMove(ValueError):
    """A move the life of a level does not have (revealing an open level, say)."""

    def __init__(self, current: LevelState, target: LevelState) -> None:
        article = "an" if current.value[0] in "aeiou" else "a"
        if current is target:
            text = f"the level is already {current.value}"
        else:
            text = f"{article} {current.value} level cannot become {target.value}"
        super().__init__(text)
        self.current = current
        self.target = target


def transition(
    clock: LevelClock, closed_at: datetime | None, target: LevelState, now: datetime
) -> Transition:
    """Open (or reopen), close (settle) or reveal a level: draft -> open -> closed -> revealed,
    and closed -> open. An open level past its deadline closes at its deadline."""
    current = clock.state_at(now)
    if target is LevelState.OPEN and current in (LevelState.DRAFT, LevelState.CLOSED):
        return Transition(LevelState.OPEN, now, None, None)
    deadline = clock.deadline
    settled_at = deadline if deadline is not None and deadline <= now else now
    if target is LevelState.CLOSED and current is LevelState.OPEN:
        return Transition(LevelState.CLOSED, clock.opened_at, now, None)
    if target is LevelState.CLOSED and clock.state is LevelState.OPEN:  # expired on its own
        return Transition(LevelState.CLOSED, clock.opened_at, settled_at, None)
    if target is LevelState.REVEALED and current is LevelState.CLOSED:
        return Transition(LevelState.REVEALED, clock.opened_at, closed_at or settled_at, now)
    raise NoSuchMove(current, target)


def password_matches(typed: str | None, expected: str) -> bool:
    """A level password said aloud: case and extra spaces do not matter."""

    def normal(text: str) -> str:
        return " ".join(text.split()).casefold()

    return hmac.compare_digest(normal(typed or "").encode(), normal(expected).encode())


def may_enter(clock: LevelClock, now: datetime) -> bool:
    """Teams enter a level only while it is open."""
    return clock.state_at(now) is LevelState.OPEN


def may_look_at(clock: LevelClock, entered: bool, now: datetime) -> bool:
    """A team sees a level's play page once it entered it, or once the level is settled
    (so a team that missed a level still sees its reveal)."""
    return entered or clock.is_settled(now)


def curve_is_public(clock: LevelClock) -> bool:
    """The hidden function, its curve and its minimum are shown only after the reveal."""
    return clock.state is LevelState.REVEALED


@dataclass(frozen=True)
class GuessRules:
    """A level's rules for guesses."""

    clock: LevelClock
    x_min: float
    x_max: float
    cooldown_seconds: int
    guess_budget: int | None
    y_min: float | None = None  # both set on a two-parameter level
    y_max: float | None = None


@dataclass(frozen=True)
class TeamProgress:
    """What the rules need to know of one team on one level."""

    entered: bool
    guesses_used: int
    last_guess_at: datetime | None
    last_batch: int = 1  # the last guess's batch size: its cooldown is this many cooldowns


NOT_ENTERED = TeamProgress(entered=False, guesses_used=0, last_guess_at=None)


@dataclass(frozen=True)
class Refusal:
    """Why a guess was refused: a machine-readable code and the parameters its message
    shows (the domain's bounds, the seconds to wait); for cooldown, when to retry."""

    code: str
    next_allowed_at: datetime | None = None
    params: Mapping[str, object] = field(default_factory=dict)


class BadNumber(ValueError):
    """The text typed for x is not a finite number."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# What phone keyboards type for a number: minus signs, and full-width forms (Chinese IMEs).
_TYPED_NUMBER = str.maketrans(
    {
        "\u2212": "-",
        "\u2013": "-",
        "\uff0d": "-",
        "\uff0b": "+",
        "\uff0e": ".",
        "\uff0c": ",",
        "\uff45": "e",
        "\uff25": "E",
        "\u3000": " ",
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
    }
)


def parse_x(raw: object) -> float:
    """Read x as typed on a phone: a finite number, with '.' or a lone ',' as decimal mark.

    Raises BadNumber("x_missing") for nothing typed, BadNumber("x_not_number") for text,
    NaN, infinities and numbers too large to be finite (``1e309``).
    """
    if raw is None or isinstance(raw, bool):
        raise BadNumber("x_missing" if raw is None else "x_not_number")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.translate(_TYPED_NUMBER).strip()
        if not text:
            raise BadNumber("x_missing")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        if len(text) > 40 or not all(ch in "0123456789+-.eE" for ch in text):
            raise BadNumber("x_not_number")
        try:
            value = float(text)
        except ValueError:
            raise BadNumber("x_not_number") from None
    else:
        raise BadNumber("x_not_number")
    if not math.isfinite(value):
        raise BadNumber("x_not_number")
    return value


def next_allowed_at(rules: GuessRules, progress: TeamProgress) -> datetime | None:
    """When the team's cooldown ends (None when it may guess now or never guessed): after
    a guess on a batch of b examples, b cooldowns (app.game.noise)."""
    if progress.last_guess_at is None:
        return None
    return progress.last_guess_at + timedelta(seconds=rules.cooldown_seconds * progress.last_batch)


def guesses_left(rules: GuessRules, progress: TeamProgress) -> int | None:
    """How many guesses the budget still allows (None without a budget)."""
    if rules.guess_budget is None:
        return None
    return max(rules.guess_budget - progress.guesses_used, 0)


def check_guess(
    rules: GuessRules, progress: TeamProgress, x: float, now: datetime, y: float | None = None
) -> Refusal | None:
    """Apply rules 1-5 of a guess; None means the guess may be evaluated and stored. On a
    two-parameter level the point's y must lie in its range too (checked last).

    Rule 6 (f and its slope finite at x) needs the function: ``app.game.guess.decide_guess``
    checks it after these.
    """
    if not progress.entered:
        return Refusal("level_not_entered")
    state = rules.clock.state_at(now)
    if state is not LevelState.OPEN:
        return Refusal("level_not_open" if state is LevelState.DRAFT else "level_closed")
    if not math.isfinite(x):
        return Refusal("x_not_number")
    if not rules.x_min <= x <= rules.x_max:
        return Refusal("x_outside_domain", params={"x_min": rules.x_min, "x_max": rules.x_max})
    left = guesses_left(rules, progress)
    if left is not None and left <= 0:
        return Refusal("budget_used_up")
    allowed_at = next_allowed_at(rules, progress)
    if allowed_at is not None and now < allowed_at:
        wait = max(round((allowed_at - now).total_seconds(), 1), 0.1)
        params = {"seconds": wait, "next_allowed_at": allowed_at.isoformat()}
        return Refusal("cooldown", next_allowed_at=allowed_at, params=params)
    if y is not None and rules.y_min is not None and rules.y_max is not None:
        if not rules.y_min <= y <= rules.y_max:
            return Refusal("y_outside_domain", params={"y_min": rules.y_min, "y_max": rules.y_max})
    return None


def standings_visible(
    visibility: Visibility, freeze_seconds: int | None, clock: LevelClock, now: datetime
) -> tuple[bool, datetime | None]:
    """May teams see the level's standings now, and as of when?

    Returns (visible, as_of): as_of is None for live standings, or the moment the
    standings froze when the level is in its last ``freeze_seconds``.
    """
    if clock.is_settled(now):
        return True, None
    if visibility is Visibility.HIDDEN:
        return False, None
    frozen_at = freezes_at(visibility, freeze_seconds, clock)
    if frozen_at is not None and now >= frozen_at:
        return True, frozen_at
    return True, None


def freezes_at(
    visibility: Visibility, freeze_seconds: int | None, clock: LevelClock
) -> datetime | None:
    """When an open level's standings freeze: ``freeze_seconds`` before its deadline, on a
    level whose standings are frozen at the end (None: they never freeze)."""
    deadline = clock.deadline
    if visibility is Visibility.FROZEN and deadline is not None and freeze_seconds:
        return deadline - timedelta(seconds=freeze_seconds)
    return None
