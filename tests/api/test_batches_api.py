"""A choice of batch size on a noisy level, through the JSON API: a batch of b examples
gives a slope whose noise is σ/√b and makes the team wait b cooldowns; a retry must
repeat the batch; a batch out of bounds, or on a level that offers none, is refused and
changes nothing; the reveal keeps each team's batches beside its path."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.game.noise import slope_noise
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import Guess, Level
from app.services.levels import set_level_state
from app.services.reveal import reveal_view
from tests.support import Demo, browser_like, enter, login_as, open_level, reread

NOISE = 2.0
COOLDOWN = 3


def batch_level(session, demo: Demo, batch_max: int | None = 16) -> Level:
    spec = LevelSpec(
        title="Mini-batches",
        expression="(x - 1)^2",
        x_min=-5,
        x_max=5,
        cooldown_seconds=COOLDOWN,
        slope_noise=NOISE,
        batch_max=batch_max,
    )
    return open_level(session, demo.lesson.id, spec)


@pytest.fixture
def team1(app, demo: Demo):
    with browser_like(app) as client:
        login_as(client, 1)
        yield client


def send(client, level: Level, key: str, **choice):
    return client.post(f"/api/levels/{level.id}/guesses", json={**choice, "idempotency_key": key})


def guesses_in(session) -> int:
    reread(session)
    return session.scalar(select(func.count()).select_from(Guess))


def test_a_bigger_batch_is_less_noisy_and_waits_longer(session, demo: Demo, team1) -> None:
    level = batch_level(session, demo)
    enter(team1, level.id)
    assert team1.get(f"/api/levels/{level.id}").json()["level"]["batch_max"] == 16
    first = send(team1, level, "batch-0001", x=3, batch=16)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["guess"]["batch"] == 16
    noise = slope_noise(level.noise_seed or "", demo.teams[1].id, 1, NOISE / 4)  # σ/√16
    assert body["guess"]["slope"] == pytest.approx(2 * (3 - 1) + noise)
    waited = datetime.fromisoformat(body["next_allowed_at"]) - datetime.fromisoformat(
        body["guess"]["at"]
    )
    assert waited.total_seconds() == pytest.approx(16 * COOLDOWN)
    early = send(team1, level, "batch-0002", x=2, batch=1)
    assert (early.status_code, early.json()["error"]["code"]) == (429, "cooldown")
    # a retry repeats its batch: the same x on another batch is another guess
    again = send(team1, level, "batch-0001", x=3, batch=16)
    assert again.status_code == 200 and again.json()["guess"]["seq"] == 1
    other = send(team1, level, "batch-0001", x=3, batch=4)
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    state = team1.get(f"/api/levels/{level.id}").json()
    assert state["next_allowed_at"] == body["next_allowed_at"]
    assert state["guesses"][0]["batch"] == 16
    assert guesses_in(session) == 1


@pytest.mark.parametrize(
    ("batch", "code"),
    [
        (0, "batch_outside"),
        (17, "batch_outside"),
        ("many", "batch_outside"),
        ("1.5", "batch_outside"),
        (True, "batch_outside"),
        (1.5, "invalid_request"),  # not even text or a whole number: the request's shape
    ],
)
def test_a_batch_out_of_bounds_is_refused(session, demo: Demo, team1, batch, code) -> None:
    level = batch_level(session, demo)
    enter(team1, level.id)
    refused = send(team1, level, "batch-bad-1", x=1, batch=batch)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, code)
    assert code == "invalid_request" or "16" in refused.json()["error"]["message"]
    assert guesses_in(session) == 0


def test_a_level_without_a_choice_of_batch_refuses_one(session, demo: Demo, team1) -> None:
    level = batch_level(session, demo, batch_max=None)
    enter(team1, level.id)
    refused = send(team1, level, "batch-none-1", x=1, batch=2)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "batch_not_here")
    plain = send(team1, level, "batch-none-2", x=1)
    assert plain.status_code == 200 and plain.json()["guess"]["batch"] is None
    waited = datetime.fromisoformat(plain.json()["next_allowed_at"]) - datetime.fromisoformat(
        plain.json()["guess"]["at"]
    )
    assert waited.total_seconds() == pytest.approx(COOLDOWN)


def test_the_reveal_keeps_each_teams_batches_beside_its_path(session, demo: Demo, team1) -> None:
    level = batch_level(session, demo)
    enter(team1, level.id)
    assert send(team1, level, "batch-path-1", x=3, batch=4).status_code == 200
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
    set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
    view = reveal_view(session, level=level, now=utcnow())
    assert view is not None
    batches = {team.number: team.batches for team in view.teams}
    assert batches[1] == [4] and batches[2] == []
