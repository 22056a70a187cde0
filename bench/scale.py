"""Does PostgreSQL scale with workers? Accepted guesses/s with `--workers 2` ÷ with
`--workers 1`, on PostgreSQL (the server at 127.0.0.1:5432, started if it is down), under
the load of bench/throughput.py at 64 connections, 1,000 teams. The goal is 1.3 or more:
no lock is shared by all teams, so a second process can decide guesses while the first
does. wrk and the servers share this machine's two cores, so 2.0 is out of reach here.
Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["DOWNHILL_TEST_ENGINE"] = "postgresql"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import heading  # noqa: E402
from bench.throughput import measure  # noqa: E402
from tests.databases import ensure_postgres  # noqa: E402

CONNECTIONS = 64


def main() -> None:
    ensure_postgres()
    one = measure(1, (CONNECTIONS,), bare=False)[CONNECTIONS]
    two = measure(2, (CONNECTIONS,), bare=False)[CONNECTIONS]
    heading("PostgreSQL with more workers")
    print(
        f"accepted guesses/s: {one.rate:.0f} with 1 worker, {two.rate:.0f} with 2 workers: "
        f"{two.rate / one.rate:.2f}× (goal ≥ 1.3); p99 {one.p99 * 1e3:.0f} ms → "
        f"{two.p99 * 1e3:.0f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
