"""The level editor through the console: saving, every bad field, the preview, locks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Guess, Level
from tests.support import Demo, browser_like, enter, login_as, post, reread

FORM = {
    "title": "Function 4",
    "expression": "0.5*(x + 2)^2 + 1",
    "x_min": "-6",
    "x_max": "6",
    "cooldown_seconds": "5",
    "guess_budget": "15",
    "time_limit_seconds": "",
    "password": "ridge",
    "standings_visibility": "shown",
    "freeze_seconds": "",
}


def level_count(session) -> int:
    reread(session)
    return session.scalar(select(func.count()).select_from(Level))


def newest_level(session) -> Level:
    """The level made last, as the database has it now."""
    reread(session)
    return session.scalars(select(Level).order_by(Level.id.desc())).first()


def test_a_new_level_is_saved_as_a_draft_with_its_minimum(desk, session, demo: Demo) -> None:
    page = desk.get(f"/instructor/lessons/{demo.lesson.id}/levels/new")
    assert page.status_code == 200 and 'data-preset="two_wells"' in page.text
    saved = post(desk, f"/instructor/lessons/{demo.lesson.id}/levels/new", **FORM)
    assert saved.status_code == 303
    reread(session)
    level = session.scalars(select(Level).where(Level.title == "Function 4")).one()
    assert (level.state, level.position, level.cooldown_seconds, level.guess_budget) == (
        "draft",
        4,
        5,
        15,
    )
    assert level.x_star == pytest.approx(-2, abs=1e-6) and level.f_star == pytest.approx(1)
    assert "Function 4" in desk.get(f"/instructor/lessons/{demo.lesson.id}").text


def test_a_note_for_teams_shows_under_the_title_on_their_phones(app, desk, session, demo) -> None:
    saved = post(
        desk,
        f"/instructor/levels/{demo.levels[0].id}/edit",
        **{
            **FORM,
            "expression": demo.levels[0].expression,
            "password": "",
            "x_min": "-10",
            "x_max": "10",
            "note": "  x is the slope a,\n y the intercept b  ",
        },
    )
    assert saved.status_code == 303, saved.text
    reread(session)
    assert session.get(Level, demo.levels[0].id).note == "x is the slope a, y the intercept b"
    phone = browser_like(app)
    login_as(phone, 1)
    enter(phone, demo.levels[0].id)
    page = phone.get(f"/levels/{demo.levels[0].id}/play").text
    assert '<p class="level-note">x is the slope a, y the intercept b</p>' in page
    assert (
        phone.get("/api/levels").json()["levels"][0]["note"]
        == "x is the slope a, y the intercept b"
    )


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"title": ""}, "title", "name_required"),
        ({"x_min": "6", "x_max": "-6"}, "x_max", "domain_invalid"),
        ({"cooldown_seconds": "-1"}, "cooldown_seconds", "field_range"),
        ({"guess_budget": "0"}, "guess_budget", "field_range"),
        ({"password": "   "}, "password", "password_blank"),
        ({"note": "n" * 301}, "note", "text_too_long"),
        ({"expression": "x + sin(y)"}, "expression", "expression_unknown_name"),
        ({"expression": "log(x)"}, "expression", "expression_not_finite"),
    ],
)
def test_bad_fields_are_named_at_the_field_and_what_was_typed_stays(
    desk, session, demo: Demo, changes, field, code
) -> None:
    before = level_count(session)
    response = post(desk, f"/instructor/lessons/{demo.lesson.id}/levels/new", **{**FORM, **changes})
    assert response.status_code == 422
    assert f'data-field="{field}" data-code="{code}"' in response.text
    assert 'value="Function 4"' in response.text or changes.get("title") == ""
    assert level_count(session) == before


def test_an_expression_mistake_is_marked_where_it_is(desk, demo: Demo) -> None:
    response = post(
        desk,
        f"/instructor/lessons/{demo.lesson.id}/levels/new",
        **{**FORM, "expression": "x^2 + foo"},
    )
    assert "x^2 + <mark>f</mark>oo" in response.text


def test_the_preview_draws_f_and_its_slope_or_says_where_it_goes_wrong(desk) -> None:
    good = desk.post(
        "/instructor/preview", json={"expression": "(x - 1)^2", "x_min": -4, "x_max": 4}
    ).json()
    assert good["x_star"] == pytest.approx(1, abs=1e-6)
    assert len(good["x"]) == len(good["f"]) == len(good["df"]) == 241
    assert good["df"][0] == pytest.approx(-10)
    bad = desk.post(
        "/instructor/preview", json={"expression": "x + bar(x)", "x_min": -4, "x_max": 4}
    ).json()
    assert bad["error"]["code"] == "expression_unknown_function"
    assert bad["error"]["position"] == 4
    empty = desk.post("/instructor/preview", json={"expression": "x", "x_min": 4, "x_max": 4})
    assert empty.json()["error"]["code"] == "domain_invalid"
    assert desk.post("/instructor/preview", json={"expression": "x"}).status_code == 422


def test_the_preview_is_the_instructors_alone(app, demo: Demo) -> None:
    with browser_like(app) as team:
        login_as(team, 1)
        response = team.post(
            "/instructor/preview",
            json={"expression": demo.levels[0].expression, "x_min": -10, "x_max": 10},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 403
        assert "x_star" not in response.text


def test_once_teams_guessed_the_function_stays_but_the_rest_can_change(
    app, desk, session, demo: Demo
) -> None:
    level = demo.levels[0]
    with browser_like(app) as team:
        login_as(team, 1)
        enter(team, level.id)
        team.post(f"/api/levels/{level.id}/guesses", json={"x": 2, "idempotency_key": "k-edit-1"})
    edit = desk.get(f"/instructor/levels/{level.id}/edit").text
    assert "so its function, domain, mode, start and variants stay" in edit
    form = {
        **FORM,
        "expression": level.expression,
        "x_min": "-10",
        "x_max": "10",
        "title": "Function 1 (warm-up)",
    }
    assert post(desk, f"/instructor/levels/{level.id}/edit", **form).status_code == 303
    changed = post(desk, f"/instructor/levels/{level.id}/edit", **{**form, "expression": "x^2"})
    assert changed.status_code == 409 and 'data-code="level_has_guesses"' in changed.text
    reread(session)
    saved = session.get(Level, level.id)
    assert (saved.title, saved.expression) == ("Function 1 (warm-up)", demo.levels[0].expression)


def test_levels_move_up_and_down_and_reset_deletes_guesses(app, desk, session, demo: Demo) -> None:
    first, second, _ = (lv.id for lv in demo.levels)
    post(desk, f"/instructor/levels/{second}/move", step="-1")
    reread(session)
    assert [lv.id for lv in session.scalars(select(Level).order_by(Level.position))][:2] == [
        second,
        first,
    ]
    assert post(desk, f"/instructor/levels/{second}/move", step="7").status_code == 422
    with browser_like(app) as team:
        login_as(team, 2)
        enter(team, first)
        team.post(f"/api/levels/{first}/guesses", json={"x": 1, "idempotency_key": "k-reset-1"})
    seed = session.get(Level, first).noise_seed
    assert post(desk, f"/instructor/levels/{first}/reset").status_code == 303
    reread(session)
    assert session.scalar(select(func.count()).select_from(Guess)) == 0
    # new draws of noise and variants: the old ones may have been shown at a reveal
    assert session.get(Level, first).noise_seed != seed


def test_a_locked_level_saves_what_a_browser_sends_around_its_disabled_function(
    app, desk, session, demo: Demo
) -> None:
    level = demo.levels[0]
    with browser_like(app) as team:
        login_as(team, 1)
        enter(team, level.id)
        team.post(f"/api/levels/{level.id}/guesses", json={"x": 2, "idempotency_key": "k-edit-2"})
    # a disabled fieldset is not submitted: no expression, domain, mode or start
    form = {k: v for k, v in FORM.items() if k not in ("expression", "x_min", "x_max")}
    assert post(desk, f"/instructor/levels/{level.id}/edit", **form).status_code == 303
    reread(session)
    saved = session.get(Level, level.id)
    assert (saved.title, saved.cooldown_seconds) == ("Function 4", 5)
    assert (saved.expression, saved.x_min, saved.mode) == (level.expression, level.x_min, "free")


def test_a_learning_rate_level_needs_a_start_inside_its_domain(app, desk, session, demo) -> None:
    lesson_id = demo.lesson.id
    before = level_count(session)
    wrong = post(
        desk,
        f"/instructor/lessons/{lesson_id}/levels/new",
        **{**FORM, "mode": "momentum", "start_x": "7", "eta_max": "0", "beta_max": "1"},
    )
    assert wrong.status_code == 422
    for field, code in (
        ("start_x", "start_outside_domain"),
        ("eta_max", "field_range"),
        ("beta_max", "field_range"),
    ):
        assert f'data-field="{field}" data-code="{code}"' in wrong.text, field
    assert level_count(session) == before
    made = post(
        desk,
        f"/instructor/lessons/{lesson_id}/levels/new",
        **{**FORM, "mode": "momentum", "start_x": "5.5", "eta_max": "2", "beta_max": ""},
    )
    assert made.status_code == 303
    level = newest_level(session)
    assert (level.mode, level.start_x, level.eta_max, level.beta_max) == ("momentum", 5.5, 2, 0.99)
    editor = desk.get(f"/instructor/levels/{level.id}/edit").text
    assert '<option value="momentum" selected>' in editor and 'value="5.5"' in editor


def test_a_start_where_f_has_no_slope_is_refused(desk, session, demo) -> None:
    before = level_count(session)
    form = {**FORM, "expression": "sqrt(abs(x))", "mode": "learning_rate", "start_x": "0"}
    wrong = post(desk, f"/instructor/lessons/{demo.lesson.id}/levels/new", **form)
    assert wrong.status_code == 422
    assert 'data-field="start_x" data-code="start_undefined"' in wrong.text
    assert level_count(session) == before


def test_a_locked_level_with_long_numbers_saves_again_unchanged(app, desk, session, demo) -> None:
    """The editor shows stored numbers exactly: 6.283185307 is not rounded to 6.28319 (which
    would read as a change to a locked domain and refuse every save)."""
    form = {**FORM, "x_min": "0", "x_max": "6.283185307", "expression": "sin(x)"}
    assert post(desk, f"/instructor/lessons/{demo.lesson.id}/levels/new", **form).status_code == 303
    level = newest_level(session)
    post(desk, f"/instructor/levels/{level.id}/state", action="open")
    with browser_like(app) as team:
        login_as(team, 1)
        enter(team, level.id, "ridge")
        sent = {"x": 1, "idempotency_key": "k-long-1"}
        assert team.post(f"/api/levels/{level.id}/guesses", json=sent).status_code == 200
    editor = desk.get(f"/instructor/levels/{level.id}/edit").text
    assert 'value="6.283185307"' in editor
    again = {**form, "cooldown_seconds": "3"}
    assert post(desk, f"/instructor/levels/{level.id}/edit", **again).status_code == 303
    reread(session)
    assert session.get(Level, level.id).cooldown_seconds == 3


def test_a_two_parameter_level_is_made_in_the_editor_and_previewed_as_contours(
    desk, session, demo
) -> None:
    lesson_id = demo.lesson.id
    before = level_count(session)
    plane = {**FORM, "expression": "(x - 1)^2 + 3*(y + 2)^2", "y_min": "-4", "y_max": "4"}
    wrong = post(
        desk,
        f"/instructor/lessons/{lesson_id}/levels/new",
        **{**plane, "mode": "learning_rate", "start_x": "1", "start_y": "5", "variant_shift": "1"},
    )
    assert wrong.status_code == 422
    assert 'data-field="start_y" data-code="start_outside_domain"' in wrong.text
    assert 'data-field="variant_shift" data-code="variants_one_variable"' in wrong.text
    assert 'id="y_min" name="y_min" value="-4"' in wrong.text  # what was typed stays
    curve_with_y = post(
        desk, f"/instructor/lessons/{lesson_id}/levels/new", **{**FORM, "expression": "x + y"}
    )
    assert 'data-field="y_min" data-code="y_range_needed"' in curve_with_y.text
    assert level_count(session) == before
    made = post(
        desk,
        f"/instructor/lessons/{lesson_id}/levels/new",
        **{**plane, "mode": "learning_rate", "start_x": "4", "start_y": "1"},
    )
    assert made.status_code == 303
    level = newest_level(session)
    assert (level.y_min, level.y_max, level.start_y) == (-4, 4, 1)
    assert (level.x_star, level.y_star) == (pytest.approx(1), pytest.approx(-2))
    editor = desk.get(f"/instructor/levels/{level.id}/edit").text
    assert (
        'id="y_max" name="y_max" value="4"' in editor
        and 'id="start_y" name="start_y" value="1"' in editor
    )

    preview = desk.post(
        "/instructor/preview",
        json={
            "expression": "(x - 1)^2 + 3*(y + 2)^2",
            "x_min": -5,
            "x_max": 5,
            "y_min": -4,
            "y_max": 4,
        },
    ).json()
    assert (preview["x_star"], preview["y_star"]) == (pytest.approx(1), pytest.approx(-2))
    grid = preview["plane"]
    assert len(grid["z"]) == len(grid["y"]) and grid["z"][0][0] == pytest.approx(36 + 12)
    bad = desk.post(
        "/instructor/preview",
        json={"expression": "log(y)", "x_min": -5, "x_max": 5, "y_min": -4, "y_max": 4},
    ).json()
    assert bad["error"]["code"] == "expression_not_finite_at"
    flat = desk.post(
        "/instructor/preview",
        json={"expression": "x + y", "x_min": -5, "x_max": 5, "y_min": 4, "y_max": 4},
    ).json()
    assert flat["error"]["code"] == "domain_invalid"
