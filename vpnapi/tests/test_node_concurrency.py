import threading

import pytest
from django.db import connection, connections, transaction

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


def test_report_racing_deletion_leaves_no_open_session(transactional_db, reseller):
    """A report that runs while a deletion is uncommitted must not open a session for the user."""
    user, _ = VpnUser.create_for(reseller, username="alice", password="secret-password")
    node_key = VpnServer.objects.create(name="se-sto-1").issue_node_key()
    body = {"sessions": [{"username": "alice", "protocol": "openvpn", "tunnel_address": "10.8.0.6"}]}
    deleted_uncommitted = threading.Event()
    report_done = threading.Event()
    statuses = []

    def delete():
        try:
            with transaction.atomic():
                VpnUser.objects.get(pk=user.pk).soft_delete()
                deleted_uncommitted.set()
                # Commit once the report either finished or waits for a row lock.
                for _ in range(400):
                    if report_done.is_set() or waiting_for_lock():
                        break
                    report_done.wait(0.05)
        finally:
            connections.close_all()

    def report():
        try:
            deleted_uncommitted.wait(timeout=30)
            statuses.append(make_client(node_key).post("/1.0/Node/Sessions", body, format="json").status_code)
        finally:
            report_done.set()
            connections.close_all()

    threads = [threading.Thread(target=delete), threading.Thread(target=report)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [200]
    assert VpnUser.objects.get(pk=user.pk).deleted_at is not None
    assert Session.objects.filter(user=user, ended_at__isnull=True).count() == 0


def waiting_for_lock():
    """Return whether any transaction waits for a lock, seen from a connection of its own."""
    probe = connections.create_connection("default")
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            return cursor.fetchone()[0] > 0
    finally:
        probe.close()
