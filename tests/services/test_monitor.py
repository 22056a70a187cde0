"""The instructor's monitor: every team of the lesson, entered or not, its points and best,
and the true curve with its minimum (the instructor may see what teams may not)."""

from __future__ import annotations

from datetime import timedelta

from app.db import utcnow
from app.services.levels import enter_level
from app.services.monitor import monitor_view
from app.services.submit import submit_guess
from tests.support import Demo


def test_every_team_with_its_points_over_the_true_curve(session, demo: Demo) -> None:
    team, level = demo.teams[2], demo.levels[0]
    start = utcnow() - timedelta(minutes=1)
    enter_level(session, team=team, level_id=level.id, password=None, now=start)
    for i, x in enumerate(["1", "3"]):
        submit_guess(
            session,
            team=team,
            level_id=level.id,
            raw_x=x,
            idempotency_key=f"monitor-{i:04d}",
            now=start + timedelta(seconds=11 * i),
        )
    view = monitor_view(session, level=level, now=utcnow())
    assert [row.number for row in view.teams] == sorted(demo.teams)
    row = next(row for row in view.teams if row.number == 2)
    assert row.entered and row.guesses == 2 and [p[0] for p in row.points] == [1.0, 3.0]
    assert row.best_x == 3.0 and row.best_fx == min(p[1] for p in row.points)
    assert all(not other.entered and not other.points for other in view.teams if other is not row)
    assert view.guesses == 2 and view.plane is None and len(view.curve) > 100
    assert (view.level.x_star, view.level.state) == (level.x_star, "open")
