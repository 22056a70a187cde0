"""Submitting guesses through the service on a real SQLite file: every rule, races, retries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.db import Database, utcnow
from app.errors import Refused
from app.models import Guess, Level, Progress, Team
from app.services.guesses import own_guesses
from app.services.levels import enter_level
from app.services.submit import Answer, submit_guess
from tests.support import Demo, run_together, set_level


def guess(
    session, team: Team, level: Level, x: str, key: str, now: datetime | None = None
) -> Answer:
    return submit_guess(
        session, team=team, level_id=level.id, raw_x=x, idempotency_key=key, now=now or utcnow()
    )


def refusal(
    session, team: Team, level: Level, x: str, key: str = "refused-1", now: datetime | None = None
) -> Refused:
    with pytest.raises(Refused) as caught:
        guess(session, team, level, x, key, now)
    return caught.value


def count_guesses(session, level_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Guess).where(Guess.level_id == level_id))


def test_an_accepted_guess_answers_f_slope_tangent_budget_and_best(session, demo: Demo) -> None:
    team, level = demo.teams[1], demo.levels[0]
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    answer = guess(session, team, level, "1.7", "key-0001", now)
    # Function 1 is (x - 3.7)^2 / 8 + 2
    assert answer.guess.fx == pytest.approx(0.125 * 4 + 2)
    assert answer.guess.slope == pytest.approx(0.25 * -2)
    assert answer.guess.seq == 1
    assert answer.guesses_left == level.guess_budget - 1
    assert answer.next_allowed_at == now + timedelta(seconds=10)
    assert answer.best.id == answer.guess.id
    assert not answer.replayed


def test_the_best_is_the_lowest_f_reached_first(session, demo: Demo) -> None:
    team, level = demo.teams[1], demo.levels[0]
    set_level(session, level, cooldown_seconds=0)
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    for i, x in enumerate(["0", "3", "4.4", "5"]):  # 3 and 4.4 are as far from 3.7: same f
        answer = guess(session, team, level, x, f"key-{i:04d}", now + timedelta(seconds=i))
    assert answer.best.x == 3.0
    progress = session.get(Progress, (team.id, level.id))
    assert (progress.best_x, progress.guesses_used) == (3.0, 4)
    assert [g.seq for g in own_guesses(session, team=team, level_id=level.id, now=utcnow())] == [
        1,
        2,
        3,
        4,
    ]
    # each guess that lowered the best is marked (the projector's race reads those alone)
    assert improved_marks(session, team, level) == [True, True, False, False]


def improved_marks(session, team: Team, level: Level) -> list[bool]:
    """Which of the team's guesses on the level lowered its best, in order."""
    mine = (Guess.team_id == team.id, Guess.level_id == level.id)
    return list(session.scalars(select(Guess.improved).where(*mine).order_by(Guess.seq)))


def test_a_retry_with_the_same_key_spends_nothing(session, demo: Demo) -> None:
    team, level = demo.teams[2], demo.levels[0]
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    first = guess(session, team, level, "2", "retry-key-1", now)
    # the phone lost the answer and sends the very same request a second later
    again = guess(session, team, level, "2", "retry-key-1", now + timedelta(seconds=1))
    assert again.replayed
    assert again.guess.id == first.guess.id
    assert again.guesses_left == first.guesses_left
    assert count_guesses(session, level.id) == 1


@pytest.mark.parametrize(
    ("raw_x", "code"),
    [
        ("abc", "x_not_number"),
        ("", "x_missing"),
        ("NaN", "x_not_number"),
        ("inf", "x_not_number"),
        ("-inf", "x_not_number"),
        ("1e309", "x_not_number"),
        ("10.5", "x_outside_domain"),
        ("-11", "x_outside_domain"),
    ],
)
def test_bad_x_is_refused_and_changes_nothing(session, demo: Demo, raw_x: str, code: str) -> None:
    team, level = demo.teams[1], demo.levels[0]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    assert refusal(session, team, level, raw_x).code == code
    assert count_guesses(session, level.id) == 0
    assert session.get(Progress, (team.id, level.id)).guesses_used == 0


def test_guesses_in_draft_closed_and_expired_levels_are_refused(session, demo: Demo) -> None:
    team, level = demo.teams[1], demo.levels[0]
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    cases = [
        ({"state": "closed"}, "level_closed"),
        ({"state": "revealed"}, "level_closed"),
        (
            {"state": "open", "time_limit_seconds": 60, "opened_at": now - timedelta(seconds=61)},
            "level_closed",
        ),
        ({"state": "draft", "time_limit_seconds": None}, "level_not_found"),  # invisible
    ]
    for values, code in cases:
        set_level(session, level, **values)
        assert refusal(session, team, level, "1", now=now).code == code
    assert count_guesses(session, level.id) == 0


def test_a_level_not_entered_and_another_lessons_level_are_refused(session, demo: Demo) -> None:
    team = demo.teams[1]
    assert refusal(session, team, demo.levels[0], "1").code == "level_not_entered"
    with pytest.raises(Refused) as caught:
        submit_guess(
            session,
            team=team,
            level_id=99_999,
            raw_x="1",
            idempotency_key="enter-key-1",
            now=utcnow(),
        )
    assert caught.value.code == "level_not_found"


def test_cooldown_and_budget(session, demo: Demo) -> None:
    team, level = demo.teams[3], demo.levels[0]
    set_level(session, level, guess_budget=2)
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    guess(session, team, level, "0", "cool-0001", now)
    early = refusal(session, team, level, "1", "cool-0002", now + timedelta(seconds=9.9))
    assert early.code == "cooldown"
    assert early.params["next_allowed_at"] == (now + timedelta(seconds=10)).isoformat()
    guess(session, team, level, "1", "cool-0003", now + timedelta(seconds=10))
    spent = refusal(session, team, level, "2", "cool-0004", now + timedelta(seconds=60))
    assert spent.code == "budget_used_up"
    assert count_guesses(session, level.id) == 2


def test_f_not_finite_at_x_is_refused(session, demo: Demo) -> None:
    team, level = demo.teams[1], demo.levels[0]
    # f is finite on every sample but not at 0: a level saved by hand in the database
    set_level(session, level, expression="1/x + x^2")
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    assert refusal(session, team, level, "0").code == "not_finite_here"
    assert count_guesses(session, level.id) == 0


def test_racing_submissions_in_one_cooldown_window_accept_exactly_one(
    database: Database, session, demo: Demo
) -> None:
    team, level = demo.teams[4], demo.levels[0]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    outcomes: list[str] = []

    def submit(i: int) -> None:
        with database.sessions() as own:
            try:
                guess(own, own.get(Team, team.id), level, str(i), f"race-key-{i:03d}")
                outcomes.append("accepted")
            except Refused as refused:
                outcomes.append(refused.code)

    run_together(8, submit)
    assert sorted(outcomes) == ["accepted"] + ["cooldown"] * 7
    session.expire_all()
    assert count_guesses(session, level.id) == 1
    assert session.get(Progress, (team.id, level.id)).guesses_used == 1


def test_racing_retries_of_one_key_store_one_guess(database: Database, session, demo: Demo) -> None:
    team, level = demo.teams[5], demo.levels[0]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    answers: list[Answer] = []

    def retry(_: int) -> None:
        with database.sessions() as own:
            answers.append(guess(own, own.get(Team, team.id), level, "1.25", "same-key-123"))

    run_together(4, retry)
    assert len({a.guess.id for a in answers}) == 1
    assert sorted(a.replayed for a in answers) == [False, True, True, True]
    session.expire_all()
    assert count_guesses(session, level.id) == 1


def test_own_guesses_never_include_another_teams(session, demo: Demo) -> None:
    level = demo.levels[0]
    now = utcnow()
    for number in (1, 2):
        enter_level(session, team=demo.teams[number], level_id=level.id, password=None, now=now)
        guess(session, demo.teams[number], level, str(number), f"own-key-{number}", now)
    mine = own_guesses(session, team=demo.teams[1], level_id=level.id, now=utcnow())
    assert [(g.team_id, g.x) for g in mine] == [(demo.teams[1].id, 1.0)]
