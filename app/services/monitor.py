"""What the instructor's live monitor shows of a level: every team, every point, the curve
(on a two-parameter level, a contour map of f and each team's path of points (x, y))."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.game.variants import NO_VARIANT, Variant
from app.models import Guess, Level, Progress, Team
from app.schemas import Contours, MonitorLevel, MonitorTeam, MonitorView


def monitor_view(session: Session, *, level: Level, now: datetime) -> MonitorView:
    """The level's state, the true curve and minimum, and each team's guesses and best."""
    teams = session.scalars(
        select(Team).where(Team.lesson_id == level.lesson_id).order_by(Team.number)
    ).all()
    progress = {
        p.team_id: p for p in session.scalars(select(Progress).where(Progress.level_id == level.id))
    }
    # with per-team variants, every point moved back onto the level's own curve
    variants = {team.id: level.variant(team.id) for team in teams}
    points: dict[int, list[list[float]]] = {team.id: [] for team in teams}
    for team_id, x, y, fx in session.execute(
        select(Guess.team_id, Guess.x, Guess.y, Guess.fx)
        .where(Guess.level_id == level.id)
        .order_by(Guess.team_id, Guess.seq)
    ):
        if y is not None:
            points.setdefault(team_id, []).append([x, y, fx])
            continue
        v = variants.get(team_id, NO_VARIANT)
        points.setdefault(team_id, []).append([v.level_x(x), v.level_value(fx)])
    reach = level.variant_shift or 0.0  # where teams' copies took their guesses
    x_min, x_max = level.x_min - reach, level.x_max + reach
    domain = level.domain
    picture = domain.picture(level.expression, reach=reach, detail=domain.monitor_detail)
    return MonitorView(
        kind=domain.kind,
        curve=picture.curve,
        plane=Contours(**picture.contours) if picture.contours else None,
        level=MonitorLevel(
            id=level.id,
            title=level.title,
            state=level.clock.state_at(now).value,
            deadline=level.clock.deadline,
            x_min=x_min,
            x_max=x_max,
            x_star=level.x_star,
            f_star=level.f_star,
            y_min=level.y_min,
            y_max=level.y_max,
            y_star=level.y_star,
        ),
        teams=[
            _team_row(team, progress.get(team.id), points.get(team.id, []), variants[team.id])
            for team in teams
        ],
        guesses=sum(len(each) for each in points.values()),
        server_now=now,
    )


def _team_row(
    team: Team, progress: Progress | None, points: list[list[float]], variant: Variant
) -> MonitorTeam:
    best_fx = best_x = None
    if progress is not None and progress.best_fx is not None and progress.best_x is not None:
        best_fx, best_x = variant.level_value(progress.best_fx), variant.level_x(progress.best_x)
    return MonitorTeam(
        number=team.number,
        name=team.name,
        entered=progress is not None,
        guesses=progress.guesses_used if progress else 0,
        best_fx=best_fx,
        best_x=best_x,
        best_y=progress.best_y if progress is not None else None,
        last_guess_at=progress.last_guess_at if progress else None,
        points=points,
    )
