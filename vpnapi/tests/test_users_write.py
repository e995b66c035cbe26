"""Creating, updating and deleting VPN users through the API."""

from datetime import UTC, datetime

import pytest

from accounts.models import AccountType, Reseller, VpnUser
from vpnapi.fields import format_http_date
from vpnapi.tests.conftest import PINNED_NOW, send_json


def error(code, message, **extra):
    return {"success": "error", "error": code, "message": message, **extra}


# --- Create ----------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "{}", "  \n"])
def test_create_generates_username_and_password(api, reseller, clock, body):
    response = api.generic("POST", "/1.0/User", body, content_type="application/json")

    assert response.status_code == 200
    data = response.json()
    user = VpnUser.objects.get()
    assert data == {
        "account_type": 1,
        "account_typename": "PREMIUM",
        "created_at": format_http_date(user.created_at),
        "enable": True,
        "expires_at": None,
        "password": data["password"],
        "reseller_id": reseller.pk,
        "success": "ok",
        "user_id": user.pk,
        "username": user.username,
    }
    assert len(data["password"]) >= 12
    assert data["username"][:4].isalpha()
    assert data["username"][:4].islower()
    assert data["username"][4:].isdigit()
    assert len(data["username"]) == 10
    assert user.reseller == reseller
    assert user.check_password(data["password"])
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_create_without_content_type(api, reseller):
    response = api.generic("POST", "/1.0/User", '{"password": "abc1234"}', content_type="")

    assert response.status_code == 200
    assert response.json()["password"] == "abc1234"
    assert VpnUser.objects.get().check_password("abc1234")


def test_create_with_chosen_username_and_password(api, reseller):
    response = send_json(api, "post", "/1.0/User", {"username": "Roxy.Roxy@x", "password": "abc1234"})

    assert response.status_code == 200
    assert response.json()["username"] == "Roxy.Roxy@x"
    assert response.json()["password"] == "abc1234"
    user = VpnUser.objects.get()
    assert user.username == "Roxy.Roxy@x"
    assert user.check_password("abc1234")
    assert user.password != "abc1234"


def test_create_with_all_fields(api, reseller, clock):
    body = {
        "username": "full-user",
        "password": " spaced pass ",
        "enable": "0",
        "account_type": 2,
        "expires_at": "2030-01-31T23:59:59+02:00",
        "note": "Invoice 17 – paid",
    }

    response = send_json(api, "post", "/1.0/User", body)

    assert response.status_code == 200
    user = VpnUser.objects.get()
    assert response.json() == {
        "account_type": 2,
        "account_typename": "LEX",
        "created_at": format_http_date(user.created_at),
        "enable": False,
        "expires_at": "Thu, 31 Jan 2030 21:59:59 GMT",
        "password": " spaced pass ",
        "reseller_id": reseller.pk,
        "success": "ok",
        "user_id": user.pk,
        "username": "full-user",
    }
    assert user.enable is False
    assert user.account_type == AccountType.LEX
    assert user.expires_at == datetime(2030, 1, 31, 21, 59, 59, tzinfo=UTC)
    assert user.note == "Invoice 17 – paid"
    assert user.check_password(" spaced pass ")


def test_create_expiry_as_unix_seconds(api):
    response = send_json(api, "post", "/1.0/User", {"expires_at": 1896134399})

    assert response.status_code == 200
    assert response.json()["expires_at"] == "Thu, 31 Jan 2030 23:59:59 GMT"
    assert VpnUser.objects.get().expires_at == datetime(2030, 1, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0001-01-02T00:00:00Z", "Tue, 02 Jan 0001 00:00:00 GMT"),
        (253402214399, "Thu, 30 Dec 9999 23:59:59 GMT"),
        (" 2030-01-01T00:00:00Z ", "Tue, 01 Jan 2030 00:00:00 GMT"),
        ("2030-01-01 01:00:00+01:00", "Tue, 01 Jan 2030 00:00:00 GMT"),
    ],
)
def test_create_expiry_edge_values(api, value, shown):
    response = send_json(api, "post", "/1.0/User", {"expires_at": value})

    assert response.status_code == 200
    assert response.json()["expires_at"] == shown
    assert api.get(f"/1.0/User/{response.json()['user_id']}").json()["expires_at"] == shown


def test_create_taken_username_any_case(api, make_user):
    make_user(username="alice")

    response = send_json(api, "post", "/1.0/User", {"username": "ALICE"})

    assert response.status_code == 409
    assert response.json() == error("conflict", "The username ALICE is taken: choose another one.")
    assert VpnUser.objects.count() == 1


def test_create_taken_by_other_reseller(api, make_user, other_reseller):
    make_user(username="alice", owner=other_reseller)

    response = send_json(api, "post", "/1.0/User", {"username": "alice"})

    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert VpnUser.objects.count() == 1


def test_create_reuses_deleted_username(api, make_user):
    old = make_user(username="alice")
    old.soft_delete()

    response = send_json(api, "post", "/1.0/User", {"username": "alice"})

    assert response.status_code == 200
    assert response.json()["user_id"] != old.pk
    assert VpnUser.objects.filter(username="alice").count() == 2
    assert VpnUser.objects.live().get().pk == response.json()["user_id"]


def test_create_at_quota(api, reseller, make_user):
    reseller.quota = 2
    reseller.save()
    make_user(username="first-user")
    deleted = make_user(username="deleted-user")
    deleted.soft_delete()
    make_user(username="second-user")

    response = send_json(api, "post", "/1.0/User", {})

    assert response.status_code == 403
    assert response.json() == error(
        "forbidden",
        "The reseller has reached its quota of 2 live users: delete users or ask the provider for a larger quota.",
    )
    assert VpnUser.objects.live().count() == 2


def test_create_below_quota(api, reseller):
    reseller.quota = 1
    reseller.save()

    first = send_json(api, "post", "/1.0/User", {})
    second = send_json(api, "post", "/1.0/User", {})

    assert first.status_code == 200
    assert second.status_code == 403
    assert VpnUser.objects.count() == 1


INVALID_CREATE_BODIES = [
    ({"username": "ab"}, "username", "Ensure this field has at least 3 characters."),
    ({"username": "a" * 65}, "username", "Ensure this field has no more than 64 characters."),
    (
        {"username": "12345"},
        "username",
        "Use letters, digits and . _ - @ only, with at least one character that is not a digit.",
    ),
    (
        {"username": "bad name"},
        "username",
        "Use letters, digits and . _ - @ only, with at least one character that is not a digit.",
    ),
    (
        {"username": "jürgen"},
        "username",
        "Use letters, digits and . _ - @ only, with at least one character that is not a digit.",
    ),
    ({"username": "nul\x00name"}, "username", "Remove the control character U+0000; only printable text is allowed."),
    ({"password": "short"}, "password", "Ensure this field has at least 6 characters."),
    ({"password": "p" * 129}, "password", "Ensure this field has no more than 128 characters."),
    ({"password": "pass\x00word"}, "password", "Remove the control character U+0000; only printable text is allowed."),
    ({"password": "pass\tword"}, "password", "Remove the control character U+0009; only printable text is allowed."),
    ({"password": 123456}, "password", "Send a JSON string, not a number."),
    ({"note": "n" * 501}, "note", "Ensure this field has no more than 500 characters."),
    ({"note": "line\nbreak"}, "note", "Remove the control character U+000A; only printable text is allowed."),
    ({"note": "nul\x00"}, "note", "Remove the control character U+0000; only printable text is allowed."),
    ({"note": "\x85"}, "note", "Remove the control character U+0085; only printable text is allowed."),
    ({"note": "lone \ud800 surrogate"}, "note", "Surrogate characters are not allowed: U+D800."),
    ({"password": "\udfffabcdef"}, "password", "Surrogate characters are not allowed: U+DFFF."),
    ({"note": None}, "note", "This field may not be null."),
    ({"account_type": 3}, "account_type", "Send one of 1, 2, not 3."),
    ({"account_type": "PREMIUM"}, "account_type", "Send one of 1, 2, not 'PREMIUM'."),
    ({"account_type": 1.0}, "account_type", "Send one of 1, 2, not 1.0."),
    ({"account_type": "²"}, "account_type", "Send one of 1, 2, not '²'."),
    ({"account_type": True}, "account_type", "Send one of 1, 2, not True."),
    ({"enable": 2}, "enable", "Send true or false (1 or 0 also work), not 2."),
    ({"enable": [1]}, "enable", "Send true or false (1 or 0 also work), not an array."),
    ({"enable": {"a": 1}}, "enable", "Send true or false (1 or 0 also work), not an object."),
    (
        {"expires_at": "2030-01-31T23:59:59"},
        "expires_at",
        "Add a time zone offset to 2030-01-31T23:59:59, for example 2030-01-31T23:59:59Z for UTC.",
    ),
    (
        {"expires_at": "tomorrow"},
        "expires_at",
        "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
        "Unix seconds such as 1896134399, or null; got 'tomorrow'.",
    ),
    (
        {"expires_at": "0001-01-01T00:00:00+01:00"},
        "expires_at",
        "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
        "Unix seconds such as 1896134399, or null; got '0001-01-01T00:00:00+01:00'.",
    ),
    (
        {"expires_at": "9999-12-31T23:59:59-01:00"},
        "expires_at",
        "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
        "Unix seconds such as 1896134399, or null; got '9999-12-31T23:59:59-01:00'.",
    ),
    (
        {"expires_at": "2030-01-01T00:00:00+25:00"},
        "expires_at",
        "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
        "Unix seconds such as 1896134399, or null; got '2030-01-01T00:00:00+25:00'.",
    ),
    (
        {"expires_at": "²"},
        "expires_at",
        "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
        "Unix seconds such as 1896134399, or null; got '²'.",
    ),
    (
        {"expires_at": True},
        "expires_at",
        "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
        "Unix seconds such as 1896134399, or null; got True.",
    ),
    (
        {"expires_at": "0001-01-01T23:59:59Z"},
        "expires_at",
        "Send a time from 0001-01-02 to 9999-12-30 (UTC); got '0001-01-01T23:59:59Z'.",
    ),
    (
        {"expires_at": 253402300799},
        "expires_at",
        "Send a time from 0001-01-02 to 9999-12-30 (UTC); got 253402300799.",
    ),
    (
        {"expires_at": 10**20},
        "expires_at",
        "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
        "Unix seconds such as 1896134399, or null; got 100000000000000000000.",
    ),
]


@pytest.mark.parametrize(("body", "field", "message"), INVALID_CREATE_BODIES)
def test_create_rejects_invalid_field(api, body, field, message):
    response = send_json(api, "post", "/1.0/User", body)

    assert response.status_code == 400
    assert response.json() == error("invalid", f"Invalid request. {field}: {message}", fields={field: [message]})
    assert VpnUser.objects.count() == 0


def test_create_rejects_unknown_fields(api):
    response = send_json(api, "post", "/1.0/User", {"enabled": 1, "user": "x"})

    assert response.status_code == 400
    allowed = "account_type, enable, expires_at, note, password, username"
    assert response.json()["error"] == "invalid"
    assert response.json()["fields"] == {
        "enabled": [f"Unknown field 'enabled': use only {allowed}."],
        "user": [f"Unknown field 'user': use only {allowed}."],
    }
    assert VpnUser.objects.count() == 0


# --- Update ----------------------------------------------------------------


@pytest.fixture
def alice(make_user):
    return make_user(username="alice", password="correct-horse", note="first note")


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        ("False", False),
    ],
)
def test_update_enable_accepted_forms(api, make_user, method, value, expected):
    user = make_user(username="flag-user", enable=not expected)

    response = send_json(api, method, f"/1.0/User/{user.pk}", {"enable": value})

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": user.pk}
    assert VpnUser.objects.get(pk=user.pk).enable is expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [(2, "2"), (-1, "-1"), ("yes", "'yes'"), ("", "''"), (1.0, "1.0"), (0.0, "0.0"), ("on", "'on'"), ([], "an array")],
)
def test_update_enable_rejected_forms(api, alice, value, shown):
    response = send_json(api, "put", "/1.0/User/alice", {"enable": value})

    message = f"Send true or false (1 or 0 also work), not {shown}."
    assert response.status_code == 400
    assert response.json() == error("invalid", f"Invalid request. enable: {message}", fields={"enable": [message]})
    assert VpnUser.objects.get(pk=alice.pk).enable is True


def test_update_enable_null_rejected(api, alice):
    response = send_json(api, "put", "/1.0/User/alice", {"enable": None})

    assert response.status_code == 400
    assert response.json()["fields"] == {"enable": ["This field may not be null."]}
    assert VpnUser.objects.get(pk=alice.pk).enable is True


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_each_field(api, alice, method, clock):
    changes = [
        ({"username": "Alice.New"}, "username", "Alice.New"),
        ({"account_type": 2}, "account_type", 2),
        ({"account_type": "1"}, "account_type", 1),
        ({"note": ""}, "note", ""),
        ({"note": "100% _real_ \\ note"}, "note", "100% _real_ \\ note"),
        ({"expires_at": "2031-05-01T00:00:00Z"}, "expires_at", datetime(2031, 5, 1, tzinfo=UTC)),
        ({"expires_at": "1970-01-02T00:00:00-01:00"}, "expires_at", datetime(1970, 1, 2, 1, tzinfo=UTC)),
        ({"expires_at": 0}, "expires_at", datetime(1970, 1, 1, tzinfo=UTC)),
        ({"expires_at": "1896134399"}, "expires_at", datetime(2030, 1, 31, 23, 59, 59, tzinfo=UTC)),
        ({"expires_at": None}, "expires_at", None),
    ]
    for body, field, expected in changes:
        response = send_json(api, method, f"/1.0/User/{alice.pk}", body)
        assert response.status_code == 200, body
        assert response.json() == {"success": "ok", "user_id": alice.pk}
        assert getattr(VpnUser.objects.get(pk=alice.pk), field) == expected, body


def test_update_password(api, alice):
    response = send_json(api, "put", "/1.0/User/alice", {"password": "abc1234"})

    assert response.status_code == 200
    user = VpnUser.objects.get(pk=alice.pk)
    assert user.check_password("abc1234")
    assert not user.check_password("correct-horse")


def test_update_reference_example(api, alice):
    body = {"username": "roxyroxy14", "password": "testing123", "enable": 0}

    response = send_json(api, "put", f"/1.0/User/{alice.pk}", body)

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk}
    user = VpnUser.objects.get(pk=alice.pk)
    assert user.username == "roxyroxy14"
    assert user.enable is False
    assert user.check_password("testing123")


def test_update_sets_updated_at(api, alice, clock):
    response = send_json(api, "patch", "/1.0/User/alice", {"note": "later"})

    assert response.status_code == 200
    user = VpnUser.objects.get(pk=alice.pk)
    assert user.updated_at == PINNED_NOW
    assert user.note == "later"


def test_update_empty_body_changes_nothing(api, alice):
    before = VpnUser.objects.get(pk=alice.pk)

    response = api.generic("PUT", "/1.0/User/alice", "", content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk}
    after = VpnUser.objects.get(pk=alice.pk)
    assert after.updated_at == before.updated_at
    assert after.note == "first note"


def test_update_by_username_any_case(api, alice):
    response = send_json(api, "patch", "/1.0/User/ALICE", {"note": "found"})

    assert response.status_code == 200
    assert VpnUser.objects.get(pk=alice.pk).note == "found"


def test_update_own_username_case_only(api, alice):
    response = send_json(api, "put", "/1.0/User/alice", {"username": "ALICE"})

    assert response.status_code == 200
    assert VpnUser.objects.get(pk=alice.pk).username == "ALICE"


def test_update_taken_username(api, alice, make_user):
    make_user(username="bob-user")

    response = send_json(api, "put", "/1.0/User/alice", {"username": "Bob-User", "note": "kept?"})

    assert response.status_code == 409
    assert response.json() == error("conflict", "The username Bob-User is taken: choose another one.")
    user = VpnUser.objects.get(pk=alice.pk)
    assert user.username == "alice"
    assert user.note == "first note"


def test_update_invalid_field_changes_nothing(api, alice):
    response = send_json(api, "put", "/1.0/User/alice", {"note": "changed", "account_type": 9})

    assert response.status_code == 400
    assert response.json()["fields"] == {"account_type": ["Send one of 1, 2, not 9."]}
    assert VpnUser.objects.get(pk=alice.pk).note == "first note"


def test_update_unknown_field(api, alice):
    response = send_json(api, "put", "/1.0/User/alice", {"enabled": 0})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert list(response.json()["fields"]) == ["enabled"]
    assert VpnUser.objects.get(pk=alice.pk).enable is True


def test_update_reference_malformed_json(api, alice):
    body = '{"username": "roxyroxy", "password": "abc1234", enable: 1}'

    response = send_json(api, "put", "/1.0/User/alice", body)

    assert response.status_code == 400
    assert response.json() == error(
        "bad_request",
        "The request body is not valid JSON (Expecting property name enclosed in double quotes at line 1 "
        'column 49): quote every key and string, for example {"enable": 1}.',
    )
    assert VpnUser.objects.get(pk=alice.pk).username == "alice"


def test_update_missing_user(api):
    response = send_json(api, "put", "/1.0/User/999", {"note": "x"})

    assert response.status_code == 404
    assert response.json() == error("not_found", "No user '999' was found: check the user id or username.")


def test_update_deleted_user(api, alice):
    alice.soft_delete()

    response = send_json(api, "put", f"/1.0/User/{alice.pk}", {"note": "x"})

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert VpnUser.objects.get(pk=alice.pk).note == "first note"


# --- Delete ----------------------------------------------------------------


def test_delete_then_again(api, alice, clock):
    first = api.delete(f"/1.0/User/{alice.pk}")
    second = api.delete(f"/1.0/User/{alice.pk}")

    assert first.status_code == 200
    assert first.json() == {"success": "ok"}
    assert second.status_code == 404
    assert second.json() == error("not_found", f"No user '{alice.pk}' was found: check the user id or username.")
    user = VpnUser.objects.get(pk=alice.pk)
    assert user.deleted_at == PINNED_NOW
    assert user.username == "alice"


def test_delete_by_username(api, alice):
    response = api.delete("/User/Alice/")

    assert response.status_code == 200
    assert response.json() == {"success": "ok"}
    assert VpnUser.objects.get(pk=alice.pk).deleted_at is not None


def test_delete_hides_user(api, alice):
    api.delete("/1.0/User/alice")

    get = api.get("/1.0/User/alice")
    listing = api.get("/1.0/User")

    assert get.status_code == 404
    assert listing.json()[0]["total_rows"] == 0
    assert listing.json()[0]["data"] == []


def test_delete_sends_signal(api, alice):
    from accounts.signals import vpn_user_deleted

    received = []

    def receiver(sender, user, **kwargs):
        received.append(user.pk)

    vpn_user_deleted.connect(receiver)
    try:
        api.delete("/1.0/User/alice")
        api.delete("/1.0/User/alice")
    finally:
        vpn_user_deleted.disconnect(receiver)

    assert received == [alice.pk]


def test_delete_keeps_reseller(api, alice, reseller):
    api.delete("/1.0/User/alice")

    assert Reseller.objects.filter(pk=reseller.pk).exists()
    assert VpnUser.objects.filter(pk=alice.pk).exists()
