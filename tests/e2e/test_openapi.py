"""GET /openapi.json is a valid OpenAPI 3 document that names every route the code serves, and
nothing it does not; its limits follow the settings."""

from __future__ import annotations

import schemathesis

from function.web.app import ROUTES
from tests.support import call


def served() -> set[tuple[str, str]]:
    """(path, method) for every route of the one route table (HEAD is implied by GET)."""
    return {(route.path, method) for route in ROUTES for method in route.methods}


def test_the_document_is_valid_openapi_3(base_url):
    reply = call(base_url + "/openapi.json")
    assert reply.status == 200 and reply.headers["content-type"] == "application/json"
    document = reply.json()
    assert document["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.0 meta-schema


def test_every_route_is_documented_and_nothing_else(base_url):
    document = call(base_url + "/openapi.json").json()
    documented = {(path, method.upper()) for path, operations in document["paths"].items()
                  for method in operations}
    assert documented == served()
    ids = [op["operationId"] for operations in document["paths"].values() for op in operations.values()]
    assert len(ids) == len(set(ids))


def test_every_documented_get_answers_as_documented(base_url):
    document = call(base_url + "/openapi.json").json()
    for path, operations in document["paths"].items():
        if "get" in operations:
            reply = call(base_url + path.replace("{name}", "scam").replace("{version}", _version(base_url)))
            assert str(reply.status) in operations["get"]["responses"], path
            content = operations["get"]["responses"][str(reply.status)]["content"]
            assert reply.headers["content-type"].split(";")[0] in content, path


def _version(base_url: str) -> str:
    return call(base_url + "/readyz").json()["model"]["version"]


def test_limits_follow_the_settings(serve):
    server = serve({"MAX_BATCH": "8"})
    schemas = call(server.url + "/openapi.json").json()["components"]["schemas"]
    batch = schemas["PredictRequest"]["anyOf"][1]["properties"]["texts"]
    assert batch["maxItems"] == 8
