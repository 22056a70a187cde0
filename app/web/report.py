"""The lesson report: one HTML file for the course website after class, with each level's
curve, every team's path, the true minimum and the standings. It opens offline: the charts
are built with the Python ``plotly`` package and plotly.js is inlined from the copy Downhill
serves (the cartesian bundle, enough for these charts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from app.game.scoring import OverallStanding, Standing, rank_level
from app.i18n import gettext
from app.models import Lesson, Level
from app.services.monitor import monitor_view
from app.services.standings import level_entries, overall_standings
from app.web.templating import STATIC_DIR, team_colour, team_label

PLOTLY_JS = "vendor/plotly/plotly-cartesian-4.1.1.min.js"


@dataclass(frozen=True)
class LevelReport:
    """One level of the report: its chart (an HTML fragment) and its final standings."""

    level: Level
    state: str
    chart: Markup
    standings: list[Standing]
    points: dict[int, float] | None  # team id -> points, once the level is revealed
    guesses: int


@dataclass(frozen=True)
class LessonReport:
    """Everything the report shows of a lesson."""

    lesson: Lesson
    levels: list[LevelReport]
    overall: list[OverallStanding]
    plotly_js: Markup
    made_at: datetime


@cache
def inline_plotly_js() -> Markup:
    """plotly.js as the text of a <script> element (it holds no ``</script``)."""
    text = (STATIC_DIR / PLOTLY_JS).read_text(encoding="utf-8")
    if "</script" in text.lower():  # pragma: no cover - guards a future upgrade of the file
        raise ValueError("plotly.js cannot be inlined: it contains </script")
    return Markup(text)  # noqa: S704 - our own vendored file, checked above


def plotly_text(value: str) -> str:
    """Text for a trace name: plotly reads <b>, <a href> and the like in names, and a
    team's name is shown as typed."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def level_chart(view: dict[str, Any], div_id: str) -> Markup:
    """The level's curve, its true minimum and each team's guesses joined in order."""
    import plotly.graph_objects as go  # heavy to import: only when a report is made

    figure = go.Figure()
    curve = view["curve"]
    figure.add_scatter(
        x=[p[0] for p in curve],
        y=[p[1] for p in curve],
        mode="lines",
        name=gettext("f(x), the hidden function"),
        line={"color": "#9aa5b1", "width": 3},
        hoverinfo="skip",
    )
    for index, team in enumerate(view["teams"]):
        if not team["points"]:
            continue
        colour = team_colour(index)
        figure.add_scatter(
            x=[p[0] for p in team["points"]],
            y=[p[1] for p in team["points"]],
            mode="markers+lines",
            name=plotly_text(team_label(team["number"], team["name"])),
            line={"color": colour, "width": 1},
            marker={"color": colour, "size": 8},
            hovertemplate="x = %{x:.4g}<br>f(x) = %{y:.4g}<extra>%{fullData.name}</extra>",
        )
    level = view["level"]
    figure.add_scatter(
        x=[level["x_star"]],
        y=[level["f_star"]],
        mode="markers",
        name=gettext("the true minimum"),
        marker={"symbol": "diamond", "size": 16, "color": "#6a3fb5"},
        hovertemplate="x* = %{x:.6g}<br>f(x*) = %{y:.6g}<extra></extra>",
    )
    figure.update_layout(
        template="plotly_white",
        height=460,
        margin={"l": 50, "r": 20, "t": 20, "b": 40},
        xaxis={"title": {"text": "x"}, "range": [level["x_min"], level["x_max"]]},
        yaxis={"title": {"text": "f(x)"}},
        legend={"orientation": "h", "y": -0.15},
    )
    html = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    return Markup(html)  # noqa: S704 - plotly's own markup; the names are JSON-escaped


def lesson_report(session: Session, *, lesson: Lesson, now: datetime) -> LessonReport:
    """The report of a lesson as it stands now (in the current language)."""
    overall, revealed = overall_standings(session, lesson_id=lesson.id, now=now)
    revealed_ids = {level.id for level in revealed}
    reports = []
    for level in lesson.levels:
        view = monitor_view(session, level=level, now=now)
        points = None
        if level.id in revealed_ids:
            points = {row.team_id: row.per_level.get(level.id, 0.0) for row in overall}
        reports.append(
            LevelReport(
                level=level,
                state=view["level"]["state"],
                chart=level_chart(view, f"chart-{level.id}"),
                standings=rank_level(level_entries(session, level=level)),
                points=points,
                guesses=view["guesses"],
            )
        )
    return LessonReport(lesson, reports, overall, inline_plotly_js(), now)
