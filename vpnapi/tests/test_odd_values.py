"""Every field of every write route meets odd JSON values with a client error, never a 500."""

import pytest

from vpnapi.tests.conftest import send_json

ODD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**30,
    -(10**30),
    1e308,
    "",
    " ",
    "\x00",
    "\ud800",
    "²",
    "٣",
    "\u202e",
    "a" * 10_000,
    [],
    [1],
    {},
    {"a": 1},
]
WRITE_FIELDS = ["username", "password", "enable", "account_type", "expires_at", "note"]


@pytest.mark.parametrize("field", WRITE_FIELDS)
@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_create_odd_value(api, field, value):
    response = send_json(api, "post", "/1.0/User", {field: value})

    assert response.status_code in (200, 400), response.content
    assert response.json()["success"] in ("ok", "error")


@pytest.mark.parametrize("field", WRITE_FIELDS)
@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_update_odd_value(api, make_user, field, value):
    user = make_user(username="target-user")

    response = send_json(api, "patch", f"/1.0/User/{user.pk}", {field: value})

    assert response.status_code in (200, 400), response.content


@pytest.mark.parametrize("field", ["username", "password"])
@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_auth_odd_value(api, make_user, field, value):
    make_user(username="target-user", password="secret-password")
    body = {"username": "target-user", "password": "secret-password", field: value}

    response = send_json(api, "post", "/1.0/Auth", body)

    assert response.status_code in (400, 401), response.content


@pytest.mark.parametrize("value", [v for v in ODD_VALUES if isinstance(v, str)], ids=repr)
@pytest.mark.parametrize("parameter", ["sort", "order", "page", "limit", "search", "enable", "account_type"])
def test_list_odd_parameter(api, parameter, value):
    response = api.get("/1.0/User", {parameter: value.replace("\ud800", "?")})

    assert response.status_code in (200, 400), response.content
