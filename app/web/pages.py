"""The team's pages: join, levels, play, standings, language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db import utcnow
from app.deps import CurrentTeam, RowId, SessionDep, forget_team, remember_team, session_team
from app.errors import Refused
from app.game.credentials import normalize_code
from app.game.typed import clean_name
from app.i18n import LOCALE_COOKIE, LOCALES
from app.models import Level, Team
from app.security import check_csrf
from app.services import guesses, levels, standings, teams
from app.services.logins import LOGIN, end_login
from app.services.reveal import reveal_view
from app.services.standings import LevelStandings
from app.web.responses import refusal_body
from app.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)], default_response_class=HTMLResponse)
NEW_PIN = "new_pin"  # a self-registered team's PIN, until it goes on to its levels


def _safe_next(target: str | None) -> str:
    """A local path to go back to (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    """The JSON API's documentation (Swagger UI, vendored in static/vendor: it opens with
    no internet, and under the app's own content security policy)."""
    return render(request, "api_docs.html")


@router.get("/")
def join_page(request: Request, session: SessionDep, code: str | None = None) -> Response:
    """The login page: the join code from the board, team number and PIN. No lesson is
    named to anyone who has not given its code."""
    if request.session.get("team_id"):
        return RedirectResponse("/team", status_code=303)
    return _join(request, session, {"join_code": code or ""})


@router.get("/j/{join_code}")
def join_link(join_code: str, request: Request, session: SessionDep) -> Response:
    """A lesson's join address (the one a QR code opens): the login page naming the
    lesson, or saying that no lesson has the code.

    A team already logged in to this lesson goes straight to its levels."""
    team = session_team(request, session)
    if team is not None and team.lesson.join_code == normalize_code(join_code):
        return RedirectResponse("/team", status_code=303)
    if teams.open_lesson(session, join_code) is None:
        refusal = Refused("lesson_not_found")
        return _join(request, session, {"join_code": join_code}, refusal)
    return _join(request, session, {"join_code": join_code})


def _join(
    request: Request, session: SessionDep, form: dict[str, str], refusal: Refused | None = None
) -> Response:
    """The login page for what was typed (and what went wrong)."""
    return render(
        request,
        "join.html",
        status_code=refusal.status if refusal else 200,
        lesson=teams.open_lesson(session, form["join_code"]),
        registering=teams.any_registering(session),
        form=form,
        error=refusal_body(request, refusal)["error"] if refusal else None,
    )


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    join_code: Annotated[str, Form(max_length=40)] = "",
    team_number: Annotated[str, Form(max_length=10)] = "",
    pin: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Log a team in, or show the login page again with what went wrong (PIN not kept)."""
    try:
        team = teams.login_team(
            session, join_code=join_code, team_number=team_number, pin=pin, now=utcnow()
        )
    except Refused as refusal:
        typed = {"join_code": join_code, "team_number": team_number}
        return _join(request, session, typed, refusal)
    _log_in(request, session, team)
    return RedirectResponse("/team", status_code=303)


def _log_in(request: Request, session: SessionDep, team: Team) -> None:
    csrf = request.session.get("csrf")
    request.session.clear()
    request.session.update(csrf=csrf)
    remember_team(request, session, team)


@router.get("/register")
def register_page(request: Request, session: SessionDep, code: str | None = None) -> Response:
    """A new team of a lesson that takes them: type a name, get a number and a PIN."""
    return render(
        request,
        "register.html",
        lesson=teams.open_lesson(session, code),
        form={"join_code": code or "", "name": ""},
        error=None,
    )


@router.post("/register")
def register(
    request: Request,
    session: SessionDep,
    join_code: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Register the team, log it in and show its number and PIN (POST, then GET: a second
    tap on the button, or a reload, shows the same team instead of making another)."""
    if _just_registered(request, session, join_code=join_code, name=name):
        return RedirectResponse("/registered", status_code=303)
    try:
        made = teams.register_team(session, join_code=join_code, name=name, now=utcnow())
    except Refused as refusal:
        session.rollback()
        return render(
            request,
            "register.html",
            status_code=refusal.status,
            lesson=teams.open_lesson(session, join_code),
            form={"join_code": join_code, "name": name},
            error=refusal_body(request, refusal)["error"],
        )
    _log_in(request, session, made.team)
    request.session[NEW_PIN] = made.pin
    return RedirectResponse("/registered", status_code=303)


def _just_registered(request: Request, session: SessionDep, *, join_code: str, name: str) -> bool:
    """Whether this browser has just registered this very team (a double tap)."""
    team = session_team(request, session)
    if team is None or NEW_PIN not in request.session or team.name is None:
        return False
    same_lesson = team.lesson.join_code == normalize_code(join_code)
    return same_lesson and team.name.casefold() == clean_name(name).casefold()


@router.get("/registered")
def registered(request: Request, team: CurrentTeam) -> Response:
    """The new team's number and PIN, shown until the team goes on to its levels."""
    pin = request.session.get(NEW_PIN)
    if not isinstance(pin, str):
        return RedirectResponse("/team", status_code=303)
    response = render(request, "registered.html", team=team, pin=pin)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """Log this device out (its cookie, replayed, no longer gets in); the team's guesses
    stay for the next login, and its other devices stay logged in."""
    end_login(session, login_id=request.session.get(LOGIN))
    forget_team(request)
    request.session.pop(NEW_PIN, None)
    return RedirectResponse("/", status_code=303)


@router.get("/team")
def team_home(request: Request, team: CurrentTeam, session: SessionDep) -> Response:
    """The team's lesson: its levels, their states, and a way into each open one."""
    request.session.pop(NEW_PIN, None)  # a newly registered team has noted its PIN
    now = utcnow()
    response = render(
        request,
        "team.html",
        team=team,
        now=now,
        levels=levels.visible_levels(session, lesson_id=team.lesson_id),
        entered=levels.entered_level_ids(session, team=team),
        error=None,
        failed_level=None,
    )
    response.headers["Cache-Control"] = "no-store"  # the levels' states change: never stale
    return response


@router.post("/levels/{level_id}/enter")
def enter_level(
    level_id: RowId,
    request: Request,
    team: CurrentTeam,
    session: SessionDep,
    password: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Enter a level by its password, then play; a wrong password says so on the same page."""
    now = utcnow()
    try:
        levels.enter_level(session, team=team, level_id=level_id, password=password, now=now)
    except Refused as refusal:
        if refusal.code == "level_not_found":
            raise
        return render(
            request,
            "team.html",
            status_code=refusal.status,
            team=team,
            now=now,
            levels=levels.visible_levels(session, lesson_id=team.lesson_id),
            entered=levels.entered_level_ids(session, team=team),
            error=refusal_body(request, refusal)["error"],
            failed_level=level_id,
        )
    return RedirectResponse(f"/levels/{level_id}/play", status_code=303)


@router.get("/levels/{level_id}/play")
def play_page(
    level_id: RowId, request: Request, team: CurrentTeam, session: SessionDep
) -> Response:
    """The play page: the chart of the team's guesses, the guess form, the history.

    An open level must be entered first; a settled one can be looked at by every team,
    so a team that missed it still sees the reveal.
    """
    now = utcnow()
    try:
        view = guesses.play_view(session, team=team, level_id=level_id, now=now)
    except Refused as refusal:
        if refusal.code != "level_not_entered":
            raise
        return RedirectResponse("/team", status_code=303)  # its levels, with the password box
    state = guesses.play_state(view, team, now)
    return render(request, "play.html", team=team, level=view.level, state=state)


@router.get("/levels/{level_id}/reveal")
def reveal_page(
    level_id: RowId, request: Request, team: CurrentTeam, session: SessionDep
) -> Response:
    """A revealed level of the team's lesson: the curve, every team's guesses and tangents
    with the replay, the final standings and the algorithms — what the projector shows."""
    level = levels.team_level(session, team=team, level_id=level_id)
    shown = reveal_view(session, level=level, now=utcnow())
    if shown is None:
        raise Refused("reveal_not_yet")
    return render(request, "team_reveal.html", team=team, level=level, reveal=shown)


@router.get("/standings")
def standings_page(request: Request, team: CurrentTeam, session: SessionDep) -> Response:
    """The lesson's overall standings and each visible level's standings."""
    now = utcnow()
    ranking, revealed = standings.overall_standings(session, lesson_id=team.lesson_id, now=now)
    per_level: list[tuple[Level, LevelStandings | None]] = []
    for level in levels.visible_levels(session, lesson_id=team.lesson_id):
        try:
            per_level.append((level, standings.team_level_standings(session, level=level, now=now)))
        except Refused:
            per_level.append((level, None))
    return render(
        request,
        "standings.html",
        team=team,
        ranking=ranking,
        revealed=revealed,
        per_level=per_level,
    )


@router.get("/lang/{locale}")
def switch_language(locale: str, next: str | None = None) -> Response:  # noqa: A002
    """Switch the language and remember it in a cookie for a year."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if locale in LOCALES:
        response.set_cookie(
            LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
    return response
