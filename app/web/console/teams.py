"""Teams and their slips: adding, PINs, API tokens, self-registration, names, removal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.db import utcnow
from app.deps import RowId, SessionDep
from app.errors import Refused
from app.models import Lesson
from app.services import lessons, teams, tokens
from app.web.console.pages import SLIPS, Text, refused_on_lesson_page
from app.web.links import join_address, public_base, qr_svg, reachable_from_phones
from app.web.templating import render

router = APIRouter(prefix="/instructor")


def _to_sheet(request: Request, lesson: Lesson, made: list[teams.Credential]) -> Response:
    """Keep the new PINs in this browser's session and show them at the sheet's own
    address (post, redirect, get): a reload of the sheet makes nothing."""
    request.session[SLIPS] = {"lesson": lesson.id, "pins": [[c.team.id, c.pin] for c in made]}
    return RedirectResponse(f"/instructor/lessons/{lesson.id}/slips", status_code=303)


@router.get("/lessons/{lesson_id}/slips")
def slips(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
    """The slips just made, ready to print, until the instructor goes back to the lesson
    (the PINs are kept hashed: this browser's session holds them till then)."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    kept = request.session.get(SLIPS)
    if not isinstance(kept, dict) or kept.get("lesson") != lesson.id:
        return RedirectResponse(f"/instructor/lessons/{lesson.id}#teams", status_code=303)
    by_id = {team.id: team for team in lesson.teams}
    made = [teams.Credential(by_id[i], pin) for i, pin in kept["pins"] if i in by_id]
    response = _sheet(request, lesson, made)
    response.headers["Cache-Control"] = "no-store"
    return response


def _sheet(request: Request, lesson: Lesson, credentials: list[teams.Credential]) -> Response:
    address = join_address(request, lesson)
    return render(
        request,
        "console_sheet.html",
        lesson=lesson,
        credentials=credentials,
        join_address=address,
        qr=qr_svg(address, scale=3),
        instructor=True,
    )


@router.post("/lessons/{lesson_id}/teams")
def add_teams(
    lesson_id: RowId,
    request: Request,
    session: SessionDep,
    count: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Add teams with generated PINs and show their slips, ready to print (only now: PINs
    are kept hashed)."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    try:
        made = teams.create_teams(session, lesson_id=lesson.id, count=count, now=utcnow())
    except Refused as refusal:
        return refused_on_lesson_page(
            request, session, lesson_id, refusal, at="count", form={"count": count}
        )
    return _to_sheet(request, lesson, made)


@router.post("/lessons/{lesson_id}/tokens")
def issue_tokens(lesson_id: RowId, request: Request, session: SessionDep) -> Response:
    """Give every team of the lesson a new API token for code mode, and show them once
    (they are kept hashed); the teams' earlier tokens stop working."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    try:
        issued = tokens.issue_tokens(session, lesson_id=lesson.id, now=utcnow())
    except Refused as refusal:
        return refused_on_lesson_page(request, session, lesson_id, refusal, at="tokens")
    return render(
        request,
        "console_tokens.html",
        lesson=lesson,
        issued=issued,
        api_base=public_base(request),
        reachable=reachable_from_phones(request),
        levels=sorted(lesson.levels, key=lambda level: level.position),
        instructor=True,
    )


@router.post("/lessons/{lesson_id}/tokens/revoke")
def revoke_tokens(lesson_id: RowId, session: SessionDep) -> Response:
    """Stop every API token of the lesson's teams at once."""
    tokens.revoke_tokens(session, lesson_id=lesson_id, now=utcnow())
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#tokens", status_code=303)


@router.post("/lessons/{lesson_id}/registration")
def set_registration(
    lesson_id: RowId,
    request: Request,
    session: SessionDep,
    enabled: Annotated[str, Form(max_length=1)] = "",
    cap: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Let teams register themselves from the join page (up to a cap), or stop it."""
    lessons.get_lesson(session, lesson_id=lesson_id)
    try:
        teams.set_registration(session, lesson_id=lesson_id, enabled=enabled == "1", cap=cap)
    except Refused as refusal:
        return refused_on_lesson_page(
            request,
            session,
            lesson_id,
            refusal,
            at="cap",
            form={"cap": cap, "registration": enabled},
        )
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#teams", status_code=303)


@router.post("/lessons/{lesson_id}/teams/{team_id}/pin")
def new_pin(lesson_id: RowId, team_id: RowId, request: Request, session: SessionDep) -> Response:
    """A new PIN for one team, on a slip of its own."""
    lesson = lessons.get_lesson(session, lesson_id=lesson_id)
    made = teams.regenerate_pin(session, lesson_id=lesson.id, team_id=team_id)
    return _to_sheet(request, lesson, [made])


@router.post("/lessons/{lesson_id}/teams/{team_id}/rename")
def rename_team(
    lesson_id: RowId, team_id: RowId, request: Request, session: SessionDep, name: Text = ""
) -> Response:
    """Name a team."""
    try:
        teams.rename_team(session, lesson_id=lesson_id, team_id=team_id, name=name)
    except Refused as refusal:
        if refusal.code == "team_not_found":
            raise
        return refused_on_lesson_page(request, session, lesson_id, refusal, at=f"team-{team_id}")
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#teams", status_code=303)


@router.post("/lessons/{lesson_id}/teams/{team_id}/remove")
def remove_team(lesson_id: RowId, team_id: RowId, session: SessionDep) -> Response:
    """Remove a team and its guesses (the page asked first)."""
    teams.remove_team(session, lesson_id=lesson_id, team_id=team_id)
    return RedirectResponse(f"/instructor/lessons/{lesson_id}#teams", status_code=303)
