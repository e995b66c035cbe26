import threading

import pytest
from django.db import connection, connections

from accounts.models import VpnUser
from conftest import make_client
from vpnapi.models import Session, VpnServer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions"
)


def test_concurrent_identical_reports_open_one_session(transactional_db, reseller):
    VpnUser.create_for(reseller, username="alice", password="secret-password")
    node_key = VpnServer.objects.create(name="se-sto-1").issue_node_key()
    body = {"sessions": [{"username": "alice", "protocol": "openvpn", "tunnel_address": "10.8.0.6"}]}
    barrier = threading.Barrier(6)
    statuses = []

    def work():
        client = make_client(node_key)
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post("/1.0/Node/Sessions", body, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [200] * 6
    assert Session.objects.count() == 1
    assert Session.objects.get().ended_at is None
