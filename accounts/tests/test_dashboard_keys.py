from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey

KEYS_URL = "/dashboard/keys/"


def api_status(key):
    client = APIClient()
    client.credentials(HTTP_API_KEY=key)
    return client.get("/1.0/User").status_code


def test_list_anonymous_redirects_to_login(client):
    response = client.get(KEYS_URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/keys/"


def test_list_shows_own_keys_only(dashboard, reseller, other_reseller):
    own, _ = reseller.issue_api_key(name="billing")
    other, _ = other_reseller.issue_api_key(name="theirs")

    response = dashboard.get(KEYS_URL)

    assert response.status_code == 200
    assert list(response.context["api_keys"]) == [own]
    assert own.prefix.encode() in response.content
    assert other.prefix.encode() not in response.content


def test_list_never_shows_digest(dashboard, reseller):
    api_key, _ = reseller.issue_api_key(name="billing")

    response = dashboard.get(KEYS_URL)

    assert api_key.digest.encode() not in response.content


def test_create_shows_key_once(dashboard, reseller):
    response = dashboard.post("/dashboard/keys/new/", {"name": "billing"})

    plaintext = response.context["plaintext"]
    api_key = reseller.api_keys.get()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert plaintext.encode() in response.content
    assert plaintext.startswith(api_key.prefix)
    assert api_key.name == "billing"
    assert api_status(plaintext) == 200
    assert plaintext.encode() not in dashboard.get(KEYS_URL).content


def test_create_without_name_shows_error(dashboard, reseller):
    response = dashboard.post("/dashboard/keys/new/", {"name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert not reseller.api_keys.exists()


def test_create_requires_csrf_token(csrf_dashboard, reseller):
    response = csrf_dashboard.post("/dashboard/keys/new/", {"name": "billing"})

    assert response.status_code == 403
    assert not reseller.api_keys.exists()


GRACE_PERIODS = [("0", timedelta(0)), ("3600", timedelta(hours=1)), ("86400", timedelta(days=1))]


@pytest.mark.parametrize(("grace", "delta"), GRACE_PERIODS)
def test_rotate_sets_old_key_end(dashboard, reseller, grace, delta):
    old_key, old_plaintext = reseller.issue_api_key(name="billing")
    before = timezone.now()

    response = dashboard.post(f"/dashboard/keys/{old_key.pk}/rotate/", {"grace_seconds": grace})

    after = timezone.now()
    old_key.refresh_from_db()
    new_key = reseller.api_keys.exclude(pk=old_key.pk).get()
    assert response.status_code == 200
    assert response.context["plaintext"].startswith(new_key.prefix)
    assert new_key.name == "billing"
    assert new_key.expires_at is None
    assert before + delta <= old_key.expires_at <= after + delta
    assert old_key.revoked_at is None
    assert api_status(response.context["plaintext"]) == 200
    assert api_status(old_plaintext) == (401 if grace == "0" else 200)


def test_rotate_keeps_earlier_end(dashboard, reseller):
    soon = timezone.now() + timedelta(minutes=5)
    old_key, _ = reseller.issue_api_key(name="billing", expires_at=soon)

    response = dashboard.post(f"/dashboard/keys/{old_key.pk}/rotate/", {"grace_seconds": "86400"})

    old_key.refresh_from_db()
    assert response.status_code == 200
    assert old_key.expires_at == soon


def test_rotate_invalid_grace_shows_error(dashboard, reseller):
    old_key, _ = reseller.issue_api_key()

    response = dashboard.post(f"/dashboard/keys/{old_key.pk}/rotate/", {"grace_seconds": "60"})

    old_key.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "grace_seconds": ["Select a valid choice. 60 is not one of the available choices."]
    }
    assert old_key.expires_at is None
    assert reseller.api_keys.count() == 1


def test_rotate_get_changes_nothing(dashboard, reseller):
    old_key, _ = reseller.issue_api_key()

    response = dashboard.get(f"/dashboard/keys/{old_key.pk}/rotate/")

    old_key.refresh_from_db()
    assert response.status_code == 200
    assert old_key.expires_at is None
    assert reseller.api_keys.count() == 1


def test_rotate_revoked_key_is_404(dashboard, reseller):
    old_key, _ = reseller.issue_api_key()
    old_key.revoke()

    response = dashboard.post(f"/dashboard/keys/{old_key.pk}/rotate/", {"grace_seconds": "0"})

    assert response.status_code == 404
    assert reseller.api_keys.count() == 1


@pytest.mark.parametrize("action", ["rotate", "revoke"])
def test_other_resellers_key_is_404(dashboard, other_reseller, action):
    their_key, _ = other_reseller.issue_api_key()

    get_response = dashboard.get(f"/dashboard/keys/{their_key.pk}/{action}/")
    post_response = dashboard.post(f"/dashboard/keys/{their_key.pk}/{action}/", {"grace_seconds": "0"})

    their_key.refresh_from_db()
    assert get_response.status_code == 404
    assert post_response.status_code == 404
    assert their_key.expires_at is None
    assert their_key.revoked_at is None
    assert other_reseller.api_keys.count() == 1


def test_revoke_confirm_then_revoke(dashboard, reseller):
    api_key, plaintext = reseller.issue_api_key()

    confirm_page = dashboard.get(f"/dashboard/keys/{api_key.pk}/revoke/")
    api_key.refresh_from_db()
    revoked_after_get = api_key.revoked_at
    response = dashboard.post(f"/dashboard/keys/{api_key.pk}/revoke/")

    api_key.refresh_from_db()
    assert confirm_page.status_code == 200
    assert revoked_after_get is None
    assert response.status_code == 302
    assert response["Location"] == KEYS_URL
    assert api_key.revoked_at is not None
    assert api_status(plaintext) == 401


def test_revoke_twice_keeps_first_time(dashboard, reseller):
    api_key, _ = reseller.issue_api_key()
    dashboard.post(f"/dashboard/keys/{api_key.pk}/revoke/")
    api_key.refresh_from_db()
    first = api_key.revoked_at

    response = dashboard.post(f"/dashboard/keys/{api_key.pk}/revoke/")

    api_key.refresh_from_db()
    assert response.status_code == 302
    assert api_key.revoked_at == first


def test_revoke_requires_csrf_token(csrf_dashboard, reseller):
    api_key, _ = reseller.issue_api_key()

    response = csrf_dashboard.post(f"/dashboard/keys/{api_key.pk}/revoke/")

    api_key.refresh_from_db()
    assert response.status_code == 403
    assert api_key.revoked_at is None


def test_list_query_count(dashboard, reseller, django_assert_num_queries):
    for index in range(5):
        reseller.issue_api_key(name=f"key {index}")

    # session, login, reseller, the keys
    with django_assert_num_queries(4):
        response = dashboard.get(KEYS_URL)

    assert response.status_code == 200
    assert ApiKey.objects.count() == 5
