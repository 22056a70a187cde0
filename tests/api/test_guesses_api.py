"""The JSON API as a phone uses it: refusals with codes, retries, rejoining, isolation."""

from __future__ import annotations

import json
import threading

import pytest

from app.db import lock_for_write
from app.game.settings import LevelSpec
from app.models import Lesson
from app.services.levels import add_level
from tests.support import Demo, ago, browser_like, enter, login_as, set_level


@pytest.fixture
def team1(client, demo: Demo):
    login_as(client, 1)
    enter(client, demo.levels[0].id)
    return client


def guess(client, level_id: int, x, key: str = "api-key-0001"):
    return client.post(f"/api/levels/{level_id}/guesses", json={"x": x, "idempotency_key": key})


def test_a_guess_answers_everything_the_page_needs(team1, demo: Demo) -> None:
    response = guess(team1, demo.levels[0].id, "1.7")
    assert response.status_code == 200
    body = response.json()
    assert body["guess"]["seq"] == 1
    assert body["guess"]["fx"] == pytest.approx(2.5)
    assert body["tangent"] == {"slope": pytest.approx(-0.5), "intercept": pytest.approx(3.35)}
    assert body["guesses_left"] == demo.levels[0].guess_budget - 1
    assert body["next_allowed_at"] and body["server_now"]
    assert body["best"]["x"] == 1.7 and body["replayed"] is False


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"x": "abc", "idempotency_key": "k-00000001"}, 422, "x_not_number"),
        ({"x": "", "idempotency_key": "k-00000001"}, 422, "x_missing"),
        ({"x": None, "idempotency_key": "k-00000001"}, 422, "x_missing"),
        ({"x": "NaN", "idempotency_key": "k-00000001"}, 422, "x_not_number"),
        ({"x": "inf", "idempotency_key": "k-00000001"}, 422, "x_not_number"),
        ({"x": "-inf", "idempotency_key": "k-00000001"}, 422, "x_not_number"),
        ({"x": "1e309", "idempotency_key": "k-00000001"}, 422, "x_not_number"),
        ({"x": 11, "idempotency_key": "k-00000001"}, 422, "x_outside_domain"),
        ({"x": "1"}, 422, "invalid_request"),
        ({"idempotency_key": "k-00000001"}, 422, "x_missing"),
        ({"x": "1", "idempotency_key": "k-00000001", "team": 2}, 422, "invalid_request"),
        ({"x": "1", "idempotency_key": "short"}, 422, "idempotency_key_invalid"),
        ({"x": "1", "idempotency_key": "has spaces in it"}, 422, "idempotency_key_invalid"),
        ({"x": [1], "idempotency_key": "k-00000001"}, 422, "invalid_request"),
    ],
)
def test_bad_guesses_get_a_code_and_a_message_and_change_nothing(
    team1, demo: Demo, payload, status, code
) -> None:
    level_id = demo.levels[0].id
    response = team1.post(f"/api/levels/{level_id}/guesses", json=payload)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert team1.get(f"/api/levels/{level_id}/guesses").json() == {"guesses": []}


def test_json_nan_and_infinity_literals_are_refused(team1, demo: Demo) -> None:
    for literal in ("NaN", "Infinity", "-Infinity", "1e309"):
        response = team1.post(
            f"/api/levels/{demo.levels[0].id}/guesses",
            content=f'{{"x": {literal}, "idempotency_key": "k-00000001"}}',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "x_not_number"


def test_an_oversized_body_is_refused(team1, demo: Demo) -> None:
    body = json.dumps({"x": "1", "idempotency_key": "k-00000001", "pad": "x" * 20_000})
    response = team1.post(
        f"/api/levels/{demo.levels[0].id}/guesses",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_an_oversized_chunked_body_is_refused_as_too_large(team1, demo: Demo) -> None:
    def chunks():
        yield b'{"x": "1", "idempotency_key": "k-00000001", "pad": "'
        for _ in range(40):
            yield b"x" * 1000
        yield b'"}'

    response = team1.post(
        f"/api/levels/{demo.levels[0].id}/guesses",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_a_small_chunked_body_still_works(team1, demo: Demo) -> None:
    def chunks():
        yield b'{"x": "1.5", '
        yield b'"idempotency_key": "chunked-01"}'

    response = team1.post(
        f"/api/levels/{demo.levels[0].id}/guesses",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


def test_cooldown_says_when_and_the_retry_after_it_works(team1, demo: Demo) -> None:
    level_id = demo.levels[0].id
    assert guess(team1, level_id, 1, "key-one-01").status_code == 200
    response = guess(team1, level_id, 2, "key-two-02")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "cooldown" and error["next_allowed_at"]
    assert 9 <= error["seconds"] <= 10


def test_a_retried_submission_returns_the_stored_answer(team1, demo: Demo) -> None:
    level_id = demo.levels[0].id
    first = guess(team1, level_id, "2.5", "retry-key-9").json()
    again = guess(team1, level_id, "2.5", "retry-key-9")
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["guess"] == first["guess"]
    assert len(team1.get(f"/api/levels/{level_id}/guesses").json()["guesses"]) == 1


def test_a_key_reused_with_another_x_is_refused(team1, demo: Demo) -> None:
    level_id = demo.levels[0].id
    assert guess(team1, level_id, "2", "reused-key-1").status_code == 200
    response = guess(team1, level_id, "-9", "reused-key-1")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert len(team1.get(f"/api/levels/{level_id}/guesses").json()["guesses"]) == 1


def test_two_phones_racing_in_one_window_get_one_guess(app, team1, demo: Demo) -> None:
    level_id = demo.levels[0].id
    with browser_like(app) as phone2:
        login_as(phone2, 1)
        barrier = threading.Barrier(2)
        statuses = []

        def send(client, key):
            barrier.wait()
            statuses.append(guess(client, level_id, 1, key).status_code)

        threads = [
            threading.Thread(target=send, args=(c, k))
            for c, k in ((team1, "phone-one-1"), (phone2, "phone-two-2"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [200, 429]


def test_a_team_logging_in_on_another_phone_finds_its_history(app, team1, demo: Demo) -> None:
    level_id = demo.levels[0].id
    guess(team1, level_id, "-3", "history-01")
    with browser_like(app) as other_phone:
        login_as(other_phone, 1)
        state = other_phone.get(f"/api/levels/{level_id}").json()
        assert state["entered"] is True
        assert [g["x"] for g in state["guesses"]] == [-3.0]
        assert state["best"]["x"] == -3.0


def test_no_team_reads_or_acts_as_another(app, team1, demo: Demo) -> None:
    level_id = demo.levels[0].id
    guess(team1, level_id, "4", "isolation-1")
    with browser_like(app) as team2:
        login_as(team2, 2)
        # before entering, team 2 may not look at the open level at all
        refused = team2.get(f"/api/levels/{level_id}/guesses")
        assert refused.json()["error"]["code"] == "level_not_entered"
        state = enter(team2, level_id)
        assert state["entered"] is True and state["guesses"] == []
        assert team2.get(f"/api/levels/{level_id}/guesses").json() == {"guesses": []}
        # a team cannot pick another team by sending its number
        response = team2.post(
            f"/api/levels/{level_id}/guesses",
            json={"x": 1, "idempotency_key": "isolation-2", "team_id": 1},
        )
        assert response.status_code == 422
        standings = team2.get(f"/api/levels/{level_id}/standings").json()
        assert all("x" not in row and "best_x" not in row for row in standings["rows"])
        assert "4.0" not in json.dumps(standings)


def test_levels_of_another_lesson_or_unknown_ones_are_not_found(team1, session, demo: Demo) -> None:
    lock_for_write(session)
    other = Lesson(name="Other class", join_code="OTHER")
    session.add(other)
    session.flush()
    foreign = add_level(
        session,
        lesson_id=other.id,
        spec=LevelSpec(title="Theirs", expression="x^2", x_min=-1, x_max=1),
    )
    foreign.state = "open"
    session.commit()
    for level_id in (foreign.id, 99_999, demo.levels[1].id):  # the last one is a draft
        for method, path in (
            ("get", ""),
            ("get", "/guesses"),
            ("get", "/standings"),
            ("post", "/enter"),
        ):
            kwargs = {"json": {}} if method == "post" else {}
            response = getattr(team1, method)(f"/api/levels/{level_id}{path}", **kwargs)
            assert response.status_code == 404, (level_id, path)
            assert response.json()["error"]["code"] == "level_not_found"
        assert guess(team1, level_id, 0).json()["error"]["code"] == "level_not_found"


def test_an_expired_level_refuses_guesses(team1, session, demo: Demo) -> None:
    level = demo.levels[0]
    set_level(session, level, time_limit_seconds=30, opened_at=ago(31))
    response = guess(team1, level.id, 0)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "level_closed"
    assert team1.get(f"/api/levels/{level.id}").json()["level"]["state"] == "closed"


def test_budget_used_up(team1, session, demo: Demo) -> None:
    level = demo.levels[0]
    set_level(session, level, guess_budget=1, cooldown_seconds=0)
    assert guess(team1, level.id, 0, "budget-01").status_code == 200
    response = guess(team1, level.id, 1, "budget-02")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "budget_used_up"
