import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccountType, VpnUser

USERS_URL = "/dashboard/users/"


def user_url(user, action=""):
    return f"/dashboard/users/{user.pk}/{action + '/' if action else ''}"


def bulk_users(reseller, count, prefix="bulk"):
    """Insert users sharing one password hash, because an Argon2 hash per user takes about 20 ms each."""
    password_hash = make_password("secret-password")
    VpnUser.objects.bulk_create(
        VpnUser(reseller=reseller, username=f"{prefix}{index:05d}", password=password_hash) for index in range(count)
    )


def page_usernames(response):
    return [row.record.username for row in response.context["table"].paginated_rows]


# --- list, search, filters, sorting -------------------------------------------------------


def test_list_anonymous_redirects_to_login(client):
    response = client.get(USERS_URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/users/"


def test_home_redirects_to_users(dashboard):
    response = dashboard.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"] == USERS_URL


def test_list_shows_only_own_live_users(dashboard, make_user, other_reseller):
    make_user("alice")
    make_user("bob").soft_delete()
    make_user("mallory", owner=other_reseller)

    response = dashboard.get(USERS_URL)

    assert response.status_code == 200
    assert page_usernames(response) == ["alice"]
    assert b"mallory" not in response.content


def test_list_search_matches_username_and_note(dashboard, make_user):
    make_user("alice", note="billing 42")
    make_user("bob", note="ALICE's brother")
    make_user("carol")

    response = dashboard.get(USERS_URL, {"q": "alice"})

    assert response.status_code == 200
    assert sorted(page_usernames(response)) == ["alice", "bob"]


def test_list_filters_enable_and_type(dashboard, make_user):
    make_user("alice", enable=True, account_type=AccountType.LEX)
    make_user("bob", enable=False, account_type=AccountType.LEX)
    make_user("carol", enable=False, account_type=AccountType.PREMIUM)

    disabled = dashboard.get(USERS_URL, {"enable": "false"})
    lex_disabled = dashboard.get(USERS_URL, {"enable": "false", "account_type": "2"})

    assert sorted(page_usernames(disabled)) == ["bob", "carol"]
    assert page_usernames(lex_disabled) == ["bob"]


def test_list_invalid_filter_shows_error(dashboard, make_user):
    make_user("alice")

    response = dashboard.get(USERS_URL, {"account_type": "9"})

    assert response.status_code == 200
    assert response.context["filter"].form.errors["account_type"] == [
        "Select a valid choice. 9 is not one of the available choices."
    ]
    assert page_usernames(response) == ["alice"]


def test_list_sorts_by_clicked_column(dashboard, make_user):
    make_user("bob")
    make_user("carol")
    make_user("alice")

    ascending = dashboard.get(USERS_URL, {"sort": "username"})
    descending = dashboard.get(USERS_URL, {"sort": "-username"})
    default = dashboard.get(USERS_URL)

    assert page_usernames(ascending) == ["alice", "bob", "carol"]
    assert page_usernames(descending) == ["carol", "bob", "alice"]
    assert page_usernames(default) == ["alice", "carol", "bob"]


def test_list_paginates(dashboard, reseller):
    bulk_users(reseller, 30)

    first = dashboard.get(USERS_URL, {"sort": "username"})
    second = dashboard.get(USERS_URL, {"sort": "username", "page": "2"})

    assert len(page_usernames(first)) == 25
    assert page_usernames(second) == [f"bulk{index:05d}" for index in range(25, 30)]
    assert first.context["table"].paginator.count == 30


@pytest.mark.parametrize("count", [10, 1000])
def test_list_query_count_is_constant(dashboard, reseller, count):
    bulk_users(reseller, count)

    with CaptureQueriesContext(connection) as queries:
        response = dashboard.get(USERS_URL, {"q": "bulk", "sort": "username"})

    assert response.status_code == 200
    # session, login, reseller, COUNT(*) for the paginator, the page of rows
    assert len(queries) == 5


# --- CSV export ---------------------------------------------------------------------------


def test_export_streams_filtered_users_without_passwords(dashboard, make_user, other_reseller):
    make_user("alice", note="=HYPERLINK(1)", account_type=AccountType.LEX)
    make_user("bob", enable=False)
    make_user("mallory", owner=other_reseller)

    response = dashboard.get("/dashboard/users/export.csv", {"enable": "true"})
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="vpn-users-')
    assert rows[0] == ["user_id", "username", "account_type", "enable", "expires_at", "note", "created_at"]
    assert [row[1:6] for row in rows[1:]] == [["alice", "LEX", "1", "", "'=HYPERLINK(1)"]]
    assert "password" not in body
    assert "argon2" not in body


def test_export_anonymous_redirects_to_login(client):
    response = client.get("/dashboard/users/export.csv")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/users/export.csv"


# --- create -------------------------------------------------------------------------------


def test_create_with_chosen_credentials(dashboard, reseller):
    response = dashboard.post(
        "/dashboard/users/new/",
        {
            "username": "alice",
            "password": " spaced secret ",
            "account_type": "2",
            "enable": "on",
            "expires_at": "2030-01-02T03:04:05",
            "note": "paid yearly",
        },
    )

    user = VpnUser.objects.get(username="alice")
    assert response.status_code == 200
    assert response.context["password"] == " spaced secret "
    assert "no-store" in response["Cache-Control"]
    assert user.reseller == reseller
    assert user.account_type == AccountType.LEX
    assert user.enable is True
    assert user.expires_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert user.note == "paid yearly"
    assert user.check_password(" spaced secret ")


def test_create_generates_username_and_password(dashboard, reseller):
    response = dashboard.post("/dashboard/users/new/", {"account_type": "1"})

    user = VpnUser.objects.for_reseller(reseller).get()
    password = response.context["password"]
    assert response.status_code == 200
    assert len(password) >= 12
    assert password.encode() in response.content
    assert user.username.encode() in response.content
    assert len(user.username) == 10
    assert user.enable is False  # an unticked checkbox is not sent
    assert user.check_password(password)
    assert password not in dashboard.session.values()


def test_create_taken_username_error_next_to_field(dashboard, make_user, other_reseller):
    make_user("Alice", owner=other_reseller)

    response = dashboard.post("/dashboard/users/new/", {"username": "alice", "account_type": "1"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"username": ["The username alice is taken: choose another one."]}
    assert b'id="id_username_errors"' in response.content
    assert VpnUser.objects.filter(username__iexact="alice").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "12345"}, "username", "Use letters, digits and . _ - @ only, with at least one character"),
        ({"username": "ab"}, "username", "Ensure this value has at least 3 characters (it has 2)."),
        ({"username": "a b c"}, "username", "Use letters, digits and . _ - @ only"),
        ({"password": "short"}, "password", "Ensure this value has at least 6 characters (it has 5)."),
        ({"password": "tab\there"}, "password", "Remove the control character U+0009"),
        ({"note": "x" * 501}, "note", "Ensure this value has at most 500 characters (it has 501)."),
        ({"expires_at": "tomorrow"}, "expires_at", "Enter a valid date/time."),
        ({"account_type": "3"}, "account_type", "Select a valid choice. 3 is not one of the available choices."),
    ],
)
def test_create_invalid_field_shows_error(dashboard, reseller, data, field, message):
    response = dashboard.post("/dashboard/users/new/", {"account_type": "1", **data})

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert not VpnUser.objects.exists()


def test_create_over_quota_is_form_error(dashboard, reseller, make_user):
    reseller.quota = 1
    reseller.save()
    make_user("alice")

    response = dashboard.post("/dashboard/users/new/", {"username": "bob", "account_type": "1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You have reached your quota of 1 live users: delete users or ask the provider for a larger quota."
    ]
    assert list(VpnUser.objects.values_list("username", flat=True)) == ["alice"]


def test_create_requires_csrf_token(csrf_dashboard):
    response = csrf_dashboard.post("/dashboard/users/new/", {"username": "alice", "account_type": "1"})

    assert response.status_code == 403
    assert not VpnUser.objects.exists()


def test_create_with_csrf_token_succeeds(csrf_dashboard):
    form_page = csrf_dashboard.get("/dashboard/users/new/")
    token = form_page.context["csrf_token"]

    response = csrf_dashboard.post(
        "/dashboard/users/new/", {"username": "alice", "account_type": "1", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 200
    assert VpnUser.objects.filter(username="alice").exists()


# --- detail, edit, password, delete ---------------------------------------------------------


def test_detail_shows_user(dashboard, make_user):
    user = make_user("alice", note="vip")

    response = dashboard.get(user_url(user))

    assert response.status_code == 200
    assert response.context["vpn_user"] == user
    assert b"vip" in response.content


@pytest.mark.parametrize("action", ["", "edit", "password", "delete"])
def test_other_resellers_user_is_404(dashboard, make_user, other_reseller, action):
    user = make_user("mallory", owner=other_reseller)

    get_response = dashboard.get(user_url(user, action))
    post_response = dashboard.post(user_url(user, action), {"username": "stolen", "account_type": "1"})

    assert get_response.status_code == 404
    assert post_response.status_code in (404, 405)
    user.refresh_from_db()
    assert user.username == "mallory"
    assert user.deleted_at is None


@pytest.mark.parametrize("action", ["", "edit", "password", "delete"])
def test_deleted_user_is_404(dashboard, make_user, action):
    user = make_user("alice")
    user.soft_delete()

    response = dashboard.get(user_url(user, action))

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["", "edit", "password", "delete"])
def test_user_pages_anonymous_redirect(client, make_user, action):
    user = make_user("alice")

    response = client.get(user_url(user, action))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_edit_saves_changed_fields(dashboard, make_user):
    user = make_user("alice", note="old")

    response = dashboard.post(
        user_url(user, "edit"),
        {"username": "alice2", "account_type": "2", "expires_at": "2031-05-06T07:08:09", "note": "new"},
    )

    user.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == user_url(user)
    assert user.username == "alice2"
    assert user.account_type == AccountType.LEX
    assert user.enable is False
    assert user.expires_at == datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert user.note == "new"
    assert user.check_password("secret-password")


def test_edit_clears_expiry(dashboard, make_user):
    user = make_user("alice", expires_at=datetime(2030, 1, 1, tzinfo=UTC))

    response = dashboard.post(user_url(user, "edit"), {"username": "alice", "account_type": "1", "enable": "on"})

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.expires_at is None


def test_edit_taken_username_error_next_to_field(dashboard, make_user):
    make_user("bob")
    user = make_user("alice")

    response = dashboard.post(user_url(user, "edit"), {"username": "BOB", "account_type": "1"})

    user.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {"username": ["The username BOB is taken: choose another one."]}
    assert user.username == "alice"


def test_edit_form_shows_current_values(dashboard, make_user):
    user = make_user("alice", note="hello", expires_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))

    response = dashboard.get(user_url(user, "edit"))

    assert response.status_code == 200
    assert b'value="2030-01-02T03:04:05"' in response.content
    assert b"hello</textarea>" in response.content


def test_password_reset_generates_and_shows_once(dashboard, make_user):
    user = make_user("alice")

    response = dashboard.post(user_url(user, "password"), {"password": ""})

    password = response.context["password"]
    user.refresh_from_db()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert password.encode() in response.content
    assert user.check_password(password)
    assert not user.check_password("secret-password")
    assert password not in dashboard.get(user_url(user)).content.decode()


def test_password_reset_chosen_password(dashboard, make_user):
    user = make_user("alice")

    response = dashboard.post(user_url(user, "password"), {"password": "chosen-secret"})

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.check_password("chosen-secret")


def test_password_reset_too_short_shows_error(dashboard, make_user):
    user = make_user("alice")

    response = dashboard.post(user_url(user, "password"), {"password": "abc"})

    user.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["Ensure this value has at least 6 characters (it has 3)."]}
    assert user.check_password("secret-password")


def test_delete_confirmation_page_changes_nothing(dashboard, make_user):
    user = make_user("alice")

    response = dashboard.get(user_url(user, "delete"))

    user.refresh_from_db()
    assert response.status_code == 200
    assert b"Delete alice?" in response.content
    assert user.deleted_at is None


def test_delete_post_soft_deletes(dashboard, make_user):
    user = make_user("alice")

    response = dashboard.post(user_url(user, "delete"))

    user.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == USERS_URL
    assert user.deleted_at is not None


def test_delete_requires_csrf_token(csrf_dashboard, make_user):
    user = make_user("alice")

    response = csrf_dashboard.post(user_url(user, "delete"))

    user.refresh_from_db()
    assert response.status_code == 403
    assert user.deleted_at is None


# --- bulk actions -------------------------------------------------------------------------


def test_bulk_disable_only_touches_own_selected_users(dashboard, make_user, other_reseller):
    alice = make_user("alice")
    bob = make_user("bob")
    carol = make_user("carol")
    mallory = make_user("mallory", owner=other_reseller)

    response = dashboard.post(
        "/dashboard/users/bulk/", {"action": "disable", "selection": [alice.pk, bob.pk, mallory.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == USERS_URL
    assert dict(VpnUser.objects.values_list("username", "enable")) == {
        "alice": False,
        "bob": False,
        "carol": True,
        "mallory": True,
    }
    assert carol.enable is True


def test_bulk_enable(dashboard, make_user):
    alice = make_user("alice", enable=False)

    response = dashboard.post("/dashboard/users/bulk/", {"action": "enable", "selection": [alice.pk]})

    alice.refresh_from_db()
    assert response.status_code == 302
    assert alice.enable is True


def test_bulk_delete_asks_then_deletes(dashboard, make_user, other_reseller):
    alice = make_user("alice")
    bob = make_user("bob")
    mallory = make_user("mallory", owner=other_reseller)
    selection = [alice.pk, bob.pk, mallory.pk]

    confirm_page = dashboard.post("/dashboard/users/bulk/", {"action": "delete", "selection": selection})
    deleted_after_confirm_page = VpnUser.objects.filter(deleted_at__isnull=False).count()
    done = dashboard.post("/dashboard/users/bulk/", {"action": "delete", "selection": selection, "confirm": "1"})

    assert confirm_page.status_code == 200
    assert [user.username for user in confirm_page.context["vpn_users"]] == ["alice", "bob"]
    assert deleted_after_confirm_page == 0
    assert done.status_code == 302
    assert set(VpnUser.objects.filter(deleted_at__isnull=False).values_list("username", flat=True)) == {
        "alice",
        "bob",
    }
    mallory.refresh_from_db()
    assert mallory.deleted_at is None


def test_bulk_without_selection_reports_error(dashboard, make_user):
    make_user("alice")

    response = dashboard.post("/dashboard/users/bulk/", {"action": "disable"}, follow=True)

    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == ["Select at least one user."]
    assert VpnUser.objects.get().enable is True


def test_bulk_rejects_non_numeric_id(dashboard, make_user):
    make_user("alice")

    response = dashboard.post("/dashboard/users/bulk/", {"action": "disable", "selection": ["1; drop"]}, follow=True)

    assert [str(message) for message in response.context["messages"]] == ["1; drop is not a user id."]
    assert VpnUser.objects.get().enable is True


def test_bulk_get_not_allowed(dashboard, make_user):
    alice = make_user("alice")

    response = dashboard.get("/dashboard/users/bulk/", {"action": "disable", "selection": [alice.pk]})

    alice.refresh_from_db()
    assert response.status_code == 405
    assert alice.enable is True


def test_bulk_requires_csrf_token(csrf_dashboard, make_user):
    alice = make_user("alice")

    response = csrf_dashboard.post("/dashboard/users/bulk/", {"action": "disable", "selection": [alice.pk]})

    alice.refresh_from_db()
    assert response.status_code == 403
    assert alice.enable is True


def test_create_form_names_expiry_time_zone(dashboard, settings):
    settings.TIME_ZONE = "America/Los_Angeles"

    response = dashboard.get("/dashboard/users/new/")

    assert response.status_code == 200
    assert "Times are in America/Los_Angeles." in response.content.decode()
