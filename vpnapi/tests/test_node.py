import base64
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_client
from stats import queries
from vpnapi.models import Session, VpnServer, WireguardKey


def new_key():
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def server(db):
    return VpnServer.objects.create(name="se-sto-1")


@pytest.fixture
def node(server):
    return make_client(server.issue_node_key())


@pytest.fixture
def other_node(db):
    return make_client(VpnServer.objects.create(name="nl-ams-1").issue_node_key())


def add_key(user, number):
    return WireguardKey.objects.create(
        user=user,
        public_key=new_key(),
        ipv4_address=f"10.64.0.{number}",
        ipv6_address=f"fc00:bbbb:bbbb:bb01::{number}",
    )


def report(client, *entries):
    return client.post("/1.0/Node/Sessions", {"sessions": list(entries)}, format="json")


def test_peers_lists_keys_of_usable_users(node, make_user, other_reseller):
    alice_key = add_key(make_user("alice"), 2)
    add_key(make_user("sleepy", enable=False), 3)
    add_key(make_user("lapsed", expires_at=timezone.now() - timedelta(seconds=1)), 4)
    future_key = add_key(make_user("future", expires_at=timezone.now() + timedelta(days=1)), 5)
    outsider_key = add_key(make_user("outsider", owner=other_reseller), 6)

    response = node.get("/1.0/Node/Peers")

    assert response.status_code == 200
    assert response.json() == {
        "success": "ok",
        "peers": [
            {
                "public_key": key.public_key,
                "allowed_ips": [f"{key.ipv4_address}/32", f"{key.ipv6_address}/128"],
                "user_id": key.user_id,
            }
            for key in (alice_key, future_key, outsider_key)
        ],
    }


def test_peers_leave_out_disabled_reseller_and_deleted_user(node, make_user, other_reseller):
    add_key(make_user("outsider", owner=other_reseller), 2)
    gone = make_user("gone")
    add_key(gone, 3)
    other_reseller.enabled = False
    other_reseller.save(update_fields=["enabled"])
    gone.soft_delete()

    response = node.get("/node/peers/")

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "peers": []}


def test_peers_query_count_is_constant(node, make_user, django_assert_num_queries):
    for number in range(2, 12):
        add_key(make_user(f"peer-user-{number}"), number)

    # 1: node key lookup. 2: the peers.
    with django_assert_num_queries(2):
        response = node.get("/1.0/Node/Peers")

    assert len(response.json()["peers"]) == 10


def test_reseller_key_is_forbidden(api, db):
    response = api.get("/1.0/Node/Peers")

    assert response.status_code == 403
    assert response.json() == {
        "success": "error",
        "error": "forbidden",
        "message": "This route needs a VPN server's node key.",
    }


def test_report_opens_sessions(node, server, make_user):
    alice = make_user("alice")
    bob = make_user("bob")
    bob_key = add_key(bob, 2)

    response = report(
        node,
        {"username": "ALICE", "protocol": "openvpn", "tunnel_address": "10.8.0.6", "bytes_in": 10, "bytes_out": 20},
        {"pubkey": bob_key.public_key, "protocol": "wireguard", "tunnel_address": "10.64.0.2"},
    )

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "opened": 2, "updated": 0, "closed": 0, "unknown": []}
    alice_session = Session.objects.get(user=alice)
    assert alice_session.server == server
    assert alice_session.protocol == "openvpn"
    assert alice_session.tunnel_address == "10.8.0.6"
    assert alice_session.bytes_in == 10
    assert alice_session.bytes_out == 20
    assert alice_session.ended_at is None
    assert Session.objects.get(user=bob).protocol == "wireguard"


def test_same_report_twice_changes_nothing(node, make_user):
    make_user("alice")
    entry = {"username": "alice", "protocol": "openvpn", "tunnel_address": "10.8.0.6", "bytes_in": 5}
    report(node, entry)

    response = report(node, entry)

    assert response.json() == {"success": "ok", "opened": 0, "updated": 0, "closed": 0, "unknown": []}
    assert Session.objects.count() == 1


def test_report_updates_counters(node, make_user):
    alice = make_user("alice")
    report(node, {"username": "alice", "protocol": "openvpn", "bytes_in": 5, "bytes_out": 6})

    response = report(node, {"username": "alice", "protocol": "openvpn", "bytes_in": 50, "bytes_out": 60})

    assert response.json()["updated"] == 1
    session = Session.objects.get(user=alice)
    assert session.bytes_in == 50
    assert session.bytes_out == 60


def test_missing_user_is_closed(node, make_user, reseller):
    alice = make_user("alice")
    report(node, {"username": "alice", "protocol": "openvpn"})

    response = report(node)

    assert response.json() == {"success": "ok", "opened": 0, "updated": 0, "closed": 1, "unknown": []}
    assert Session.objects.get(user=alice).ended_at is not None
    assert queries.summary(reseller)["current_online"] == 0


def test_lower_counters_start_new_session(node, make_user):
    alice = make_user("alice")
    report(node, {"username": "alice", "protocol": "openvpn", "bytes_in": 500})

    response = report(node, {"username": "alice", "protocol": "openvpn", "bytes_in": 3})

    assert response.json()["opened"] == 1
    assert response.json()["closed"] == 1
    assert Session.objects.filter(user=alice, ended_at__isnull=True).get().bytes_in == 3
    assert Session.objects.filter(user=alice, ended_at__isnull=False).get().bytes_in == 500


def test_reports_of_other_servers_are_independent(node, other_node, make_user):
    alice = make_user("alice")
    report(node, {"username": "alice", "protocol": "openvpn"})

    report(other_node)

    assert Session.objects.get(user=alice).ended_at is None


def test_unknown_and_deleted_users_are_listed(node, make_user):
    make_user("gone").soft_delete()

    response = report(
        node,
        {"username": "nobody", "protocol": "openvpn"},
        {"username": "gone", "protocol": "openvpn"},
        {"pubkey": new_key(), "protocol": "wireguard"},
    )

    assert response.status_code == 200
    assert response.json()["opened"] == 0
    assert response.json()["unknown"][:2] == ["nobody", "gone"]
    assert len(response.json()["unknown"]) == 3
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    "entry",
    [
        {"protocol": "openvpn"},
        {"username": "alice", "pubkey": new_key(), "protocol": "wireguard"},
        {"username": "alice", "protocol": "ipsec"},
        {"username": "alice", "protocol": "openvpn", "bytes_in": -1},
        {"username": "alice", "protocol": "openvpn", "bytes_out": 2**63},
        {"username": "alice", "protocol": "openvpn", "tunnel_address": "10.8.0.300"},
        {"username": "alice", "protocol": "openvpn", "tunnel_address": 5},
        {"username": "alice", "protocol": "openvpn", "since": 5},
        {"username": "ali\x00ce", "protocol": "openvpn"},
        5,
        "alice",
        ["alice", "openvpn"],
    ],
)
def test_invalid_entry_is_rejected(node, make_user, entry):
    make_user("alice")

    response = report(node, entry)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert Session.objects.count() == 0


def test_repeated_connection_is_rejected(node, make_user):
    make_user("alice")
    entry = {"username": "alice", "protocol": "openvpn", "tunnel_address": "10.8.0.6"}

    response = report(node, entry, entry)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "sessions": ["Entries 0 and 1 describe the same connection: send each connection once."]
    }


def test_report_without_sessions_field_is_rejected(node):
    response = node.post("/1.0/Node/Sessions", {}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["sessions"]


def test_reseller_cannot_report(api, db):
    response = report(api)

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_two_devices_count_once_online(node, make_user, reseller):
    make_user("alice")

    report(
        node,
        {"username": "alice", "protocol": "openvpn", "tunnel_address": "10.8.0.6"},
        {"username": "alice", "protocol": "openvpn", "tunnel_address": "10.8.0.7"},
    )

    assert Session.objects.filter(ended_at__isnull=True).count() == 2
    assert queries.summary(reseller)["current_online"] == 1
