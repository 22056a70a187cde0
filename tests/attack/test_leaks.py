"""No leak of the hidden function before the reveal: every route a team or the projector can
reach — every GET route of the app with every id it could be given, every link, script and
stylesheet on the way, the projector's page, JSON and first stream event, the refusals of
the unsafe requests a team can send — fetched by three teams and by nobody, in every state a
level goes through, and searched for the function's text, its constants, its minimum, its
median, its curve and its slope. After the reveal the same search must find them (so the
search is known to work)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sympy

from app.game.expression import compile_function, parse_expression
from app.game.interval import curve
from app.models import Level
from app.web.templating import STATIC_DIR
from tests.attack.classroom import Classroom, enter, guess, make_classroom, move, phone
from tests.attack.crawl import Visit, crawl, fetch, found_in, get_routes
from tests.support import Demo, ago, browser_like, csrf_of, post, set_level

# A function whose constants no page could show by chance: finding one is a leak.
FUNCTION = "(x - 2.71828)^2/7.3125 + 1.41421"
CONSTANTS = ["2.71828", "2.718", "7.3125", "7.312", "1.41421", "1.414"]
# A level revealed first (its reveal pages, points and ghosts are crawled too); its numbers
# all lie in [0, 1), so they cannot contain the constants above.
DECOY = {"title": "Warm-up bowl", "expression": "0.5*(x - 0.25)^2 + 0.125"}
DECOY |= {"x_min": "0", "x_max": "1"}
PASSWORD = "ridge42"
A_XS = ["-3.5", "6.25"]  # what team 1 types on the secret level: for nobody else's eyes

STATES = {
    "draft": {},
    "open": {},
    "open, standings hidden": {"standings_visibility": "hidden"},
    "open, standings frozen": {
        "standings_visibility": "frozen",
        "time_limit_seconds": "600",
        "freeze_seconds": "300",
    },
    "closed by its time limit": {"time_limit_seconds": "60"},
    "closed": {},
    "reopened": {},
    "revealed": {},
}


def function_secrets(level: Level) -> list[str]:
    """Everything that tells more about f than a team's own guesses."""
    parsed = parse_expression(level.expression).sympy_expr
    slope = sympy.diff(parsed, *parsed.free_symbols)
    found = [level.expression, *CONSTANTS, str(parsed), str(slope)]
    for value in (level.x_star, level.f_star, level.f_median):
        found += [repr(value), f"{value:.6g}", f"{value:.4g}"]
    points = curve(compile_function(level.expression), level.x_min, level.x_max)
    found += [repr(p.fx) for p in points[1:-1:6]] + [repr(p.slope) for p in points[2:-1:12]]
    return sorted(set(found))


def shown_forms(value: float) -> list[str]:
    """How a number of a guess is written on pages and in JSON."""
    return [repr(value), f"{value:.6g}", f"{value:.4g}"]


@dataclass
class Scene:
    room: Classroom
    secret: Level
    own: list[str]  # team 1's guesses as written: x, slope, intercept, f(x) that was no best
    best: list[str]  # team 1's bests f(x) as they came: in the standings when they are shown


def stage(app, desk, session, state: str) -> Scene:
    """A lesson whose second level is in ``state``: team 1 entered it and guessed twice, team
    2 entered it, team 3 did not; the first level was played and revealed before."""
    secret_fields = {"title": "Hidden valley", "expression": FUNCTION, "password": PASSWORD}
    room = make_classroom(
        desk, session, "Leak hunt", [DECOY, secret_fields | STATES[state]], teams=3
    )
    decoy, secret = room.levels
    move(desk, decoy, "open")
    with phone(app, room, 1) as a, phone(app, room, 2) as b:
        enter(a, decoy)
        enter(b, decoy)
        guess(a, decoy, "0.75", "decoy-team-1")
        guess(b, decoy, "0.375", "decoy-team-2")
    move(desk, decoy, "close", "reveal")
    own: list[str] = []
    best: list[str] = []
    if state != "draft":
        move(desk, secret, "open")
        announce = f"/instructor/lessons/{room.lesson.id}/announce"
        shown = post(desk, announce, level_id=str(secret.id), show_password="1")
        assert shown.status_code == 303
        with phone(app, room, 1) as a, phone(app, room, 2) as b:
            enter(a, secret, PASSWORD)
            enter(b, secret, PASSWORD)
            answers = [guess(a, secret, x, f"secret-team-1-{i}") for i, x in enumerate(A_XS)]
        for answer in answers:
            g = answer["guess"]
            own += [*shown_forms(g["x"]), *shown_forms(g["slope"]), *shown_forms(g["intercept"])]
            if g["fx"] == answer["best"]["fx"]:  # a new best: on the standings from then on
                best += shown_forms(g["fx"])  # (and in the projector's race of the bests)
            else:
                own += shown_forms(g["fx"])
        if state == "open, standings frozen":  # frozen since 100 s: the guesses came after
            set_level(session, secret, opened_at=ago(400))
        if state == "closed by its time limit":
            set_level(session, secret, opened_at=ago(120))
        moves = {"closed": ["close"], "reopened": ["close", "open"], "revealed": ["close"]}
        move(desk, secret, *moves.get(state, []), *(["reveal"] if state == "revealed" else []))
    scene = Scene(room, secret, own, best)
    # the test is only meaningful if what team 1 may see does not contain the secrets
    for secret_text in function_secrets(secret):
        assert not any(secret_text in legit for legit in own + best), secret_text
    return scene


def seeds(app, room: Classroom, demo: Demo) -> list[str]:
    """Every GET route, with the ids of this lesson, of another lesson and of nothing."""
    level_ids = [str(level.id) for level in room.levels] + [str(demo.levels[0].id), "999999"]
    values = {
        "level_id": level_ids,
        "lesson_id": [str(room.lesson.id), str(demo.lesson.id)],
        "team_id": [str(i) for i in room.team_ids.values()],
        "join_code": [room.join_code, room.join_code.lower(), demo.lesson.join_code],
        "locale": ["en", "zh_TW", "zh_CN"],
    }
    assets = [f"/static/{p.relative_to(STATIC_DIR)}" for p in STATIC_DIR.rglob("*") if p.is_file()]
    extra = [
        *sorted(assets),  # every static file, linked from a page or not
        f"/projector/{room.join_code}?theme=light",
        f"/?code={room.join_code}",
        f"/register?code={room.join_code}",
        "/lang/en?next=/team",
    ]
    return get_routes(app, values) + extra


def poke(client, room: Classroom) -> list[Visit]:
    """The answers to the unsafe requests a team (or anyone) may send: wrong passwords,
    refused guesses, the instructor's preview and moves, a wrong PIN."""
    secret = room.levels[1]
    token = client.headers.get("X-CSRF-Token") or csrf_of(client)
    client.headers["X-CSRF-Token"] = token
    sent = [
        (f"/api/levels/{secret.id}/enter", {"json": {"password": "wrong"}}),
        (
            f"/api/levels/{secret.id}/guesses",
            {"json": {"x": "11", "idempotency_key": "poke-key-1"}},
        ),
        (
            f"/api/levels/{secret.id}/guesses",
            {"json": {"x": "NaN", "idempotency_key": "poke-key-2"}},
        ),
        (
            f"/api/levels/{secret.id}/guesses",
            {"json": {"x": "1e309", "idempotency_key": "poke-key-3"}},
        ),
        (f"/levels/{secret.id}/enter", {"data": {"csrf_token": token, "password": "wrong"}}),
        ("/instructor/preview", {"json": {"expression": FUNCTION, "x_min": -10, "x_max": 10}}),
        (f"/instructor/levels/{secret.id}/state", {"data": {"csrf_token": token, "action": "x"}}),
        ("/api/session", {"json": {"join_code": room.join_code, "team_number": 3, "pin": "X"}}),
    ]
    visits = []
    for path, body in sent:
        response = client.post(path, follow_redirects=False, **body)
        assert response.status_code < 500, (path, response.text)
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items() if k != "set-cookie")
        visits.append(Visit(f"POST {path}", response.status_code, response.text + headers))
    return visits


def look_around(app, room: Classroom, demo: Demo, who: str) -> list[Visit]:
    """Everything ``who`` (team 1, 2 or 3, or nobody) can fetch."""
    urls = seeds(app, room, demo)
    if who == "nobody":
        with browser_like(app) as client:
            return crawl(client, urls) + poke(client, room)
    with phone(app, room, int(who[-1])) as client:
        return crawl(client, urls) + poke(client, room)


@pytest.mark.parametrize("state", list(STATES))
def test_nothing_about_f_reaches_a_team_or_the_projector_before_the_reveal(
    app, desk, session, demo: Demo, state: str
) -> None:
    scene = stage(app, desk, session, state)
    secrets = function_secrets(scene.secret)
    others = [*A_XS, *scene.own]  # team 1's guesses, which only team 1 may see
    if state in ("open, standings hidden", "open, standings frozen"):
        others += scene.best  # its best f(x) too: hidden, or frozen before it was reached
    routes = {path for path, ops in app.openapi()["paths"].items() if "get" in ops}
    for who in ("team 1", "team 2", "team 3", "nobody"):
        visits = look_around(app, scene.room, demo, who)
        # the crawl is broad: every GET route and many pages, scripts and answers
        assert len(visits) >= 2 * len(routes) >= 60, (who, len(visits))
        statuses = {visit.status for visit in visits}
        expected = {200, 303, 401} if who == "nobody" else {200, 303, 403, 404}
        assert expected <= statuses, (who, statuses)
        assert any(v.url.startswith("/static/js/") and v.status == 200 for v in visits), who
        hidden = secrets if who == "team 1" else secrets + others
        if state == "draft":
            hidden = hidden + ["Hidden valley"]
        if state in ("draft", "closed by its time limit", "closed"):
            hidden = hidden + [PASSWORD]  # on the projector only while the level is open
        if state != "revealed":
            assert found_in(visits, hidden) == [], (state, who)
            continue
        # after the reveal the same search finds the function, its minimum and the guesses
        found = {secret for _, secret in found_in(visits, hidden)}
        assert {FUNCTION, repr(scene.secret.x_star), *CONSTANTS} <= found, (who, found)
        if who != "team 1":
            assert set(A_XS) <= {x.rstrip("0") for x in found} | found, (who, found)


def test_the_crawl_reaches_the_pages_a_playing_team_sees(app, desk, session, demo: Demo) -> None:
    """The crawl is not vacuous: as team 1 on an open level it gets the play page with its own
    guesses, the projector's snapshot and the first event of its stream."""
    scene = stage(app, desk, session, "open")
    with phone(app, scene.room, 1) as client:
        visits = {visit.url: visit for visit in crawl(client, seeds(app, scene.room, demo))}
        play = visits[f"/levels/{scene.secret.id}/play"]
        assert play.status == 200 and "Hidden valley" in play.text
        assert all(x in play.text for x in ("-3.5", "6.25"))
        projector = visits[f"/projector/{scene.room.join_code}/stream"]
        assert projector.status == 200 and "data:" in projector.text
        assert "Hidden valley" in projector.text and PASSWORD in projector.text
        status, _, text, _ = fetch(client, f"/api/levels/{scene.secret.id}/guesses")
        assert status == 200 and "-3.5" in text
