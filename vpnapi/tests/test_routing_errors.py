"""Paths, the JSON error shape on every kind of failure, and request body parsing."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.models import VpnUser
from vpnapi.tests.conftest import send_json
from vpnapi.views.users import UserListView


def error(code, message, **extra):
    return {"success": "error", "error": code, "message": message, **extra}


# --- Paths -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/1.0/User"),
        ("get", "/1.0/User/"),
        ("get", "/User"),
        ("get", "/user/"),
        ("get", "/1.0/user"),
        ("post", "/1.0/Auth"),
        ("post", "/auth/"),
        ("post", "/1.0/User/"),
        ("delete", "/user/someone/"),
        ("put", "/User/someone"),
    ],
)
def test_paths_never_redirect(api, method, path):
    response = send_json(api, method, path, {})

    assert response.status_code < 300 or response.status_code >= 400
    assert response.status_code != 404 or response.json()["error"] == "not_found"
    assert "Location" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/1.0/",
        "/1.0",
        "/1.0/Nothing",
        "/1.0/User/a/b",
        "/1.0/USER",
        "/1.0/Auth/extra",
        "/1.0/%00",
        "/1.0/1%0A",
        "/1.0/a%0Ab/c",
        "/1.0%0A",
        "/User/a/b",
        "/user/a/b/",
        "/auth/extra",
    ],
)
def test_unknown_api_route_is_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["success"] == "error"
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/user/1/wireguard/2/x", "/Stats/a/b", "/node/nothing", "/Node/Peers/x"])
def test_unknown_alias_route_is_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["success"] == "error"
    assert response.json()["error"] == "not_found"


def test_unknown_page_is_html_404(db):
    response = APIClient().get("/nothing-here")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_unknown_api_route_message(db):
    response = send_json(APIClient(), "post", "/1.0/Users", {})

    assert response.status_code == 404
    assert response.json() == error(
        "not_found", "There is no API route '/1.0/Users': see /1.0/docs for the list of routes."
    )


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/1.0/Auth", "GET, POST, HEAD, OPTIONS"),
        ("put", "/1.0/User", "GET, POST, HEAD, OPTIONS"),
        ("post", "/1.0/User/alice", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
    ],
)
def test_wrong_method_is_json_405(api, method, path, allowed):
    response = send_json(api, method, path, {})

    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert response.json() == error("method_not_allowed", f'Method "{method.upper()}" not allowed: use {allowed}.')


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "text/plain"],
)
def test_non_json_body_is_415(api, content_type):
    response = api.generic("POST", "/1.0/User", "password=abc1234", content_type=content_type)

    assert response.status_code == 415
    media_type = content_type
    assert response.json() == error(
        "unsupported_media_type",
        f'Unsupported media type "{media_type}" in request. Send the body as JSON with Content-Type: application/json.',
    )
    assert VpnUser.objects.count() == 0


def test_form_post_is_415(api):
    response = api.post("/1.0/User", {"password": "abc1234"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert VpnUser.objects.count() == 0


def test_json_with_charset_accepted(api):
    response = api.generic(
        "POST", "/1.0/User", '{"password": "abc1234"}', content_type="application/json; charset=utf-8"
    )

    assert response.status_code == 200
    assert VpnUser.objects.get().check_password("abc1234")


def test_accept_header_ignored(api):
    response = api.get("/1.0/User", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("path", ["/1.0/User", "/user/", "/Auth"])
def test_disallowed_host_is_json_400(api, path):
    response = api.get(path, HTTP_HOST="unknown.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == error(
        "bad_request", "The request is malformed or its Host header is not served here: check the URL and Host."
    )


def test_disallowed_host_outside_api_stays_html(db):
    response = APIClient().get("/accounts/login/", HTTP_HOST="unknown.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- Server errors -----------------------------------------------------------


def explode(self, request):
    raise RuntimeError("secret detail that must stay in the log")


@pytest.mark.parametrize("debug", [False, True])
def test_server_error_is_json_without_traceback(api, monkeypatch, settings, debug):
    settings.DEBUG = debug
    monkeypatch.setattr(UserListView, "get", explode)

    response = api.get("/1.0/User")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == error(
        "server_error", "The server failed to handle the request. It has been logged; try again later."
    )
    assert b"secret detail" not in response.content
    assert b"Traceback" not in response.content


def test_server_error_without_prefix_is_json(api, monkeypatch):
    monkeypatch.setattr(UserListView, "get", explode)

    response = api.get("/user")

    assert response.status_code == 500
    assert response.json()["error"] == "server_error"
    assert b"secret detail" not in response.content


def test_server_error_is_logged(api, monkeypatch, caplog):
    monkeypatch.setattr(UserListView, "get", explode)

    api.get("/1.0/User")

    messages = [record.getMessage() for record in caplog.records if record.name == "vpnapi.middleware"]
    assert messages == ["Unhandled error on GET /1.0/User"]


class ExplodingMiddleware:
    """Raise outside any view, where only Django's 500 handler can respond."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("secret detail that must stay in the log")


def test_middleware_error_is_json(settings, db):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.ExplodingMiddleware"]
    client = APIClient(raise_request_exception=False)

    api_response = client.get("/1.0/User")
    page_response = client.get("/dashboard/")

    assert api_response.status_code == 500
    assert api_response["Content-Type"] == "application/json"
    assert api_response.json() == error(
        "server_error", "The server failed to handle the request. It has been logged; try again later."
    )
    assert page_response.status_code == 500
    assert page_response["Content-Type"] == "text/html; charset=utf-8"


# --- JSON bodies ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '{"username": "roxyroxy", "password": "abc1234", enable: 1}',
            "The request body is not valid JSON (Expecting property name enclosed in double quotes at line 1 "
            'column 49): quote every key and string, for example {"enable": 1}.',
        ),
        (
            "{'password': 'abc1234'}",
            "The request body is not valid JSON (Expecting property name enclosed in double quotes at line 1 "
            'column 2): quote every key and string, for example {"enable": 1}.',
        ),
        (
            '{"password": "abc1234"',
            "The request body is not valid JSON (Expecting ',' delimiter at line 1 column 23): "
            'quote every key and string, for example {"enable": 1}.',
        ),
        ("[]", "The request body must be a JSON object, not an array: send {...}."),
        ('[{"password": "abc1234"}]', "The request body must be a JSON object, not an array: send {...}."),
        ('"abc1234"', "The request body must be a JSON object, not a string: send {...}."),
        ("42", "The request body must be a JSON object, not a number: send {...}."),
        ("null", "The request body must be a JSON object, not null: send {...}."),
        ("true", "The request body must be a JSON object, not a boolean: send {...}."),
        ('{"note": NaN}', "The request body contains NaN, which is not valid JSON: send a number."),
        ('{"expires_at": Infinity}', "The request body contains Infinity, which is not valid JSON: send a number."),
        ('{"note": "a", "note": "b"}', "The request body repeats the key 'note': send each field once."),
    ],
)
def test_bad_json_is_400(api, body, message):
    response = send_json(api, "post", "/1.0/User", body)

    assert response.status_code == 400
    assert response.json() == error("bad_request", message)
    assert VpnUser.objects.count() == 0


def test_invalid_utf8_is_400(api):
    response = api.generic("POST", "/1.0/User", b'{"note": "\xff"}', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == error("bad_request", "The request body is not valid UTF-8: send JSON encoded as UTF-8.")


def test_byte_order_mark_is_skipped(api):
    response = api.generic("POST", "/1.0/User", b'\xef\xbb\xbf{"note": "bom"}', content_type="application/json")

    assert response.status_code == 200
    assert VpnUser.objects.get().note == "bom"


def test_deeply_nested_json_is_400(api):
    depth = 30 * 1024
    response = send_json(api, "post", "/1.0/User", "[" * depth + "]" * depth)

    assert response.status_code == 400
    assert response.json() == error(
        "bad_request", "The request body nests arrays or objects too deeply: send a flat JSON object."
    )


def test_integer_over_digit_limit_is_400(api):
    response = send_json(api, "post", "/1.0/User", '{"account_type": ' + "9" * 5000 + "}")

    assert response.status_code == 400
    assert response.json() == error(
        "bad_request", "The request body contains an integer longer than 4300 digits: send a shorter number."
    )
    assert VpnUser.objects.count() == 0


@pytest.mark.parametrize("size", [64 * 1024 + 1, 3 * 1024 * 1024])
def test_body_over_64_kib_is_413(api, size):
    padding = size - len('{"note": ""}')
    body = '{"note": "' + "n" * padding + '"}'
    assert len(body) == size

    response = send_json(api, "post", "/1.0/User", body)

    assert response.status_code == 413
    assert response.json() == error(
        "payload_too_large", "The request body is larger than 65536 bytes: send a smaller JSON object."
    )
    assert VpnUser.objects.count() == 0


def test_body_of_64_kib_is_read(api):
    filler = " " * (64 * 1024 - len(json.dumps({"note": "ok"})))
    body = json.dumps({"note": "ok"}) + filler
    assert len(body) == 64 * 1024

    response = send_json(api, "post", "/1.0/User", body)

    assert response.status_code == 200
    assert VpnUser.objects.get().note == "ok"


def test_body_over_limit_on_auth_is_413(api):
    body = json.dumps({"username": "alice", "password": "p" * (70 * 1024)})

    response = send_json(api, "post", "/1.0/Auth", body)

    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
