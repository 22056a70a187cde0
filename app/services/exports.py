"""Getting data out: every guess and the standings of a lesson, as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.game.scoring import rank_level
from app.models import Guess, Lesson, Level, Team
from app.numbers import plain
from app.services.standings import level_entries, overall_standings

GUESS_COLUMNS = (
    "lesson",
    "level",
    "team_number",
    "team_name",
    "sequence",
    "x",
    "fx",
    "slope",
    "server_time",
    # what the rest of the lecture adds: how the team moved, and the true slope beside a
    # noisy one (the CSV is the instructor's)
    "mode",
    "eta",
    "beta",
    "velocity",
    "stopped_at_edge",
    "true_slope",
    # two-parameter levels: y beside x, ∂f/∂y beside ``slope`` (∂f/∂x), and the rest along y
    "y",
    "gy",
    "velocity_y",
    "true_gy",
)
STANDING_COLUMNS = (
    "lesson",
    "scope",
    "rank",
    "team_number",
    "team_name",
    "best_fx",
    "guesses",
    "points",
)


def _cell(value: object) -> object:
    """A text cell a spreadsheet will not run as a formula (names are typed by people);
    numbers are written as numbers, at full precision without float noise (app.numbers)."""
    if isinstance(value, float):
        return plain(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _blank(value: object) -> object:
    return "" if value is None else value


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def guesses_csv(session: Session, *, lesson: Lesson) -> str:
    """Every guess of the lesson, level by level, team by team, in order."""
    rows = session.execute(
        select(
            Level.title,
            Team.number,
            Team.name,
            Guess.seq,
            Guess.x,
            Guess.fx,
            Guess.slope,
            Guess.created_at,
            Level.mode,
            Guess.eta,
            Guess.beta,
            Guess.velocity,
            Guess.clamped,
            Guess.true_slope,
            Guess.y,
            Guess.gy,
            Guess.velocity_y,
            Guess.true_gy,
        )
        .join(Level, Guess.level_id == Level.id)
        .join(Team, Guess.team_id == Team.id)
        .where(Level.lesson_id == lesson.id)
        .order_by(Level.position, Team.number, Guess.seq)
    )
    return _csv(
        GUESS_COLUMNS,
        (
            (lesson.name, title, number, name or "", seq, x, fx, slope, at.isoformat(), mode)
            + tuple(_blank(value) for value in (eta, beta, velocity))
            + ("yes" if clamped else "",)
            + tuple(_blank(value) for value in rest)
            for title, number, name, seq, x, fx, slope, at, mode, eta, beta, velocity, clamped, *rest in rows  # noqa: E501
        ),
    )


def standings_csv(session: Session, *, lesson: Lesson, now: datetime) -> str:
    """Each level's ranking (all of them: this is the instructor's copy) and the lesson's."""
    rows: list[Sequence[object]] = []
    for level in lesson.levels:
        for standing in rank_level(level_entries(session, level=level)):
            entry = standing.entry
            rows.append(
                (
                    lesson.name,
                    level.title,
                    standing.rank if entry.best_fx is not None else "",
                    entry.team_number,
                    entry.team_name or "",
                    "" if entry.best_fx is None else entry.best_fx,
                    entry.guesses,
                    "",
                )
            )
    ranking, _ = overall_standings(session, lesson_id=lesson.id, now=now)
    rows.extend(
        (
            lesson.name,
            "overall",
            row.rank,
            row.team_number,
            row.team_name or "",
            "",
            "",
            float(row.total),
        )
        for row in ranking
    )
    return _csv(STANDING_COLUMNS, rows)
