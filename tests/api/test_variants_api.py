"""Per-team variants through the API and the console: each team answers on its own copy of
f, the standings rank the gap to each team's own minimum, the reveal draws every guess
back on the level's curve, and bounds that would take f where it is undefined are refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.game.expression import compile_function
from app.game.lesson_file import dump_lesson, load_lesson
from app.game.settings import LevelSpec
from app.game.variants import team_facts
from app.models import Level
from app.services.reveal import reveal_view
from app.services.standings import level_entries
from tests.support import Demo, browser_like, enter, login_as, open_level, post, reread

EXPRESSION = "(x - 1)^2 + 2"


def variant_level(session, demo: Demo, **bounds) -> Level:
    return open_level(
        session,
        demo.lesson.id,
        LevelSpec(
            title="Copies", expression=EXPRESSION, x_min=-5, x_max=5, cooldown_seconds=0, **bounds
        ),
    )


def play(app, demo: Demo, level: Level, number: int, xs: list[float]) -> list[dict]:
    with browser_like(app) as client:
        login_as(client, number, demo.pin(number))
        state = enter(client, level.id)
        assert state["level"]["variants"] is True
        assert (state["level"]["x_min"], state["level"]["x_max"]) == (-5, 5)  # the same for all
        answers = []
        for i, x in enumerate(xs):
            sent = {"x": x, "idempotency_key": f"copy-{number}-{i:03d}"}
            answer = client.post(f"/api/levels/{level.id}/guesses", json=sent)
            assert answer.status_code == 200, answer.text
            answers.append(answer.json()["guess"])
        return answers


def test_each_team_answers_on_its_own_copy(app, session, demo: Demo) -> None:
    level = variant_level(session, demo, variant_shift=2.0, variant_scale=3.0)
    fn = compile_function(EXPRESSION)
    seen = {}
    for number in (1, 2, 3):
        v = level.variant(demo.teams[number].id)
        (answer,) = play(app, demo, level, number, [0.5])
        assert answer["fx"] == pytest.approx(v.scale * fn.at(0.5 - v.shift).fx)
        assert answer["slope"] == pytest.approx(v.scale * fn.at(0.5 - v.shift).slope)
        seen[number] = answer["fx"]
    assert len(set(seen.values())) == 3  # the same x tells each team something else


def test_standings_rank_each_teams_gap_to_its_own_minimum(app, session, demo: Demo) -> None:
    level = variant_level(session, demo, variant_shift=2.0, variant_scale=3.0)
    own = {n: team_facts(EXPRESSION, -5, 5, level.variant(demo.teams[n].id)) for n in (1, 2, 3)}
    play(app, demo, level, 1, [own[1].x_star])  # exactly at its own minimum
    play(app, demo, level, 2, [own[2].x_star + 0.5])  # half a unit off its own
    play(app, demo, level, 3, [own[1].x_star])  # team 1's answer, copied: off its own
    reread(session)
    entries = {e.team_number: e for e in level_entries(session, level=level) if e.best_fx}
    assert entries[1].best_fx == pytest.approx(level.f_star, abs=1e-9)
    assert entries[2].best_fx > level.f_star and entries[3].best_fx > level.f_star
    ranking = sorted(entries, key=lambda n: entries[n].best_fx)
    assert ranking[0] == 1


def test_the_reveal_draws_every_guess_back_on_the_levels_curve(app, desk, session, demo) -> None:
    level = variant_level(session, demo, variant_shift=1.5)
    play(app, demo, level, 1, [-2.0, 3.0])
    play(app, demo, level, 2, [4.5])
    for action in ("close", "reveal"):
        post(desk, f"/instructor/levels/{level.id}/state", action=action)
    reread(session)
    view = reveal_view(session, level=session.get(Level, level.id), now=utcnow()).json_data()
    assert view is not None and view["variants"] is True
    assert (view["x_min"], view["x_max"]) == (-6.5, 6.5)  # as far as the copies reached
    fn = compile_function(EXPRESSION)
    drawn = [p for team in view["teams"] for p in team["guesses"]]
    assert len(drawn) == 3
    for x, fx, slope in drawn:
        assert fx == pytest.approx(fn.at(x).fx) and slope == pytest.approx(fn.at(x).slope)
    with browser_like(app) as client:  # a team's own page shows its own copy's minimum
        login_as(client, 1, demo.pin(1))
        revealed = client.get(f"/api/levels/{level.id}").json()["reveal"]
    own = team_facts(EXPRESSION, -5, 5, level.variant(demo.teams[1].id))
    assert revealed["x_star"] == pytest.approx(own.x_star)
    assert revealed["variant"]["shift"] == level.variant(demo.teams[1].id).shift
    monitor = desk.get(f"/instructor/levels/{level.id}/monitor").text
    assert "moved back onto f" in monitor


def test_variants_hide_nothing_before_the_reveal(app, session, demo) -> None:
    level = variant_level(session, demo, variant_shift=2.0)
    with browser_like(app) as client:
        login_as(client, 1, demo.pin(1))
        state = enter(client, level.id)
    assert state["reveal"] is None
    assert '"variant":' not in json.dumps(state) and "shift" not in json.dumps(state)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"variant_shift": "-1"}, "variant_shift", "field_range"),
        ({"variant_shift": "nan"}, "variant_shift", "field_range"),
        ({"variant_scale": "0.5"}, "variant_scale", "field_range"),
        ({"variant_scale": "1000"}, "variant_scale", "field_range"),
        # sqrt(x) on [0, 10]: copies moved by 1 would need f at -1
        (
            {"expression": "sqrt(x)", "x_min": "0", "variant_shift": "1"},
            "variant_shift",
            "variant_shift_undefined",
        ),
    ],
)
def test_bad_bounds_are_refused_and_change_nothing(
    desk, session, demo, fields, field, code
) -> None:
    level = demo.levels[2]
    form = {
        "title": level.title,
        "expression": level.expression,
        "x_min": "-10",
        "x_max": "10",
        "cooldown_seconds": "0",
        "standings_visibility": "shown",
        "mode": "free",
        **fields,
    }
    answer = post(desk, f"/instructor/levels/{level.id}/edit", **form)
    assert answer.status_code == 422
    assert f'data-field="{field}" data-code="{code}"' in answer.text
    reread(session)
    kept = session.get(Level, level.id)
    assert (kept.variant_shift, kept.variant_scale, kept.expression) == (
        None,
        None,
        level.expression,
    )


def test_variants_lock_once_teams_guessed_and_round_trip(app, desk, session, demo) -> None:
    level = variant_level(session, demo, variant_shift=2.0, variant_scale=1.5)
    play(app, demo, level, 1, [0.0])
    form = {
        "title": "Copies",
        "expression": EXPRESSION,
        "x_min": "-5",
        "x_max": "5",
        "cooldown_seconds": "0",
        "standings_visibility": "shown",
        "mode": "free",
        "variant_shift": "3",
    }
    refused = post(desk, f"/instructor/levels/{level.id}/edit", **form)
    assert refused.status_code in (409, 422) and "level_has_guesses" in refused.text
    reread(session)
    lesson = load_lesson(
        dump_lesson(
            "Copies",
            [
                LevelSpec(
                    title="A",
                    expression="x^2",
                    x_min=-1,
                    x_max=1,
                    variant_shift=0.5,
                    variant_scale=2.0,
                )
            ],
        )
    )
    assert (lesson.levels[0].variant_shift, lesson.levels[0].variant_scale) == (0.5, 2.0)
    assert session.scalars(select(Level).where(Level.id == level.id)).one().variant_shift == 2.0
