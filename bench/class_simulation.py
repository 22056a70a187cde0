"""A whole class, simulated: the instructor opens a level, twenty teams guess through the
JSON API, the projector follows live in Chromium and over a plain SSE client, then the
level is closed and revealed and the projector shows the curve, the paths, the replay and
the ghosts.

Prints how long an accepted guess takes to reach the projector (p50, p99, worst), measured
two ways in the same run: the time until the projector page in Chromium draws the new
guess count, and the time until an SSE client of /projector/<code>/stream receives it —
the first event whose count reaches the number of guesses acknowledged by then. Figures
are printed, never asserted. Run with `make bench`; it starts its own server on a free
port with a throwaway data directory, stops by itself, and leaves screenshots in
test-artifacts/.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import Database, lock_for_write, utcnow  # noqa: E402
from app.models import Lesson, Level  # noqa: E402
from app.services.demo import DEMO_JOIN_CODE, demo_pin  # noqa: E402
from app.services.teams import create_teams  # noqa: E402
from bench.common import percentile  # noqa: E402
from tests.server import INSTRUCTOR_PASSWORD, running_server  # noqa: E402

SECRET = "class-simulation-secret-0123456789-abcdef"
TEAMS = 20
GUESSES = 160  # accepted guesses in all, eight per team
COOLDOWN = 1
ARTIFACTS = ROOT / "test-artifacts"
# In the projector page: note when each new guess count is drawn (this machine's clock).
WATCH_COUNT = """() => {
  const total = document.getElementById('guess-total');
  window.seen = [];
  new MutationObserver(() => window.seen.push([Date.now() / 1000, Number(total.textContent)]))
    .observe(total, { childList: true, characterData: true, subtree: true });
}"""
extra_pins: dict[int, str] = {}


def prepare(database_url: str) -> None:
    """Twenty teams in the demo lesson and a 1-second cooldown on its open first level."""
    database = Database(database_url)
    with database.sessions() as session:
        lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE)).one()
        made = create_teams(session, lesson_id=lesson.id, count=TEAMS - 10, now=utcnow())
        extra_pins.update({c.team.number: c.pin for c in made})
        lock_for_write(session)
        level = session.scalars(select(Level).where(Level.lesson_id == lesson.id)).first()
        level.cooldown_seconds, level.guess_budget = COOLDOWN, None
        session.commit()
    database.engine.dispose()


def log_in(base: str, number: int) -> httpx.Client:
    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=15)
    token = client.get("/api/csrf").json()["csrf_token"]
    pin = extra_pins.get(number) or demo_pin(SECRET, number)
    answer = client.post(
        "/api/session",
        headers={"X-CSRF-Token": token},
        json={"join_code": DEMO_JOIN_CODE, "team_number": number, "pin": pin},
    )
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    client.post("/api/levels/1/enter", json={}).raise_for_status()
    return client


def latencies(acks: list[float], seen: list[tuple[float, int]]) -> list[float]:
    """For each acknowledged guess (in order of acknowledgement), the time until the
    projector first showed a count that includes every guess acknowledged by then."""
    out = []
    for k, acked in enumerate(sorted(acks), start=1):
        shown = next((t for t, count in seen if t >= acked and count >= k), None)
        if shown is not None:
            out.append(shown - acked)
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="downhill-class-"))
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    acks: list[float] = []
    stream_seen: list[tuple[float, int]] = []
    lock = threading.Lock()
    try:
        with running_server(data_dir, SECRET, before_serve=prepare) as base:
            phones = [log_in(base, number) for number in range(1, TEAMS + 1)]
            stop = threading.Event()

            def listen() -> None:
                with httpx.Client(timeout=None) as client:
                    while not stop.is_set():
                        with client.stream("GET", f"{base}/projector/DEMO/stream") as stream:
                            for line in stream.iter_lines():
                                if line.startswith("data:"):
                                    count = json.loads(line[5:])["level"]["guesses"]
                                    stream_seen.append((time.time(), count))
                                if stop.is_set():
                                    return

            listener = threading.Thread(target=listen, daemon=True)
            listener.start()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox"]
                )
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(f"{base}/projector/DEMO")
                page.wait_for_function(
                    "() => document.getElementById('live').dataset.live === 'live'"
                )
                page.evaluate(WATCH_COUNT)
                time.sleep(0.5)

                def team(i: int, phone: httpx.Client) -> None:
                    draw = random.Random(i)  # noqa: S311 - a simulation
                    x = draw.uniform(-9, 9)
                    for k in range(GUESSES // TEAMS):
                        time.sleep(COOLDOWN + draw.uniform(0.05, 0.6))
                        answer = phone.post(
                            "/api/levels/1/guesses",
                            json={"x": round(x, 3), "idempotency_key": f"class-{i:02d}-{k:03d}"},
                        )
                        if answer.status_code == 200:
                            with lock:
                                acks.append(time.time())
                            slope = answer.json()["guess"]["slope"]
                            x = max(-10.0, min(10.0, x - draw.uniform(1, 6) * slope))

                started = time.time()
                workers = [threading.Thread(target=team, args=(i, p)) for i, p in enumerate(phones)]
                for worker in workers:
                    worker.start()
                time.sleep(5)
                page.screenshot(path=str(ARTIFACTS / "class-race-1080p.png"))
                for worker in workers:
                    worker.join()
                elapsed = time.time() - started
                time.sleep(1.5)
                page_seen = [tuple(pair) for pair in page.evaluate("() => window.seen")]
                page.screenshot(path=str(ARTIFACTS / "class-race-end-1080p.png"))
                stop.set()

                # the instructor closes and reveals the level from the console
                desk = httpx.Client(base_url=base, headers={"Origin": base}, timeout=15)
                login = desk.get("/instructor/login").text
                token = login.split('name="csrf_token" value="')[1].split('"')[0]
                desk.post(
                    "/instructor/login", data={"csrf_token": token, "password": INSTRUCTOR_PASSWORD}
                )
                for action in ("close", "reveal"):
                    desk.post(
                        "/instructor/levels/1/state", data={"csrf_token": token, "action": action}
                    )
                page.wait_for_selector("#reveal-view:not([hidden]) .main-svg", timeout=10_000)
                page.screenshot(path=str(ARTIFACTS / "class-reveal-1080p.png"))
                page.click("[data-reveal-play]")
                page.click("[data-reveal-speed]")
                page.click("[data-reveal-speed]")
                time.sleep(3)
                page.screenshot(path=str(ARTIFACTS / "class-replay-1080p.png"))
                replay = page.text_content("[data-reveal-count]")
                ghosts = page.eval_on_selector_all(
                    "#final-rows tr.ghost",
                    "rows => rows.map(r => [...r.cells].slice(1)"
                    ".map(c => c.textContent).join(' '))",
                )
                browser.close()
                desk.close()
            for phone in phones:
                phone.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"A class of {TEAMS} teams, {len(acks)} accepted guesses in {elapsed:.0f} s "
        f"({len(acks) / elapsed:.1f} per second), one SQLite server process"
    )
    print("From an accepted guess (its answer received) to the projector showing it:")
    for name, seen in (
        ("projector page in Chromium", page_seen),
        ("SSE client of the stream", stream_seen),
    ):
        values = latencies(acks, seen)
        if not values:
            print(f"  {name:<28} no update seen")
            continue
        print(
            f"  {name:<28} p50 {percentile(values, 0.5) * 1e3:6.0f} ms   "
            f"p99 {percentile(values, 0.99) * 1e3:6.0f} ms   worst {max(values) * 1e3:6.0f} ms"
            f"   ({len(values)} guesses)"
        )
    print("  (the versions are polled every 250 ms: that is the expected median scale)")
    print(f"After the reveal: replay at '{replay}'; the ghosts (best f, gap): {'; '.join(ghosts)}")
    print(f"Screenshots: {', '.join(p.name for p in sorted(ARTIFACTS.glob('class-*.png')))}")


if __name__ == "__main__":
    main()
