import base64
import os

import pytest

from vpnapi.models import WireguardKey


def new_key():
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def alice_key(alice):
    return WireguardKey.objects.create(
        user=alice, public_key=new_key(), ipv4_address="10.64.0.10", ipv6_address="fc00:bbbb:bbbb:bb01::10"
    )


def test_list_returns_users_keys(api, alice, alice_key):
    response = api.get(f"/1.0/User/{alice.pk}/Wireguard")

    assert response.status_code == 200
    assert response.json() == {
        "success": "ok",
        "user_id": alice.pk,
        "data": [
            {
                "key_id": alice_key.pk,
                "pubkey": alice_key.public_key,
                "ipv4_address": "10.64.0.10/32",
                "ipv6_address": "fc00:bbbb:bbbb:bb01::10/128",
                "created_at": response.json()["data"][0]["created_at"],
            }
        ],
    }
    assert response.json()["data"][0]["created_at"].endswith(" GMT")


def test_list_by_username_lower_case_route(api, alice, alice_key):
    response = api.get("/user/alice/wireguard/")

    assert response.status_code == 200
    assert [row["key_id"] for row in response.json()["data"]] == [alice_key.pk]


def test_list_of_other_resellers_user_is_not_found(other_api, alice, alice_key):
    response = other_api.get(f"/1.0/User/{alice.pk}/Wireguard")

    assert response.status_code == 404
    assert response.json() == {
        "success": "error",
        "error": "not_found",
        "message": f"No user '{alice.pk}' was found: check the user id or username.",
    }


def test_rotation_keeps_addresses(api, alice, alice_key):
    pubkey = new_key()

    response = api.put(f"/1.0/User/{alice.pk}/Wireguard/{alice_key.pk}", {"pubkey": pubkey}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "success": "ok",
        "user_id": alice.pk,
        "key_id": alice_key.pk,
        "pubkey": pubkey,
        "ipv4_address": "10.64.0.10/32",
        "ipv6_address": "fc00:bbbb:bbbb:bb01::10/128",
    }
    alice_key.refresh_from_db()
    assert alice_key.public_key == pubkey
    assert alice_key.ipv4_address == "10.64.0.10"
    assert alice_key.ipv6_address == "fc00:bbbb:bbbb:bb01::10"


def test_rotation_to_taken_key_conflicts(api, alice, alice_key, make_user):
    bob = make_user("bob")
    taken = WireguardKey.objects.create(
        user=bob, public_key=new_key(), ipv4_address="10.64.0.11", ipv6_address="fc00:bbbb:bbbb:bb01::11"
    )
    before = alice_key.public_key

    response = api.put(f"/1.0/User/{alice.pk}/Wireguard/{alice_key.pk}", {"pubkey": taken.public_key}, format="json")

    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    alice_key.refresh_from_db()
    assert alice_key.public_key == before


def test_rotation_onto_own_other_key_conflicts(api, alice, alice_key):
    second = WireguardKey.objects.create(
        user=alice, public_key=new_key(), ipv4_address="10.64.0.12", ipv6_address="fc00:bbbb:bbbb:bb01::12"
    )
    before = alice_key.public_key

    response = api.put(f"/1.0/User/{alice.pk}/Wireguard/{alice_key.pk}", {"pubkey": second.public_key}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "success": "error",
        "error": "conflict",
        "message": (
            "This public key is already registered: send a new key from `wg genkey`, "
            "or remove the key that holds it first."
        ),
    }
    alice_key.refresh_from_db()
    assert alice_key.public_key == before


def test_rotation_rejects_invalid_key(api, alice, alice_key):
    before = alice_key.public_key

    response = api.put(f"/1.0/User/{alice.pk}/Wireguard/{alice_key.pk}", {"pubkey": "short"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["pubkey"]
    alice_key.refresh_from_db()
    assert alice_key.public_key == before


def test_rotation_rejects_unknown_field(api, alice, alice_key):
    response = api.put(
        f"/1.0/User/{alice.pk}/Wireguard/{alice_key.pk}", {"pubkey": new_key(), "ipv4": "1.2.3.4"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["ipv4"]


@pytest.mark.parametrize("key_id", ["999999", "abc", "9" * 30])
def test_unknown_key_id_is_not_found(api, alice, alice_key, key_id):
    response = api.delete(f"/1.0/User/{alice.pk}/Wireguard/{key_id}")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert WireguardKey.objects.count() == 1


def test_key_of_another_user_is_not_found(api, alice_key, make_user):
    bob = make_user("bob")

    response = api.delete(f"/1.0/User/{bob.pk}/Wireguard/{alice_key.pk}")

    assert response.status_code == 404
    assert WireguardKey.objects.count() == 1


def test_delete_removes_key(api, alice, alice_key):
    response = api.delete(f"/1.0/User/{alice.pk}/Wireguard/{alice_key.pk}")

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk, "key_id": alice_key.pk}
    assert WireguardKey.objects.count() == 0


def test_other_reseller_cannot_delete(other_api, alice, alice_key):
    response = other_api.delete(f"/1.0/User/{alice.pk}/Wireguard/{alice_key.pk}")

    assert response.status_code == 404
    assert WireguardKey.objects.count() == 1


def test_deleting_user_removes_keys(api, alice, alice_key):
    response = api.delete(f"/1.0/User/{alice.pk}")

    assert response.status_code == 200
    assert WireguardKey.objects.count() == 0
