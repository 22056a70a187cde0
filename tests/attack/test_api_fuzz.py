"""Every operation of the app's OpenAPI schema fuzzed with schemathesis: data that fits the
schema and data that does not, with ids of things that exist and ids of nothing, sent by a
logged-in team (or, for the console's routes, the logged-in instructor) with the session's
CSRF token, so requests get past the checks and reach the code behind them. No request may
get a 5xx; every refusal of the JSON API is the app's own error body."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.attack.classroom import Classroom, enter, guess, make_classroom, move, phone
from tests.support import BASE_URL, post

EXAMPLES = 30  # per operation; a few heavy ones get fewer
FEWER = {"/instructor/lessons/{lesson_id}/report.html": 8, "/projector/{join_code}/stream": 8}
FEWER["/instructor/levels/{level_id}/monitor/stream"] = 8
# Adding teams hashes a PIN per team (argon2, slow on purpose): fuzzed with small counts only.
SLOW_BODIES = {"/instructor/lessons/{lesson_id}/teams": {"count": "2"}}
MESSY_HEADERS = ("X-Schemathesis-TestCaseId", "Connection", "Accept-Encoding", "User-Agent")


def to_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis's request (in requests' terms) in httpx's terms."""
    request = {"method": kwargs["method"], "url": kwargs["url"].removeprefix(BASE_URL)}
    headers = {k: str(v) for k, v in (kwargs.get("headers") or {}).items()}
    request["headers"] = {k: v for k, v in headers.items() if k not in MESSY_HEADERS}
    if kwargs.get("params"):
        request["params"] = kwargs["params"]
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    if kwargs.get("files"):
        request["files"] = [(name, _file_part(part)) for name, part in kwargs["files"]]
    data = kwargs.get("data")
    if isinstance(data, (bytes, str)):
        request["content"] = data
    elif data is not None:
        request["data"] = data
    return request


def _as_bytes(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    return (content if isinstance(content, str) else json.dumps(content)).encode()


def _file_part(part: Any) -> Any:
    """A multipart file part with its content as bytes: schemathesis may give any value (a
    number where the schema wants a file), which requests writes out as text and httpx does
    not take."""
    if isinstance(part, tuple):
        return (part[0], _as_bytes(part[1]), *part[2:])
    return _as_bytes(part)


class Sender:
    """Sends each case with one fixed session (its cookie and CSRF token), so a case that
    logs out or logs in does not change who the next one is sent by."""

    def __init__(self, client, cookie: str, token: str) -> None:
        self.client = client
        self.cookie = cookie
        self.token = token
        self.sent: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()  # answered 2xx or 3xx: past every check
        self.statuses: Counter[int] = Counter()

    def __call__(self, operation, case) -> None:
        request = to_httpx(case.as_transport_kwargs(base_url=BASE_URL))
        # the schema's API token (code mode): every other case sends the generated one, which
        # is refused as a token; the rest play with the session's cookie and get further
        if sum(self.sent.values()) % 2 == 0:
            request["headers"].pop("Authorization", None)
        request["headers"].setdefault("Origin", BASE_URL)
        request["headers"]["X-CSRF-Token"] = self.token
        self.client.cookies.clear()
        self.client.cookies.set("downhill_session", self.cookie)
        stream = operation.path.endswith("/stream")
        with self.client.stream(follow_redirects=False, **request) as response:
            if stream and response.status_code == 200:
                next(line for line in response.iter_lines() if line.startswith("data:"))
            else:
                response.read()
        label = f"{operation.method.upper()} {operation.path}"
        self.sent[label] += 1
        if response.status_code < 400:
            self.accepted[label] += 1
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, f"{response.status_code}: {case.as_curl_command()}"
        if operation.path.startswith("/api/") and response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/json")
            assert response.json()["error"]["code"], case.as_curl_command()


def cases(operation, real: dict[str, str]):
    """Positive and negative cases, half of them about things that exist."""
    fixed = {name: value for name, value in real.items() if "{" + name + "}" in operation.path}
    body = SLOW_BODIES.get(operation.path)
    options = {"body": body} if body else {}
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, **options),
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed, **options),
    ]
    if not body:
        strategies += [
            operation.as_strategy(GenerationMode.NEGATIVE),
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
        ]
    return st.one_of(strategies)


@pytest.fixture
def playing(app, desk, session) -> Classroom:
    """A lesson with an open level that team 1 entered and guessed on, a revealed one, a
    closed one whose prediction is asked, and teams to rename or remove."""
    room = make_classroom(
        desk,
        session,
        "Fuzzed",
        [
            {"title": "Revealed", "expression": "(x - 1)^2", "password": "pw"},
            {"title": "Open", "expression": "sin(x) + x^2/10"},
            {"title": "Predicted", "expression": "x^4 - x^2"},
        ],
        teams=3,
    )
    revealed, running, predicted = room.levels
    move(desk, revealed, "open")
    move(desk, running, "open")
    move(desk, predicted, "open", "close")
    asked = post(desk, f"/instructor/levels/{predicted.id}/prediction", ask="1")
    assert asked.status_code == 303, asked.text
    with phone(app, room, 1) as team:
        enter(team, revealed, "pw")
        enter(team, running)
        guess(team, revealed, "0.5", "fuzz-setup-1")
        guess(team, running, "-1.25", "fuzz-setup-2")
    move(desk, revealed, "close", "reveal")
    return room


def level_for(path: str, room: Classroom) -> str:
    """The level each operation is fuzzed on: the one in the state its route serves (a
    reveal on the revealed level, a vote on the closed level whose prediction is asked,
    everything else on the open one), so its requests get past the state checks."""
    revealed, running, predicted = room.levels
    level = revealed if path.endswith("/reveal") else running
    level = predicted if path.endswith("/prediction") else level
    return str(level.id)


def fuzzer(operation, real: dict[str, str], sender: Sender):
    """A Hypothesis test of one operation."""

    @settings(
        max_examples=FEWER.get(operation.path, EXAMPLES),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(operation, real))
    def fuzz(case) -> None:
        sender(operation, case)

    return fuzz


def test_no_operation_of_the_schema_answers_a_server_error(app, desk, playing: Classroom) -> None:
    raw = desk.get("/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50, len(operations)  # the API, the console, the pages
    real = {
        "lesson_id": str(playing.lesson.id),
        "team_id": str(playing.team_ids[3]),
        "join_code": playing.join_code,
        "locale": "zh_TW",
    }
    with contextlib.ExitStack() as stack:
        team = stack.enter_context(phone(app, playing, 1))
        as_team = Sender(team, team.cookies.get("downhill_session"), team.headers["X-CSRF-Token"])
        # one client (one event loop, as one server process has) sends as either: the
        # instructor's session is the desk's cookie and token
        as_desk = Sender(team, desk.cookies.get("downhill_session"), desk.headers["X-CSRF-Token"])
        # the console's destructive routes last, so the rest is fuzzed on a lesson that
        # exists, and logging out at the very end: a logout ends the session for good
        last = ("/delete", "/remove", "/reset", "/archive")

        def order(op) -> int:
            logs_out = op.path.endswith("/logout") or (op.path, op.method) == (
                "/api/session",
                "delete",
            )
            return 2 if logs_out else 1 if op.path.endswith(last) else 0

        for operation in sorted(operations, key=order):
            sender = as_desk if operation.path.startswith("/instructor") else as_team
            level_id = level_for(operation.path, playing)
            fuzzer(operation, {**real, "level_id": level_id}, sender)()
    sent = as_team.sent + as_desk.sent
    assert len(sent) == len(operations), set(map(str, operations)) - set(sent)
    assert sum(sent.values()) >= 20 * len(operations)
    statuses = as_team.statuses + as_desk.statuses
    # not all refused at the door: most operations were reached and answered
    accepted = as_team.accepted + as_desk.accepted
    assert len(accepted) >= 0.8 * len(operations), set(sent) - set(accepted)
    assert statuses[403] < sum(statuses.values()) / 3, statuses
