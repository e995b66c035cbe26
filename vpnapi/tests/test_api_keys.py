"""Authentication of API requests by reseller keys and node keys."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiKey
from vpnapi.tests.conftest import PINNED_NOW


def error(code, message):
    return {"success": "error", "error": code, "message": message}


@pytest.fixture
def issued(reseller):
    """Return a fresh key row and its plaintext."""
    return reseller.issue_api_key(name="billing")


def client_with(**headers):
    client = APIClient()
    client.credentials(**headers)
    return client


def test_key_in_api_key_header(issued):
    _, plaintext = issued

    response = client_with(HTTP_API_KEY=plaintext).get("/1.0/User")

    assert response.status_code == 200


def test_key_as_bearer_token(issued):
    _, plaintext = issued

    response = client_with(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get("/1.0/User")
    lower = client_with(HTTP_AUTHORIZATION=f"bearer {plaintext}").get("/1.0/User")

    assert response.status_code == 200
    assert lower.status_code == 200


def test_key_missing(db):
    response = APIClient().get("/1.0/User")

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "The API key is missing: send it in the API-KEY header.")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_API_KEY": "itg_live_wrong"},
        {"HTTP_API_KEY": "356a192b7913b04c54574d18c28d46e6395428ab"},
        {"HTTP_API_KEY": "x" * 5000},
        {"HTTP_API_KEY": "itg_node_wrong"},
        {"HTTP_AUTHORIZATION": "Bearer itg_live_wrong"},
    ],
)
def test_key_wrong(issued, headers):
    response = client_with(**headers).get("/1.0/User")

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "The API key is not valid: check the API-KEY header.")


def test_key_other_auth_scheme_is_missing(issued):
    _, plaintext = issued

    response = client_with(HTTP_AUTHORIZATION=f"Basic {plaintext}").get("/1.0/User")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_key_in_query_string_ignored(issued):
    _, plaintext = issued

    for name in ("API-KEY", "api_key", "key"):
        response = APIClient().get("/1.0/User", {name: plaintext})
        assert response.status_code == 401, name
        assert response.json() == error("unauthorized", "The API key is missing: send it in the API-KEY header.")


def test_key_revoked(issued):
    api_key, plaintext = issued
    api_key.revoke()

    response = client_with(HTTP_API_KEY=plaintext).get("/1.0/User")

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "The API key has been revoked: use a current key.")


def test_key_expired(issued, clock):
    api_key, plaintext = issued
    api_key.expires_at = PINNED_NOW
    api_key.save()

    response = client_with(HTTP_API_KEY=plaintext).get("/1.0/User")

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "The API key has expired: use a current key.")


def test_key_in_grace_period(issued, clock):
    api_key, plaintext = issued
    api_key.expires_at = PINNED_NOW + timedelta(seconds=1)
    api_key.save()

    response = client_with(HTTP_API_KEY=plaintext).get("/1.0/User")

    assert response.status_code == 200


def test_key_of_disabled_reseller(issued, reseller):
    _, plaintext = issued
    reseller.enabled = False
    reseller.save()

    response = client_with(HTTP_API_KEY=plaintext).get("/1.0/User")

    assert response.status_code == 403
    assert response.json() == error("forbidden", "This reseller account is disabled: contact the provider.")


def test_several_live_keys(reseller):
    _, first = reseller.issue_api_key(name="one")
    _, second = reseller.issue_api_key(name="two")

    assert client_with(HTTP_API_KEY=first).get("/1.0/User").status_code == 200
    assert client_with(HTTP_API_KEY=second).get("/1.0/User").status_code == 200


def test_key_stored_as_digest_only(issued):
    api_key, plaintext = issued

    stored = ApiKey.objects.get(pk=api_key.pk)

    assert plaintext.startswith("itg_live_")
    assert len(plaintext) >= len("itg_live_") + 40
    assert stored.digest != plaintext
    assert len(stored.digest) == 64
    assert plaintext.startswith(stored.prefix)
    assert len(stored.prefix) < 20


def test_node_key_cannot_manage_users(node_api):
    response = node_api.get("/1.0/User")

    assert response.status_code == 403
    assert response.json() == error("forbidden", "This route needs a reseller's API key, not a VPN server's node key.")


def test_node_key_of_disabled_server(vpn_server):
    plaintext = vpn_server.issue_node_key()
    vpn_server.enabled = False
    vpn_server.save()

    response = client_with(HTTP_API_KEY=plaintext).post("/1.0/Auth", {"username": "x", "password": "y"}, format="json")

    assert response.status_code == 403
    assert response.json() == error("forbidden", "This VPN server is disabled: enable it in the admin.")


# --- last_used_at ------------------------------------------------------------


def test_last_used_written_once_a_minute(issued, clock, django_assert_num_queries):
    api_key, plaintext = issued
    client = client_with(HTTP_API_KEY=plaintext)

    # 1. the key, 2. the last-used write, 3. the count (no rows, so no page query)
    with django_assert_num_queries(3):
        client.get("/1.0/User")
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == PINNED_NOW

    clock.now = PINNED_NOW + timedelta(seconds=59)
    with django_assert_num_queries(2):
        client.get("/1.0/User")
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == PINNED_NOW

    clock.now = PINNED_NOW + timedelta(seconds=60)
    with django_assert_num_queries(3):
        client.get("/1.0/User")
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == PINNED_NOW + timedelta(seconds=60)


def test_last_used_not_written_for_rejected_key(issued, clock, reseller):
    api_key, plaintext = issued
    api_key.revoke()

    client_with(HTTP_API_KEY=plaintext).get("/1.0/User")

    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None
