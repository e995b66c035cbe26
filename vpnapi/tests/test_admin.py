import re

import pytest
from django.contrib.auth import get_user_model

from accounts import keys
from vpnapi.models import ExitAddress, Session, VpnServer


@pytest.fixture
def staff_client(client, db):
    admin = get_user_model().objects.create_superuser("staff", "staff@example.com", "staff-password")
    client.force_login(admin)
    return client


@pytest.fixture
def server(db):
    server = VpnServer.objects.create(name="se-sto-1", hostname="vpn1.example.com")
    ExitAddress.objects.create(server=server, address="203.0.113.5")
    return server


@pytest.mark.parametrize("model", ["vpnserver", "wireguardkey", "session"])
def test_changelist_opens(staff_client, server, model):
    response = staff_client.get(f"/admin/vpnapi/{model}/?q=se")

    assert response.status_code == 200


def test_server_search_by_exit_address(staff_client, server):
    response = staff_client.get("/admin/vpnapi/vpnserver/?q=203.0.113.5")

    assert response.status_code == 200
    assert b"vpn1.example.com" in response.content


def test_session_open_filter(staff_client, server, make_user):
    Session.objects.create(user=make_user("online-user"), server=server, protocol="openvpn")

    response = staff_client.get("/admin/vpnapi/session/?open=1")

    assert response.status_code == 200
    assert b"online-user" in response.content


def test_issue_node_key_action_shows_key_once(staff_client, server):
    response = staff_client.post(
        "/admin/vpnapi/vpnserver/", {"action": "issue_node_key", "_selected_action": [server.pk]}
    )

    server.refresh_from_db()
    plaintext = re.search(rb"itg_node_[A-Za-z0-9_-]+", response.content).group().decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert server.node_key_digest == keys.digest_key(plaintext)
    assert staff_client.get("/admin/vpnapi/vpnserver/").content.count(plaintext.encode()) == 0
