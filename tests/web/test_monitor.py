"""The instructor's live monitor: its data, its stream, and who may see it."""

from __future__ import annotations

import json
import threading

import pytest

from tests.support import Demo, browser_like, enter, login_as, post


def guess(app, number: int, level_id: int, x: str, key: str) -> None:
    with browser_like(app) as team:
        login_as(team, number)
        enter(team, level_id)
        assert (
            team.post(
                f"/api/levels/{level_id}/guesses", json={"x": x, "idempotency_key": key}
            ).status_code
            == 200
        )


def test_the_monitor_shows_every_team_and_the_true_curve(app, desk, demo: Demo) -> None:
    level = demo.levels[0]
    guess(app, 2, level.id, "1.7", "monitor-1")
    data = desk.get(f"/instructor/levels/{level.id}/monitor.json").json()
    assert data["level"]["x_star"] == pytest.approx(3.7)
    assert len(data["curve"]) == 241 and data["guesses"] == 1
    team2 = next(t for t in data["teams"] if t["number"] == 2)
    assert team2["points"] == [[1.7, 2.5]] and team2["best_fx"] == 2.5 and team2["guesses"] == 1
    assert len(data["teams"]) == 10
    page = desk.get(f"/instructor/levels/{level.id}/monitor")
    assert page.status_code == 200 and 'id="monitor-data"' in page.text


def test_the_monitor_opens_closes_and_reveals_and_comes_back_to_itself(desk, demo: Demo) -> None:
    level = demo.levels[0]  # open in the demo
    monitor = f"/instructor/levels/{level.id}/monitor"
    page = desk.get(monitor).text
    assert 'name="back" value="monitor"' in page and 'value="close"' in page
    assert 'value="reveal"' not in page  # not before it is closed
    for action, shown in (("close", "reveal"), ("reveal", None)):
        moved = post(desk, f"/instructor/levels/{level.id}/state", action=action, back="monitor")
        assert moved.status_code == 303 and moved.headers["location"] == monitor
        page = desk.get(monitor).text
        assert shown is None or f'value="{shown}"' in page
    assert 'id="reveal"' in page and "level-moves" not in page  # revealed: nothing to move
    bad = post(desk, f"/instructor/levels/{level.id}/state", action="reveal", back="monitor")
    assert bad.status_code == 409  # a move the state does not allow changes nothing


def test_the_stream_sends_a_snapshot_then_one_after_each_guess(app, desk, demo: Demo) -> None:
    level = demo.levels[0]
    events: list[dict] = []
    team = threading.Thread(target=guess, args=(app, 4, level.id, "0", "stream-1"))
    try:
        with desk.stream("GET", f"/instructor/levels/{level.id}/monitor/stream") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                events.append(json.loads(line[5:]))
                if len(events) == 1:
                    team.start()
                # the team's first login is news too (the monitor counts who joined): a
                # snapshot may come for it before the one for the guess
                if events[-1]["guesses"] or len(events) == 4:
                    break
    finally:
        if team.ident is not None:
            team.join(timeout=30)  # its phone is done before the test's database goes
    assert not team.is_alive()
    assert [event["guesses"] for event in events[:-1]] == [0] * (len(events) - 1)
    assert events[-1]["guesses"] == 1
    assert next(t for t in events[-1]["teams"] if t["number"] == 4)["points"] == [
        [0.0, pytest.approx(3.71125)]
    ]


def test_the_monitor_is_the_instructors_alone(app, client, demo: Demo) -> None:
    level_id = demo.levels[0].id
    paths = [
        f"/instructor/levels/{level_id}/monitor",
        f"/instructor/levels/{level_id}/monitor.json",
        f"/instructor/levels/{level_id}/monitor/stream",
    ]
    for path in paths:
        assert client.get(path, headers={"Accept": "application/json"}).status_code == 401
    with browser_like(app) as team:
        login_as(team, 1)
        for path in paths:
            response = team.get(path, headers={"Accept": "application/json"})
            assert response.status_code == 403
            assert "x_star" not in response.text


def test_a_monitor_of_no_level_is_not_found(desk) -> None:
    assert desk.get("/instructor/levels/999/monitor.json").status_code == 404
    assert (
        desk.get(
            "/instructor/levels/999/monitor/stream", headers={"Accept": "application/json"}
        ).status_code
        == 404
    )
