"""The accepted guess, answered ahead of the middleware stack.

A guess is the request every team sends most, and the event loop's share of it decides how
many a process answers and how soon. Through the whole stack (four middlewares of the app,
the router, FastAPI's request handling) an accepted guess spent about twice the loop's time
its decision needs. So the outermost middleware answers an accepted guess itself, doing for
it what the stack would do and nothing else: the body limit, the signed login cookie, the
CSRF check (the origin, then the session's token), the body against its schema, the
writer (``app.writer``), and the JSON answer with the headers the stack adds.

It is never more lenient than the stack: every other request, and every guess that is not
simply accepted, goes through the stack as before.

- A request this does not read to the end (another route, a bearer token, a cookie or body
  it cannot take, a failed check) is handed on untouched: the stack judges it again and
  refuses it exactly as it always did.
- A guess the writer refused, or failed to store, is handed on with that outcome, which the
  route raises instead of deciding again (``decided``). So a refusal's JSON, its
  translation and any change to the login (a login that is gone is forgotten) come from
  one place.
"""

from __future__ import annotations

import hmac
import itertools
import json
import re
import time
from base64 import b64decode
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from pydantic import ValidationError
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import utcnow
from app.deps import session_caller
from app.models import MAX_ROW_ID
from app.schemas import GuessIn
from app.security import CSRF_HEADER, SECURITY_HEADERS, replaying, same_origin
from app.services.guesses import answer_out
from app.services.submit import GuessRequest

_GUESS_PATH = re.compile(r"/api/levels/([0-9]+)/guesses")  # as the route's {level_id:int}
DECIDED = "downhill.decided"  # the scope's key for a guess's outcome handed to the stack
_ANSWER_HEADERS = [
    (b"content-type", b"application/json"),
    (b"vary", b"Cookie"),  # as the session middleware says of a response that read it
    *SECURITY_HEADERS,
]


class GuessFastPath:
    """The outermost middleware: an accepted guess answered here, all else by ``app``."""

    def __init__(
        self, app: ASGIApp, *, limit: int, signer: TimestampSigner, cookie: str, max_age: int
    ) -> None:
        self.app = app
        self.limit = limit  # the body limit of the stack's BodyLimitMiddleware
        self.cookie = cookie  # the session middleware's, with its signer and lifetime
        self.cookies = VerifiedCookies(signer, max_age)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _GUESS_PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        if match is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive, self.limit, scope["headers"])
        replay = replaying(messages, receive)
        request = None if body is None else self._guess(scope, int(match[1]), body)
        if request is None:
            await self.app(scope, replay, send)
            return
        state = scope["app"].state
        try:
            answer = await state.guesses.submit(request)
        except Exception as outcome:  # a refusal or a failure: the stack shows it
            scope[DECIDED] = outcome
            await self.app(scope, replay, send)
            return
        state.live.poke()  # this process's streams need not wait for their next look
        content = answer_out(answer, utcnow()).model_dump_json(exclude_unset=True).encode()
        headers = [(b"content-length", str(len(content)).encode()), *_ANSWER_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    def _guess(self, scope: Scope, level_id: int, body: bytes) -> GuessRequest | None:
        """The guess, when the stack would hand it to the writer as it is; else None."""
        headers = _headers(scope["headers"])
        if headers is None or level_id > MAX_ROW_ID or b"authorization" in headers:
            return None  # (a program with its token goes through the stack)
        login = self._login(headers.get(b"cookie"))
        if login is None or not _csrf_passes(headers, login):
            return None
        caller = session_caller(login)
        if caller is None:
            return None
        try:
            guess = GuessIn.model_validate_json(body)
        except ValidationError:
            return None
        return GuessRequest(
            caller,
            level_id,
            guess.idempotency_key,
            guess.x,
            guess.eta,
            guess.beta,
            guess.y,
            guess.batch,
        )

    def _login(self, cookie_header: bytes | None) -> Mapping[str, Any] | None:
        """The session as the session middleware reads it from its signed cookie."""
        if cookie_header is None:
            return None
        value = cookie_parser(cookie_header.decode("latin-1")).get(self.cookie)
        return None if value is None else self.cookies.read(value)


class VerifiedCookies:
    """Session cookies whose signature this process has checked, with when they were
    signed: a team's phone sends the same cookie with every guess, and checking its HMAC
    and decoding it again took a quarter of the event loop's time for a guess.

    A cookie is taken from here only when it is the very string checked before, and only
    while it is as young as the session middleware requires (the same age, counted in
    the same whole seconds); else it is checked as the middleware checks it. The session
    it gives is read-only (the fast path never writes one)."""

    def __init__(
        self,
        signer: TimestampSigner,
        max_age: int,
        *,
        most: int = 16384,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signer = signer
        self.max_age = max_age
        self.most = most  # cookies kept at most
        self.clock = clock
        self._kept: dict[str, tuple[Mapping[str, Any], int]] = {}

    def read(self, value: str) -> Mapping[str, Any] | None:
        """The session the signed cookie holds; None when it is forged, too old (or from
        a later time) or not a session."""
        kept = self._kept.get(value) or self._check(value)
        if kept is None:
            return None
        session, signed_at = kept
        if 0 <= int(self.clock()) - signed_at <= self.max_age:  # as TimestampSigner's
            return session
        self._kept.pop(value, None)
        return None

    def _check(self, value: str) -> tuple[Mapping[str, Any], int] | None:
        try:
            payload, signed = self.signer.unsign(value, return_timestamp=True)
            loaded = json.loads(b64decode(payload))
        except (BadSignature, ValueError):
            return None
        if not isinstance(loaded, dict):
            return None
        if len(self._kept) >= self.most:  # the older half goes (kept in insertion order)
            for old in list(itertools.islice(self._kept, self.most // 2)):
                del self._kept[old]
        kept = self._kept[value] = (MappingProxyType(loaded), int(signed.timestamp()))
        return kept


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[bytes, bytes] | None:
    """The request's headers by name; None when a name comes twice (left to the stack)."""
    headers = dict(raw)
    return headers if len(headers) == len(raw) else None


def _csrf_passes(headers: dict[bytes, bytes], session: Mapping[str, Any]) -> bool:
    """``app.security.check_csrf`` for a browser's JSON request: this very server's
    origin, and the session's token in its header."""
    source = headers.get(b"origin") or headers.get(b"referer")
    host = headers.get(b"host", b"").decode("latin-1")
    if not same_origin(host, None if source is None else source.decode("latin-1")):
        return False
    sent, expected = headers.get(CSRF_HEADER.encode(), b""), session.get("csrf")
    return bool(sent) and isinstance(expected, str) and hmac.compare_digest(sent, expected.encode())


async def _read_body(
    receive: Receive, limit: int, raw_headers: list[tuple[bytes, bytes]]
) -> tuple[list[Message], bytes | None]:
    """The messages read, and the whole body; None for a body the stack must judge (one
    declared or streamed beyond the limit, or a client that went away)."""
    declared = dict(raw_headers).get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return [], None
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if size > limit:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)
