"""The lesson report: one self-contained HTML file with each level's curve, every team's
path, the true minimum and the standings."""

from __future__ import annotations

import json
import re

from tests.support import Demo, browser_like, enter, login_as, post, set_level

HOSTILE = '</script><script>alert("x")</script>'


def play(app, level, number: int, xs: list[float]) -> None:
    with browser_like(app) as phone:
        login_as(phone, number)
        enter(phone, level.id, level.password)
        for i, x in enumerate(xs):
            answer = phone.post(
                f"/api/levels/{level.id}/guesses",
                json={"x": x, "idempotency_key": f"report-{number}-{i}"},
            )
            assert answer.status_code == 200, answer.text


def chart_data(report: str, level_id: int) -> list[dict]:
    """The traces plotly draws in one level's chart, read back from the report."""
    match = re.search(rf'Plotly\.newPlot\(\s*"chart-{level_id}",\s*(\[.*?\]),\s*\{{', report, re.S)
    assert match, f"no chart for level {level_id}"
    return json.loads(match.group(1))


def test_the_report_has_every_level_curve_path_minimum_and_standings(
    app, desk, session, demo: Demo
) -> None:
    first = demo.levels[0]
    set_level(session, first, cooldown_seconds=0)
    post(desk, f"/instructor/levels/{first.id}/state", action="open")
    post(
        desk, f"/instructor/lessons/{demo.lesson.id}/teams/{demo.teams[2].id}/rename", name=HOSTILE
    )
    play(app, first, 2, [1.0, 3.0])  # Function 1: 0.125*(x - 3.7)^2 + 2
    play(app, first, 5, [5.0])
    post(desk, f"/instructor/levels/{first.id}/state", action="close")
    post(desk, f"/instructor/levels/{first.id}/state", action="reveal")

    response = desk.get(f"/instructor/lessons/{demo.lesson.id}/report.html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"] == (
        'attachment; filename="downhill-DEMO-report.html"'
    )
    report = response.text
    # it opens offline: plotly.js is inside, nothing is fetched from anywhere
    assert "<script src" not in report and "<link" not in report
    assert "Plotly.newPlot" in report and len(report) > 1_000_000
    # a team's name cannot break out of the page
    assert HOSTILE not in report and "<script>alert" not in report

    traces = {trace["name"]: trace for trace in chart_data(report, first.id)}
    assert traces["f(x), the hidden function"]["mode"] == "lines"
    assert len(traces["f(x), the hidden function"]["x"]) == 241
    # plotly would read tags in a trace name: the name is drawn as typed, not as markup
    escaped = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    path = traces[f"2 · {escaped}"]
    assert path["x"] == [1.0, 3.0] and path["mode"] == "markers+lines"
    assert path["y"] == [0.125 * (1 - 3.7) ** 2 + 2, 0.125 * (3 - 3.7) ** 2 + 2]
    assert traces["Team 5"]["x"] == [5.0]
    minimum = traces["the true minimum"]
    assert minimum["x"][0] == first.x_star and minimum["y"][0] == first.f_star
    # a level nobody played still shows its curve and its minimum
    unplayed = {trace["name"] for trace in chart_data(report, demo.levels[1].id)}
    assert unplayed == {"f(x), the hidden function", "the true minimum"}
    # standings: rank, team, best f(x), gap to the minimum, guesses, points
    section = report.split('id="level-1"')[1].split("</section>")[0]
    rows = re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td>\s*<td class=\"num\">(.*?)</td>"
        r"<td class=\"num\">(.*?)</td>\s*<td class=\"num\">(.*?)</td>"
        r"<td class=\"num\">(.*?)</td>",
        section,
    )
    assert rows[0][:5] == (
        "1",
        "2 · &lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;",
        "2.06125",
        "0.0613",
        "2",
    )
    assert rows[1][:5] == ("2", "Team 5", "2.21125", "0.211", "1")
    assert float(rows[0][5]) > float(rows[1][5]) > 0
    assert rows[2][0] == "–" and rows[2][5] == "0.0"
    assert "Some levels are not revealed yet" in report  # levels 2 and 3 are drafts


def test_the_report_speaks_the_instructors_language(desk, demo: Demo) -> None:
    desk.cookies.set("downhill_lang", "zh_TW")
    response = desk.get(f"/instructor/lessons/{demo.lesson.id}/report.html")
    assert response.status_code == 200
    report = response.text
    assert '<html lang="zh-TW">' in report
    assert "總排名" in report  # the page's own words
    assert json.dumps("f(x)，隱藏的函數")[1:-1] in report  # and the charts' (as JSON)
    assert "f(x), the hidden function" not in report


def test_a_missing_lesson_has_no_report(desk) -> None:
    assert desk.get("/instructor/lessons/99999/report.html").status_code == 404
