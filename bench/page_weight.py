"""Page weight: the bytes a team's phone downloads for the play page, measured in Chromium.

Debian's Chromium (through Playwright, as the browser tests drive it) with a phone's
viewport and an empty cache; the team logs in and enters the level through the JSON API
from the same browser context (so the cache is still empty), then the play page is
loaded three ways: the first load, a reload (as the reload button does: the page is asked
again, assets revalidated as Chromium decides), and a later visit from a new tab with the
same cache (what a phone does when a team comes back to the page). Every request is
counted from the DevTools protocol's Network events: bytes on the wire
(``encodedDataLength``: headers and body as transferred, compressed where the server
compressed) and the body's size once decoded (raw), and whether it came from the cache.
The baseline is the vendored plotly.js bundle alone, the one big asset. Figures are
printed, never asserted.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    PIN,
    SECRET,
    BenchLesson,
    data_dir,
    heading,
    seed_lesson,
)
from tests.browser.chromium import CHROMIUM, CHROMIUM_FLAGS, PHONE  # noqa: E402
from tests.server import running_server  # noqa: E402


@dataclass
class Fetch:
    """One request of a page load as Chromium's network events tell it."""

    url: str
    kind: str = ""
    status: int = 0
    wire: int = 0  # bytes transferred: headers and (possibly compressed) body
    raw: int = 0  # the body once decoded
    encoding: str = ""
    cache_control: str = ""
    cached: bool = False
    failed: bool = False


@dataclass
class Recorder:
    """Collects the Network events of one page load."""

    fetches: dict[str, Fetch] = field(default_factory=dict)

    def attach(self, cdp: Any) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        if not event["request"]["url"].startswith("data:"):
            self.fetches[event["requestId"]] = Fetch(event["request"]["url"], event.get("type", ""))

    def _response(self, event: dict[str, Any]) -> None:
        found = self.fetches.get(event["requestId"])
        if found is None:
            return
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        found.kind = event.get("type", found.kind)
        found.status = response["status"]
        found.encoding = headers.get("content-encoding", "")
        found.cache_control = headers.get("cache-control", "")
        found.cached = found.cached or bool(
            response.get("fromDiskCache") or response.get("fromMemoryCache")
        )

    def _data(self, event: dict[str, Any]) -> None:
        if (found := self.fetches.get(event["requestId"])) is not None:
            found.raw += event["dataLength"]

    def _finished(self, event: dict[str, Any]) -> None:
        if (found := self.fetches.get(event["requestId"])) is not None:
            found.wire = int(event["encodedDataLength"])

    def _failed(self, event: dict[str, Any]) -> None:
        if (found := self.fetches.get(event["requestId"])) is not None:
            found.failed = True

    def _from_cache(self, event: dict[str, Any]) -> None:
        if (found := self.fetches.get(event["requestId"])) is not None:
            found.cached = True

    def take(self) -> list[Fetch]:
        taken = list(self.fetches.values())
        self.fetches.clear()
        return taken


def short(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?…" if parts.query else "")


def kb(size: float) -> str:
    return f"{size / 1024:8.1f} KB"


def report(name: str, fetches: list[Fetch]) -> tuple[int, int]:
    over_network = [f for f in fetches if not f.cached]
    wire = sum(f.wire for f in over_network)
    raw = sum(f.raw for f in fetches)
    print(
        f"{name}: {len(fetches)} requests, {len(over_network)} over the network, "
        f"{kb(wire).strip()} on the wire ({kb(raw).strip()} of bodies once decoded)"
    )
    for f in fetches:
        where = "cache" if f.cached else ("FAILED" if f.failed else "network")
        print(
            f"  {short(f.url):<54} {f.kind:<10} {f.status:>3} {where:<7}"
            f" wire {kb(f.wire if not f.cached else 0)}  raw {kb(f.raw)}"
            f"  {f.encoding or '-':<5} {f.cache_control or '-'}"
        )
    return wire, raw


def by_kind(fetches: list[Fetch]) -> Iterator[tuple[str, int, int]]:
    kinds: dict[str, list[Fetch]] = {}
    for f in fetches:
        kinds.setdefault(f.kind or "Other", []).append(f)
    for kind, group in sorted(kinds.items()):
        yield kind, sum(f.wire for f in group if not f.cached), sum(f.raw for f in group)


def main() -> None:
    from playwright.sync_api import sync_playwright

    seeded: dict[str, BenchLesson] = {}

    def prepare(database_url: str) -> None:
        seeded["lesson"] = seed_lesson(database_url, teams=1, cooldown=0)

    with data_dir("page-weight") as directory:
        with running_server(directory, SECRET, before_serve=prepare) as base:
            lesson = seeded["lesson"]
            play = f"{base}/levels/{lesson.level_id}/play"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                context = browser.new_context(
                    viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
                )
                api = context.request
                token = api.get(f"{base}/api/csrf").json()["csrf_token"]
                answer = api.post(
                    f"{base}/api/session",
                    headers={"Origin": base, "X-CSRF-Token": token},
                    data={"join_code": lesson.join_code, "team_number": 1, "pin": PIN},
                )
                token = answer.json()["csrf_token"]
                api.post(
                    f"{base}/api/levels/{lesson.level_id}/enter",
                    headers={"Origin": base, "X-CSRF-Token": token},
                    data={},
                )
                loads: dict[str, list[Fetch]] = {}
                page = context.new_page()
                recorder = Recorder()
                recorder.attach(context.new_cdp_session(page))
                page.goto(play, wait_until="networkidle")
                page.wait_for_selector("#chart .main-svg")
                loads["first load, empty cache"] = recorder.take()
                page.reload(wait_until="networkidle")
                loads["reload"] = recorder.take()
                later = context.new_page()
                recorder.attach(context.new_cdp_session(later))
                later.goto(play, wait_until="networkidle")
                loads["later visit, new tab, same cache"] = recorder.take()
                browser.close()

    heading("Page weight of the play page in Chromium (a phone's viewport), from CDP events")
    totals = {name: report(name, fetches) for name, fetches in loads.items()}
    first = loads["first load, empty cache"]
    plotly = next(f for f in first if "plotly" in f.url)
    print("\nSummary (wire: bytes over the network; raw: every body the page used, decoded)")
    print(
        f"  {'baseline: plotly.js bundle alone':<40} wire {kb(plotly.wire)}  raw {kb(plotly.raw)}"
    )
    for name, (wire, raw) in totals.items():
        print(
            f"  {name:<40} wire {kb(wire)}  raw {kb(raw)}"
            f"   ({wire / plotly.wire:.2f}× the plotly bundle on the wire)"
        )
    print("  first load by kind: " + ", ".join(
        f"{kind} {wire / 1024:.1f} KB ({raw / 1024:.1f} KB raw)"
        for kind, wire, raw in by_kind(first)
    ))  # fmt: skip


if __name__ == "__main__":
    main()
