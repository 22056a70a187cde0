"""What every shape shares: strict fields, the JSON of an answer, a moment, a stream.

Every JSON route declares the model of its answer and answers ``model.response()``: the
model is checked when it is built, in the request's own thread, and FastAPI does not validate
it again in a second worker thread while the request's session still holds its pooled
connection (with every thread busy and the pool empty, that wait would never end).

Fields that only some levels have (a plane's y, what the reveal adds) are left unset where
they do not apply, and unset fields are not written: the JSON of a curve has no ``y: null``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, PlainSerializer

# A moment, written as Python's isoformat() writes it (``+00:00``, as every client reads it).
Moment = Annotated[datetime, PlainSerializer(lambda at: at.isoformat(), return_type=str)]


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Out(Strict):
    """An answer of the server: JSON of the fields that apply."""

    def json_data(self) -> Any:
        """The answer as plain JSON values (for a page that embeds it)."""
        return self.model_dump(mode="json", exclude_unset=True)

    def response(self, status_code: int = 200) -> Response:
        """The answer as a JSON response."""
        body = self.model_dump_json(exclude_unset=True)
        return Response(body, status_code=status_code, media_type="application/json")


def as_json(value: Any) -> str:
    """JSON text of plain values and models (``json.dumps`` that knows ``Out``)."""

    def plain(item: object) -> Any:
        if isinstance(item, Out):
            return item.json_data()
        raise TypeError(f"{type(item).__name__} is not JSON")

    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=plain)


def event_stream(event: str, model: type[Out]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI of a stream of Server-Sent Events named ``event``, whose data is a
    ``model`` as JSON (the same as the route that answers it once)."""
    name = model.__name__
    text = f"Server-Sent Events named `{event}`; the data of each is a {name} as JSON."
    stream = {"schema": {"type": "string", "description": text}, "itemSchema": _ref(name)}
    return {200: {"description": text, "content": {"text/event-stream": stream}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}
