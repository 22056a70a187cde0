"""The OpenAPI documents every answer: each JSON route its model, each stream the model of
its events, each page as HTML, each download as what it is; and a JSON route answers what
its model says."""

from __future__ import annotations

import pytest

from tests.support import Demo, browser_like, enter, login_as


def operations(app) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, methods in app.openapi()["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_route_documents_what_it_answers(app) -> None:
    schemas = app.openapi()["components"]["schemas"]
    undocumented = []
    for method, path, operation in operations(app):
        content = operation["responses"]["200"].get("content", {})
        if not content:
            undocumented.append((method, path, "no content"))
        for kind, media in content.items():
            if kind == "application/json":
                schema = media.get("schema", {})
                ref = schema.get("$ref", "")
                if not ref and schema.get("type") != "object":
                    undocumented.append((method, path, kind))
                assert not ref or ref.rsplit("/", 1)[1] in schemas
            elif kind == "text/event-stream":
                ref = media.get("itemSchema", {}).get("$ref", "")
                if ref.rsplit("/", 1)[-1] not in schemas:
                    undocumented.append((method, path, kind))
            else:
                assert kind in ("text/html", "text/csv"), (method, path, kind)
    assert undocumented == []


def test_json_routes_and_streams_are_the_ones_expected(app) -> None:
    json_routes = {
        (method, path)
        for method, path, operation in operations(app)
        if "application/json" in operation["responses"]["200"].get("content", {})
    }
    assert {("GET", "/api/levels/{level_id}"), ("POST", "/api/levels/{level_id}/guesses")} <= (
        json_routes
    )
    assert ("GET", "/projector/{join_code}/state.json") in json_routes
    assert ("GET", "/levels/{level_id}/play") not in json_routes  # a page


@pytest.fixture
def played(app, demo: Demo):
    """Team 1 with a guess on the demo's first level."""

    with browser_like(app) as phone:
        login_as(phone, 1)
        level_id = demo.levels[0].id
        enter(phone, level_id)
        answer = phone.post(
            f"/api/levels/{level_id}/guesses", json={"x": "1.5", "idempotency_key": "openapi-01"}
        )
        assert answer.status_code == 200, answer.text
        yield phone, level_id


def test_answers_hold_the_fields_their_models_name(app, played) -> None:
    phone, level_id = played
    schemas = app.openapi()["components"]["schemas"]
    for path, model in [
        (f"/api/levels/{level_id}", "PlayStateOut"),
        (f"/api/levels/{level_id}/guesses", "GuessesOut"),
        ("/api/levels", "LevelsOut"),
        ("/api/standings", "OverallOut"),
    ]:
        body = phone.get(path).json()
        required = set(schemas[model].get("required", []))
        assert required <= set(body), (path, required - set(body))
        assert set(body) <= set(schemas[model]["properties"]), path
    guess = phone.get(f"/api/levels/{level_id}").json()["guesses"][0]
    assert "y" not in guess  # a curve's guess has no y, not even null
    assert set(schemas["GuessOut"]["required"]) <= set(guess)
