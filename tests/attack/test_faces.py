"""The pages and the JSON API give a team the same verdict on a level it has not entered.

For a level in each state a team can meet (a draft, open behind a password, closed,
revealed), every team-facing face is asked by a logged-in team that never entered it: the
play state, its guesses, the reveal, the level's standings and the lesson's list of levels.
The page and the JSON route of each face must agree (shown, refused or not found); a rule
applied by one face only is how the API once answered what the page refused.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.db import lock_for_write, utcnow
from app.game.rules import LevelState, Visibility
from app.game.settings import LevelSpec
from app.models import Level
from app.services.levels import add_level, set_level_state
from tests.support import Demo, login_as

SPEC = LevelSpec(
    title="Behind a password",
    expression="(x - 1)^2 + 2",
    x_min=-5,
    x_max=5,
    password="ridge",
    standings_visibility=Visibility.SHOWN,
)
MOVES = {
    "draft": [],
    "open": [LevelState.OPEN],
    "closed": [LevelState.OPEN, LevelState.CLOSED],
    "revealed": [LevelState.OPEN, LevelState.CLOSED, LevelState.REVEALED],
}


def verdict(response: Response) -> str:
    """What a face told the team: shown, refused (a redirect away or 403) or not found."""
    if response.status_code == 200:
        return "shown"
    if response.status_code in (303, 403, 409):
        return "refused"
    assert response.status_code == 404, (response.status_code, response.text[:300])
    return "not found"


def listed(response: Response, level: Level) -> str:
    """Whether a list of levels (a page or JSON) names the level."""
    assert response.status_code == 200
    if response.headers["content-type"].startswith("application/json"):
        found = any(row["id"] == level.id for row in response.json()["levels"])
    else:
        found = f'data-level="{level.id}"' in response.text
    return "shown" if found else "not found"


def standings_shown(response: Response, level: Level) -> str:
    """Whether the standings page holds the level's table (its title, then a table)."""
    assert response.status_code == 200
    _, title, after = response.text.partition(f"<h2>{level.title}</h2>")
    return "shown" if title and "<table" in after.split("<h2>")[0] else "not found"


def revealed_in(response: Response) -> str:
    """Whether the JSON play state carries the curve (it refuses, like the page, otherwise)."""
    if response.status_code != 200:
        return verdict(response)
    return "shown" if response.json()["reveal"] is not None else "refused"


Face = tuple[str, Callable[[Response, Level], str], str, Callable[[Response, Level], str]]
FACES: dict[str, Face] = {
    "play state": (
        "/levels/{id}/play",
        lambda r, _: verdict(r),
        "/api/levels/{id}",
        lambda r, _: verdict(r),
    ),
    "own guesses": (
        "/levels/{id}/play",
        lambda r, _: verdict(r),
        "/api/levels/{id}/guesses",
        lambda r, _: verdict(r),
    ),
    "reveal": (
        "/levels/{id}/reveal",
        lambda r, _: verdict(r),
        "/api/levels/{id}",
        lambda r, _: revealed_in(r),
    ),
    "level standings": (
        "/standings",
        standings_shown,
        "/api/levels/{id}/standings",
        lambda r, _: verdict(r),
    ),
    "list of levels": ("/team", listed, "/api/levels", listed),
}


@pytest.fixture
def stranger(app, session, demo: Demo) -> tuple[TestClient, Callable[[str], Level]]:
    """Team 1, logged in, and a way to put a new password level of its lesson in a state."""

    def level_in(state: str) -> Level:
        lock_for_write(session)
        level = add_level(session, lesson_id=demo.lesson.id, spec=SPEC)
        session.commit()
        for move in MOVES[state]:
            set_level_state(session, level=level, state=move, now=utcnow())
        return level

    client = TestClient(app, base_url="http://testserver", headers={"Origin": "http://testserver"})
    with client:
        login_as(client, 1)
        yield client, level_in


EXPECTED = {  # state -> face -> verdict, the same for both faces
    "draft": {face: "not found" for face in FACES},
    "open": {
        "play state": "refused",
        "own guesses": "refused",
        "reveal": "refused",
        "level standings": "shown",
        "list of levels": "shown",
    },
    "closed": {face: "shown" for face in FACES} | {"reveal": "refused"},
    "revealed": {face: "shown" for face in FACES},
}


@pytest.mark.parametrize("state", list(MOVES))
def test_a_page_and_its_json_route_agree(stranger, state: str) -> None:
    client, level_in = stranger
    level = level_in(state)
    seen = {}
    for name, (page, page_verdict, api, api_verdict) in FACES.items():
        page_response = client.get(page.format(id=level.id), follow_redirects=False)
        api_response = client.get(api.format(id=level.id))
        seen[name] = (page_verdict(page_response, level), api_verdict(api_response, level))
    assert seen == {name: (want, want) for name, want in EXPECTED[state].items()}
