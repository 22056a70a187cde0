"""The lesson report: one HTML file for the course website after class, with each level's
curve, every team's path, the true minimum and the standings. It opens offline: the charts
are built with the Python ``plotly`` package and plotly.js is inlined from the copy Downhill
serves (the cartesian bundle, enough for these charts)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from app.game.domain import domain_of
from app.game.scoring import OverallStanding, Standing, rank_level
from app.i18n import gettext
from app.models import Lesson, Level
from app.schemas import MonitorView
from app.services.monitor import monitor_view
from app.services.standings import level_entries, overall_standings
from app.web.templating import STATIC_DIR, team_colour, team_label, team_symbol

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


def level_chart(view: MonitorView, div_id: str) -> Markup:
    """The level's curve (on a two-parameter level its contour map), its true minimum and
    each team's guesses joined in order."""
    import plotly.graph_objects as go  # heavy to import: only when a report is made

    figure = go.Figure()
    level = view.level
    hover, minimum, axes, width = _DRAW_FUNCTION[view.kind](figure, view)
    for index, team in enumerate(view.teams):
        if not team.points:
            continue
        colour = team_colour(index)
        figure.add_scatter(
            x=[p[0] for p in team.points],
            y=[p[1] for p in team.points],
            mode="markers+lines",
            name=plotly_text(team_label(team.number, team.name)),
            line={"color": colour, "width": width},
            marker={
                "color": colour,
                "size": 8,
                "symbol": team_symbol(index),
                "line": {"color": "#fff", "width": 1},
            },
            hovertemplate=hover + "<extra>%{fullData.name}</extra>",
        )
    figure.add_scatter(
        x=[minimum[0]],
        y=[minimum[1]],
        mode="markers",
        name=gettext("the true minimum"),
        marker={"symbol": "diamond", "size": 16, "color": "#6a3fb5"},
        hovertemplate=hover.replace(":.4g", ":.6g") + "<extra></extra>",
    )
    x_range = [level.x_min, level.x_max]
    played = [p for team in view.teams for p in team.points]
    if played:  # where the play happened, as every screen shows the reveal (app.game.view)
        bounds = domain_of(level.x_min, level.x_max, level.y_min, level.y_max)
        window = bounds.window(played, level.x_star, level.f_star, level.y_star)
        if window is not None:
            x_range, axes = window[:2], {**axes, "range": window[2:]}
    figure.update_layout(
        template="plotly_white",
        height=460,
        margin={"l": 50, "r": 20, "t": 20, "b": 40},
        xaxis={"title": {"text": "x"}, "range": x_range},
        yaxis=axes,
        legend={"orientation": "h", "y": -0.15},
    )
    html = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    return Markup(html)  # noqa: S704 - plotly's own markup; the names are JSON-escaped


Drawn = tuple[str, tuple[Any, Any], dict[str, Any], float]


def _draw_curve(figure: Any, view: MonitorView) -> Drawn:
    """The hidden function of an interval on the chart: the curve of f(x); with the hover
    text, the minimum's place, the y axis and the width of the teams' lines that go with it."""
    level = view.level
    figure.add_scatter(
        x=[p[0] for p in view.curve],
        y=[p[1] for p in view.curve],
        mode="lines",
        name=gettext("f(x), the hidden function"),
        line={"color": "#9aa5b1", "width": 3},
        hoverinfo="skip",
    )
    hover = "x = %{x:.4g}<br>f(x) = %{y:.4g}"
    return hover, (level.x_star, level.f_star), {"title": {"text": "f(x)"}}, 1


def _draw_contours(figure: Any, view: MonitorView) -> Drawn:
    """The hidden function of a rectangle: a shaded contour map of f(x, y)."""
    level, plane = view.level, view.plane
    assert plane is not None  # noqa: S101 - a rectangle's picture is its contour map
    low = min(v for row in plane.z for v in row if v is not None)
    figure.add_contour(  # shaded as plane.js: by log(1 + f − min f), the true f on hover
        x=plane.x,
        y=plane.y,
        z=[[None if v is None else math.log1p(v - low) for v in row] for row in plane.z],
        text=[["–" if v is None else f"{v:.5g}" for v in row] for row in plane.z],
        colorscale=[[0, "#6baed6"], [0.3, "#c6dbef"], [1, "#ffffff"]],  # as plane.js
        ncontours=24,
        showscale=False,
        name=gettext("f(x, y), the hidden function"),
        hovertemplate="x = %{x:.4g}<br>y = %{y:.4g}<br>f = %{text}<extra></extra>",
    )
    axes = {"title": {"text": "y"}, "range": [level.y_min, level.y_max]}
    return "x = %{x:.4g}<br>y = %{y:.4g}", (level.x_star, level.y_star), axes, 1.5


# How the report draws each kind of level's function (by app/game/domain.py's ``kind``).
_DRAW_FUNCTION = {"interval": _draw_curve, "rectangle": _draw_contours}


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
                state=view.level.state,
                chart=level_chart(view, f"chart-{level.id}"),
                standings=rank_level(level_entries(session, level=level)),
                points=points,
                guesses=view.guesses,
            )
        )
    return LessonReport(lesson, reports, overall, inline_plotly_js(), now)
