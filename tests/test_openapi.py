"""The OpenAPI schema: committed copy, public routes, coverage and content."""

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
from django.contrib.staticfiles import finders
from django.urls import URLPattern
from rest_framework.test import APIClient

from tests.conftest import generate_schema
from vpnapi import urls as api_urls
from vpnapi.schema import canonical_path

COMMITTED_SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
ERROR_REFERENCE = {"$ref": "#/components/schemas/Error"}
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def schema():
    return generate_schema()


def operations(schema):
    for path, path_item in schema["paths"].items():
        for method, operation in path_item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_committed_schema_is_current(schema):
    committed = json.loads(COMMITTED_SCHEMA.read_text(encoding="utf-8"))

    assert committed == schema, "docs/openapi.json is out of date: run make schema and commit the result."


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HTTP_API_KEY": "not-a-key"}, {"HTTP_AUTHORIZATION": "Bearer wrong"}])
def test_schema_route_needs_no_key(schema, headers):
    response = APIClient().get("/1.0/openapi.json", **headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    assert json.loads(response.content) == schema


@pytest.mark.django_db
def test_docs_page_loads_only_vendored_files():
    response = APIClient().get("/1.0/docs", HTTP_API_KEY="not-a-key")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(assets) == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")) is not None, asset
    assert '"/1.0/openapi.json"' in page
    assert "https://" not in page
    assert "http://" not in page


@pytest.mark.django_db
def test_docs_page_with_trailing_slash():
    response = APIClient().get("/1.0/docs/")

    assert response.status_code == 200


def test_paths_are_canonical(schema):
    for path in schema["paths"]:
        assert re.fullmatch(r"/1\.0/[A-Z][A-Za-z]*(/[A-Z{][A-Za-z_}]*)*", path), path


def test_every_api_route_is_in_schema(schema):
    documented = {(path, method.upper()) for path, method, _ in operations(schema)}
    api_patterns = [p for p in api_urls.urlpatterns if isinstance(p, URLPattern)]
    expected = set()
    for pattern in api_patterns:
        path = canonical_path(pattern.pattern.regex.pattern)
        if path is None:
            continue
        view_class = pattern.callback.cls
        for method in view_class().allowed_methods:
            if method in ("OPTIONS", "HEAD"):
                continue
            if method == "GET" and getattr(view_class, "get", None) is getattr(view_class, "post", None):
                continue
            expected.add((path, method))

    assert expected, "no API routes found"
    assert documented == expected


def test_canonical_path_of_api_routes():
    assert canonical_path(r"^(?:1\.0/)?(?:User|user)/(?P<identifier>[^/]+)/?$") == "/1.0/User/{identifier}"
    assert canonical_path(r"^(?:1\.0/)?(?:Stats|stats)/(?P<option>[^/]+)/?$") == "/1.0/Stats/{option}"
    assert canonical_path(r"^(?:1\.0/)?(?:Stats|stats)(?:/(?P<option>[^/]*))?/?$") == "/1.0/Stats/{option}"
    assert canonical_path(r"^(?:1\.0/)?(?:Node|node)/(?:Peers|peers)/?$") == "/1.0/Node/Peers"
    assert canonical_path(r"^1\.0/openapi\.json$") is None


def test_canonical_path_rejects_unknown_regex():
    with pytest.raises(ValueError, match="Cannot derive an OpenAPI path"):
        canonical_path(r"^(?:1\.0/)?User/(\d+)/?$")


def test_schema_and_docs_routes_are_not_documented(schema):
    assert "/1.0/openapi.json" not in schema["paths"]
    assert "/1.0/docs" not in schema["paths"]


def test_security_schemes(schema):
    assert schema["components"]["securitySchemes"] == {
        "ApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "API-KEY",
            "description": "A reseller's API key, or a VPN server's node key (itg_node_...) on node routes.",
        },
        "Bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The same key sent as Authorization: Bearer <key>.",
        },
    }
    for path, method, operation in operations(schema):
        assert operation["security"] == [{"ApiKey": []}, {"Bearer": []}], (path, method)


def test_every_error_response_has_error_shape(schema):
    for path, method, operation in operations(schema):
        statuses = {int(status) for status in operation["responses"]}
        assert {200, 401, 403, 429, 500} <= statuses, (path, method)
        if "requestBody" in operation:
            assert {400, 413, 415} <= statuses, (path, method)
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            assert response["content"]["application/json"]["schema"] == ERROR_REFERENCE, (path, method, status)
            assert response["description"], (path, method, status)
        assert "Retry-After" in operation["responses"]["429"]["headers"], (path, method)


def test_error_schema(schema):
    error = schema["components"]["schemas"]["Error"]

    assert error["required"] == ["success", "error", "message"]
    assert error["additionalProperties"] is False
    assert error["properties"]["fields"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    assert schema["components"]["schemas"]["SuccessErrorEnum"]["enum"] == ["error"]
    assert "rate_limited" in schema["components"]["schemas"]["ErrorEnum"]["enum"]


def test_user_list_parameter_constraints(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/1.0/User"]["get"]["parameters"]}

    assert parameters["sort"]["enum"] == ["created", "enable", "userid", "username"]
    assert parameters["order"]["enum"] == ["asc", "desc"]
    assert parameters["page"]["minimum"] == 0
    assert parameters["limit"]["minimum"] == 1
    assert parameters["limit"]["maximum"] == 100
    assert parameters["enable"]["enum"] == [0, 1]
    assert parameters["account_type"]["enum"] == [1, 2]
    assert parameters["search"]["maxLength"] == 100


def test_request_bodies_reject_unknown_members(schema):
    for name in ("Credentials", "VpnUserWrite", "PatchedVpnUserWrite"):
        assert schema["components"]["schemas"][name]["additionalProperties"] is False, name


def _as_json_schema(node):
    """Return an OpenAPI 3.0 schema as JSON Schema: nullable becomes a null alternative."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _examples(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json", {})
            for name, example in media.get("examples", {}).items():
                yield f"{method.upper()} {path} {status} {name}", media["schema"], example["value"]
        media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        for name, example in media.get("examples", {}).items():
            yield f"{method.upper()} {path} request {name}", media["schema"], example["value"]


def test_examples_match_their_schemas(schema):
    components = _as_json_schema(copy.deepcopy(schema["components"]))
    examples = list(_examples(schema))

    assert len(examples) >= 15
    for label, body_schema, value in examples:
        validator = jsonschema.Draft7Validator({**_as_json_schema(body_schema), "components": components})
        errors = [error.message for error in validator.iter_errors(value)]
        assert errors == [], label
