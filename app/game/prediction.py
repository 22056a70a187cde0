"""Predictions before the reveal: once a level is closed, the instructor may ask the teams
which reference player gets closest to the true minimum. Each team has one vote, which it
may change until the reveal; the reveal names the closest player (every one tied with it)
and the teams that predicted it, who may earn a few points.

Pure rules: what a vote needs, and the result from the players' gaps and the votes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.game.moves import Mode
from app.game.rules import LevelState, Refusal

MAX_PREDICTION_POINTS = 20  # "a few points": a fifth of a level's at most
MIN_CHOICES = 2  # a prediction among fewer players is no question


def players_enough(mode: Mode) -> bool:
    """A level's players give a question: a learning-rate level has one player only
    (gradient descent with the game's η); momentum adds the ball, free guesses six more."""
    return mode is not Mode.LEARNING_RATE


def check_vote(
    state: LevelState, asked: bool, choice: object, choices: Sequence[str]
) -> Refusal | None:
    """Why a vote for ``choice`` is refused, or None: the level must be closed with its
    prediction asked, and the choice one of the level's players (``choices``)."""
    if state is LevelState.REVEALED:
        return Refusal("prediction_over")
    if state is not LevelState.CLOSED:
        return Refusal("prediction_not_yet")
    if not asked:
        return Refusal("prediction_not_asked")
    if not isinstance(choice, str) or choice not in choices:
        return Refusal("prediction_choice_unknown", params={"choices": ", ".join(choices)})
    return None


@dataclass(frozen=True)
class PredictionResult:
    """The players closest to the minimum, the votes for each player, and the teams that
    voted for a closest one (by id)."""

    closest: tuple[str, ...]
    counts: Mapping[str, int]
    right: frozenset[int]


def prediction_result(gaps: Mapping[str, float], votes: Mapping[int, str]) -> PredictionResult:
    """The result of a prediction: ``gaps`` is each player's best f minus the true minimum,
    ``votes`` each voting team's choice. Players whose gaps agree to within a millionth of
    the largest gap (or 1e-12) tie, and a vote for any of them is right."""
    finite = {key: gap for key, gap in gaps.items() if math.isfinite(gap)}
    if not finite:
        return PredictionResult((), Counter(votes.values()), frozenset())
    low = min(finite.values())
    tolerance = max(1e-12, 1e-6 * max(abs(gap) for gap in finite.values()))
    closest = tuple(key for key, gap in finite.items() if gap - low <= tolerance)
    right = frozenset(team for team, choice in votes.items() if choice in closest)
    return PredictionResult(closest, Counter(votes.values()), right)
