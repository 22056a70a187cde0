"""What standings cost as the guesses pile up: 10k, 100k and 1M stored guesses, 1,000 teams.

A lesson of 1,000 teams (every one entered) and one open level on the projector; the guess
table (the real schema: the server migrates its own database) is filled in bulk with
sqlite3 executemany in one transaction per step, a guess every 3.6 ms in turn by team, at
an x drawn at random, with each team's progress row (guesses used, best f(x), where and
when) and each guess's mark of a new best kept as the guess service keeps them. (Random
guesses lower a team's best a few times, about ln n in n guesses; a team that descends
lowers it at most once a guess, within its budget: the race reads those guesses alone.)
At each size, the median of several runs, each in a fresh session as a request has:
- the level's standings as teams see them (``team_level_standings``), live, and frozen: the
  level's standings froze for its last minutes, with the last 2,000 or so guesses made
  after the freeze, so they rank the guesses made before it;
- the projector's snapshot (``projector_view``), which the live stream sends after every
  change, in both cases;
- GET /api/levels/<id>/standings through the running server, beside GET /api/health.
The baseline is the same figure at 10k guesses: the ratio 1M/10k says whether it is flat.
SQLite only (the bulk seeding is SQLite's). Figures are printed, never asserted.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import Database, utcnow  # noqa: E402
from app.game.expression import compile_function  # noqa: E402
from app.models import Lesson, Level  # noqa: E402
from app.services.projector import projector_view  # noqa: E402
from app.services.standings import team_level_standings  # noqa: E402
from bench.common import (  # noqa: E402
    SECRET,
    BenchLesson,
    Timing,
    data_dir,
    heading,
    log_in,
    seed_lesson,
    set_level,
    timed,
)
from tests.server import running_server  # noqa: E402

TEAMS = 1000
SIZES = (10_000, 100_000, 1_000_000)
RUNS = 9
HTTP_RUNS = 15
STEP = 0.0036  # seconds between two seeded guesses: 1M take the level's first hour
AFTER_FREEZE = 2000  # about this many of the newest guesses come after the freeze
LIMIT = 3 * 3600  # the level's time limit: it opened 1.5 h before the run, closes 1.5 h after
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a UTC datetime in SQLite


@dataclass
class Seeder:
    """Adds guesses to the level in bulk, as if the teams took turns, one every few ms,
    and keeps each team's progress row as the guess service would."""

    path: str
    level_id: int
    expression: str
    opened_at: datetime
    team_ids: list[int] = field(default_factory=list)
    stored: int = 0
    # team id: [guesses used, best f(x), best x, best at, last guess at]
    progress: dict[int, list[Any]] = field(default_factory=dict)

    def grow(self, total: int) -> float:
        """Add guesses until the level holds ``total``; returns the seconds it took."""
        started = time.perf_counter()
        fn = compile_function(self.expression)
        draw = random.Random(self.stored)  # noqa: S311 - seeding a benchmark
        step = timedelta(seconds=STEP)
        rows = []
        for i in range(self.stored, total):
            team_id = self.team_ids[i % len(self.team_ids)]
            point = fn.at(round(draw.uniform(-10, 10), 3))
            at = (self.opened_at + step * i).strftime(SQLITE_TIME)
            mine = self.progress.setdefault(team_id, [0, None, None, None, None])
            mine[0] = seq = mine[0] + 1
            mine[4] = at
            improved = mine[1] is None or point.fx < mine[1]
            if improved:
                mine[1:4] = [point.fx, point.x, at]
            key = f"seed{i:09d}"
            rows.append(
                (team_id, self.level_id, seq, point.x, point.fx, point.slope, key, at, improved)
            )
        with sqlite3.connect(self.path, timeout=30) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(
                "INSERT INTO guess (team_id, level_id, seq, x, fx, slope, idempotency_key,"
                " created_at, improved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            connection.executemany(
                "UPDATE progress SET guesses_used = ?, best_fx = ?, best_x = ?, best_at = ?,"
                " last_guess_at = ? WHERE team_id = ? AND level_id = ?",
                [(*mine, team_id, self.level_id) for team_id, mine in self.progress.items()],
            )
            connection.execute(
                "UPDATE live_version SET version = version + 1 WHERE lesson_id ="
                " (SELECT lesson_id FROM level WHERE id = ?)",
                (self.level_id,),
            )
        self.stored = total
        return time.perf_counter() - started

    def freeze_seconds(self) -> int:
        """The level's freeze (seconds before its deadline) that leaves the newest
        ``AFTER_FREEZE`` or so of the guesses stored so far after the moment it froze."""
        return LIMIT - int((self.stored - AFTER_FREEZE) * STEP)

    def after_freeze(self, freeze_seconds: int) -> int:
        """How many stored guesses come after that moment (read from the database)."""
        frozen_at = self.opened_at + timedelta(seconds=LIMIT - freeze_seconds)
        with sqlite3.connect(self.path, timeout=30) as connection:
            (count,) = connection.execute(
                "SELECT count(*) FROM guess WHERE level_id = ? AND created_at > ?",
                (self.level_id, frozen_at.strftime(SQLITE_TIME)),
            ).fetchone()
        return int(count)


def prepare_level(database_url: str, lesson: BenchLesson) -> Seeder:
    """Every team entered; the level opened an hour and a half ago (on a whole second) with
    a three-hour limit, so any freeze that starts after the seeded guesses is on now."""
    path = database_url.removeprefix("sqlite:///")
    opened_at = utcnow().replace(microsecond=0) - timedelta(seconds=LIMIT / 2)
    set_level(database_url, lesson.level_id, opened_at=opened_at, time_limit_seconds=LIMIT)
    with sqlite3.connect(path, timeout=30) as connection:
        team_ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM team WHERE lesson_id = ? ORDER BY number", (lesson.lesson_id,)
            )
        ]
        (expression,) = connection.execute(
            "SELECT expression FROM level WHERE id = ?", (lesson.level_id,)
        ).fetchone()
        entered = opened_at.astimezone(UTC).strftime(SQLITE_TIME)
        connection.executemany(
            "INSERT INTO progress (team_id, level_id, entered_at, guesses_used)"
            " VALUES (?, ?, ?, 0)",
            [(team_id, lesson.level_id, entered) for team_id in team_ids],
        )
    return Seeder(path, lesson.level_id, expression, opened_at.replace(tzinfo=None), team_ids)


def in_process(database: Database, lesson: BenchLesson) -> dict[str, Callable[[], object]]:
    """The service calls to time, each in a fresh session as a request has."""

    def standings() -> object:
        with database.sessions() as session:
            level = session.get(Level, lesson.level_id)
            assert level is not None
            return team_level_standings(session, level=level, now=utcnow())

    def projector() -> object:
        with database.sessions() as session:
            found = session.get(Lesson, lesson.lesson_id)
            assert found is not None
            return projector_view(session, lesson=found, now=utcnow())

    return {"standings": standings, "projector snapshot": projector}


def over_http(client: httpx.Client, path: str) -> Timing:
    def run() -> None:
        client.get(path).raise_for_status()

    return timed(run, times=HTTP_RUNS, warm_up=2)


def main() -> None:
    seeded: dict[str, object] = {}

    def prepare(database_url: str) -> None:
        if not database_url.startswith("sqlite:///"):
            raise SystemExit("bench/standings.py seeds SQLite in bulk: run it on SQLite")
        lesson = seed_lesson(database_url, teams=TEAMS, cooldown=0)
        seeded.update(url=database_url, lesson=lesson, seeder=prepare_level(database_url, lesson))

    results: dict[tuple[str, str], dict[int, Timing]] = {}
    with data_dir("standings") as directory:
        with running_server(directory, SECRET, before_serve=prepare) as base:
            lesson, seeder = seeded["lesson"], seeded["seeder"]
            assert isinstance(lesson, BenchLesson) and isinstance(seeder, Seeder)
            url = str(seeded["url"])
            database = Database(url)
            client = log_in(base, lesson.join_code, 1)
            heading(
                f"Standings as guesses pile up: {TEAMS} teams, one level, SQLite; median of "
                f"{RUNS} runs in-process (a fresh session each), {HTTP_RUNS} over HTTP"
            )
            for size in SIZES:
                took = seeder.grow(size)
                freeze = seeder.freeze_seconds()
                print(
                    f"{size:>9,} guesses stored (seeded in {took:.1f} s); frozen: "
                    f"{seeder.after_freeze(freeze):,} of them after the freeze",
                    flush=True,
                )
                for mode in ("live", "frozen"):
                    frozen = mode == "frozen"
                    set_level(
                        url,
                        lesson.level_id,
                        standings_visibility="frozen" if frozen else "shown",
                        freeze_seconds=freeze if frozen else None,
                    )
                    timings = {
                        name: timed(run, times=RUNS)
                        for name, run in in_process(database, lesson).items()
                    }
                    timings["GET /api/levels/<id>/standings"] = over_http(
                        client, f"/api/levels/{lesson.level_id}/standings"
                    )
                    timings["GET /api/health (baseline)"] = over_http(client, "/api/health")
                    for name, spent in timings.items():
                        results.setdefault((mode, name), {})[size] = spent
                        print(f"  {mode:<7} {name:<32} {spent}", flush=True)
            client.close()
            database.engine.dispose()

    print(
        "\nSummary: median ms (the ratio 1M / 10k, of the medians and of the best runs, says"
        " whether it grows with the guesses)"
    )
    sizes = "".join(f"{f'{size:,}':>12}" for size in SIZES)
    print(f"  {'':<40}{sizes}   1M/10k   (best)")
    for (mode, name), by_size in results.items():
        cells = "".join(f"{by_size[size].median * 1e3:12.2f}" for size in SIZES)
        first, last = by_size[SIZES[0]], by_size[SIZES[-1]]
        print(
            f"  {f'{mode} {name}':<40}{cells}   {last.median / first.median:5.1f}×"
            f"   {last.best / first.best:5.1f}×"
        )


if __name__ == "__main__":
    main()
