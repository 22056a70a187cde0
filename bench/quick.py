"""Quick benchmark: f and f' per call for each preset, and accepted guesses through the API.

Figures are printed, never asserted. Each is shown beside a baseline measured in the same
run: a hand-written Python function for evaluation, the trivial /api/health endpoint of the
same server for guesses. Run with `make bench`; it starts its own server on a free port
with a throwaway data directory and stops by itself.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

import httpx
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import Database, utcnow  # noqa: E402
from app.game.expression import compile_function  # noqa: E402
from app.game.presets import PRESETS  # noqa: E402
from app.game.rules import LevelState  # noqa: E402
from app.game.settings import LevelSpec  # noqa: E402
from app.models import Lesson  # noqa: E402
from app.services.demo import DEMO_JOIN_CODE, demo_pin  # noqa: E402
from app.services.levels import add_level, set_level_state  # noqa: E402
from bench.common import percentile  # noqa: E402
from tests.server import running_server  # noqa: E402

SECRET = "benchmark-secret-key-0123456789-abcdefghij"
GUESSES = 400
TEAMS = 8


def per_call(fn, number: int = 200_000) -> float:
    """Seconds per call, best of five runs."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def bench_evaluation() -> None:
    def baseline(x: float) -> float:
        return (x - 3.7) ** 2 / 8 + 2

    base = per_call(lambda: baseline(1.234))
    print("f(x) and f'(x) per call (CompiledFunction.at), against a hand-written f in Python")
    print(f"  {'baseline: plain Python f(x)':<34} {base * 1e6:7.3f} µs")
    for key, preset in sorted(PRESETS.items()):
        fn = compile_function(preset.expression())
        cost = per_call(lambda fn=fn: fn.at(1.234))
        print(f"  {key:<34} {cost * 1e6:7.3f} µs  ({cost / base:4.1f}× the baseline)")


def add_open_level(database_url: str) -> None:
    """A level with no cooldown and no budget, open, in the demo lesson."""
    database = Database(database_url)
    with database.sessions() as session:
        lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE)).one()
        spec = LevelSpec(
            title="Benchmark",
            expression=PRESETS["wiggles"].expression(),
            x_min=-10,
            x_max=10,
            cooldown_seconds=0,
        )
        level = add_level(session, lesson_id=lesson.id, spec=spec)
        set_level_state(session, level=level, state=LevelState.OPEN, now=utcnow())
    database.engine.dispose()


def bench_api() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="downhill-bench-"))
    with running_server(data_dir, SECRET, before_serve=add_open_level) as base:
        clients = []
        for number in range(1, TEAMS + 1):
            client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=10)
            token = client.get("/api/csrf").json()["csrf_token"]
            answer = client.post(
                "/api/session",
                headers={"X-CSRF-Token": token},
                json={
                    "join_code": DEMO_JOIN_CODE,
                    "team_number": number,
                    "pin": demo_pin(SECRET, number),
                },
            ).json()
            client.headers["X-CSRF-Token"] = answer["csrf_token"]
            levels = client.get("/api/levels").json()["levels"]
            level_id = next(lv["id"] for lv in levels if lv["title"] == "Benchmark")
            client.post(f"/api/levels/{level_id}/enter", json={}).raise_for_status()
            clients.append(client)

        health = []
        for i in range(GUESSES):
            start = time.perf_counter()
            clients[i % TEAMS].get("/api/health").raise_for_status()
            health.append(time.perf_counter() - start)
        guesses = []
        for i in range(GUESSES):
            start = time.perf_counter()
            response = clients[i % TEAMS].post(
                f"/api/levels/{level_id}/guesses",
                json={"x": (i % 200) / 10 - 10, "idempotency_key": f"bench-{i:08d}"},
            )
            guesses.append(time.perf_counter() - start)
            response.raise_for_status()
        for client in clients:
            client.close()

    print(
        f"\nOne request at a time through a real uvicorn server on loopback "
        f"({GUESSES} each, {TEAMS} teams, SQLite)"
    )
    for name, values in (
        ("GET /api/health (baseline)", health),
        ("POST an accepted guess", guesses),
    ):
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        print(
            f"  {name:<30} p50 {p50 * 1e3:6.2f} ms   p99 {p99 * 1e3:6.2f} ms   "
            f"mean {statistics.fmean(values) * 1e3:6.2f} ms"
        )
    ratio = percentile(guesses, 0.5) / percentile(health, 0.5)
    print(f"  an accepted guess costs {ratio:.1f}× the trivial endpoint (p50)")


if __name__ == "__main__":
    bench_evaluation()
    bench_api()
