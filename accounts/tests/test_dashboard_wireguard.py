from datetime import timedelta

import pytest
from django.utils import timezone

from vpnapi.models import Session, VpnServer, WireguardKey


def add_key(user, number):
    return WireguardKey.objects.create(
        user=user,
        public_key=f"{number:043d}=",
        ipv4_address=f"10.64.0.{number}",
        ipv6_address=f"fc00:bbbb:bbbb:bb01::{number:x}",
    )


@pytest.fixture
def server(db):
    return VpnServer.objects.create(name="fra-1", hostname="fra-1.example.net", country="DE")


def remove_url(user, key):
    return f"/dashboard/users/{user.pk}/wireguard/{key.pk}/remove/"


def test_detail_lists_keys_and_sessions(dashboard, make_user, server):
    user = make_user("alice")
    key = add_key(user, 2)
    now = timezone.now()
    Session.objects.create(
        user=user, server=server, protocol="wireguard", tunnel_address="10.64.0.2", started_at=now, bytes_in=2048
    )
    Session.objects.create(
        user=user, server=server, protocol="openvpn", started_at=now - timedelta(days=1), ended_at=now
    )

    response = dashboard.get(f"/dashboard/users/{user.pk}/")

    assert response.status_code == 200
    assert list(response.context["wireguard_keys"]) == [key]
    assert [session.protocol for session in response.context["sessions"]] == ["wireguard", "openvpn"]
    assert key.public_key.encode() in response.content
    assert b"10.64.0.2" in response.content
    assert b"fra-1" in response.content


def test_detail_query_count_does_not_grow_with_sessions(dashboard, make_user, server, django_assert_num_queries):
    user = make_user("alice")
    add_key(user, 2)
    Session.objects.bulk_create(Session(user=user, server=server, protocol="wireguard") for _ in range(30))

    # session, login, reseller, the user, its keys, its recent sessions with their servers
    with django_assert_num_queries(6):
        response = dashboard.get(f"/dashboard/users/{user.pk}/")

    assert response.status_code == 200
    assert len(response.context["sessions"]) == 20


def test_remove_key_deletes_only_that_key(dashboard, make_user):
    user = make_user("alice")
    removed = add_key(user, 2)
    kept = add_key(user, 3)

    response = dashboard.post(remove_url(user, removed))

    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/users/{user.pk}/"
    assert list(WireguardKey.objects.all()) == [kept]


def test_remove_key_by_get_not_allowed(dashboard, make_user):
    user = make_user("alice")
    key = add_key(user, 2)

    response = dashboard.get(remove_url(user, key))

    assert response.status_code == 405
    assert WireguardKey.objects.filter(pk=key.pk).exists()


def test_remove_other_resellers_key_is_404(dashboard, make_user, other_reseller):
    mallory = make_user("mallory", owner=other_reseller)
    key = add_key(mallory, 2)

    response = dashboard.post(remove_url(mallory, key))

    assert response.status_code == 404
    assert WireguardKey.objects.filter(pk=key.pk).exists()


def test_remove_key_of_other_user_path_is_404(dashboard, make_user):
    alice = make_user("alice")
    bob = make_user("bob")
    key = add_key(bob, 2)

    response = dashboard.post(remove_url(alice, key))

    assert response.status_code == 404
    assert WireguardKey.objects.filter(pk=key.pk).exists()


def test_remove_key_requires_csrf_token(csrf_dashboard, make_user):
    user = make_user("alice")
    key = add_key(user, 2)

    response = csrf_dashboard.post(remove_url(user, key))

    assert response.status_code == 403
    assert WireguardKey.objects.filter(pk=key.pk).exists()


def test_remove_key_anonymous_redirects(client, make_user):
    user = make_user("alice")
    key = add_key(user, 2)

    response = client.post(remove_url(user, key))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert WireguardKey.objects.filter(pk=key.pk).exists()


def test_remove_key_disabled_reseller_refused(dashboard, reseller, make_user):
    user = make_user("alice")
    key = add_key(user, 2)
    reseller.enabled = False
    reseller.save()

    response = dashboard.post(remove_url(user, key))

    assert response.status_code == 403
    assert WireguardKey.objects.filter(pk=key.pk).exists()
