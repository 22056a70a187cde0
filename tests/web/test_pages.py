"""The team's pages through the test client: login, levels, play, standings, assets."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from plotly.offline import get_plotlyjs_version

from app.db import utcnow
from app.game.rules import LevelState
from app.services.lessons import create_lesson
from app.services.levels import set_level_state
from app.web.templating import STATIC_DIR
from tests.support import Demo, csrf_of

PLOTLY = f"vendor/plotly/plotly-cartesian-{get_plotlyjs_version()}.min.js"


def form_login(client, number: str, pin: str, code: str = "DEMO"):
    token = csrf_of(client)
    return client.post(
        "/login",
        data={"csrf_token": token, "join_code": code, "team_number": number, "pin": pin},
        follow_redirects=False,
    )


def test_the_join_page_names_a_lesson_only_to_who_has_its_code(client, session) -> None:
    create_lesson(session, name="Secret seminar", now=utcnow())
    page = client.get("/").text
    assert "Downhill demo" not in page and "Secret seminar" not in page and "<option" not in page
    linked = client.get("/j/demo")
    assert linked.status_code == 200 and 'name="join_code" value="demo"' in linked.text
    assert "<strong>Downhill demo</strong>" in linked.text and "Secret seminar" not in linked.text
    assert "<strong>Downhill demo</strong>" in client.get("/?code=demo").text
    unknown = client.get("/j/UNKNOWN")
    assert unknown.status_code == 404 and 'data-code="lesson_not_found"' in unknown.text
    assert 'value="UNKNOWN"' in unknown.text and "Downhill demo" not in unknown.text


def test_a_wrong_pin_shows_the_page_again_keeping_what_was_typed(client, demo: Demo) -> None:
    response = form_login(client, "4", "WRONG9")
    assert response.status_code == 401
    assert 'data-code="login_failed"' in response.text
    assert 'value="4"' in response.text and "WRONG9" not in response.text
    response = form_login(client, "4", demo.pin(4), code="NOPE")
    assert response.status_code == 404 and 'data-code="lesson_not_found"' in response.text


def test_login_enter_play_and_log_out(client, demo: Demo) -> None:
    response = form_login(client, "1", demo.pin(1).lower())
    assert response.status_code == 303 and response.headers["location"] == "/team"
    team_page = client.get("/team").text
    assert "Function 1" in team_page and "Function 2" not in team_page  # drafts are invisible
    token = csrf_of(client)
    level_id = demo.levels[0].id
    assert (
        client.get(f"/levels/{level_id}/play", follow_redirects=False).headers["location"]
        == "/team"
    )  # not entered yet
    entered = client.post(
        f"/levels/{level_id}/enter", data={"csrf_token": token}, follow_redirects=False
    )
    assert entered.headers["location"] == f"/levels/{level_id}/play"
    play = client.get(f"/levels/{level_id}/play").text
    state = json.loads(re.search(r'id="play-state">(.*?)</script>', play, re.S).group(1))
    assert state["level"]["x_min"] == -10 and state["guesses"] == []
    assert state["reveal"] is None
    assert f"/static/{PLOTLY}?v=" in play
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/team", follow_redirects=False).headers["location"] == "/"


def test_a_wrong_level_password_says_so_next_to_the_level(client, session, demo: Demo) -> None:
    set_level_state(session, level=demo.levels[1], state=LevelState.OPEN, now=utcnow())
    form_login(client, "2", demo.pin(2))
    token = csrf_of(client)
    response = client.post(
        f"/levels/{demo.levels[1].id}/enter", data={"csrf_token": token, "password": "mountain"}
    )
    assert response.status_code == 403
    assert 'data-code="password_wrong"' in response.text
    response = client.post(
        f"/levels/{demo.levels[1].id}/enter",
        data={"csrf_token": token, "password": "VALLEY"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_the_standings_page_writes_the_points_rule(client, demo: Demo) -> None:
    form_login(client, "1", demo.pin(1))
    page = client.get("/standings").text
    assert "100 × (median of f − your best f(x))" in page
    assert "Function 1" in page


def test_unknown_pages_get_a_translated_404(client) -> None:
    response = client.get("/no/such/page", headers={"Accept-Language": "zh-TW"})
    assert response.status_code == 404 and "這個網址沒有內容" in response.text
    assert client.get("/api/nothing").json()["error"]["code"] == "not_found"


def test_plotly_is_the_version_python_plotly_ships_vendored_with_licence_and_gzip() -> None:
    bundle = STATIC_DIR / PLOTLY
    assert bundle.exists(), "vendor the plotly.js-cartesian-dist-min of this plotly.js version"
    assert f"v{get_plotlyjs_version()}" in bundle.read_text()[:200]
    assert (STATIC_DIR / "vendor/plotly/LICENSE").exists()
    assert gzip.decompress((STATIC_DIR / f"{PLOTLY}.gz").read_bytes()) == bundle.read_bytes()


def test_static_assets_are_compressed_and_cached_for_good(client) -> None:
    response = client.get(f"/static/{PLOTLY}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "immutable" in response.headers["cache-control"]
    assert int(response.headers["content-length"]) < 600_000
    plain = client.get("/static/js/play.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert "immutable" in plain.headers["cache-control"]


def test_pages_load_nothing_from_another_site(client, demo: Demo) -> None:
    form_login(client, "1", demo.pin(1))
    for path in ("/", "/team", "/standings"):
        assert not re.search(r'(src|href)="(https?:)?//', client.get(path).text)


def test_the_join_link_keeps_a_logged_in_team_in(client, demo: Demo) -> None:
    form_login(client, "6", demo.pin(6))
    assert client.get("/j/demo", follow_redirects=False).headers["location"] == "/team"
    other = client.get("/j/OTHER")
    assert other.status_code == 404 and 'value="OTHER"' in other.text
    levels = client.get("/team", follow_redirects=False)
    assert levels.status_code == 200  # still logged in
    assert levels.headers["cache-control"] == "no-store"  # the back button never shows it stale
    assert "/fresh.js" in levels.text


def test_a_settled_level_can_be_looked_at_without_entering_it(client, session, demo: Demo) -> None:
    form_login(client, "7", demo.pin(7))
    level = demo.levels[0]
    assert client.get(f"/levels/{level.id}/play", follow_redirects=False).status_code == 303
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
    page = client.get(f"/levels/{level.id}/play")
    assert (
        page.status_code == 200 and 'id="guess-form" class="guess" novalidate hidden' in page.text
    )
    assert "Your team made no guess on this level." in page.text


def test_the_api_docs_are_served_from_the_project(client) -> None:
    docs = client.get("/api/docs")
    assert (
        docs.status_code == 200 and "script-src 'self'" in docs.headers["content-security-policy"]
    )
    assert "/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text and "/api-docs.js" in docs.text
    assert not re.search(r'(src|href)="(https?:)?//', docs.text)  # nothing from elsewhere
    assert "<script>" not in docs.text  # no inline script: the policy would refuse it
    assert client.get("/api/openapi.json").json()["paths"]["/api/levels/{level_id}/guesses"]
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):  # the gzipped copies match
        vendored = STATIC_DIR / "vendor" / "swagger-ui" / name
        assert gzip.decompress(Path(f"{vendored}.gz").read_bytes()) == vendored.read_bytes()
