"""The guess writer: guesses decided in groups, one commit a group, refusals and a broken
guess answered alone, on both engines (a guess whose rows another transaction holds:
tests/api/test_guess_path.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from app import writer as writer_module
from app.db import utcnow
from app.errors import Refused
from app.models import Guess
from app.services import submit as submit_module
from app.services.levels import enter_level
from app.services.submit import Answer, Caller, GuessRequest, decide_and_store, submit_guess
from app.writer import GuessWriter
from tests.support import Demo, set_level

GUESSES = 20


def answers(writer: GuessWriter, requests: list[GuessRequest]) -> list[Answer | BaseException]:
    """Hand every request over at once, as many requests in flight would."""

    async def all_at_once() -> list[Answer | BaseException]:
        return await asyncio.gather(*(writer.submit(r) for r in requests), return_exceptions=True)

    return _in_a_loop(writer, all_at_once)


def one_after_another(
    writer: GuessWriter, requests: list[GuessRequest]
) -> list[Answer | BaseException]:
    """Hand each request over once the one before is answered: a group each, one writer
    thread (and its one kept connection) for them all."""

    async def in_turn() -> list[Answer | BaseException]:
        outcomes: list[Answer | BaseException] = []
        for request in requests:
            try:
                outcomes.append(await writer.submit(request))
            except Exception as error:
                outcomes.append(error)
        return outcomes

    return _in_a_loop(writer, in_turn)


def _in_a_loop(writer: GuessWriter, run) -> list[Answer | BaseException]:
    try:  # an event loop of its own (the browser tests leave one running in this thread)
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: asyncio.run(run())).result()
    finally:
        writer.stop()


def stored(session, level_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Guess).where(Guess.level_id == level_id))


def test_a_group_is_decided_in_one_transaction_and_each_guess_answered(
    database, session, demo: Demo
) -> None:
    level = demo.levels[0]
    set_level(session, level, cooldown_seconds=10)
    teams = list(demo.teams.values())
    for team in teams:
        enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    requests = [
        GuessRequest(Caller.of(teams[i % len(teams)]), level.id, f"group-{i:04d}", float(i % 7))
        for i in range(GUESSES)
    ]
    commits: list[int] = []
    event.listen(database.engine, "commit", lambda _connection: commits.append(1))
    outcomes = answers(GuessWriter(database), requests)

    accepted = [o for o in outcomes if isinstance(o, Answer)]
    refused = [o for o in outcomes if isinstance(o, Refused)]
    # every team's first guess is accepted; its second, within the cooldown, is refused
    assert len(accepted) == len(teams) and len(refused) == GUESSES - len(teams)
    assert {o.code for o in refused} == {"cooldown"}
    assert sorted(a.guess.team_id for a in accepted) == sorted(t.id for t in teams)
    assert all(a.guess.seq == 1 and a.guess.id for a in accepted)
    assert stored(session, level.id) == len(teams)
    assert len(commits) <= GUESSES // 2  # several guesses a commit


def test_a_broken_guess_fails_alone(database, session, demo: Demo, monkeypatch) -> None:
    level = demo.levels[0]
    teams = list(demo.teams.values())[:6]
    for team in teams:
        enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    requests = [GuessRequest(Caller.of(t), level.id, f"fine-key-{t.id:04d}", 1.0) for t in teams]
    requests[2] = GuessRequest(Caller.of(teams[2]), level.id, "broken-key-1", 2.0)

    def breaks_after_writing(connection, request, now, *, wait=True):  # as a full disk would
        answer = decide_and_store(connection, request, now, wait=wait)
        if request.idempotency_key == "broken-key-1":
            raise OSError("the disk is full")
        return answer

    monkeypatch.setattr(writer_module, "decide_and_store", breaks_after_writing)  # a group
    monkeypatch.setattr(submit_module, "decide_and_store", breaks_after_writing)  # a held row's
    outcomes = answers(GuessWriter(database), requests)

    assert isinstance(outcomes[2], OSError)  # a 500 for its client, nothing stored
    assert all(isinstance(outcomes[i], Answer) for i in (0, 1, 3, 4, 5))
    keys = session.scalars(select(Guess.idempotency_key).where(Guess.level_id == level.id))
    assert sorted(keys) == sorted(f"fine-key-{t.id:04d}" for i, t in enumerate(teams) if i != 2)


def test_a_stopped_writer_starts_again_for_the_next_guess(database, session, demo: Demo) -> None:
    level, team = demo.levels[0], demo.teams[1]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    writer = GuessWriter(database)
    first = answers(writer, [GuessRequest(Caller.of(team), level.id, "again-0001", 1.0)])
    set_level(session, level, cooldown_seconds=0)
    second = answers(writer, [GuessRequest(Caller.of(team), level.id, "again-0002", 2.0)])
    assert [a.guess.seq for a in (*first, *second) if isinstance(a, Answer)] == [1, 2]


@pytest.mark.parametrize("key", ["", "x" * 65])
def test_a_bad_key_is_refused_and_stores_nothing(database, session, demo: Demo, key) -> None:
    level, team = demo.levels[0], demo.teams[1]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    (outcome,) = answers(GuessWriter(database), [GuessRequest(Caller.of(team), level.id, key, 1.0)])
    assert isinstance(outcome, Refused) and outcome.code == "idempotency_key_invalid"
    assert stored(session, level.id) == 0


def test_a_refused_group_leaves_the_kept_connection_ready_for_the_next(
    database, session, demo: Demo
) -> None:
    level, team = demo.levels[0], demo.teams[1]
    set_level(session, level, cooldown_seconds=0)
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    session.commit()
    refused, accepted = one_after_another(
        GuessWriter(database),
        [
            GuessRequest(Caller.of(team), level.id, "outside-0001", 1e9),  # outside the domain
            GuessRequest(Caller.of(team), level.id, "inside-00001", 1.0),
        ],
    )
    assert isinstance(refused, Refused) and isinstance(accepted, Answer)
    # the group's lock was given back: this process can write again at once
    later = submit_guess(
        session, team=team, level_id=level.id, raw_x=2.0, idempotency_key="after-00001"
    )
    assert later.guess.seq == 2


def test_a_kept_connection_that_died_is_replaced_and_the_guess_stored(
    database, session, demo: Demo, monkeypatch
) -> None:
    """As after the database restarted while the writer was idle: the guess is decided
    again on a new connection, not answered with an error."""
    level = demo.levels[0]
    teams = list(demo.teams.values())[:2]
    for team in teams:
        enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    session.commit()
    killed: list[str] = []

    def dies_first(connection, request, now, *, wait=True):
        if request.idempotency_key == "dies-key-01" and not killed:
            killed.append(request.idempotency_key)
            connection.connection.dbapi_connection.close()  # the server went away
        return decide_and_store(connection, request, now, wait=wait)

    monkeypatch.setattr(writer_module, "decide_and_store", dies_first)
    first, second = one_after_another(
        GuessWriter(database),
        [
            GuessRequest(Caller.of(teams[0]), level.id, "lives-key-01", 1.0),
            GuessRequest(Caller.of(teams[1]), level.id, "dies-key-01", 2.0),
        ],
    )
    assert killed and isinstance(first, Answer) and isinstance(second, Answer)
    assert stored(session, level.id) == 2
