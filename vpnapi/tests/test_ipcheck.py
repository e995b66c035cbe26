import ipaddress

import pytest

from conftest import make_client
from vpnapi.models import ExitAddress, VpnServer


@pytest.fixture
def exit_server(db):
    server = VpnServer.objects.create(name="se-sto-1")
    ExitAddress.objects.create(server=server, address="203.0.113.5")
    ExitAddress.objects.create(server=server, address="2001:db8::5")
    return server


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]


def test_reports_socket_peer(api, db):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    assert response.json() == {"ip": "198.51.100.7", "connected": False}


def test_exit_address_is_connected(api, exit_server):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 200
    assert response.json() == {"ip": "203.0.113.5", "connected": True, "server": "se-sto-1"}


def test_ipv6_exit_address_is_connected(api, exit_server):
    response = api.get("/ipcheck/", REMOTE_ADDR="2001:DB8:0:0::5")

    assert response.status_code == 200
    assert response.json() == {"ip": "2001:db8::5", "connected": True, "server": "se-sto-1"}


def test_ipv4_mapped_peer_matches_ipv4_exit(api, exit_server):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="::ffff:203.0.113.5")

    assert response.status_code == 200
    assert response.json() == {"ip": "203.0.113.5", "connected": True, "server": "se-sto-1"}


def test_ipv4_mapped_exit_is_stored_as_ipv4(api, db):
    server = VpnServer.objects.create(name="mapped")
    ExitAddress.objects.create(server=server, address="::ffff:192.0.2.9")

    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="192.0.2.9")

    assert ExitAddress.objects.get().address == "192.0.2.9"
    assert response.json() == {"ip": "192.0.2.9", "connected": True, "server": "mapped"}


def test_disabled_server_is_not_connected(api, exit_server):
    exit_server.enabled = False
    exit_server.save(update_fields=["enabled"])

    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="203.0.113.5")

    assert response.json() == {"ip": "203.0.113.5", "connected": False}


def test_untrusted_peer_forwarded_header_is_ignored(api, exit_server, behind_proxy):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert response.json() == {"ip": "198.51.100.7", "connected": False}


def test_trusted_proxy_forwarded_header_is_used(api, exit_server, behind_proxy):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert response.json() == {"ip": "203.0.113.5", "connected": True, "server": "se-sto-1"}


def test_rightmost_untrusted_entry_wins(api, exit_server, behind_proxy):
    # The client wrote 203.0.113.5 itself; the proxies appended the rest.
    forwarded = "203.0.113.5, 198.51.100.7, 10.0.0.9"

    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert response.json() == {"ip": "198.51.100.7", "connected": False}


def test_forwarded_entry_with_port(api, exit_server, behind_proxy):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="[2001:db8::5]:4711")

    assert response.json() == {"ip": "2001:db8::5", "connected": True, "server": "se-sto-1"}


def test_forwarded_ipv4_mapped_entry(api, exit_server, behind_proxy):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="fd00::1", HTTP_X_FORWARDED_FOR="::ffff:203.0.113.5")

    assert response.json() == {"ip": "203.0.113.5", "connected": True, "server": "se-sto-1"}


@pytest.mark.parametrize(
    "forwarded",
    [
        "not-an-address",
        "",
        ",,,",
        "203.0.113.5, garbage",
        "\u00e9\u00e9",
        "1.2.3.4.5",
        "[::1",
        "[::1]x",
        "1.2.3.4:port",
        "x" * 10_000,
    ],
)
def test_garbage_forwarded_header_falls_back_to_peer(api, exit_server, behind_proxy, forwarded):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert response.status_code == 200
    assert response.json() == {"ip": "10.0.0.2", "connected": False}


def test_only_trusted_entries_fall_back_to_peer(api, exit_server, behind_proxy):
    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.1.1.1, 10.2.2.2")

    assert response.json() == {"ip": "10.0.0.2", "connected": False}


def test_long_forwarded_chain_is_bounded(api, exit_server, behind_proxy):
    forwarded = ", ".join(["198.51.100.1"] + ["10.0.0.3"] * 5000)

    response = api.get("/1.0/Ipcheck", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert response.status_code == 200
    assert response.json() == {"ip": "10.0.0.2", "connected": False}


def test_node_key_is_accepted(exit_server):
    node = make_client(exit_server.issue_node_key())

    response = node.get("/1.0/Ipcheck", REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 200
    assert response.json()["connected"] is True


def test_missing_key_is_unauthorized(client, db):
    response = client.get("/1.0/Ipcheck")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_post_is_not_allowed(api, db):
    response = api.post("/1.0/Ipcheck", {}, format="json")

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
