"""Predictions before the reveal, through the JSON API and the console: the instructor asks
once a level is closed; each team has one vote, changed until the reveal; the projector
counts votes, never what they are; the reveal names the closest algorithm and the teams
that predicted it, who may earn points; every bad vote is refused and changes nothing."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.game.moves import Mode
from app.game.rules import LevelState
from app.models import Lesson, Vote
from app.services.levels import enter_level, reset_level, set_level_state
from app.services.players import level_players
from app.services.predictions import ask_for_predictions
from app.services.projector import announce
from app.services.standings import overall_standings
from app.services.submit import submit_guess
from tests.support import Demo, browser_like, login_as, post, reread, set_level


def play_and_close(session, demo: Demo) -> None:
    """Teams 1 and 2 guess on the demo's first level, which then closes."""
    level, start = demo.levels[0], utcnow() - timedelta(minutes=3)
    for number, xs in {1: [-4.0, 1.0], 2: [6.0]}.items():
        team = demo.teams[number]
        enter_level(session, team=team, level_id=level.id, password=None, now=start)
        for i, x in enumerate(xs):
            at = start + timedelta(seconds=11 * i)
            key = f"predict-{number}-{i:03d}"
            submit_guess(
                session, team=team, level_id=level.id, raw_x=x, idempotency_key=key, now=at
            )
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())


@pytest.fixture
def phones(app, demo: Demo):
    """Teams 1, 2 and 3 logged in on their own phones."""
    with ExitStack() as stack:
        clients = {number: stack.enter_context(browser_like(app)) for number in (1, 2, 3)}
        for number, client in clients.items():
            login_as(client, number)
        yield clients


def votes_in(session) -> list[tuple[int, str]]:
    reread(session)
    return sorted(tuple(row) for row in session.execute(select(Vote.team_id, Vote.choice)))


def predict(phone, level_id: int, choice: object):
    return phone.post(f"/api/levels/{level_id}/prediction", json={"choice": choice})


def test_teams_vote_change_their_vote_and_the_reveal_names_who_was_right(
    session, demo: Demo, phones
) -> None:
    level = demo.levels[0]
    play_and_close(session, demo)
    assert phones[1].get(f"/api/levels/{level.id}/prediction").status_code == 409  # not asked
    ask_for_predictions(session, level=level, ask=True, now=utcnow())
    asked = phones[1].get(f"/api/levels/{level.id}/prediction").json()
    keys = [choice["key"] for choice in asked["choices"]]
    assert {"gradient_descent", "adam", "bayesian"} <= set(keys)
    assert (asked["open"], asked["mine"], asked["votes"], asked["result"]) == (True, None, 0, None)
    gaps = {g.key: g.best.fx - level.f_star for g in level_players(session, level)}
    best = min(gaps, key=gaps.__getitem__)
    worst = max(gaps, key=gaps.__getitem__)
    first = predict(phones[1], level.id, worst).json()
    assert (first["mine"], first["votes"]) == (worst, 1)
    again = predict(phones[1], level.id, best).json()  # a second vote replaces the first
    assert (again["mine"], again["votes"]) == (best, 1)
    predict(phones[2], level.id, worst)
    assert len(votes_in(session)) == 2
    # the projector counts the votes, never what they are
    announce(
        session, lesson_id=demo.lesson.id, level_id=str(level.id), show_password=False, now=utcnow()
    )
    code = demo.lesson.join_code
    room = phones[3].get(f"/projector/{code}/state.json").json()["level"]["prediction"]
    assert (room["votes"], room["teams"], room["mine"], room["result"]) == (
        2,
        len(demo.teams),
        None,
        None,
    )
    state = phones[3].get(f"/api/levels/{level.id}").json()
    assert state["level"]["prediction"] is True
    assert state["prediction"]["votes"] == 2 and state["prediction"]["mine"] is None
    assert "counts" not in (state["prediction"]["result"] or {})
    set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
    shown = phones[1].get(f"/api/levels/{level.id}/prediction").json()
    assert shown["open"] is False and shown["result"]["closest"][0] == best
    assert shown["result"]["right"] == [1] and shown["result"]["counts"] == {best: 1, worst: 1}
    late = predict(phones[3], level.id, best)
    assert (late.status_code, late.json()["error"]["code"]) == (409, "prediction_over")
    page = phones[1].get(f"/levels/{level.id}/reveal").text
    assert 'id="prediction-result"' in page and "Team 1" in page.split('id="prediction-result"')[1]


def test_a_right_prediction_earns_the_levels_points_only_when_it_has_some(
    session, demo: Demo, phones
) -> None:
    level = demo.levels[0]
    play_and_close(session, demo)
    ask_for_predictions(session, level=level, ask=True, now=utcnow())
    gaps = {g.key: g.best.fx - level.f_star for g in level_players(session, level)}
    predict(phones[3], level.id, min(gaps, key=gaps.__getitem__))  # team 3 never guessed
    set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
    ranking, _ = overall_standings(session, lesson_id=demo.lesson.id, now=utcnow())
    without = {row.team_number: row.total for row in ranking}
    assert without[3] == 0
    set_level(session, level, prediction_points=5)
    ranking, _ = overall_standings(session, lesson_id=demo.lesson.id, now=utcnow())
    with_points = {row.team_number: row.total for row in ranking}
    assert with_points[3] == 5 and with_points[1] == without[1]


@pytest.mark.parametrize(
    ("choice", "status", "code"),
    [("newton_raphson", 422, "prediction_choice_unknown"), (None, 422, "invalid_request")],
)
def test_a_vote_for_no_algorithm_of_the_level_is_refused(
    session, demo: Demo, phones, choice, status, code
) -> None:
    level = demo.levels[0]
    play_and_close(session, demo)
    ask_for_predictions(session, level=level, ask=True, now=utcnow())
    refused = predict(phones[1], level.id, choice)
    assert (refused.status_code, refused.json()["error"]["code"]) == (status, code)
    assert votes_in(session) == []


def test_a_vote_before_the_level_closes_or_unasked_or_elsewhere_is_refused(
    app, session, demo: Demo, phones
) -> None:
    level = demo.levels[0]
    early = predict(phones[1], level.id, "adam")  # the level is open
    assert (early.status_code, early.json()["error"]["code"]) == (409, "prediction_not_yet")
    play_and_close(session, demo)
    unasked = predict(phones[1], level.id, "adam")
    assert (unasked.status_code, unasked.json()["error"]["code"]) == (409, "prediction_not_asked")
    draft = predict(phones[1], demo.levels[2].id, "adam")
    assert draft.status_code == 404
    other = session.scalars(select(Lesson).where(Lesson.id != demo.lesson.id)).first()
    assert other is None or predict(phones[1], other.levels[0].id, "adam").status_code == 404
    no_team = browser_like(app)
    assert predict(no_team, level.id, "adam").status_code in (401, 403)
    assert votes_in(session) == []


def test_the_console_asks_and_stops_and_a_reset_forgets_the_votes(
    desk, session, demo: Demo, phones
) -> None:
    level = demo.levels[0]
    play_and_close(session, demo)
    lesson_page = desk.get(f"/instructor/lessons/{demo.lesson.id}").text
    assert f'action="/instructor/levels/{level.id}/prediction"' in lesson_page
    asked = post(desk, f"/instructor/levels/{level.id}/prediction", ask="1")
    assert asked.status_code == 303
    assert predict(phones[1], level.id, "gradient_descent").status_code == 200
    post(desk, f"/instructor/levels/{level.id}/prediction", ask="0")
    stopped = predict(phones[1], level.id, "adam")
    assert stopped.json()["error"]["code"] == "prediction_not_asked"
    assert votes_in(session) == [(demo.teams[1].id, "gradient_descent")]  # kept, unchanged
    bad = post(desk, f"/instructor/levels/{level.id}/prediction", ask="maybe")
    assert bad.status_code == 422
    set_level(session, level, mode=Mode.LEARNING_RATE.value, start_x=0.0)
    one = post(desk, f"/instructor/levels/{level.id}/prediction", ask="1")
    assert 'data-code="prediction_one_player"' in one.text
    reset_level(session, level_id=level.id)
    reread(session)
    assert session.scalar(select(func.count()).select_from(Vote)) == 0
