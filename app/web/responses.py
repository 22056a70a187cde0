"""How a refusal reaches a user: JSON for the API, a page for a browser."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.errors import Refused
from app.i18n import current_locale, gettext
from app.security import request_locale
from app.web.templating import render


def translate(request: Request, message_id: str, **params: Any) -> str:
    """A message in the request's language, numbers shown short (-10, not -10.0)."""
    current_locale.set(request_locale(request))
    shown = {k: f"{v:g}" if isinstance(v, float) else v for k, v in params.items()}
    return gettext(message_id, **shown)


def refusal_body(request: Request, refusal: Refused) -> dict[str, Any]:
    """``{"error": {"code", "message", ...params}}`` with the message translated."""
    message = translate(request, refusal.message_id, **refusal.params)
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
