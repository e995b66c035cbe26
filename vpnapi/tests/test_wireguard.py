import base64
import ipaddress
import json
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_client
from vpnapi.models import VpnServer, WireguardKey

PASSWORD = "secret-password"
# The 16 characters that can end the base64 of 32 bytes before the "=".
FINAL_CHARACTERS = "AEIMQUYcgkosw048"


def new_key(last_byte=None):
    tail = os.urandom(1) if last_byte is None else bytes([last_byte])
    return base64.b64encode(os.urandom(31) + tail).decode()


def register(client, username, pubkey, password=PASSWORD, method="POST"):
    body = {"username": username, "password": password, "pubkey": pubkey}
    return client.generic(method, "/1.0/Wireguard", json.dumps(body), content_type="application/json")


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def test_register_returns_addresses(api, alice):
    pubkey = new_key()

    response = register(api, "alice", pubkey)

    assert response.status_code == 200
    key = WireguardKey.objects.get()
    assert response.json() == {
        "success": "ok",
        "user_id": alice.pk,
        "pubkey": pubkey,
        "ipv4_address": f"{key.ipv4_address}/32",
        "ipv6_address": f"{key.ipv6_address}/128",
    }
    assert key.user == alice
    assert key.public_key == pubkey
    assert ipaddress.ip_address(key.ipv4_address) in ipaddress.ip_network("10.64.0.0/10")
    assert ipaddress.ip_address(key.ipv6_address) in ipaddress.ip_network("fc00:bbbb:bbbb:bb01::/64")


@pytest.mark.parametrize("last_byte", range(16))
def test_every_legal_final_character_is_accepted(api, alice, settings, last_byte):
    settings.WIREGUARD_MAX_KEYS_PER_USER = 20
    pubkey = new_key(last_byte)

    response = register(api, "alice", pubkey)

    assert pubkey[-2] == FINAL_CHARACTERS[last_byte]
    assert response.status_code == 200
    assert WireguardKey.objects.get().public_key == pubkey


def test_get_with_body_registers_like_post(api, alice):
    pubkey = new_key()

    response = register(api, "alice", pubkey, method="GET")

    assert response.status_code == 200
    assert response.json()["pubkey"] == pubkey
    assert WireguardKey.objects.filter(user=alice, public_key=pubkey).exists()


VALID = new_key()
# 33 bytes are also 44 base64 characters, but with no padding.
THIRTY_THREE_BYTES = base64.b64encode(os.urandom(33)).decode()
# Bytes that encode to + and / in standard base64 and to - and _ in URL-safe base64.
URL_SAFE = base64.urlsafe_b64encode(b"\xfb\xef\xff" * 10 + b"\xfb\xf0").decode()
NOT_CANONICAL = VALID[:42] + "B="

INVALID_KEYS = {
    "empty": "",
    "short": VALID[:-1],
    "one character over": VALID + "A",
    "padding repeated": VALID + "=",
    "33 bytes": THIRTY_THREE_BYTES,
    "url-safe alphabet": URL_SAFE,
    "leading space": " " + VALID[1:],
    "trailing space": VALID[:-1] + " ",
    "padded with whitespace": " " + VALID + " ",
    "spare bits set": NOT_CANONICAL,
    "no padding": VALID[:-1] + "A",
    "unicode": "é" * 43 + "=",
}


@pytest.mark.parametrize("pubkey", INVALID_KEYS.values(), ids=INVALID_KEYS.keys())
def test_invalid_key_is_rejected(api, alice, pubkey):
    response = register(api, "alice", pubkey)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert list(response.json()["fields"]) == ["pubkey"]
    assert WireguardKey.objects.count() == 0


def test_url_safe_sample_is_url_safe():
    assert "-" in URL_SAFE
    assert "_" in URL_SAFE
    assert len(URL_SAFE) == 44


@pytest.mark.parametrize(
    ("pubkey", "kind"),
    [(12345, "a number"), (None, "null"), (True, "a boolean"), (["x"], "an array"), ({"k": "x"}, "an object")],
)
def test_non_string_key_is_rejected(api, alice, pubkey, kind):
    response = register(api, "alice", pubkey)

    assert response.status_code == 400
    assert response.json()["fields"] == {"pubkey": [f"Send the public key as a JSON string, not {kind}."]}
    assert WireguardKey.objects.count() == 0


def test_short_key_message_names_length(api, alice):
    response = register(api, "alice", "abc")

    assert response.status_code == 400
    assert response.json() == {
        "success": "error",
        "error": "invalid",
        "message": (
            "Invalid request. pubkey: A WireGuard public key is 44 characters of standard base64, "
            "not 3: send the output of `wg pubkey`."
        ),
        "fields": {
            "pubkey": [
                "A WireGuard public key is 44 characters of standard base64, not 3: send the output of `wg pubkey`."
            ]
        },
    }


def test_megabyte_key_is_rejected(api, alice):
    response = register(api, "alice", "A" * 1_000_000)

    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert WireguardKey.objects.count() == 0


def test_long_key_within_body_limit_is_rejected(api, alice):
    response = register(api, "alice", "A" * 60_000)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert list(response.json()["fields"]) == ["pubkey"]
    assert WireguardKey.objects.count() == 0


def test_missing_key_is_rejected(api, alice):
    response = api.post("/1.0/Wireguard", {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["pubkey"]


def test_same_key_again_returns_same_addresses(api, alice):
    pubkey = new_key()
    first = register(api, "alice", pubkey)

    second = register(api, "alice", pubkey)

    assert second.status_code == 200
    assert second.json() == first.json()
    assert WireguardKey.objects.count() == 1


def test_key_of_another_user_conflicts(api, alice, bob):
    pubkey = new_key()
    first = register(api, "alice", pubkey)

    response = register(api, "bob", pubkey)

    assert response.status_code == 409
    assert response.json() == {
        "success": "error",
        "error": "conflict",
        "message": "This public key is registered to another user: generate a new key pair with `wg genkey`.",
    }
    key = WireguardKey.objects.get()
    assert key.user == alice
    assert f"{key.ipv4_address}/32" == first.json()["ipv4_address"]


def test_cap_conflicts_and_names_it(api, alice, settings):
    settings.WIREGUARD_MAX_KEYS_PER_USER = 2
    register(api, "alice", new_key())
    register(api, "alice", new_key())

    response = register(api, "alice", new_key())

    assert response.status_code == 409
    assert response.json()["message"] == (
        "The user already has the maximum of 2 WireGuard keys: remove one before adding another."
    )
    assert WireguardKey.objects.filter(user=alice).count() == 2


def test_small_pool_runs_out_without_reserved_addresses(api, make_user, settings):
    settings.WIREGUARD_IPV4_POOL = ipaddress.ip_network("10.9.0.0/29")
    for number in range(5):
        make_user(f"pool-user-{number}")
        assert register(api, f"pool-user-{number}", new_key()).status_code == 200
    make_user("pool-user-last")

    response = register(api, "pool-user-last", new_key())

    assert response.status_code == 503
    assert response.json() == {
        "success": "error",
        "error": "address_pool_exhausted",
        "message": (
            "No free tunnel address is left in the pool 10.9.0.0/29: retry later or ask the provider to enlarge it."
        ),
    }
    handed_out = set(WireguardKey.objects.values_list("ipv4_address", flat=True))
    # .0 is the network, .1 the gateway and .7 the broadcast address.
    assert handed_out == {"10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6"}


def test_small_ipv6_pool_skips_reserved_addresses(api, make_user, settings):
    settings.WIREGUARD_IPV6_POOL = ipaddress.ip_network("fd00::/125")
    for number in range(5):
        make_user(f"six-user-{number}")
        assert register(api, f"six-user-{number}", new_key()).status_code == 200
    make_user("six-user-last")

    response = register(api, "six-user-last", new_key())

    assert response.status_code == 503
    handed_out = set(WireguardKey.objects.values_list("ipv6_address", flat=True))
    assert handed_out == {"fd00::2", "fd00::3", "fd00::4", "fd00::5", "fd00::6"}


def test_deleting_key_frees_address_for_reuse(api, make_user, settings):
    settings.WIREGUARD_IPV4_POOL = ipaddress.ip_network("10.9.0.0/29")
    for number in range(5):
        make_user(f"pool-user-{number}")
        register(api, f"pool-user-{number}", new_key())
    freed = WireguardKey.objects.get(user__username="pool-user-0")
    freed.user.soft_delete()
    make_user("pool-user-last")

    response = register(api, "pool-user-last", new_key())

    assert response.status_code == 200
    assert response.json()["ipv4_address"] == f"{freed.ipv4_address}/32"


def test_deleted_users_key_can_be_registered_by_another(api, alice, bob):
    pubkey = new_key()
    register(api, "alice", pubkey)
    alice.soft_delete()

    response = register(api, "bob", pubkey)

    assert response.status_code == 200
    assert WireguardKey.objects.get().user == bob


def test_disabled_user_is_forbidden(api, make_user):
    make_user("sleepy", enable=False)

    response = register(api, "sleepy", new_key())

    assert response.status_code == 403
    assert response.json() == {"success": "error", "error": "user_disabled", "message": "The user sleepy is disabled."}
    assert WireguardKey.objects.count() == 0


def test_expired_user_is_forbidden(api, make_user):
    make_user("lapsed", expires_at=timezone.now() - timedelta(seconds=1))

    response = register(api, "lapsed", new_key())

    assert response.status_code == 403
    assert response.json()["error"] == "user_expired"
    assert WireguardKey.objects.count() == 0


def test_wrong_password_is_unauthorized(api, alice):
    response = register(api, "alice", new_key(), password="wrong-password")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"
    assert WireguardKey.objects.count() == 0


def test_other_resellers_user_is_unknown(other_api, alice):
    response = register(other_api, "alice", new_key())

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"


def test_node_key_registers_any_resellers_user(db, alice):
    node = make_client(VpnServer.objects.create(name="wg-1").issue_node_key())

    response = register(node, "alice", new_key())

    assert response.status_code == 200
    assert response.json()["user_id"] == alice.pk


def test_delete_removes_key(api, alice):
    pubkey = new_key()
    register(api, "alice", pubkey)

    response = api.delete(
        "/1.0/Wireguard", {"username": "alice", "password": PASSWORD, "pubkey": pubkey}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk}
    assert WireguardKey.objects.count() == 0


def test_delete_of_unknown_key_is_not_found(api, alice):
    response = api.delete(
        "/1.0/Wireguard", {"username": "alice", "password": PASSWORD, "pubkey": new_key()}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["message"] == "This public key is not registered to the user: check the pubkey."


def test_delete_of_another_users_key_is_not_found(api, alice, bob):
    pubkey = new_key()
    register(api, "alice", pubkey)

    response = api.delete("/1.0/Wireguard", {"username": "bob", "password": PASSWORD, "pubkey": pubkey}, format="json")

    assert response.status_code == 404
    assert WireguardKey.objects.get().user == alice


def test_register_key_for_deleted_user_is_rejected(alice):
    from vpnapi import wireguard

    alice.soft_delete()

    with pytest.raises(wireguard.UserDeleted):
        wireguard.register_key(alice, new_key())

    assert WireguardKey.objects.count() == 0


def test_taken_random_candidates_fall_back_to_scan(alice, settings, monkeypatch):
    from vpnapi import wireguard

    settings.WIREGUARD_IPV4_POOL = ipaddress.ip_network("10.9.0.0/29")
    WireguardKey.objects.create(user=alice, public_key=new_key(), ipv4_address="10.9.0.2", ipv6_address="fd00::2")
    # Every random draw lands on the taken 10.9.0.2.
    monkeypatch.setattr(wireguard.random, "randint", lambda low, high: low)

    address = wireguard.ipv4_pool().pick_free(set())

    assert address in {ipaddress.ip_address(f"10.9.0.{number}") for number in range(3, 7)}


def test_excluded_addresses_are_not_picked(db, settings):
    from vpnapi import wireguard

    settings.WIREGUARD_IPV4_POOL = ipaddress.ip_network("10.9.0.0/29")
    excluded = {ipaddress.ip_address(f"10.9.0.{number}") for number in range(2, 6)}

    assert wireguard.ipv4_pool().pick_free(excluded) == ipaddress.ip_address("10.9.0.6")
