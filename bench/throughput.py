"""Guess throughput and latency under load, against the trivial endpoint of the same server.

A lesson of 1,000 teams and one open level with no cooldown and no budget; every team logs
in and enters the level through the JSON API beforehand. Then wrk (bench/rotate_teams.lua)
sends, at 64 and at 256 connections for 10 s each, accepted guesses where every request is
another team's (its session cookie, its CSRF token, a new x, a new idempotency key), and
the same load of GET /api/health with the same cookies. The baseline is the bare FastAPI
app of bench/bare.py, served the same way, answering the same guess requests at 64
connections. Prints requests/s, p50/p90/p99 latency, non-2xx and socket errors, the ratios
(accepted guesses/s ÷ the bare endpoint's: the goal is 0.6 or more), and how many guesses
the database really holds afterwards. One uvicorn process on SQLite (with
DOWNHILL_TEST_ENGINE=postgresql, on PostgreSQL; ``--workers N`` for more processes); wrk
and the server share this machine's cores. Figures are printed, never asserted.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import Database  # noqa: E402
from app.models import Guess  # noqa: E402
from bench.bare import bare_server  # noqa: E402
from bench.common import (  # noqa: E402
    SECRET,
    BenchLesson,
    data_dir,
    ensure_wrk,
    heading,
    log_in_all,
    seed_lesson,
)
from tests.databases import ENGINE  # noqa: E402
from tests.server import free_port, running_server  # noqa: E402

TEAMS = 1000
CONNECTIONS = (64, 256)
BARE_CONNECTIONS = 64
SECONDS = 10
THREADS = 2
SCRIPT = ROOT / "bench" / "rotate_teams.lua"


@dataclass(frozen=True)
class WrkRun:
    """What one wrk run reports (latencies in seconds)."""

    requests: int
    seconds: float
    p50: float
    p90: float
    p99: float
    worst: float
    statuses: dict[int, int]
    socket_errors: dict[str, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def ok(self) -> int:
        return sum(n for code, n in self.statuses.items() if 200 <= code < 300)

    @property
    def not_ok(self) -> int:
        return sum(n for code, n in self.statuses.items() if not 200 <= code < 300)


@dataclass(frozen=True)
class Target:
    """Where wrk sends its load: the server, the logged-in teams, the level."""

    wrk: str
    base: str
    teams_file: Path
    level_id: int


def run_wrk(target: Target, mode: str, label: str, connections: int, seconds: int) -> WrkRun:
    """One wrk run of ``mode`` ("guess" or "health") with the given connections and seconds."""
    command = [
        target.wrk,
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        target.base,
        "--",
        str(target.teams_file),
        mode,
        str(target.level_id),
        label,
        target.base,
        str(THREADS),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, int] = {}
    statuses: dict[int, int] = {}
    for line in output.splitlines():
        if line.startswith("RESULT "):
            result = {k: int(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
        elif line.startswith("STATUS "):
            _, code, count = line.split()
            statuses[int(code)] = int(count)
    if not result:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    return WrkRun(
        requests=result["requests"],
        seconds=result["duration_us"] / 1e6,
        p50=result["p50_us"] / 1e6,
        p90=result["p90_us"] / 1e6,
        p99=result["p99_us"] / 1e6,
        worst=result["max_us"] / 1e6,
        statuses=statuses,
        socket_errors={
            key: result[key] for key in ("connect", "read", "write", "timeout") if result[key]
        },
    )


def stored_guesses(database_url: str, level_id: int) -> int:
    """How many guesses the level holds, read straight from the database."""
    database = Database(database_url)
    try:
        with database.sessions() as session:
            query = select(func.count()).select_from(Guess).where(Guess.level_id == level_id)
            return session.scalar(query) or 0
    finally:
        database.engine.dispose()


def describe(name: str, run: WrkRun) -> str:
    errors = ", ".join(f"{k} {v}" for k, v in run.socket_errors.items()) or "none"
    others = ", ".join(
        f"{code}: {n}" for code, n in sorted(run.statuses.items()) if not 200 <= code < 300
    )
    return (
        f"  {name:<24} {run.rate:8.0f} req/s   p50 {run.p50 * 1e3:7.1f} ms   "
        f"p90 {run.p90 * 1e3:7.1f} ms   p99 {run.p99 * 1e3:7.1f} ms   "
        f"max {run.worst * 1e3:7.0f} ms\n"
        f"  {'':<24} {run.requests} requests, non-2xx {run.not_ok}"
        f"{f' ({others})' if others else ''}, socket errors: {errors}"
    )


def ratios(guess: WrkRun, health: WrkRun) -> str:
    if not (guess.requests and health.requests):
        return "no ratio: a run completed no request"
    return (
        f"a guess under load: {guess.rate / health.rate:.3f}× the baseline's throughput "
        f"(1 guess costs {health.rate / guess.rate:.0f} health checks), "
        f"{guess.p50 / health.p50:.1f}× its p50 latency, {guess.p99 / health.p99:.1f}× its p99"
    )


def stored_line(stored: int, guess: WrkRun, connections: int) -> str:
    """Whether the database holds every guess answered 2xx. Requests still in flight when
    wrk stops (at most one a connection) are stored with nobody left to read the answer."""
    late = stored - guess.ok
    if 0 <= late <= connections:
        verdict = f"all there, +{late} finished after wrk stopped"
    else:
        verdict = "MISMATCH: fewer stored than acknowledged" if late < 0 else "MISMATCH"
    return f"stored in the database: {stored} guesses for {guess.ok} answered 2xx ({verdict})"


def bare_run(wrk: str, teams_file: Path, connections: int) -> WrkRun:
    """The bare endpoint under the same guess requests (bench/bare.py)."""
    with bare_server(free_port()) as base:
        target = Target(wrk, base, teams_file, 1)
        run_wrk(target, "guess", "warm", connections=16, seconds=2)
        return run_wrk(target, "guess", "bare", connections, SECONDS)


def measure(
    workers: int = 1, connections: tuple[int, ...] = CONNECTIONS, *, bare: bool = True
) -> dict[int, WrkRun]:
    """Serve Downhill with ``workers`` processes, log every team in, and run the loads
    (then the bare endpoint's, with ``bare``); returns the guess runs by connections."""
    wrk = ensure_wrk()
    seeded: dict[str, BenchLesson] = {}
    urls: list[str] = []
    runs: dict[int, WrkRun] = {}

    def prepare(database_url: str) -> None:
        urls.append(database_url)
        seeded["lesson"] = seed_lesson(database_url, teams=TEAMS, cooldown=0)

    with data_dir("throughput") as directory:
        teams_file = directory / "teams.tsv"
        with running_server(directory, SECRET, before_serve=prepare, workers=workers) as base:
            lesson = seeded["lesson"]
            started = time.perf_counter()
            logins = log_in_all(base, lesson)
            took = time.perf_counter() - started
            teams_file.write_text("".join(f"{t.cookie}\t{t.csrf}\n" for t in logins))
            heading(
                f"Guesses under load: {TEAMS} teams (logged in and entered through the API in "
                f"{took:.0f} s), wrk -t{THREADS}, {SECONDS} s a run, {workers} uvicorn "
                f"process(es), {ENGINE}"
            )
            database = urls[0]
            target = Target(wrk, base, teams_file, lesson.level_id)
            run_wrk(target, "health", "warm", connections=16, seconds=2)
            for n in connections:
                before = stored_guesses(database, lesson.level_id)
                health = run_wrk(target, "health", f"h{workers}", n, SECONDS)
                guess = run_wrk(target, "guess", f"w{workers}c{n}", n, SECONDS)
                time.sleep(1)  # requests still in flight when wrk stops finish on the server
                stored = stored_guesses(database, lesson.level_id) - before
                print(f"{n} connections:")
                print(describe("GET /api/health", health))
                print(describe("POST an accepted guess", guess))
                print(f"  {ratios(guess, health)}")
                print(f"  {stored_line(stored, guess, n)}", flush=True)
                runs[n] = guess
        if bare:
            base_run = bare_run(wrk, teams_file, BARE_CONNECTIONS)
            print(f"{BARE_CONNECTIONS} connections, the bare FastAPI endpoint (bench/bare.py):")
            print(describe("POST to the bare endpoint", base_run))
            ours = runs[BARE_CONNECTIONS]
            print(
                f"  accepted guesses/s ÷ the bare endpoint's: {ours.rate / base_run.rate:.2f} "
                f"(goal ≥ 0.6); p99 {ours.p99 / base_run.p99:.1f}× the bare endpoint's",
                flush=True,
            )
    return runs


def main() -> None:
    workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 1
    measure(workers)


if __name__ == "__main__":
    main()
