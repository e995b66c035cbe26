"""Retried creates with an Idempotency-Key header."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import VpnUser
from vpnapi.models import IdempotencyRecord
from vpnapi.tests.conftest import send_json


def create(client, body, key):
    return send_json(client, "post", "/1.0/User", body, HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_and_body_replays_first_answer(api, reseller):
    first = create(api, {"note": "order 7"}, "order-7")
    second = create(api, {"note": "order 7"}, "order-7")

    assert first.status_code == 200
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.json()["password"] == first.json()["password"]
    assert VpnUser.objects.count() == 1
    assert VpnUser.objects.get().pk == first.json()["user_id"]


def test_key_order_of_body_does_not_matter(api):
    first = send_json(api, "post", "/1.0/User", '{"note": "x", "enable": 1}', HTTP_IDEMPOTENCY_KEY="k1")
    second = send_json(api, "post", "/1.0/User", '{"enable": 1, "note": "x"}', HTTP_IDEMPOTENCY_KEY="k1")

    assert second.status_code == 200
    assert second.json() == first.json()
    assert VpnUser.objects.count() == 1


def test_same_key_other_body_is_409(api):
    first = create(api, {"note": "order 7"}, "order-7")
    second = create(api, {"note": "order 8"}, "order-7")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() == {
        "success": "error",
        "error": "conflict",
        "message": "This Idempotency-Key was already used with a different request body: "
        "use a new key for a new request.",
    }
    assert VpnUser.objects.count() == 1


def test_replay_with_chosen_username(api):
    first = create(api, {"username": "alice", "password": "abc1234"}, "k-alice")
    second = create(api, {"username": "alice", "password": "abc1234"}, "k-alice")

    assert second.status_code == 200
    assert second.json() == first.json()
    assert VpnUser.objects.count() == 1


def test_without_key_creates_twice(api):
    first = send_json(api, "post", "/1.0/User", {"note": "x"})
    second = send_json(api, "post", "/1.0/User", {"note": "x"})

    assert first.json()["user_id"] != second.json()["user_id"]
    assert VpnUser.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_keys_are_per_reseller(api, other_api, reseller, other_reseller):
    own = create(api, {}, "shared-key")
    theirs = create(other_api, {}, "shared-key")

    assert own.status_code == 200
    assert theirs.status_code == 200
    assert own.json()["user_id"] != theirs.json()["user_id"]
    assert VpnUser.objects.filter(reseller=reseller).count() == 1
    assert VpnUser.objects.filter(reseller=other_reseller).count() == 1


def test_expired_key_creates_again(api):
    first = create(api, {}, "old-key")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    second = create(api, {}, "old-key")

    assert second.status_code == 200
    assert second.json()["user_id"] != first.json()["user_id"]
    assert VpnUser.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_failed_create_is_not_remembered(api, make_user):
    taken = make_user(username="alice")
    first = create(api, {"username": "alice"}, "k")
    taken.soft_delete()

    second = create(api, {"username": "alice"}, "k")

    assert first.status_code == 409
    assert second.status_code == 200
    assert VpnUser.objects.live().get().pk == second.json()["user_id"]


def test_record_keeps_no_plaintext(api):
    response = create(api, {"password": "visible-password"}, "secret-key-123")

    record = IdempotencyRecord.objects.get()
    assert response.status_code == 200
    assert b"visible-password" not in bytes(record.encrypted_body)
    assert "secret-key-123" not in record.key_digest


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_bad_key_header_is_400(api, key):
    response = create(api, {}, key)

    assert response.status_code == 400
    assert response.json() == {
        "success": "error",
        "error": "bad_request",
        "message": "The Idempotency-Key header must be 1 to 255 printable ASCII characters, such as a UUID: "
        "send a new random value for each new request.",
    }
    assert VpnUser.objects.count() == 0


def test_purge_deletes_only_expired(api, reseller):
    create(api, {}, "old-1")
    create(api, {}, "old-2")
    create(api, {}, "fresh")
    IdempotencyRecord.objects.exclude(key_digest=IdempotencyRecord.objects.latest("id").key_digest).update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )
    out = StringIO()

    call_command("purgeidempotency", stdout=out)

    assert out.getvalue() == "Deleted 2 expired Idempotency-Key responses.\n"
    assert IdempotencyRecord.objects.count() == 1
    assert VpnUser.objects.count() == 3
    assert create(api, {}, "fresh").json()["user_id"] == VpnUser.objects.order_by("id").last().pk
    assert VpnUser.objects.count() == 3
