"""Fetch everything a browser can reach, as the browser would: every GET route the app has
(taken from the app itself, so a new route is crawled the day it is added), each with every
candidate value of its path parameters, then every link, script, stylesheet and redirect
found on the way — and keep what came back (bodies, headers, the session the cookie carries)
to search it."""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient
from starlette.routing import Route

from app.static import VERSIONED_MODULE
from app.web.templating import STATIC_DIR
from tests.attack.classroom import session_cookie, session_data

LINK = re.compile(r'(?:href|src|action)="([^"]*)"')
IMPORT = re.compile(r"""^import [^;]*? from '(\.\.?/[\w/-]+\.js)';""", re.M)
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?")


@dataclass(frozen=True)
class Visit:
    """One fetched URL: its status and the text searched (body, headers, session)."""

    url: str
    status: int
    text: str


def get_routes(app, values: dict[str, list[str]]) -> list[str]:
    """Every GET route of the app with each candidate value of its path parameters: the
    OpenAPI schema's operations (the instructor's too: what a team gets there is searched as
    well) and the routes the schema leaves out (its own documentation pages)."""
    urls: list[str] = []
    for path, operations in app.openapi()["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"\{(\w+)\}", path)
        for combination in itertools.product(*(values[name] for name in names)):
            url = path
            for name, value in zip(names, combination, strict=True):
                url = url.replace("{" + name + "}", value)
            urls.append(url)
    for route in app.routes:
        if isinstance(route, Route) and not route.include_in_schema and "GET" in route.methods:
            assert "{" not in route.path, route.path
            urls.append(route.path)
    return urls


def _key(url: str) -> str:
    parts = urlsplit(url)
    if parts.path.startswith("/lang/"):  # one visit per language, whatever page it returns to
        return parts.path
    return parts.path + ("?" + parts.query if parts.query else "")


def _same_site(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def _static_text(url: str, body: bytes) -> str:
    """A static file is served byte for byte as it is in the repository (so it cannot carry
    anything of a level); the vendored plotly.js is checked that way only, the rest searched."""
    path = VERSIONED_MODULE.sub("js/", urlsplit(url).path.removeprefix("/static/"))
    on_disk = STATIC_DIR / path
    assert on_disk.is_file(), url
    assert body == on_disk.read_bytes(), f"{url} is not the file in the repository"
    return "" if path.startswith("vendor/") else body.decode("utf-8")


def fetch(client: TestClient, url: str) -> tuple[int, str, str, list[str]]:
    """Status, content type, text and onward links of one GET (a stream: its first event)."""
    path = urlsplit(url).path
    if path.endswith("/stream"):
        with client.stream("GET", url, follow_redirects=False) as response:
            body = ""
            if response.status_code == 200:
                for line in response.iter_lines():
                    body += line + "\n"
                    if line.startswith("data:"):
                        break
            else:
                body = response.read().decode()
    else:
        response = client.get(url, follow_redirects=False)
        body = (
            _static_text(url, response.content)
            if path.startswith("/static/") and response.status_code == 200
            else response.text
        )
    headers = "\n".join(
        f"{name}: {value}"
        for name, value in response.headers.multi_items()
        if name.lower() != "set-cookie"
    )
    session = json.dumps(session_data(session_cookie(client)), sort_keys=True)
    links = []
    if "location" in response.headers:
        links.append(response.headers["location"])
    if "html" in response.headers.get("content-type", ""):
        links += [html.unescape(link) for link in LINK.findall(body)]
    if "javascript" in response.headers.get("content-type", ""):  # a module's imports
        links += [urljoin(url, module) for module in IMPORT.findall(body)]
    links = [link.split("#", 1)[0] for link in links if _same_site(link)]
    text = f"{body}\n{headers}\nsession: {session}"
    return response.status_code, response.headers.get("content-type", ""), text, links


def crawl(client: TestClient, seeds: list[str], limit: int = 800) -> list[Visit]:
    """Fetch the seeds, then everything they link to on this site, breadth first."""
    queue = deque(seeds)
    seen: set[str] = set()
    visits: list[Visit] = []
    while queue:
        url = queue.popleft()
        if _key(url) in seen or not url:
            continue
        seen.add(_key(url))
        assert len(visits) < limit, "the crawl found more than it should: a link loop?"
        status, _, text, links = fetch(client, url)
        visits.append(Visit(url, status, text))
        queue.extend(links)
    return visits


def searchable(text: str) -> str:
    """The text with server timestamps taken out (their digits are the clock's, not f's)."""
    return ISO_TIME.sub("<time>", text)


def found_in(visits: list[Visit], secrets: list[str]) -> list[tuple[str, str]]:
    """Each (url, secret) where a secret shows up."""
    return [
        (visit.url, secret)
        for visit in visits
        for secret in secrets
        if secret in searchable(visit.text)
    ]
