import pytest
from django.test import Client

from accounts.models import User, VpnUser

READ_PAGES = ["/dashboard/users/", "/dashboard/keys/", "/dashboard/users/export.csv", "/dashboard/statistics/"]
WRITE_PAGES = ["/dashboard/users/new/", "/dashboard/keys/new/"]


def test_login_page_renders_form(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_login_with_password_opens_dashboard(login):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/accounts/login/").context["csrf_token"]

    response = client.post(
        "/accounts/login/",
        {"username": "owner-staff", "password": "login-password-123", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/users/").status_code == 200


def test_login_wrong_password_shows_error(login, client):
    response = client.post("/accounts/login/", {"username": "owner-staff", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
    ]


def test_logout_by_get_is_refused(dashboard):
    response = dashboard.get("/accounts/logout/")

    assert response.status_code == 405
    assert dashboard.get("/dashboard/users/").status_code == 200


def test_logout_by_post_ends_session(dashboard):
    response = dashboard.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert dashboard.get("/dashboard/users/").status_code == 302


@pytest.mark.parametrize("url", READ_PAGES + WRITE_PAGES)
def test_staff_without_reseller_is_pointed_to_admin(staff, url):
    client = Client()
    client.force_login(staff)

    response = client.get(url)

    assert response.status_code == 403
    assert b"This login has no reseller" in response.content
    assert b'href="/admin/"' in response.content


@pytest.fixture
def disabled_dashboard(reseller, login, dashboard):
    reseller.enabled = False
    reseller.save()
    return dashboard


@pytest.mark.parametrize("url", READ_PAGES)
def test_disabled_reseller_can_read(disabled_dashboard, url):
    response = disabled_dashboard.get(url)

    assert response.status_code == 200


def test_disabled_reseller_sees_notice(disabled_dashboard):
    response = disabled_dashboard.get("/dashboard/users/")

    assert b"This reseller account is disabled." in response.content


@pytest.mark.parametrize("url", WRITE_PAGES)
def test_disabled_reseller_cannot_open_forms(disabled_dashboard, url):
    response = disabled_dashboard.get(url)

    assert response.status_code == 403
    assert b"Changes are not possible" in response.content


def test_disabled_reseller_cannot_create(disabled_dashboard):
    response = disabled_dashboard.post("/dashboard/users/new/", {"username": "alice", "account_type": "1"})

    assert response.status_code == 403
    assert not VpnUser.objects.exists()


def test_disabled_reseller_cannot_bulk_disable(disabled_dashboard, make_user):
    alice = make_user("alice")

    response = disabled_dashboard.post("/dashboard/users/bulk/", {"action": "disable", "selection": [alice.pk]})

    alice.refresh_from_db()
    assert response.status_code == 403
    assert alice.enable is True


def test_disabled_reseller_cannot_delete(disabled_dashboard, make_user):
    alice = make_user("alice")

    response = disabled_dashboard.post(f"/dashboard/users/{alice.pk}/delete/")

    alice.refresh_from_db()
    assert response.status_code == 403
    assert alice.deleted_at is None


def test_disabled_reseller_cannot_create_key(disabled_dashboard, reseller):
    response = disabled_dashboard.post("/dashboard/keys/new/", {"name": "billing"})

    assert response.status_code == 403
    assert not reseller.api_keys.exists()


def test_inactive_login_cannot_log_in(reseller):
    User.objects.create_user(username="gone", password="login-password-123", reseller=reseller, is_active=False)
    client = Client()

    response = client.post("/accounts/login/", {"username": "gone", "password": "login-password-123"})

    assert response.status_code == 200
    assert client.get("/dashboard/users/").status_code == 302
