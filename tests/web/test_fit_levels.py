"""A level whose f is a model's loss over data, end to end: made in the editor from pasted
CSV (every bad field refused at the field, nothing saved), previewed with its data, played
like any two-parameter level, and revealed with the model drawn over the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.game.rules import LevelState
from app.models import Level
from app.services.levels import enter_level, set_level_state
from app.services.reveal import reveal_view
from app.services.submit import submit_guess
from tests.support import Demo, browser_like, login_as, post, reread

DATA = "u,v\n" + "\n".join(
    f"{u / 4:g},{1.5 * max(0.0, 1.2 * u / 4 - 0.6) + 1:g}" for u in range(-12, 13)
)
FORM = {
    "title": "One neuron",
    "x_min": "-4",
    "x_max": "4",
    "y_min": "-4",
    "y_max": "4",
    "cooldown_seconds": "5",
    "standings_visibility": "shown",
    "fit": "relu",
    "fit_data": DATA,
    "fit_c": "1.5",
    "fit_d": "1",
}


def levels_in(session) -> int:
    reread(session)
    return session.scalar(select(func.count()).select_from(Level))


def test_a_neuron_level_is_made_from_pasted_data(desk, session, demo: Demo) -> None:
    new = desk.get(f"/instructor/lessons/{demo.lesson.id}/levels/new").text
    assert 'id="fit" name="fit"' in new and 'id="fit_data"' in new
    saved = post(desk, f"/instructor/lessons/{demo.lesson.id}/levels/new", **FORM)
    assert saved.status_code == 303, saved.text
    reread(session)
    level = session.scalars(select(Level).where(Level.title == "One neuron")).one()
    assert (level.fit, level.fit_c, level.fit_d) == ("relu", 1.5, 1.0)
    assert len(level.fit_data.splitlines()) == 25 and level.fit_data.startswith("-3,1")
    assert (level.x_star, level.y_star) == (
        pytest.approx(1.2, abs=1e-3),
        pytest.approx(-0.6, abs=1e-3),
    )
    editor = desk.get(f"/instructor/levels/{level.id}/edit").text
    assert '<option value="relu" selected>' in editor and "-3,1\n-2.75,1" in editor
    again = post(desk, f"/instructor/levels/{level.id}/edit", **{**FORM, "title": "Renamed"})
    assert again.status_code == 303  # saved again unchanged: the same function
    reread(session)
    assert session.get(Level, level.id).x_star == level.x_star


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"fit_data": ""}, "fit_data", "data_empty"),
        ({"fit_data": "1,2\n3"}, "fit_data", "data_ragged"),
        ({"fit_data": "1,2\n3,x"}, "fit_data", "data_not_numbers"),
        ({"fit_data": "\n".join(f"{i},1" for i in range(301))}, "fit_data", "data_too_large"),
        ({"fit": "neuron", "fit_data": "1,0\n2,2"}, "fit_data", "data_classes"),
        ({"fit_c": "0"}, "fit_c", "fit_c_zero"),
        ({"fit_d": "lots"}, "fit_d", "field_number"),
        ({"y_min": "", "y_max": ""}, "y_min", "fit_needs_rectangle"),
        ({"fit": "quadratic"}, "fit", "invalid_request"),
        ({"fit": ""}, "fit", "fit_needed_for_data"),
    ],
)
def test_bad_data_and_fixed_parameters_are_refused_at_the_field(
    desk, session, demo: Demo, changes, field, code
) -> None:
    before = levels_in(session)
    response = post(desk, f"/instructor/lessons/{demo.lesson.id}/levels/new", **{**FORM, **changes})
    assert response.status_code == 422
    assert f'data-field="{field}" data-code="{code}"' in response.text
    assert 'value="One neuron"' in response.text  # what was typed stays
    assert levels_in(session) == before


def test_the_preview_draws_the_loss_and_the_best_model_over_the_data(desk) -> None:
    body = {"expression": "", "x_min": -4, "x_max": 4, "y_min": -4, "y_max": 4}
    fit = {"fit": "relu", "fit_data": DATA, "fit_c": "1.5", "fit_d": "1"}
    good = desk.post("/instructor/preview", json={**body, **fit}).json()
    assert good["kind"] == "rectangle" and good["plane"]["z"]
    assert good["fits"]["model"] == "relu" and len(good["fits"]["data"]) == 25
    assert len(good["fits"]["best"]) == len(good["fits"]["u"])
    bad = desk.post("/instructor/preview", json={**body, **fit, "fit_data": "1,2\n3,4,5"}).json()
    assert (bad["error"]["code"], bad["error"]["field"]) == ("data_ragged", "fit_data")
    flat = desk.post("/instructor/preview", json={"expression": "", "x_min": -4, "x_max": 4, **fit})
    assert flat.json()["error"]["field"] == "y_min"


def test_teams_play_the_loss_and_the_reveal_draws_each_model_over_the_data(
    app, desk, session, demo: Demo
) -> None:
    post(desk, f"/instructor/lessons/{demo.lesson.id}/levels/new", **FORM)
    reread(session)
    level = session.scalars(select(Level).where(Level.title == "One neuron")).one()
    set_level_state(session, level=level, state=LevelState.OPEN, now=utcnow())
    start = utcnow() - timedelta(minutes=2)
    for number, points in {1: [(0.0, -3.0), (1.0, -0.4)], 2: [(-1.0, 1.0)]}.items():
        team = demo.teams[number]
        enter_level(session, team=team, level_id=level.id, password=None, now=start)
        for i, (a, b) in enumerate(points):
            at = start + timedelta(seconds=6 * i)
            key = f"fit-guess-{number}-{i:03d}"
            answer = submit_guess(
                session, team=team, level_id=level.id, raw_x=a, raw_y=b, idempotency_key=key, now=at
            )
            assert answer.guess.fx == pytest.approx(level.domain.function("").at(a, b).fx)
    dead = demo.teams[1]  # its first guess: a·u + b < 0 at every point, the neuron is dead
    phone = browser_like(app)
    login_as(phone, 1)
    guesses = phone.get(f"/api/levels/{level.id}/guesses").json()["guesses"]
    assert (guesses[0]["slope"], guesses[0]["gy"]) == (0, 0)
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
    set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
    view = reveal_view(session, level=level, now=utcnow())
    assert view is not None and view.fits is not None and view.fits.model == "relu"
    teams = {team.number: row for team, row in zip(view.teams, view.fits.teams, strict=True)}
    assert teams[1] is not None and teams[2] is not None and teams[3] is None
    assert len(view.fits.ghosts) == len(view.ghosts) and dead.id
    page = phone.get(f"/levels/{level.id}/reveal").text
    assert "data-reveal-fits" in page and '"fits": {"model": "relu"' in page
