"""What must never happen, through the routes a team can reach."""

from __future__ import annotations

import json
import re

import pytest

from app.db import utcnow
from app.game.expression import compile_function
from app.game.interval import curve
from app.game.rules import LevelState
from app.main import SESSION_COOKIE
from app.models import Level
from app.services.levels import set_level_state
from tests.support import BASE_URL, Demo, browser_like, enter, login_as, set_level


def test_unsafe_requests_from_another_site_are_refused(app, demo: Demo) -> None:
    with browser_like(app) as client:
        token = login_as(client, 1)
        level_id = demo.levels[0].id
        for origin in ("http://evil.example", "null"):
            response = client.post(
                f"/api/levels/{level_id}/enter", json={}, headers={"Origin": origin}
            )
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "csrf_failed"
        # no Origin, but a Referer of this site, is a same-site form post
        del client.headers["Origin"]
        response = client.post(
            f"/api/levels/{level_id}/enter",
            json={},
            headers={"Referer": f"{BASE_URL}/team", "X-CSRF-Token": token},
        )
        assert response.status_code == 200
        # neither Origin nor Referer: refused
        response = client.post(f"/api/levels/{level_id}/enter", json={})
        assert response.status_code == 403


def test_unsafe_requests_without_the_session_token_are_refused(app, demo: Demo) -> None:
    with browser_like(app) as client:
        login_as(client, 1)
        level_id = demo.levels[0].id
        for token in (None, "wrong-token"):
            headers = {"X-CSRF-Token": token} if token else {}
            if token is None:
                del client.headers["X-CSRF-Token"]
            response = client.post(f"/api/levels/{level_id}/enter", json={}, headers=headers)
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "csrf_failed"
        page_form = client.post("/logout", data={"csrf_token": "forged"})
        assert page_form.status_code == 403


def test_session_cookie_is_httponly_and_samesite(client) -> None:
    cookie = client.get("/api/csrf").headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_sixty_logins_from_one_address_are_not_throttled(app, demo: Demo) -> None:
    # the whole class is behind one NAT address: only a team's own wrong PINs lock it
    with browser_like(app) as client:
        token = client.get("/api/csrf").json()["csrf_token"]
        for attempt in range(6):
            client.post(
                "/api/session",
                json={"join_code": "DEMO", "team_number": 1, "pin": f"WRONG{attempt}"},
                headers={"X-CSRF-Token": token},
            )
        locked = client.post(
            "/api/session",
            json={"join_code": "DEMO", "team_number": 1, "pin": demo.pin(1)},
            headers={"X-CSRF-Token": token},
        )
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "too_many_attempts"
        assert int(locked.headers["Retry-After"]) > 0
        for login in range(60):
            number = 2 + login % 9
            response = client.post(
                "/api/session",
                json={"join_code": "DEMO", "team_number": number, "pin": demo.pin(number)},
                headers={"X-CSRF-Token": token},
            )
            assert response.status_code == 200, response.text
            token = response.json()["csrf_token"]


def test_team_routes_need_a_login(client, demo: Demo) -> None:
    level_id = demo.levels[0].id
    for path in (
        "/api/levels",
        f"/api/levels/{level_id}",
        f"/api/levels/{level_id}/guesses",
        f"/api/levels/{level_id}/standings",
        "/api/standings",
    ):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_logged_in"
    for path in ("/team", f"/levels/{level_id}/play", "/standings"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/"


def secrets_of(level: Level) -> list[str]:
    """Strings that would tell a team more about f than its own guesses."""
    fn = compile_function(level.expression)
    found = [level.expression, repr(level.x_star), repr(level.f_star), repr(level.f_median)]
    found += [repr(p.fx) for p in curve(fn, level.x_min, level.x_max)[1:-1:7]]
    return found


def mentions(text: str, secret: str) -> bool:
    """Whether ``text`` holds ``secret``; a number only as a whole number, so that f* = 2.0
    is not found in a timestamp's 16:47:42.022."""
    return re.search(rf"(?<![\w.]){re.escape(secret)}(?![\w])", text) is not None


def crawl_team_routes(client, level_ids: list[int]) -> str:
    """Every page, API answer and script a team can fetch, headers included, as one text."""
    seen = []
    paths = ["/", "/team", "/standings", "/api/levels", "/api/standings"]
    for level_id in level_ids:
        paths += [
            f"/levels/{level_id}/play",
            f"/api/levels/{level_id}",
            f"/api/levels/{level_id}/guesses",
            f"/api/levels/{level_id}/standings",
        ]
    for path in paths:
        response = client.get(path)
        seen.append(json.dumps(dict(response.headers)))
        seen.append(response.text)
        for asset in re.findall(r'src="(/static/[^"]+)"', response.text):
            if "vendor" not in asset:
                seen.append(client.get(asset).text)
    return "\n".join(seen)


@pytest.mark.parametrize("state", ["draft", "open", "closed"])
def test_nothing_about_f_reaches_a_team_before_the_reveal(
    app, session, demo: Demo, state: str
) -> None:
    level = demo.levels[0]
    with browser_like(app) as team1, browser_like(app) as team2:
        login_as(team1, 1)
        login_as(team2, 2)
        enter(team1, level.id)
        enter(team2, level.id)
        team2.post(
            f"/api/levels/{level.id}/guesses",
            json={"x": "-7.123", "idempotency_key": "other-team-1"},
        )
        set_level(session, level, state=state)
        text = crawl_team_routes(team1, [lv.id for lv in demo.levels])
        overall = team1.get("/api/standings").json()
    for secret in secrets_of(level) + ["-7.123", "(x - 3.7)"]:
        assert not mentions(text, secret), secret
    # points of a level not yet revealed would give its minimum and median away
    assert overall["levels"] == [] and all(row["total"] == 0 for row in overall["rows"])
    if state == "draft":
        assert level.title not in text


def test_the_reveal_sends_the_curve_and_the_minimum(app, session, demo: Demo) -> None:
    level = demo.levels[0]
    with browser_like(app) as team1:
        login_as(team1, 1)
        enter(team1, level.id)
        set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
        assert team1.get(f"/api/levels/{level.id}").json()["reveal"] is None
        set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
        reveal = team1.get(f"/api/levels/{level.id}").json()["reveal"]
        # and the reveal of one level shows nothing of the others, which are still drafts
        text = crawl_team_routes(team1, [lv.id for lv in demo.levels])
    assert reveal["expression"] == level.expression
    assert reveal["x_star"] == pytest.approx(3.7)
    assert len(reveal["curve"]) > 100
    for other in demo.levels[1:]:
        assert other.expression not in text and other.title not in text
