"""A lesson's join address and its QR code, as the console, the slips and the projector
show them."""

from __future__ import annotations

import segno
from fastapi import Request
from markupsafe import Markup

from app.models import Lesson


def public_base(request: Request) -> str:
    """This server as phones and laptops reach it: the configured public URL, else the
    address the request came to."""
    return str(request.app.state.settings.public_url or request.base_url).rstrip("/")


def join_address(request: Request, lesson: Lesson) -> str:
    """The address a phone opens to join."""
    return f"{public_base(request)}/j/{lesson.join_code}"


def qr_svg(address: str, scale: int = 4, *, fill: bool = False) -> Markup:
    """A QR code of ``address`` as inline SVG (a phone camera opens it); with ``fill``, of
    no size of its own, so that it fills the box the page gives it."""
    code = segno.make(address, error="m")
    return Markup(code.svg_inline(scale=scale, border=2, omitsize=fill))  # noqa: S704


def reachable_from_phones(request: Request) -> bool:
    """Whether phones can open the addresses this page shows (not a loopback address)."""
    host = request.url.hostname or ""
    return bool(request.app.state.settings.public_url) or host not in (
        "127.0.0.1",
        "localhost",
        "::1",
    )
