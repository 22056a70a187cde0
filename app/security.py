"""Request guards: CSRF (Origin/Referer and a session token), body size, locale."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import TimestampSigner
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Refused
from app.i18n import LOCALE_COOKIE, current_locale, negotiate

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def same_origin(host: str, source: str | None) -> bool:
    """A request's Origin (or, without one, its Referer) names this very server, its Host."""
    if not source or source == "null":
        return False
    return urlsplit(source).netloc == host


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request that comes from another site or lacks this session's token.

    Browsers on a plain-HTTP classroom LAN send Origin on every POST but no Sec-Fetch-*
    headers, so the origin check is the first line; the token is the second.
    """
    if request.method not in UNSAFE_METHODS:
        return
    if request.url.path.startswith("/api/") and request.headers.get(
        "authorization", ""
    ).lower().startswith("bearer "):
        # a program with a team's API token (code mode), judged by the token alone: no
        # browser sends this header by itself, and no other site may make one send it
        return
    if request.url.path.startswith("/api/") and request.headers.get("authorization"):
        if not request.session:  # no browser login: a program that sent its token wrongly
            raise Refused("token_invalid")
    source = request.headers.get("origin") or request.headers.get("referer")
    if not same_origin(request.headers.get("host", ""), source):
        raise Refused("csrf_failed")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = request.session.get("csrf")
    if not sent or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise Refused("csrf_failed")


class KeyedSigner(TimestampSigner):
    """itsdangerous's timestamp signer, deriving its HMAC key once rather than at every
    signature (a SHA-1 of the secret for every request with a login)."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        derived: dict[str | bytes | None, bytes] = self.__dict__.setdefault("_derived", {})
        if secret_key not in derived:
            derived[secret_key] = super().derive_key(secret_key)
        return derived[secret_key]


class LoginSessionMiddleware(SessionMiddleware):
    """Starlette's signed-cookie sessions, with the signer the guess's fast path shares
    (``app.hot_path``)."""

    def __init__(self, app: ASGIApp, *, signer: TimestampSigner, **options: Any) -> None:
        super().__init__(app, **options)
        self.signer = signer


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``limit`` bytes, declared or streamed.

    A body without Content-Length (chunked) is read here, up to the limit, before the app
    sees it, so an oversized one is refused as such rather than as a broken request.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        refuse: Callable[[Request, Refused], Response],
        larger: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default_limit = limit
        self.refuse = refuse  # how the app shows a refusal (JSON or a page)
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.default_limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > limit:
                await self._too_large(scope, send)
            else:
                await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > limit:
                await self._too_large(scope, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        await self.app(scope, replaying(messages, receive), send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        response = self.refuse(Request(scope), Refused("body_too_large"))
        await response(scope, _no_receive, send)


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first gives the messages already read again, in order."""
    left = list(messages)

    async def replay() -> Message:
        return left.pop(0) if left else await receive()

    return replay


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


class LocaleMiddleware:
    """Pick the request's locale (switcher cookie, then Accept-Language) for gettext."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            locale = negotiate(
                request.cookies.get(LOCALE_COOKIE), request.headers.get("accept-language")
            )
            scope.setdefault("state", {})["locale"] = locale
            current_locale.set(locale)
        await self.app(scope, receive, send)


def request_locale(request: Request) -> str:
    """The locale chosen for this request by LocaleMiddleware."""
    state: Any = request.state
    return getattr(state, "locale", "en")


SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeadersMiddleware:
    """Scripts only from this server, no framing, no MIME sniffing, same-origin referrers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)
