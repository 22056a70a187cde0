"""How a refusal reaches a user: JSON for the API, a page for a browser."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.errors import Refused
from app.i18n import current_locale, gettext
from app.security import request_locale
from app.web.templating import render


def refusal_body(request: Request, refusal: Refused) -> dict[str, Any]:
    """``{"error": {"code", "message", ...params}}`` with the message translated."""
    current_locale.set(request_locale(request))
    shown = {k: f"{v:g}" if isinstance(v, float) else v for k, v in refusal.params.items()}
    message = gettext(refusal.message_id, **shown)
    return {"error": {"code": refusal.code, "message": message, **refusal.params}}


def wants_json(request: Request) -> bool:
    """API routes and fetch() calls get JSON; pages get pages."""
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def refusal_response(request: Request, refusal: Refused) -> Response:
    """The response for a refusal: JSON with a code, or a translated error page."""
    headers = {}
    if "retry_after" in refusal.params:
        headers["Retry-After"] = str(refusal.params["retry_after"])
    if wants_json(request):
        return JSONResponse(
            refusal_body(request, refusal), status_code=refusal.status, headers=headers
        )
    if refusal.code == "not_logged_in":
        return RedirectResponse("/", status_code=303)
    if refusal.code == "instructor_login_required":
        return RedirectResponse("/instructor/login", status_code=303)
    body = refusal_body(request, refusal)["error"]
    response = render(request, "error.html", status_code=refusal.status, error=body)
    response.headers.update(headers)
    return response
