"""The baseline of the benchmarks: a bare FastAPI app with the same two routes the load
hits (GET /api/health and POST /api/levels/<id>/guesses, a sync JSON endpoint that reads
its body and answers a small JSON object), served by uvicorn the way `downhill serve`
serves Downhill (one process, no access log, the same options). Ratios against it say
what Downhill's own work costs on this machine, whatever the machine.

    python -m bench.bare --port 8123
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[1]

app = FastAPI()


@app.get("/api/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/levels/{level_id}/guesses")
def guess(level_id: int, body: dict[str, Any]) -> dict[str, Any]:
    x = float(body.get("x", 0))
    return {"guess": {"seq": 1, "x": x, "fx": x * x, "slope": 2 * x}, "level_id": level_id}


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bench.bare:app",
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        proxy_headers=False,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


@contextmanager
def bare_server(port: int) -> Iterator[str]:
    """The bare app served on ``port`` while the block runs; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.bare", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
