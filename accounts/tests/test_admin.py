import re

import pytest
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from accounts import keys
from accounts.models import AccountType, ApiKey, Reseller, User, VpnUser
from accounts.tests.test_dashboard_users import bulk_users

CHANGELISTS = [
    "/admin/accounts/reseller/",
    "/admin/accounts/user/",
    "/admin/accounts/apikey/",
    "/admin/accounts/vpnuser/",
    "/admin/accounts/vpnuser/?state=deleted&enable__exact=1&q=alice",
    "/admin/accounts/apikey/?revoked_at__isempty=1&q=billing",
]


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelists_render(admin_client_for, make_user, reseller, url):
    make_user("alice")
    reseller.issue_api_key(name="billing")

    response = admin_client_for.get(url)

    assert response.status_code == 200


def test_reseller_change_page_lists_logins_and_keys(admin_client_for, reseller, login):
    api_key, _ = reseller.issue_api_key(name="billing")

    response = admin_client_for.get(f"/admin/accounts/reseller/{reseller.pk}/change/")

    assert response.status_code == 200
    assert b"owner-staff" in response.content
    assert api_key.prefix.encode() in response.content
    assert api_key.digest.encode() not in response.content


def test_reseller_list_counts_live_users(admin_client_for, reseller, make_user):
    make_user("alice")
    make_user("bob").soft_delete()

    response = admin_client_for.get("/admin/accounts/reseller/")

    rows = {row.name: row.live_user_count for row in response.context["cl"].result_list}
    assert rows == {"Owner": 1}


def test_dashboard_login_cannot_open_admin(dashboard):
    response = dashboard.get("/admin/accounts/vpnuser/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_create_reseller_with_quota(admin_client_for):
    response = admin_client_for.post(
        "/admin/accounts/reseller/add/",
        {
            "name": "Acme",
            "enabled": "on",
            "quota": "50",
            "logins-TOTAL_FORMS": "0",
            "logins-INITIAL_FORMS": "0",
            "api_keys-TOTAL_FORMS": "0",
            "api_keys-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Reseller.objects.get(name="Acme").quota == 50


def test_create_login_for_reseller(admin_client_for, reseller):
    response = admin_client_for.post(
        "/admin/accounts/user/add/",
        {
            "username": "acme-staff",
            "reseller": reseller.pk,
            "usable_password": "true",
            "password1": "a long password 123",
            "password2": "a long password 123",
        },
    )

    login = User.objects.get(username="acme-staff")
    assert response.status_code == 302
    assert login.reseller == reseller
    assert login.check_password("a long password 123")


def test_issue_api_key_shows_plaintext_once(admin_client_for, reseller):
    response = admin_client_for.post("/admin/accounts/apikey/add/", {"reseller": reseller.pk, "name": "billing"})

    api_key = ApiKey.objects.get()
    match = re.search(r'<code id="shown-secret">(itg_live_[A-Za-z0-9_-]+)</code>', response.content.decode())
    plaintext = match.group(1)
    client = APIClient()
    client.credentials(HTTP_API_KEY=plaintext)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert message_texts(response) == []
    assert api_key.reseller == reseller
    assert api_key.name == "billing"
    assert api_key.digest == keys.digest_key(plaintext)
    assert plaintext.startswith(api_key.prefix)
    assert client.get("/1.0/User").status_code == 200
    assert plaintext.encode() not in admin_client_for.get(f"/admin/accounts/apikey/{api_key.pk}/change/").content


def test_revoke_action(admin_client_for, reseller):
    first, first_plaintext = reseller.issue_api_key(name="first")
    second, _ = reseller.issue_api_key(name="second")

    response = admin_client_for.post(
        "/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [first.pk]}, follow=True
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert response.status_code == 200
    assert "Revoked 1 key." in message_texts(response)
    assert first.revoked_at is not None
    assert second.revoked_at is None


def test_restore_action_brings_user_back(admin_client_for, make_user):
    user = make_user("alice")
    user.soft_delete()

    response = admin_client_for.post(
        "/admin/accounts/vpnuser/", {"action": "restore", "_selected_action": [user.pk]}, follow=True
    )

    user.refresh_from_db()
    assert response.status_code == 200
    assert "Restored 1 user." in message_texts(response)
    assert user.deleted_at is None


def test_restore_fails_cleanly_when_username_taken(admin_client_for, make_user, other_reseller):
    old = make_user("alice")
    old.soft_delete()
    make_user("ALICE", owner=other_reseller)
    other_deleted = make_user("bob")
    other_deleted.soft_delete()

    response = admin_client_for.post(
        "/admin/accounts/vpnuser/",
        {"action": "restore", "_selected_action": [old.pk, other_deleted.pk]},
        follow=True,
    )

    old.refresh_from_db()
    other_deleted.refresh_from_db()
    assert response.status_code == 200
    assert message_texts(response) == [
        f"Could not restore alice (id {old.pk}): a live user has taken the username since.",
        "Restored 1 user.",
    ]
    assert old.deleted_at is not None
    assert other_deleted.deleted_at is None


def vpn_user_form(reseller, **overrides):
    data = {
        "reseller": reseller.pk,
        "username": "alice",
        "new_password": "",
        "account_type": AccountType.PREMIUM,
        "enable": "on",
        "expires_at_0": "",
        "expires_at_1": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_set_password_hashes_it(admin_client_for, reseller, make_user):
    user = make_user("alice")

    response = admin_client_for.post(
        f"/admin/accounts/vpnuser/{user.pk}/change/", vpn_user_form(reseller, new_password="staff-chosen")
    )

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("staff-chosen")


def test_change_without_password_keeps_it(admin_client_for, reseller, make_user):
    user = make_user("alice")

    response = admin_client_for.post(
        f"/admin/accounts/vpnuser/{user.pk}/change/", vpn_user_form(reseller, note="changed by staff")
    )

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.note == "changed by staff"
    assert user.check_password("secret-password")


def test_change_page_never_shows_hash(admin_client_for, make_user):
    user = make_user("alice")

    response = admin_client_for.get(f"/admin/accounts/vpnuser/{user.pk}/change/")

    assert response.status_code == 200
    assert user.password.encode() not in response.content


def test_add_vpn_user_generates_password(admin_client_for, reseller):
    response = admin_client_for.post("/admin/accounts/vpnuser/add/", vpn_user_form(reseller))

    user = VpnUser.objects.get()
    match = re.search(r'<code id="shown-secret">([^<]+)</code>', response.content.decode())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert match is not None
    assert user.check_password(match.group(1))
    assert match.group(1).encode() not in admin_client_for.get(f"/admin/accounts/vpnuser/{user.pk}/change/").content


def test_add_vpn_user_taken_username_error(admin_client_for, reseller, make_user):
    make_user("Alice")

    response = admin_client_for.post("/admin/accounts/vpnuser/add/", vpn_user_form(reseller))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"] == [
        "The username alice is taken by a live user: choose another one."
    ]
    assert VpnUser.objects.count() == 1


@pytest.mark.parametrize("count", [10, 150])
def test_vpn_user_changelist_query_count_is_constant(admin_client_for, reseller, django_assert_num_queries, count):
    bulk_users(reseller, count)

    # session, staff user, the reseller filter's choices, COUNT(*) for the
    # paginator, the page of rows joined to their resellers
    with django_assert_num_queries(5):
        response = admin_client_for.get("/admin/accounts/vpnuser/")

    assert response.status_code == 200
