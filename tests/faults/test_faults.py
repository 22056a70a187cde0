"""Faults on a real server: SIGKILL in the middle of a load of guesses, restarts during an
open level, the database going away and coming back, clients that vanish mid-request.

Each runs `downhill serve` in a process of its own (two uvicorn workers where several
processes matter), on the suite's engine: SQLite in the first run of `make test`,
PostgreSQL in the second.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import threading
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from app.db import Database, lock_for_write
from app.live import STREAM_SECONDS
from app.models import Guess, Lesson, Level, Progress, Team
from app.services.demo import DEMO_JOIN_CODE, demo_pin
from tests.databases import ENGINE, PostgresUnavailable, PrivateCluster
from tests.server import free_port, serving
from tests.support import SECRET

pytestmark = pytest.mark.faults

KILL_ROUNDS = 4
LOAD_TEAMS = 6


@dataclass
class Prepared:
    """What the test's ``before_serve`` left in the database."""

    url: str = ""
    level_id: int = 0
    x_min: float = 0.0
    x_max: float = 1.0


def open_level(prepared: Prepared, cooldown: int, budget: int | None) -> object:
    """A ``before_serve`` that gives the demo's open first level these rules."""

    def prepare(url: str) -> None:
        database = Database(url)
        with database.sessions() as session:
            lock_for_write(session)
            lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE)).one()
            level = session.scalars(
                select(Level).where(Level.lesson_id == lesson.id).order_by(Level.position)
            ).first()
            assert level is not None
            level.cooldown_seconds, level.guess_budget = cooldown, budget
            prepared.url, prepared.level_id = url, level.id
            prepared.x_min, prepared.x_max = level.x_min, level.x_max
            session.commit()
        database.engine.dispose()

    return prepare


def team_client(base: str, number: int, level_id: int) -> httpx.Client:
    """A demo team logged in over HTTP and entered in the level, as a phone would be."""
    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=20)
    token = client.get("/api/csrf").json()["csrf_token"]
    answer = client.post(
        "/api/session",
        headers={"X-CSRF-Token": token},
        json={"join_code": DEMO_JOIN_CODE, "team_number": number, "pin": demo_pin(SECRET, number)},
    )
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    client.post(f"/api/levels/{level_id}/enter", json={}).raise_for_status()
    return client


def stored_guesses(url: str, level_id: int) -> dict[int, list[Guess]]:
    """Every stored guess of the level by team number, in sequence order."""
    database = Database(url)
    with database.sessions() as session:
        rows = session.execute(
            select(Team.number, Guess)
            .join(Team, Team.id == Guess.team_id)
            .where(Guess.level_id == level_id)
            .order_by(Team.number, Guess.seq)
        ).all()
    database.engine.dispose()
    found: dict[int, list[Guess]] = {}
    for number, guess in rows:
        found.setdefault(number, []).append(guess)
    return found


@dataclass
class Ledger:
    """What the clients saw: acknowledged guesses, and guesses whose answer never came."""

    acknowledged: dict[str, tuple[int, float, int]] = field(default_factory=dict)
    unanswered: dict[str, tuple[int, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def guess_until_cut(
    client: httpx.Client, number: int, prepared: Prepared, ledger: Ledger, rng: random.Random
) -> None:
    """Guess as fast as the server answers, until the connection is cut."""
    while True:
        key = uuid.uuid4().hex
        x = round(rng.uniform(prepared.x_min, prepared.x_max), 6)
        try:
            answer = client.post(
                f"/api/levels/{prepared.level_id}/guesses", json={"x": x, "idempotency_key": key}
            )
        except httpx.TransportError:
            with ledger.lock:
                ledger.unanswered[key] = (number, x)
            return
        if answer.status_code == 503:  # busy for a moment: the client tries again
            continue
        assert answer.status_code == 200, answer.text
        with ledger.lock:
            ledger.acknowledged[key] = (number, x, answer.json()["guess"]["seq"])


def test_sigkill_under_load_loses_no_acknowledged_guess_and_stores_none_twice(
    tmp_path: Path,
) -> None:
    """Four times: six teams guess flat out, the server (two workers) is SIGKILLed, then
    restarted; the teams retry the guesses they got no answer to with the same key."""
    prepared, ledger, rng = Prepared(), Ledger(), random.Random(5)
    port = free_port()
    retried = 0
    for round_ in range(KILL_ROUNDS):
        setup = {"before_serve": open_level(prepared, 0, None)} if round_ == 0 else {}
        with serving(
            tmp_path, SECRET, prepare=round_ == 0, port=port, workers=2, **setup
        ) as server:
            clients = [
                team_client(server.base, n, prepared.level_id) for n in range(1, LOAD_TEAMS + 1)
            ]
            before = len(ledger.acknowledged)
            threads = [
                threading.Thread(
                    target=guess_until_cut, args=(c, n, prepared, ledger, rng), daemon=True
                )
                for n, c in enumerate(clients, start=1)
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while len(ledger.acknowledged) - before < 40 + 15 * round_:
                assert time.monotonic() < deadline, "the load never got going"
                time.sleep(0.01)
            server.kill()
            for thread in threads:
                thread.join(timeout=30)
            for client in clients:
                client.close()
        # restarted: every guess that got no answer is sent again, as the page does
        with serving(tmp_path, SECRET, prepare=False, port=port, workers=2) as server:
            for key, (number, x) in sorted(ledger.unanswered.items()):
                with closing(team_client(server.base, number, prepared.level_id)) as client:
                    answer = client.post(
                        f"/api/levels/{prepared.level_id}/guesses",
                        json={"x": x, "idempotency_key": key},
                    )
                assert answer.status_code == 200, answer.text
                ledger.acknowledged[key] = (number, x, answer.json()["guess"]["seq"])
                retried += 1
            ledger.unanswered.clear()

    stored = stored_guesses(prepared.url, prepared.level_id)
    by_key = {g.idempotency_key: (n, g.x, g.seq) for n, rows in stored.items() for g in rows}
    assert sum(len(rows) for rows in stored.values()) == len(by_key)  # no key twice
    assert by_key == ledger.acknowledged  # every acknowledged guess, as acknowledged
    for rows in stored.values():
        assert [g.seq for g in rows] == list(range(1, len(rows) + 1))  # no gap, no repeat
    database = Database(prepared.url)
    with database.sessions() as session:
        used = dict(session.execute(select(Progress.team_id, Progress.guesses_used)).all())
        counts = dict(
            session.execute(
                select(Guess.team_id, func.count())
                .where(Guess.level_id == prepared.level_id)
                .group_by(Guess.team_id)
            ).all()
        )
    database.engine.dispose()
    assert all(used[team_id] == count for team_id, count in counts.items())
    assert len(ledger.acknowledged) >= KILL_ROUNDS * 40
    print(
        f"{KILL_ROUNDS} SIGKILLs on {ENGINE}: {len(ledger.acknowledged)} acknowledged guesses "
        f"all stored once, {retried} unanswered ones retried after the restart"
    )


def test_a_restart_keeps_the_level_open_and_each_teams_cooldown_and_budget(
    tmp_path: Path,
) -> None:
    prepared = Prepared()
    port = free_port()
    with serving(
        tmp_path, SECRET, before_serve=open_level(prepared, 600, 5), port=port, workers=2
    ) as server:
        with closing(team_client(server.base, 3, prepared.level_id)) as client:
            first = client.post(
                f"/api/levels/{prepared.level_id}/guesses",
                json={"x": prepared.x_min, "idempotency_key": "before-the-kill"},
            ).json()
        assert first["guesses_left"] == 4
        server.kill()
    with serving(tmp_path, SECRET, prepare=False, port=port, workers=2) as server:
        with closing(team_client(server.base, 3, prepared.level_id)) as client:
            state = client.get(f"/api/levels/{prepared.level_id}").json()
            again = client.post(
                f"/api/levels/{prepared.level_id}/guesses",
                json={"x": prepared.x_max, "idempotency_key": "after-the-restart"},
            )
            replay = client.post(
                f"/api/levels/{prepared.level_id}/guesses",
                json={"x": prepared.x_min, "idempotency_key": "before-the-kill"},
            )
        with closing(team_client(server.base, 4, prepared.level_id)) as other:
            fresh = other.post(
                f"/api/levels/{prepared.level_id}/guesses",
                json={"x": prepared.x_max, "idempotency_key": "team-4-first"},
            )
    assert state["level"]["state"] == "open"
    assert state["guesses_left"] == 4
    assert state["next_allowed_at"] == first["next_allowed_at"]
    assert [g["x"] for g in state["guesses"]] == [prepared.x_min]
    assert again.status_code == 429 and again.json()["error"]["code"] == "cooldown"
    assert replay.status_code == 200 and replay.json()["replayed"] is True
    assert fresh.status_code == 200 and fresh.json()["guesses_left"] == 4


def test_two_workers_racing_accept_one_guess_per_cooldown_window(tmp_path: Path) -> None:
    """Twenty requests of one team at once, spread over two worker processes."""
    prepared = Prepared()
    with serving(
        tmp_path, SECRET, before_serve=open_level(prepared, 600, None), workers=2
    ) as server:
        clients = [team_client(server.base, 2, prepared.level_id) for _ in range(20)]
        answers: list[int] = []
        barrier = threading.Barrier(len(clients))

        def fire(i: int) -> None:
            barrier.wait()
            sent = {"x": prepared.x_min + i * 1e-3, "idempotency_key": f"racing-{i:04d}"}
            for _ in range(3):  # a dropped connection is retried with the same key, as phones do
                try:
                    answer = clients[i].post(f"/api/levels/{prepared.level_id}/guesses", json=sent)
                except httpx.TransportError:
                    continue
                answers.append(answer.status_code)
                return

        threads = [threading.Thread(target=fire, args=(i,)) for i in range(len(clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for client in clients:
            client.close()
    assert sorted(answers) == [200] + [429] * 19
    assert [g.seq for g in stored_guesses(prepared.url, prepared.level_id)[2]] == [1]


@pytest.fixture
def private_postgres():
    """A PostgreSQL server of the test's own, to stop and start."""
    cluster = PrivateCluster(free_port())
    try:
        cluster.create()
        cluster.start()
    except PostgresUnavailable as error:
        cluster.remove()
        pytest.fail(f"cannot make a PostgreSQL server to stop and start: {error}")
    yield cluster
    cluster.remove()


@pytest.mark.skipif(ENGINE != "postgresql", reason="the PostgreSQL run stops its database")
def test_a_database_that_goes_away_gets_503_and_the_server_recovers_by_itself(
    tmp_path: Path, private_postgres: PrivateCluster
) -> None:
    prepared = Prepared()
    with serving(
        tmp_path,
        SECRET,
        before_serve=open_level(prepared, 0, None),
        workers=2,
        database_url=private_postgres.url,
    ) as server:
        client = team_client(server.base, 1, prepared.level_id)
        guess = f"/api/levels/{prepared.level_id}/guesses"
        assert client.post(guess, json={"x": 0.5, "idempotency_key": "while-up"}).status_code == 200
        private_postgres.stop()
        down = [client.post(guess, json={"x": 0.25, "idempotency_key": "while-down"})]
        down += [client.get(f"/api/levels/{prepared.level_id}") for _ in range(4)]
        down += [  # as the projector page polls it
            httpx.get(
                f"{server.base}/projector/{DEMO_JOIN_CODE}/state.json",
                headers={"Accept": "application/json"},
            )
        ]
        private_postgres.start()
        deadline = time.monotonic() + 30
        while (state := client.get(f"/api/levels/{prepared.level_id}")).status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover"
            time.sleep(0.2)
        after = client.post(guess, json={"x": 0.75, "idempotency_key": "back-again"})
        client.close()
    assert {answer.status_code for answer in down} == {503}
    assert {answer.json()["error"]["code"] for answer in down} == {"unavailable"}
    assert all("Try again" in answer.json()["error"]["message"] for answer in down)
    assert after.status_code == 200
    # the guess refused while the database was away was not stored; the rest were
    assert [g["x"] for g in state.json()["guesses"]] == [0.5]
    assert after.json()["guess"]["seq"] == 2


def _open_sockets(pid: int) -> int:
    """The process's open sockets (clients', and PostgreSQL connections)."""
    count = 0
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            count += os.readlink(descriptor).startswith("socket:")
    return count


def _connections_to(url: str) -> int:
    database = Database(url)
    name = url.rsplit("/", 1)[1]
    with database.sessions() as session:
        count = session.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
        ).scalar_one()
    database.engine.dispose()
    return int(count) - 1  # this query's own


def test_clients_that_vanish_mid_request_or_mid_stream_leak_nothing(tmp_path: Path) -> None:
    """A burst of 120 streams and 120 guesses whose clients hang up, then the count of
    the server's open streams, file descriptors and database connections."""
    prepared = Prepared()
    with serving(tmp_path, SECRET, before_serve=open_level(prepared, 0, None)) as server:
        pid = server.process.pid  # one worker: uvicorn serves in this process
        host, port = "127.0.0.1", int(server.base.rsplit(":", 1)[1])
        team = team_client(server.base, 1, prepared.level_id)
        cookie = "; ".join(f"{k}={v}" for k, v in team.cookies.items())
        body = b'{"x": 0.5, "idempotency_key": "%s"}'

        def settle() -> tuple[int, int, int]:
            time.sleep(2)
            # a stream ends when the server next writes to its gone client, or by itself
            # after STREAM_SECONDS at the latest: never later
            for _ in range(2 * (STREAM_SECONDS + 15)):
                health = httpx.get(f"{server.base}/api/health").json()
                if health["streams"] == 0:
                    break
                time.sleep(0.5)
            database = _connections_to(prepared.url) if ENGINE == "postgresql" else 0
            return health["streams"], _open_sockets(pid), database

        baseline = settle()
        sockets: list[socket.socket] = []
        for i in range(120):
            stream = socket.create_connection((host, port))
            stream.sendall(
                f"GET /projector/{DEMO_JOIN_CODE}/stream HTTP/1.1\r\nHost: {host}\r\n"
                "Accept: text/event-stream\r\n\r\n".encode()
            )
            sockets.append(stream)
            payload = body % f"gone-away-{i:04d}".encode()
            request = socket.create_connection((host, port))
            request.sendall(
                f"POST /api/levels/{prepared.level_id}/guesses HTTP/1.1\r\nHost: {host}\r\n"
                f"Origin: {server.base}\r\nCookie: {cookie}\r\n"
                f"X-CSRF-Token: {team.headers['X-CSRF-Token']}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
                + payload[: len(payload) // 2 if i % 2 else len(payload)]  # half: cut mid-body
            )
            request.close()
        time.sleep(1)
        during = httpx.get(f"{server.base}/api/health").json()["streams"], _open_sockets(pid)
        for stream in sockets:
            stream.recv(1)  # the stream answered, then its client goes away
            stream.close()
        after = settle()
        # the server still works: the same team guesses
        answer = team.post(
            f"/api/levels/{prepared.level_id}/guesses",
            json={"x": 0.1, "idempotency_key": "after-burst"},
        )
        team.close()
    pool = 5 if ENGINE == "postgresql" else 0  # idle connections a pool may keep
    assert during[0] >= 100 and during[1] >= 100  # the streams were really open at once
    assert after[2] <= max(baseline[2], 1) + pool  # database connections back
    assert answer.status_code == 200
    assert baseline[0] == 0
    assert after[0] == 0  # every stream ended with its client
    assert after[1] <= baseline[1] + pool + 1  # sockets back where they were
