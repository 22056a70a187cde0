"""A real Downhill server in a subprocess, started by the steps a newcomer runs
(`downhill migrate`, `downhill demo`, `downhill serve`), for browser tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.services.demo import demo_pin
from tests.databases import server_database_url
from tests.support import SECRET

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR_PASSWORD = "instructor-password-for-tests"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A `downhill serve` process group (uvicorn, and its workers when there are several)."""

    base: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL the whole group, as a power cut or the OOM killer would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        """Stop as Ctrl-C does (SIGTERM to uvicorn, which stops its workers)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_server(
    data_dir: Path,
    secret: str,
    before_serve: Callable[[str], None] | None = None,
    *,
    prepare: bool = True,
    port: int | None = None,
    workers: int = 1,
    database_url: str | None = None,
) -> Iterator[str]:
    """Migrate, seed the demo and serve on a free port; yields the base URL, stops on exit.

    ``before_serve`` gets the database URL after the demo is seeded, to add what a test
    or a benchmark needs before the first request. With ``prepare=False`` only `serve`
    runs: a second server process on the same data, as a bigger event would run. ``port``
    restarts a server where a page expects it. The database is a SQLite file in
    ``data_dir``, or with DOWNHILL_TEST_ENGINE=postgresql a PostgreSQL database of its own
    (``database_url`` names another).
    """
    with serving(
        data_dir,
        secret,
        before_serve,
        prepare=prepare,
        port=port,
        workers=workers,
        database_url=database_url,
    ) as server:
        yield server.base


@contextmanager
def serving(
    data_dir: Path,
    secret: str,
    before_serve: Callable[[str], None] | None = None,
    *,
    prepare: bool = True,
    port: int | None = None,
    workers: int = 1,
    database_url: str | None = None,
) -> Iterator[Server]:
    """``running_server``, yielding the server itself (to kill it, or find its process)."""
    port = port or free_port()
    env = {
        **server_env(data_dir, secret, fresh=prepare),
        "DOWNHILL_PORT": str(port),
        "DOWNHILL_INSTRUCTOR_PASSWORD": INSTRUCTOR_PASSWORD,
    }
    if database_url is not None:
        env["DOWNHILL_DATABASE_URL"] = database_url
    for step in ("migrate", "demo") if prepare else ():
        subprocess.run(
            [sys.executable, "-m", "app.cli", step],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    if before_serve is not None:
        before_serve(env["DOWNHILL_DATABASE_URL"])
    with (data_dir / f"server-{port}.log").open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(f"http://127.0.0.1:{port}", process)
        try:
            _wait_until_up(server.base, process)
            yield server
        finally:
            server.stop()


def server_env(data_dir: Path, secret: str, *, fresh: bool) -> dict[str, str]:
    """The environment of the `downhill` commands of a server whose data is in
    ``data_dir`` (``fresh``: its database is made anew)."""
    return {
        **os.environ,
        "DOWNHILL_DATA_DIR": str(data_dir),
        "DOWNHILL_SECRET_KEY": secret,
        "DOWNHILL_DATABASE_URL": server_database_url(data_dir, fresh=fresh),
    }


def _wait_until_up(base: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/api/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError(f"the server at {base} did not start within {seconds:.0f} s")


def level_command(data_dir: Path, secret: str, *args: str) -> None:
    """Run `downhill level ...` as the instructor does from a second terminal, on a
    server's data directory."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "level", *args],
        env=server_env(data_dir, secret, fresh=False),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, f"downhill level {' '.join(args)}: {done.stdout}{done.stderr}"


@contextmanager
def logged_in(base: str, number: int) -> Iterator[httpx.Client]:
    """A demo team logged in through the JSON API, as a phone's script does."""
    with httpx.Client(base_url=base, headers={"Origin": base}, timeout=10) as phone:
        token = phone.get("/api/csrf").json()["csrf_token"]
        answer = phone.post(
            "/api/session",
            headers={"X-CSRF-Token": token},
            json={"join_code": "DEMO", "team_number": number, "pin": demo_pin(SECRET, number)},
        )
        assert answer.status_code == 200, answer.text
        phone.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        yield phone


def instructor_client(base: str) -> httpx.Client:
    """The instructor's console, logged in, as a program posts its forms."""
    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=10)
    page = client.get("/instructor/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/instructor/login", data={"csrf_token": token, "password": INSTRUCTOR_PASSWORD})
    client.headers["X-CSRF-Token"] = token
    return client
