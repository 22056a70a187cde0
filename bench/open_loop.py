"""Latency of guesses offered at a fixed rate (open loop), against the bare endpoint.

wrk measures a closed loop: a connection sends its next request only when the last one
is answered, so a slow server is offered less work and its slow answers are counted once
(coordinated omission). Here guesses are offered on a schedule, RATE a second over 1,000
teams, whatever the server does; each request's latency runs from the moment the
schedule meant to send it, so time spent waiting for a free connection counts. The load
comes from one asyncio process over POOL keep-alive connections, every request another
team's (its cookie, its CSRF token, a new x, a new idempotency key). The same schedule is
then offered to the bare FastAPI app of bench/bare.py. Prints the rate achieved, p50, p90,
p99 and the worst latency of each, and p99 ÷ the bare endpoint's p99 (goal ≤ 2). One
uvicorn process on SQLite (with DOWNHILL_TEST_ENGINE=postgresql, on PostgreSQL); the
generator and the server share this machine's cores. Figures are printed, never asserted.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bare import bare_server  # noqa: E402
from bench.common import (  # noqa: E402
    SECRET,
    SESSION_COOKIE,
    BenchLesson,
    Login,
    data_dir,
    heading,
    log_in_all,
    percentile,
    seed_lesson,
)
from tests.databases import ENGINE  # noqa: E402
from tests.server import free_port, running_server  # noqa: E402

TEAMS = 1000
RATE = 500  # guesses offered a second
SECONDS = 10
WARM_UP_SECONDS = 2
POOL = 128  # connections the generator may use at once


@dataclass(frozen=True)
class Paced:
    """What one paced run measured (latencies in seconds, from the scheduled send)."""

    latencies: list[float]
    statuses: dict[int, int]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def line(self, name: str) -> str:
        ms = [percentile(self.latencies, p) * 1e3 for p in (0.5, 0.9, 0.99)]
        others = {code: n for code, n in self.statuses.items() if not 200 <= code < 300}
        return (
            f"  {name:<26} {self.rate:6.0f} answered/s   p50 {ms[0]:7.1f} ms   "
            f"p90 {ms[1]:7.1f} ms   p99 {ms[2]:7.1f} ms   max {max(self.latencies) * 1e3:6.0f} ms"
            f"   non-2xx {sum(others.values())}{f' {others}' if others else ''}"
        )


def guess_request(base: str, level_id: int, login: Login, key: str, x: float) -> bytes:
    """One guess as raw HTTP/1.1 bytes: the generator sends prepared bytes, so that its
    own cost stays small beside the server's."""
    host = urlsplit(base).netloc
    body = json.dumps({"x": round(x, 2), "idempotency_key": key}).encode()
    head = (
        f"POST /api/levels/{level_id}/guesses HTTP/1.1\r\nHost: {host}\r\n"
        f"Cookie: {SESSION_COOKIE}={login.cookie}\r\nX-CSRF-Token: {login.csrf}\r\n"
        f"Origin: {base}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
) -> int:
    reader, writer = connection
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    )
    await reader.readexactly(length)
    return int(lines[0].split()[1])


async def paced_run(base: str, requests: list[bytes], rate: float) -> Paced:
    """Offer ``requests`` at ``rate`` a second, on a schedule that does not wait for answers."""
    parts = urlsplit(base)
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(POOL):
        idle.put_nowait(await asyncio.open_connection(parts.hostname, parts.port))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    loop = asyncio.get_running_loop()

    async def send(request: bytes, scheduled: float) -> None:
        connection = await idle.get()  # waiting for a free connection counts as latency
        status = await _exchange(connection, request)
        latencies.append(loop.time() - scheduled)
        statuses[status] = statuses.get(status, 0) + 1
        idle.put_nowait(connection)

    start = loop.time() + 0.05
    tasks = []
    for k, request in enumerate(requests):
        scheduled = start + k / rate
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        tasks.append(asyncio.create_task(send(request, scheduled)))
    await asyncio.gather(*tasks)
    seconds = loop.time() - start
    while not idle.empty():
        idle.get_nowait()[1].close()
    return Paced(latencies, statuses, seconds)


def offer(base: str, level_id: int, logins: list[Login], label: str, seconds: float) -> Paced:
    """A paced run of RATE guesses a second for ``seconds``, each another team's."""
    requests = [
        guess_request(
            base,
            level_id,
            logins[k % len(logins)],
            f"{label}-{k:08d}",
            (k * 7919 % 2000) / 100 - 10,
        )
        for k in range(int(RATE * seconds))
    ]
    gc.collect()
    gc.disable()  # the generator's own pauses would count as the server's latency
    try:
        return asyncio.run(paced_run(base, requests, RATE))
    finally:
        gc.enable()


def main() -> None:
    seeded: dict[str, BenchLesson] = {}

    def prepare(database_url: str) -> None:
        seeded["lesson"] = seed_lesson(database_url, teams=TEAMS, cooldown=0)

    with data_dir("open-loop") as directory:
        with running_server(directory, SECRET, before_serve=prepare) as base:
            lesson = seeded["lesson"]
            logins = log_in_all(base, lesson)
            heading(
                f"Guesses offered at {RATE}/s (open loop, latency from the scheduled send) over "
                f"{TEAMS} teams, {SECONDS} s, up to {POOL} connections, 1 uvicorn process, {ENGINE}"
            )
            offer(base, lesson.level_id, logins, "warm", WARM_UP_SECONDS)
            ours = offer(base, lesson.level_id, logins, "paced", SECONDS)
        with bare_server(free_port()) as bare_base:
            offer(bare_base, 1, logins, "warm", WARM_UP_SECONDS)
            bare = offer(bare_base, 1, logins, "bare", SECONDS)
    print(ours.line("POST an accepted guess"))
    print(bare.line("the bare endpoint"))
    ratio = percentile(ours.latencies, 0.99) / percentile(bare.latencies, 0.99)
    print(f"  p99 ÷ the bare endpoint's p99 at the same offered rate: {ratio:.1f} (goal ≤ 2)")


if __name__ == "__main__":
    main()
