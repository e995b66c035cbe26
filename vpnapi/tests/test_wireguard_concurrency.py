import base64
import ipaddress
import os
import threading

import pytest
from django.db import connection, connections

from accounts.models import VpnUser
from conftest import make_client
from vpnapi.models import WireguardKey

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions"
)

WORKERS = 20


def run_together(api_key, bodies):
    """Send one registration per body from its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(bodies))
    responses = [None] * len(bodies)

    def work(index):
        client = make_client(api_key)
        try:
            barrier.wait(timeout=30)
            responses[index] = client.post("/1.0/Wireguard", bodies[index], format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


@pytest.fixture
def many_users(transactional_db, reseller):
    users, password = [], "secret-password"
    for number in range(WORKERS):
        user, _ = VpnUser.create_for(reseller, username=f"racer-{number}", password=password)
        users.append(user)
    return users


def test_concurrent_registrations_get_distinct_addresses(api_key, many_users, settings):
    # 30 usable addresses for 20 requests, so random candidates often collide.
    settings.WIREGUARD_IPV4_POOL = ipaddress.ip_network("10.9.0.0/27")
    settings.WIREGUARD_IPV6_POOL = ipaddress.ip_network("fd00::/123")
    bodies = [
        {"username": user.username, "password": "secret-password", "pubkey": base64.b64encode(os.urandom(32)).decode()}
        for user in many_users
    ]

    responses = run_together(api_key, bodies)

    assert [response.status_code for response in responses] == [200] * WORKERS
    keys = list(WireguardKey.objects.all())
    assert len(keys) == WORKERS
    assert len({key.ipv4_address for key in keys}) == WORKERS
    assert len({key.ipv6_address for key in keys}) == WORKERS
    assert "10.9.0.0" not in {key.ipv4_address for key in keys}
    assert "10.9.0.1" not in {key.ipv4_address for key in keys}
    assert "10.9.0.31" not in {key.ipv4_address for key in keys}


def test_concurrent_registrations_respect_cap(api_key, many_users, settings):
    settings.WIREGUARD_MAX_KEYS_PER_USER = 3
    user = many_users[0]
    bodies = [
        {"username": user.username, "password": "secret-password", "pubkey": base64.b64encode(os.urandom(32)).decode()}
        for _ in range(8)
    ]

    responses = run_together(api_key, bodies)

    assert sorted(response.status_code for response in responses) == [200] * 3 + [409] * 5
    assert WireguardKey.objects.filter(user=user).count() == 3


def test_concurrent_same_key_for_two_users(api_key, many_users):
    pubkey = base64.b64encode(os.urandom(32)).decode()
    bodies = [{"username": user.username, "password": "secret-password", "pubkey": pubkey} for user in many_users[:6]]

    responses = run_together(api_key, bodies)

    assert sorted(response.status_code for response in responses) == [200] + [409] * 5
    assert WireguardKey.objects.count() == 1
