"""Concurrent requests on PostgreSQL: the database, not a check before the write, decides.

Each thread uses its own database connection and closes it when done. SQLite
serialises writers, so these races only make sense on PostgreSQL.
"""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import Reseller, VpnUser
from vpnapi.tests.conftest import send_json

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]

THREAD_TIMEOUT_SECONDS = 60


def run_concurrently(requests):
    """Start every request at once, each in a thread with its own connection; return the responses in order."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)
    failures = []

    def worker(index, request):
        try:
            barrier.wait(timeout=THREAD_TIMEOUT_SECONDS)
            responses[index] = request()
        except Exception as error:  # reported by the assert below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    return responses


def client_for(plaintext):
    client = APIClient()
    client.credentials(HTTP_API_KEY=plaintext)
    return client


@pytest.fixture
def race_key(transactional_db):
    reseller = Reseller.objects.create(name="Racer")
    _, plaintext = reseller.issue_api_key()
    return reseller, plaintext


def test_concurrent_renames_to_one_name(race_key):
    reseller, plaintext = race_key
    first, _ = VpnUser.create_for(reseller, username="first-user", password="secret-password")
    second, _ = VpnUser.create_for(reseller, username="second-user", password="secret-password")

    responses = run_concurrently(
        [
            lambda: send_json(client_for(plaintext), "put", f"/1.0/User/{first.pk}", {"username": "wanted"}),
            lambda: send_json(client_for(plaintext), "patch", f"/1.0/User/{second.pk}", {"username": "WANTED"}),
        ]
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["error"] == "conflict"
    assert VpnUser.objects.filter(username__iexact="wanted").count() == 1
    assert VpnUser.objects.filter(username__in=["first-user", "second-user"]).count() == 1


@pytest.mark.parametrize("count", [5])
def test_concurrent_creates_of_one_username(race_key, count):
    reseller, plaintext = race_key

    responses = run_concurrently(
        [lambda: send_json(client_for(plaintext), "post", "/1.0/User", {"username": "popular"})] * count
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (count - 1)
    for response in responses:
        if response.status_code == 409:
            assert response.json() == {
                "success": "error",
                "error": "conflict",
                "message": "The username popular is taken: choose another one.",
            }
    assert VpnUser.objects.filter(username="popular").count() == 1


def test_concurrent_creates_at_quota(race_key):
    reseller, plaintext = race_key
    reseller.quota = 3
    reseller.save()
    for i in range(2):
        VpnUser.create_for(reseller, username=f"existing{i}", password="secret-password")

    responses = run_concurrently([lambda: send_json(client_for(plaintext), "post", "/1.0/User", {})] * 4)

    assert sorted(r.status_code for r in responses) == [200, 403, 403, 403]
    assert VpnUser.objects.filter(reseller=reseller).live().count() == 3


def test_concurrent_creates_with_one_idempotency_key(race_key):
    reseller, plaintext = race_key

    def create():
        return send_json(client_for(plaintext), "post", "/1.0/User", {"note": "once"}, HTTP_IDEMPOTENCY_KEY="k-1")

    responses = run_concurrently([create] * 4)

    assert [r.status_code for r in responses] == [200] * 4
    bodies = [r.json() for r in responses]
    assert all(body == bodies[0] for body in bodies)
    assert VpnUser.objects.filter(reseller=reseller).count() == 1
    assert VpnUser.objects.get().pk == bodies[0]["user_id"]


def test_concurrent_same_key_creates_with_chosen_username(race_key):
    reseller, plaintext = race_key

    def create():
        body = {"username": "keyed-user", "password": "abc1234"}
        return send_json(client_for(plaintext), "post", "/1.0/User", body, HTTP_IDEMPOTENCY_KEY="k-2")

    responses = run_concurrently([create] * 3)

    assert [r.status_code for r in responses] == [200] * 3
    assert len({r.json()["user_id"] for r in responses}) == 1
    assert VpnUser.objects.filter(reseller=reseller).count() == 1


def test_concurrent_deletes(race_key):
    reseller, plaintext = race_key
    user, _ = VpnUser.create_for(reseller, username="doomed", password="secret-password")

    responses = run_concurrently([lambda: client_for(plaintext).delete(f"/1.0/User/{user.pk}")] * 3)

    assert sorted(r.status_code for r in responses) == [200, 404, 404]
    assert VpnUser.objects.get(pk=user.pk).deleted_at is not None


def test_concurrent_same_key_creates_at_quota(race_key):
    reseller, plaintext = race_key
    reseller.quota = 1
    reseller.save()

    def create():
        return send_json(client_for(plaintext), "post", "/1.0/User", {"note": "last"}, HTTP_IDEMPOTENCY_KEY="k-3")

    responses = run_concurrently([create] * 3)

    assert [r.status_code for r in responses] == [200] * 3
    assert len({r.json()["user_id"] for r in responses}) == 1
    assert VpnUser.objects.filter(reseller=reseller).count() == 1
