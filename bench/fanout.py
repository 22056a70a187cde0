"""Live fan-out: how long an accepted guess takes to reach 1,000 projector streams at
once, against one stream alone (the goal: p99 within 1 s, none missed).

A lesson with one open level on the projector and no cooldown. N clients (asyncio, httpx
streaming) hold /projector/<join code>/stream open; once each has its first event, one
team makes 30 accepted guesses through the JSON API, one at a time, 0.6 s apart. For each
guess and client: the time from the guess's answer arriving to the client receiving the
first event whose guess count includes it. Prints p50, p99 and max over (guess, client)
pairs, and per guess the time until every client had it (p50, max over guesses), for 1,000
clients and for the baseline of one client, in the same run. A process looks at the
lessons' marks at once after its own guess (every 250 ms otherwise), and builds and
encodes one snapshot per change for every stream. The clients run in one
Python process on the same cores as the server. Figures are printed, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    PIN,
    SECRET,
    BenchLesson,
    data_dir,
    heading,
    percentile,
    seed_lesson,
)
from tests.server import running_server  # noqa: E402

CLIENTS = 1000
GUESSES = 30
SPACING = 0.6  # seconds between two guesses: longer than a poll, so each is seen alone


@dataclass
class Listener:
    """One projector client: every guess count it received, and when."""

    seen: list[tuple[float, int]] = field(default_factory=list)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    reconnects: int = 0


async def listen(client: httpx.AsyncClient, url: str, me: Listener) -> None:
    """Keep the stream open (streams end by themselves after a while; reconnect at once)."""
    while True:
        async with client.stream("GET", url) as stream:
            async for line in stream.aiter_lines():
                if line.startswith("data:"):
                    level = json.loads(line[5:])["level"]
                    me.seen.append((time.perf_counter(), level["guesses"] if level else 0))
                    me.connected.set()
        me.reconnects += 1


async def team_client(base: str, lesson: BenchLesson) -> httpx.AsyncClient:
    """Team 1, logged in and entered through the API."""
    client = httpx.AsyncClient(base_url=base, headers={"Origin": base}, timeout=30)
    token = (await client.get("/api/csrf")).json()["csrf_token"]
    answer = await client.post(
        "/api/session",
        headers={"X-CSRF-Token": token},
        json={"join_code": lesson.join_code, "team_number": 1, "pin": PIN},
    )
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    entered = await client.post(f"/api/levels/{lesson.level_id}/enter", json={})
    entered.raise_for_status()
    return client


@dataclass
class Round:
    """One run: the clients' latencies per guess (None: never received)."""

    clients: int
    connect_seconds: float
    delays: list[list[float | None]]  # [guess][client]
    reconnects: int

    def pairs(self) -> list[float]:
        return [d for per_guess in self.delays for d in per_guess if d is not None]

    def missed(self) -> int:
        return sum(d is None for per_guess in self.delays for d in per_guess)

    def everyone(self) -> list[float]:
        """Per guess, the time until the last client had it (guesses every client got)."""
        return [max(d) for d in self.delays if d and None not in d]  # type: ignore[type-var]


async def one_round(base: str, lesson: BenchLesson, clients: int, label: str) -> Round:
    url = f"{base}/projector/{lesson.join_code}/stream"
    listeners = [Listener() for _ in range(clients)]
    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10)
    timeout = httpx.Timeout(30, read=None)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as streams:
        started = time.perf_counter()
        tasks = [asyncio.create_task(listen(streams, url, me)) for me in listeners]
        await asyncio.wait_for(asyncio.gather(*(me.connected.wait() for me in listeners)), 120)
        connect_seconds = time.perf_counter() - started
        team = await team_client(base, lesson)
        await asyncio.sleep(1)
        acks: list[float] = []
        for k in range(GUESSES):
            answer = await team.post(
                f"/api/levels/{lesson.level_id}/guesses",
                json={"x": round(-9 + 18 * k / GUESSES, 3), "idempotency_key": f"{label}-{k:06d}"},
            )
            acked = time.perf_counter()
            answer.raise_for_status()
            acks.append(acked)
            await asyncio.sleep(SPACING)
        await asyncio.sleep(2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await team.aclose()
    # the projector counts every guess of the level, the earlier rounds' ones too
    already = min(me.seen[0][1] for me in listeners)
    delays: list[list[float | None]] = []
    for k, acked in enumerate(acks, start=1):
        row: list[float | None] = []
        for me in listeners:
            shown = next((t for t, count in me.seen if count >= already + k), None)
            row.append(None if shown is None else shown - acked)
        delays.append(row)
    return Round(clients, connect_seconds, delays, sum(me.reconnects for me in listeners))


def report(name: str, result: Round) -> None:
    pairs, everyone = result.pairs(), result.everyone()
    print(
        f"  {name:<22} per (guess, client): p50 {percentile(pairs, 0.5) * 1e3:5.0f} ms   "
        f"p99 {percentile(pairs, 0.99) * 1e3:5.0f} ms   max {max(pairs) * 1e3:5.0f} ms   "
        f"(min {min(pairs) * 1e3:.0f} ms)"
    )
    line = f"  {'':<22} every client had it:  p50 {percentile(everyone, 0.5) * 1e3:5.0f} ms   "
    line += f"max {max(everyone) * 1e3:5.0f} ms over {len(everyone)} guesses"
    print(line)
    print(
        f"  {'':<22} {len(pairs)} deliveries, {result.missed()} missed, "
        f"{result.reconnects} reconnects; {result.clients} streams opened in "
        f"{result.connect_seconds:.1f} s",
        flush=True,
    )


def main() -> None:
    seeded: dict[str, BenchLesson] = {}

    def prepare(database_url: str) -> None:
        seeded["lesson"] = seed_lesson(database_url, teams=10, cooldown=0)

    with data_dir("fanout") as directory:
        with running_server(directory, SECRET, before_serve=prepare) as base:
            lesson = seeded["lesson"]
            heading(
                f"Live fan-out: {GUESSES} accepted guesses {SPACING} s apart, from the answer "
                "to an SSE event of /projector/<code>/stream that counts the guess"
            )
            alone = asyncio.run(one_round(base, lesson, 1, "alone"))
            report("1 stream (baseline)", alone)
            crowd = asyncio.run(one_round(base, lesson, CLIENTS, "crowd"))
            report(f"{CLIENTS} streams", crowd)
    ratio = percentile(crowd.pairs(), 0.5) / percentile(alone.pairs(), 0.5)
    worst = max(crowd.everyone()) / max(alone.everyone())
    print(f"  {CLIENTS} streams against one: {ratio:.1f}× the p50, {worst:.1f}× the worst guess")


if __name__ == "__main__":
    main()
