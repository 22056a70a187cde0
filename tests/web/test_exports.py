"""CSV exports, checked cell by cell."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from app.game.moves import Mode
from app.game.settings import LevelSpec
from app.services.teams import rename_team
from tests.support import PLANE, Demo, browser_like, enter, login_as, open_level


def rows_of(response) -> list[list[str]]:
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def csv_row_of_one_move(app, desk, demo: Demo, level, sent: dict) -> dict[str, str]:
    """Team 1 enters ``level`` and makes one move; that move's row of the guesses CSV."""
    with browser_like(app) as team:
        login_as(team, 1, demo.pin(1))
        team.post(f"/api/levels/{level.id}/enter", json={})
        assert team.post(f"/api/levels/{level.id}/guesses", json=sent).status_code == 200
    header, *rows = rows_of(desk.get(f"/instructor/lessons/{demo.lesson.id}/guesses.csv"))
    (row,) = [dict(zip(header, row, strict=True)) for row in rows if row[1] == level.title]
    return row


def play(app, demo: Demo, moves: dict[int, list[str]]) -> None:
    for number, xs in moves.items():
        with browser_like(app) as team:
            login_as(team, number)
            enter(team, demo.levels[0].id)
            for i, x in enumerate(xs):
                assert (
                    team.post(
                        f"/api/levels/{demo.levels[0].id}/guesses",
                        json={"x": x, "idempotency_key": f"csv-key-{number}-{i}"},
                    ).status_code
                    == 200
                )


def test_every_guess_cell_by_cell(app, desk, session, demo: Demo) -> None:
    rename_team(session, lesson_id=demo.lesson.id, team_id=demo.teams[2].id, name='=HYPERLINK("x")')
    play(app, demo, {2: ["1.7"], 1: ["-2"]})
    response = desk.get(f"/instructor/lessons/{demo.lesson.id}/guesses.csv")
    assert 'filename="downhill-DEMO-guesses.csv"' in response.headers["content-disposition"]
    header, *rows = rows_of(response)
    assert header == [
        "lesson",
        "level",
        "team_number",
        "team_name",
        "sequence",
        "x",
        "fx",
        "slope",
        "server_time",
        "mode",
        "eta",
        "beta",
        "velocity",
        "stopped_at_edge",
        "true_slope",
        "y",
        "gy",
        "velocity_y",
        "true_gy",
    ]
    assert [row[9:] for row in rows] == [["free"] + [""] * 9] * 2
    assert [row[:8] for row in rows] == [
        [
            "Downhill demo",
            "Function 1",
            "1",
            "",
            "1",
            "-2.0",
            repr((-2 - 3.7) ** 2 / 8 + 2),
            repr((-2 - 3.7) / 4),
        ],
        ["Downhill demo", "Function 1", "2", '\'=HYPERLINK("x")', "1", "1.7", "2.5", "-0.5"],
    ]
    for row in rows:
        assert datetime.fromisoformat(row[8]).utcoffset().total_seconds() == 0


def test_standings_per_level_and_overall(app, desk, session, demo: Demo) -> None:
    play(app, demo, {1: ["3.7"], 3: ["0"]})
    header, *rows = rows_of(desk.get(f"/instructor/lessons/{demo.lesson.id}/standings.csv"))
    assert header == [
        "lesson",
        "scope",
        "rank",
        "team_number",
        "team_name",
        "best_fx",
        "guesses",
        "points",
    ]
    function_1 = [row for row in rows if row[1] == "Function 1"]
    assert function_1[0][2:7] == ["1", "1", "", "2.0", "1"]
    assert function_1[1][2:7] == ["2", "3", "", repr(3.7**2 / 8 + 2), "1"]
    assert function_1[2][2] == ""  # no guess, no rank
    overall = [row for row in rows if row[1] == "overall"]
    assert len(overall) == 10 and all(row[7] == "0.0" for row in overall)  # nothing revealed


def test_steps_and_noisy_slopes_are_in_the_csv(app, desk, session, demo: Demo) -> None:
    level = open_level(
        session,
        demo.lesson.id,
        LevelSpec(
            title="Rolling",
            expression="(x - 1)^2",
            x_min=-5,
            x_max=5,
            cooldown_seconds=0,
            mode=Mode.MOMENTUM,
            start_x=4,
            slope_noise=0.5,
        ),
    )
    row = csv_row_of_one_move(
        app, desk, demo, level, {"eta": 10, "beta": 0.5, "idempotency_key": "csv-step-1"}
    )
    assert (row["mode"], row["eta"], row["beta"], row["x"]) == ("momentum", "10.0", "0.5", "-5.0")
    assert row["stopped_at_edge"] == "yes" and row["velocity"] == "-9.0"
    assert float(row["true_slope"]) == -12.0 and float(row["slope"]) != -12.0


def test_points_and_gradients_of_two_parameter_levels_are_in_the_csv(
    app, desk, session, demo: Demo
) -> None:
    level = open_level(
        session,
        demo.lesson.id,
        LevelSpec(
            title="Plane",
            **PLANE,
            cooldown_seconds=0,
            mode=Mode.MOMENTUM,
            start_x=4,
            start_y=1,
        ),
    )
    row = csv_row_of_one_move(
        app, desk, demo, level, {"eta": 0.1, "beta": 0.5, "idempotency_key": "csv-plane-1"}
    )
    # from (4, 1), where ∇f = (6, 18): v = −0.1·∇f, so (x, y) = (3.4, −0.8)
    assert (float(row["x"]), float(row["y"])) == pytest.approx((3.4, -0.8))
    assert (float(row["velocity"]), float(row["velocity_y"])) == pytest.approx((-0.6, -1.8))
    assert (float(row["slope"]), float(row["gy"])) == pytest.approx((4.8, 7.2))
    assert row["true_gy"] == ""  # no noise on this level
