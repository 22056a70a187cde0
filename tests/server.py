"""A real Downhill server in a subprocess, started by the steps a newcomer runs
(`downhill migrate`, `downhill demo`, `downhill serve`), for browser tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR_PASSWORD = "instructor-password-for-tests"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(
    data_dir: Path,
    secret: str,
    before_serve: Callable[[str], None] | None = None,
    *,
    prepare: bool = True,
    port: int | None = None,
) -> Iterator[str]:
    """Migrate, seed the demo and serve on a free port; yields the base URL, stops on exit.

    ``before_serve`` gets the database URL after the demo is seeded, to add what a test
    or a benchmark needs before the first request. With ``prepare=False`` only `serve`
    runs: a second server process on the same data, as a bigger event would run. ``port``
    restarts a server where a page expects it.
    """
    port = port or free_port()
    env = {
        **os.environ,
        "DOWNHILL_DATA_DIR": str(data_dir),
        "DOWNHILL_SECRET_KEY": secret,
        "DOWNHILL_PORT": str(port),
        "DOWNHILL_INSTRUCTOR_PASSWORD": INSTRUCTOR_PASSWORD,
    }
    env.pop("DOWNHILL_DATABASE_URL", None)
    for step in ("migrate", "demo") if prepare else ():
        subprocess.run(
            [sys.executable, "-m", "app.cli", step],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    if before_serve is not None:
        before_serve(f"sqlite:///{data_dir / 'downhill.db'}")
    with (data_dir / f"server-{port}.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=15)


def _wait_until_up(base: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/api/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the server at {base} did not start within {seconds:.0f} s")


def level_command(data_dir: Path, secret: str, *args: str) -> None:
    """Run `downhill level ...` as the instructor does from a second terminal, on a
    server's data directory."""
    env = {**os.environ, "DOWNHILL_DATA_DIR": str(data_dir), "DOWNHILL_SECRET_KEY": secret}
    subprocess.run(
        [sys.executable, "-m", "app.cli", "level", *args],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
