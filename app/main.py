"""create_app(): middleware, static files, routers, error handlers — nothing else."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.routes import GUESS_ROUTE
from app.api.routes import router as api_router
from app.config import Settings, get_settings
from app.db import Database
from app.errors import Refused
from app.hot_path import GuessFastPath
from app.live import LiveHub
from app.security import (
    BodyLimitMiddleware,
    KeyedSigner,
    LocaleMiddleware,
    LoginSessionMiddleware,
    SecurityHeadersMiddleware,
)
from app.snapshots import SharedSnapshots
from app.static import StaticAssets
from app.web.console import public as instructor_router
from app.web.console import router as console_router
from app.web.console.files import MAX_LESSON_FILE
from app.web.pages import router as pages_router
from app.web.projector import router as projector_router
from app.web.responses import refusal_response
from app.web.templating import STATIC_DIR
from app.writer import GuessWriter

SESSION_COOKIE = "downhill_session"
SESSION_SECONDS = 14 * 24 * 3600
logger = logging.getLogger("downhill")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The Downhill web application for these settings."""
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="Downhill",
        docs_url=None,  # served by app.web.pages from the project: it opens offline
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # no OpenTelemetry here: without this FastAPI looks for its providers at every request
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.database = Database(settings.resolved_database_url)
    app.state.guesses = GuessWriter(app.state.database)
    app.state.snapshots = SharedSnapshots()  # what live screens of a lesson share

    # the last one added runs first: headers, locale, session, then the body limit
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_body_bytes,
        refuse=refusal_response,
        larger={"/instructor/lessons/import": MAX_LESSON_FILE},
    )
    signer = KeyedSigner(settings.resolved_secret_key)
    app.add_middleware(
        LoginSessionMiddleware,
        signer=signer,
        secret_key=settings.resolved_secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_SECONDS,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(  # outermost: an accepted guess is answered before all the rest
        GuessFastPath,
        limit=settings.max_body_bytes,
        signer=signer,
        cookie=SESSION_COOKIE,
        max_age=SESSION_SECONDS,
    )

    app.router.routes.append(GUESS_ROUTE)  # first: the hottest route, matched at once
    app.mount("/static", StaticAssets(directory=STATIC_DIR), name="static")
    for router in (api_router, instructor_router, console_router, projector_router, pages_router):
        app.include_router(router)
    for error, handler in ERROR_HANDLERS.items():
        app.add_exception_handler(error, handler)
    return app


def served_app() -> FastAPI:
    """The app as `downhill serve` runs it (a process of its own)."""
    app = create_app()
    app.state.freeze_heap = True
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run this process's live hub. Tests run the app once per client: each run stops its
    own hub at its end, even if another run replaced it meanwhile, and the hub it replaced
    comes back."""
    previous = getattr(app.state, "live", None)
    hub = LiveHub(app.state.database)
    app.state.live = hub
    hub.start()
    if getattr(app.state, "freeze_heap", False):
        # Everything made at start-up lives as long as the process: keep it out of the
        # collector's full passes, which otherwise paused a busy server for some 80 ms
        # every few seconds (every request in flight waited).
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        await asyncio.to_thread(app.state.guesses.stop)
        await hub.stop()
        if app.state.live is hub and previous is not None and not previous.closing:
            app.state.live = previous


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)  # noqa: S101 - registered for Refused
    return refusal_response(request, exc)


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    fields = [".".join(str(part) for part in error["loc"][1:]) for error in exc.errors()]
    return refusal_response(request, Refused("invalid_request", fields=fields))


async def _database_busy(request: Request, exc: Exception) -> Response:
    # the database is locked for too long or unreachable: nothing was stored
    logger.warning("database unavailable: %s", getattr(exc, "orig", exc))
    return refusal_response(request, Refused("unavailable", retry_after=2))


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
        exc.status_code, "invalid_request"
    )
    return refusal_response(request, Refused(code))


ERROR_HANDLERS = {
    Refused: _refused,
    RequestValidationError: _invalid,
    OperationalError: _database_busy,
    StarletteHTTPException: _http,
}
