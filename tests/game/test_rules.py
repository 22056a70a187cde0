"""The rules of a guess, one by one, on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.game.rules import (
    BadNumber,
    GuessRules,
    LevelClock,
    LevelState,
    NoSuchMove,
    TeamProgress,
    Visibility,
    check_guess,
    guesses_left,
    parse_x,
    password_matches,
    standings_visible,
    transition,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def rules(
    state: LevelState = LevelState.OPEN,
    *,
    budget: int | None = 5,
    limit: int | None = None,
    opened_ago: float = 60,
) -> GuessRules:
    clock = LevelClock(state, NOW - timedelta(seconds=opened_ago), limit)
    return GuessRules(clock, x_min=-10, x_max=10, cooldown_seconds=10, guess_budget=budget)


def progress(used: int = 0, last_ago: float | None = None, entered: bool = True) -> TeamProgress:
    last = NOW - timedelta(seconds=last_ago) if last_ago is not None else None
    return TeamProgress(entered, used, last)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.5", 2.5),
        (" -0.75 ", -0.75),
        ("1e-3", 0.001),
        ("\u22123", -3.0),
        ("1,5", 1.5),
        ("\uff13\uff0e\uff15", 3.5),
        ("\uff0d\uff12", -2.0),
        ("\u3000\uff17\u3000", 7.0),
        (4, 4.0),
        (-2.25, -2.25),
        ("+7", 7.0),
    ],
)
def test_parse_x_reads_numbers_as_typed_on_a_phone(raw: object, expected: float) -> None:
    assert parse_x(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "x_missing"),
        ("", "x_missing"),
        ("   ", "x_missing"),
        ("abc", "x_not_number"),
        ("NaN", "x_not_number"),
        ("nan", "x_not_number"),
        ("inf", "x_not_number"),
        ("-inf", "x_not_number"),
        ("Infinity", "x_not_number"),
        ("1e309", "x_not_number"),
        (float("nan"), "x_not_number"),
        (float("inf"), "x_not_number"),
        (True, "x_not_number"),
        ([1], "x_not_number"),
        ("1,000.5", "x_not_number"),
        ("0x10", "x_not_number"),
        ("1_000", "x_not_number"),
        ("2 3", "x_not_number"),
        ("9" * 41, "x_not_number"),
    ],
)
def test_parse_x_refuses_what_is_not_a_finite_number(raw: object, code: str) -> None:
    with pytest.raises(BadNumber) as caught:
        parse_x(raw)
    assert caught.value.code == code


def test_a_first_guess_in_an_open_level_is_accepted() -> None:
    assert check_guess(rules(), progress(), 3.0, NOW) is None


@pytest.mark.parametrize(
    ("level", "team", "x", "code"),
    [
        (rules(), progress(entered=False), 0.0, "level_not_entered"),
        (rules(LevelState.DRAFT), progress(), 0.0, "level_not_open"),
        (rules(LevelState.CLOSED), progress(), 0.0, "level_closed"),
        (rules(LevelState.REVEALED), progress(), 0.0, "level_closed"),
        (rules(limit=30, opened_ago=30), progress(), 0.0, "level_closed"),
        (rules(), progress(), 10.0001, "x_outside_domain"),
        (rules(), progress(), -10.5, "x_outside_domain"),
        (rules(), progress(), float("nan"), "x_not_number"),
        (rules(budget=5), progress(used=5, last_ago=60), 0.0, "budget_used_up"),
        (rules(), progress(used=1, last_ago=9.5), 0.0, "cooldown"),
    ],
)
def test_each_rule_refuses_with_its_code(
    level: GuessRules, team: TeamProgress, x: float, code: str
) -> None:
    refusal = check_guess(level, team, x, NOW)
    assert refusal is not None and refusal.code == code


def test_the_domain_edges_are_inside() -> None:
    assert check_guess(rules(), progress(), -10.0, NOW) is None
    assert check_guess(rules(), progress(), 10.0, NOW) is None


def test_cooldown_says_when_the_next_guess_is_allowed() -> None:
    refusal = check_guess(rules(), progress(used=1, last_ago=4), 0.0, NOW)
    assert refusal is not None
    assert refusal.next_allowed_at == NOW + timedelta(seconds=6)
    assert check_guess(rules(), progress(used=1, last_ago=10), 0.0, NOW) is None


def test_a_time_limit_closes_the_level_without_a_scheduler() -> None:
    clock = LevelClock(LevelState.OPEN, NOW - timedelta(seconds=100), 120)
    assert clock.state_at(NOW) is LevelState.OPEN
    assert clock.deadline == NOW + timedelta(seconds=20)
    assert clock.state_at(NOW + timedelta(seconds=20)) is LevelState.CLOSED


def test_guesses_left_counts_down_and_is_none_without_a_budget() -> None:
    assert guesses_left(rules(budget=5), progress(used=2)) == 3
    assert guesses_left(rules(budget=None), progress(used=200)) is None


def test_standings_visibility_shown_hidden_and_frozen() -> None:
    open_clock = LevelClock(LevelState.OPEN, NOW - timedelta(seconds=500), 600)
    assert standings_visible(Visibility.SHOWN, None, open_clock, NOW) == (True, None)
    assert standings_visible(Visibility.HIDDEN, None, open_clock, NOW) == (False, None)
    frozen_at = NOW + timedelta(seconds=100) - timedelta(seconds=120)
    assert standings_visible(Visibility.FROZEN, 120, open_clock, NOW) == (True, frozen_at)
    assert standings_visible(Visibility.FROZEN, 60, open_clock, NOW) == (True, None)
    closed = LevelClock(LevelState.CLOSED, NOW - timedelta(seconds=500), 600)
    assert standings_visible(Visibility.HIDDEN, None, closed, NOW) == (True, None)


def test_a_levels_moves() -> None:
    draft = LevelClock(LevelState.DRAFT, None, None)
    opened = transition(draft, None, LevelState.OPEN, NOW)
    assert (opened.state, opened.opened_at, opened.closed_at) == (LevelState.OPEN, NOW, None)
    running = LevelClock(LevelState.OPEN, NOW - timedelta(seconds=30), None)
    closed = transition(running, None, LevelState.CLOSED, NOW)
    assert (closed.state, closed.closed_at) == (LevelState.CLOSED, NOW)
    settled = LevelClock(LevelState.CLOSED, NOW - timedelta(seconds=30), None)
    revealed = transition(settled, NOW - timedelta(seconds=5), LevelState.REVEALED, NOW)
    assert (revealed.state, revealed.closed_at, revealed.revealed_at) == (
        LevelState.REVEALED,
        NOW - timedelta(seconds=5),
        NOW,
    )
    reopened = transition(settled, NOW - timedelta(seconds=5), LevelState.OPEN, NOW)
    assert (reopened.opened_at, reopened.closed_at) == (NOW, None)


def test_an_expired_level_settles_at_its_deadline() -> None:
    expired = LevelClock(LevelState.OPEN, NOW - timedelta(seconds=100), 60)
    assert transition(expired, None, LevelState.CLOSED, NOW).closed_at == NOW - timedelta(
        seconds=40
    )
    assert transition(expired, None, LevelState.REVEALED, NOW).closed_at == NOW - timedelta(
        seconds=40
    )


@pytest.mark.parametrize(
    ("state", "target", "words"),
    [
        (LevelState.OPEN, LevelState.OPEN, "already open"),
        (LevelState.OPEN, LevelState.REVEALED, "an open level cannot become revealed"),
        (LevelState.DRAFT, LevelState.CLOSED, "a draft level cannot become closed"),
        (LevelState.REVEALED, LevelState.OPEN, "a revealed level cannot become open"),
    ],
)
def test_moves_a_level_does_not_have_are_refused(state, target, words) -> None:
    with pytest.raises(NoSuchMove, match=words):
        transition(LevelClock(state, NOW - timedelta(seconds=5), None), None, target, NOW)


def test_level_passwords_ignore_case_and_spaces() -> None:
    assert password_matches("  Valley ", "valley")
    assert password_matches("use  inertia", "Use Inertia")
    assert not password_matches("valle", "valley")
    assert not password_matches(None, "valley")


def test_a_point_must_lie_in_the_rectangle_of_a_two_parameter_level() -> None:
    clock = LevelClock(LevelState.OPEN, NOW - timedelta(seconds=60), None)
    plane = GuessRules(clock, -10, 10, 10, None, y_min=-4, y_max=4)
    assert check_guess(plane, progress(), 0, NOW, y=4) is None
    assert check_guess(plane, progress(), 0, NOW, y=4.5).code == "y_outside_domain"
    assert check_guess(plane, progress(), 11, NOW, y=4.5).code == "x_outside_domain"
    assert check_guess(rules(), progress(), 0, NOW, y=99) is None  # a curve has no y range
