"""A class logs in at once: 60 teams post their PIN in the same second, each from its own
phone (its own connection), against one uvicorn process on SQLite. The PINs are hashed
with the server's own argon2 parameters (app/services/passwords.py), not the cheap ones
the other benchmarks seed. Prints when the last answer came and the spread of latencies,
beside the same burst of GET /api/csrf (what a phone asks first) as the baseline. The
goal: every login answered within 10 s. Figures are printed, never asserted.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db import Database, utcnow  # noqa: E402
from app.services.lessons import create_lesson  # noqa: E402
from app.services.teams import create_teams  # noqa: E402
from bench.common import SECRET, data_dir, heading  # noqa: E402
from tests.server import running_server  # noqa: E402

TEAMS = 60


def burst(base: str, join_code: str, pins: dict[int, str], *, login: bool) -> list[float]:
    """Every team at once (released together); each one's seconds to its answer."""
    clients = {n: httpx.Client(base_url=base, headers={"Origin": base}, timeout=60) for n in pins}
    tokens = {n: c.get("/api/csrf").json()["csrf_token"] for n, c in clients.items()}
    gate = threading.Barrier(len(pins))

    def one(number: int) -> float:
        client = clients[number]
        gate.wait()
        started = time.perf_counter()
        if login:
            answer = client.post(
                "/api/session",
                headers={"X-CSRF-Token": tokens[number]},
                json={"join_code": join_code, "team_number": number, "pin": pins[number]},
            )
        else:
            answer = client.get("/api/csrf")
        answer.raise_for_status()
        return time.perf_counter() - started

    try:
        with ThreadPoolExecutor(len(pins)) as pool:
            return list(pool.map(one, pins))
    finally:
        for client in clients.values():
            client.close()


def describe(name: str, took: list[float]) -> str:
    ordered = sorted(took)
    return (
        f"  {name:<28} last answered after {ordered[-1]:5.2f} s   "
        f"median {statistics.median(ordered):5.2f} s   first {ordered[0]:5.2f} s"
    )


def main() -> None:
    made: dict[str, object] = {}

    def prepare(database_url: str) -> None:
        with Database(database_url) as database, database.sessions() as session:
            lesson = create_lesson(session, name="Login burst", now=utcnow())
            credentials = create_teams(session, lesson_id=lesson.id, count=TEAMS, now=utcnow())
            made["join_code"] = lesson.join_code
            made["pins"] = {c.team.number: c.pin for c in credentials}

    with (
        data_dir("logins") as directory,
        running_server(directory, SECRET, before_serve=prepare) as base,
    ):
        join_code, pins = str(made["join_code"]), made["pins"]
        assert isinstance(pins, dict)
        heading(f"{TEAMS} team logins in one burst, one uvicorn process, SQLite")
        baseline = burst(base, join_code, pins, login=False)
        logins = burst(base, join_code, pins, login=True)
        print(describe("GET /api/csrf (baseline)", baseline))
        print(describe("POST /api/session (login)", logins))
        print(f"  every login answered within {max(logins):.1f} s (goal ≤ 10 s)", flush=True)


if __name__ == "__main__":
    main()
