"""Submitting guesses through the service on a real SQLite file: every rule, races, retries."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import Database, utcnow
from app.errors import Refused
from app.models import Guess, Progress
from app.services.guesses import own_guesses, submit_guess
from app.services.levels import enter_level
from tests.support import Demo, set_level


def count_guesses(session, level_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Guess).where(Guess.level_id == level_id))


def test_an_accepted_guess_answers_f_slope_tangent_budget_and_best(session, demo: Demo) -> None:
    team, level = demo.teams[1], demo.levels[0]
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    answer = submit_guess(
        session, team=team, level_id=level.id, raw_x="1.7", idempotency_key="key-0001", now=now
    )
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
    xs = ["0", "3", "4.4", "5"]  # 3 and 4.4 are equally far from 3.7: the same f
    for i, x in enumerate(xs):
        answer = submit_guess(
            session,
            team=team,
            level_id=level.id,
            raw_x=x,
            idempotency_key=f"key-{i:04d}",
            now=now + timedelta(seconds=i),
        )
    assert answer.best.x == 3.0
    progress = session.get(Progress, (team.id, level.id))
    assert (progress.best_x, progress.guesses_used) == (3.0, 4)
    assert [g.seq for g in own_guesses(session, team=team, level_id=level.id)] == [1, 2, 3, 4]


def test_a_retry_with_the_same_key_spends_nothing(session, demo: Demo) -> None:
    team, level = demo.teams[2], demo.levels[0]
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    first = submit_guess(
        session, team=team, level_id=level.id, raw_x="2", idempotency_key="retry-key-1", now=now
    )
    # the phone lost the answer and sends the very same request a second later
    again = submit_guess(
        session,
        team=team,
        level_id=level.id,
        raw_x="2",
        idempotency_key="retry-key-1",
        now=now + timedelta(seconds=1),
    )
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
    with pytest.raises(Refused) as caught:
        submit_guess(
            session,
            team=team,
            level_id=level.id,
            raw_x=raw_x,
            idempotency_key="bad-x-0001",
            now=utcnow(),
        )
    assert caught.value.code == code
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
    ]
    for values, code in cases:
        set_level(session, level, **values)
        with pytest.raises(Refused) as caught:
            submit_guess(
                session,
                team=team,
                level_id=level.id,
                raw_x="1",
                idempotency_key="state-key-1",
                now=now,
            )
        assert caught.value.code == code
    set_level(session, level, state="draft", time_limit_seconds=None)
    with pytest.raises(Refused) as caught:
        submit_guess(
            session, team=team, level_id=level.id, raw_x="1", idempotency_key="state-key-1", now=now
        )
    assert caught.value.code == "level_not_found"  # a draft is invisible to teams
    assert count_guesses(session, level.id) == 0


def test_a_level_not_entered_and_another_lessons_level_are_refused(session, demo: Demo) -> None:
    team = demo.teams[1]
    with pytest.raises(Refused) as caught:
        submit_guess(
            session,
            team=team,
            level_id=demo.levels[0].id,
            raw_x="1",
            idempotency_key="enter-key-1",
            now=utcnow(),
        )
    assert caught.value.code == "level_not_entered"
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
    submit_guess(
        session, team=team, level_id=level.id, raw_x="0", idempotency_key="cool-0001", now=now
    )
    with pytest.raises(Refused) as caught:
        submit_guess(
            session,
            team=team,
            level_id=level.id,
            raw_x="1",
            idempotency_key="cool-0002",
            now=now + timedelta(seconds=9.9),
        )
    assert caught.value.code == "cooldown"
    assert caught.value.params["next_allowed_at"] == (now + timedelta(seconds=10)).isoformat()
    submit_guess(
        session,
        team=team,
        level_id=level.id,
        raw_x="1",
        idempotency_key="cool-0003",
        now=now + timedelta(seconds=10),
    )
    with pytest.raises(Refused) as caught:
        submit_guess(
            session,
            team=team,
            level_id=level.id,
            raw_x="2",
            idempotency_key="cool-0004",
            now=now + timedelta(seconds=60),
        )
    assert caught.value.code == "budget_used_up"
    assert count_guesses(session, level.id) == 2


def test_f_not_finite_at_x_is_refused(session, demo: Demo) -> None:
    team, level = demo.teams[1], demo.levels[0]
    # f is finite on every sample but not at 0: a level saved by hand in the database
    set_level(session, level, expression="1/x + x^2")
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    with pytest.raises(Refused) as caught:
        submit_guess(
            session,
            team=team,
            level_id=level.id,
            raw_x="0",
            idempotency_key="finite-01",
            now=utcnow(),
        )
    assert caught.value.code == "not_finite_here"
    assert count_guesses(session, level.id) == 0


def test_racing_submissions_in_one_cooldown_window_accept_exactly_one(
    database: Database, session, demo: Demo
) -> None:
    team, level = demo.teams[4], demo.levels[0]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    racers = 8
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []

    def race(i: int) -> None:
        with database.sessions() as own:
            racer_team = own.get(type(team), team.id)
            barrier.wait()
            try:
                submit_guess(
                    own,
                    team=racer_team,
                    level_id=level.id,
                    raw_x=str(i),
                    idempotency_key=f"race-key-{i:03d}",
                    now=utcnow(),
                )
                outcomes.append("accepted")
            except Refused as refusal:
                outcomes.append(refusal.code)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] + ["cooldown"] * (racers - 1)
    session.expire_all()
    assert count_guesses(session, level.id) == 1
    assert session.get(Progress, (team.id, level.id)).guesses_used == 1


def test_racing_retries_of_one_key_store_one_guess(database: Database, session, demo: Demo) -> None:
    team, level = demo.teams[5], demo.levels[0]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    barrier = threading.Barrier(4)
    answers = []

    def retry() -> None:
        with database.sessions() as own:
            barrier.wait()
            answers.append(
                submit_guess(
                    own,
                    team=own.get(type(team), team.id),
                    level_id=level.id,
                    raw_x="1.25",
                    idempotency_key="same-key-123",
                    now=utcnow(),
                )
            )

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({a.guess.id for a in answers}) == 1
    assert sorted(a.replayed for a in answers) == [False, True, True, True]
    session.expire_all()
    assert count_guesses(session, level.id) == 1


def test_own_guesses_never_include_another_teams(session, demo: Demo) -> None:
    level = demo.levels[0]
    now = utcnow()
    for number in (1, 2):
        enter_level(session, team=demo.teams[number], level_id=level.id, password=None, now=now)
        submit_guess(
            session,
            team=demo.teams[number],
            level_id=level.id,
            raw_x=str(number),
            idempotency_key=f"own-key-{number}",
            now=now,
        )
    mine = own_guesses(session, team=demo.teams[1], level_id=level.id)
    assert [(g.team_id, g.x) for g in mine] == [(demo.teams[1].id, 1.0)]
