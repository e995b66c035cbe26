"""The Auth route: credential checks by reseller keys and node keys."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import VpnUser
from vpnapi.tests.conftest import send_json

INVALID_CREDENTIALS = {
    "success": "error",
    "error": "invalid_credentials",
    "message": "The username or password is wrong: check both and try again.",
}


@pytest.fixture
def alice(make_user):
    return make_user(username="alice", password="correct-horse")


def auth(client, username, password, method="post", path="/1.0/Auth"):
    return send_json(client, method, path, {"username": username, "password": password})


def test_auth_success_returns_user_id(api, alice):
    response = auth(api, "alice", "correct-horse")

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk}
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_auth_get_with_body_works_like_post(api, alice):
    response = auth(api, "alice", "correct-horse", method="get")

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk}


@pytest.mark.parametrize("path", ["/1.0/Auth", "/1.0/Auth/", "/Auth", "/auth", "/1.0/auth/"])
def test_auth_path_forms(api, alice, path):
    response = auth(api, "alice", "correct-horse", path=path)

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk}


@pytest.mark.parametrize("username", ["ALICE", "Alice", "aLiCe"])
def test_auth_username_ignores_case(api, alice, username):
    response = auth(api, username, "correct-horse")

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk}


def test_auth_password_is_case_sensitive(api, alice):
    response = auth(api, "alice", "CORRECT-HORSE")

    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


def test_auth_failures_share_one_body(api, alice, make_user, other_reseller):
    deleted = make_user(username="gone-user", password="correct-horse")
    deleted.soft_delete()
    make_user(username="foreign", password="correct-horse", owner=other_reseller)

    cases = {
        "wrong password": ("alice", "wrong-password"),
        "unknown user": ("nobody", "correct-horse"),
        "deleted user": ("gone-user", "correct-horse"),
        "other reseller's user": ("foreign", "correct-horse"),
        "user id instead of name": (str(alice.pk), "correct-horse"),
        "malformed username": ("a b", "correct-horse"),
    }
    for case, (username, password) in cases.items():
        response = auth(api, username, password)
        assert response.status_code == 401, case
        assert response.json() == INVALID_CREDENTIALS, case


def test_auth_disabled_user(api, make_user):
    user = make_user(username="sleeper", password="correct-horse", enable=False)

    response = auth(api, "sleeper", "correct-horse")

    assert response.status_code == 403
    assert response.json() == {
        "success": "error",
        "error": "user_disabled",
        "message": "The user sleeper is disabled.",
    }
    assert VpnUser.objects.get(pk=user.pk).enable is False


def test_auth_disabled_user_wrong_password_is_401(api, make_user):
    make_user(username="sleeper", password="correct-horse", enable=False)

    response = auth(api, "sleeper", "wrong-password")

    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


def test_auth_expired_user(api, make_user):
    make_user(username="late-user", password="correct-horse", expires_at=timezone.now() - timedelta(seconds=1))

    response = auth(api, "late-user", "correct-horse")

    assert response.status_code == 403
    assert response.json() == {
        "success": "error",
        "error": "user_expired",
        "message": "The user late-user has expired.",
    }


def test_auth_future_expiry_passes(api, make_user):
    user = make_user(username="soon-user", password="correct-horse", expires_at=timezone.now() + timedelta(days=1))

    response = auth(api, "soon-user", "correct-horse")

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": user.pk}


def test_auth_node_key_sees_every_reseller(node_api, make_user, other_reseller):
    owner_user = make_user(username="alice", password="correct-horse")
    outsider_user = make_user(username="bob-user", password="other-horse", owner=other_reseller)

    first = auth(node_api, "alice", "correct-horse")
    second = auth(node_api, "BOB-USER", "other-horse")

    assert first.status_code == 200
    assert first.json() == {"success": "ok", "user_id": owner_user.pk}
    assert second.status_code == 200
    assert second.json() == {"success": "ok", "user_id": outsider_user.pk}


def test_auth_node_key_disabled_reseller(node_api, alice, reseller):
    reseller.enabled = False
    reseller.save()

    response = auth(node_api, "alice", "correct-horse")

    assert response.status_code == 403
    assert response.json() == {
        "success": "error",
        "error": "user_disabled",
        "message": "The user alice is disabled.",
    }


def test_auth_node_key_disabled_reseller_wrong_password(node_api, alice, reseller):
    reseller.enabled = False
    reseller.save()

    response = auth(node_api, "alice", "bad-password")

    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


def test_auth_reseller_key_of_disabled_reseller_is_forbidden(api, alice, reseller):
    reseller.enabled = False
    reseller.save()

    response = auth(api, "alice", "correct-horse")

    assert response.status_code == 403
    assert response.json() == {
        "success": "error",
        "error": "forbidden",
        "message": "This reseller account is disabled: contact the provider.",
    }


def test_auth_password_change_invalidates_cache(api, alice):
    assert auth(api, "alice", "correct-horse").status_code == 200
    assert auth(api, "alice", "correct-horse").status_code == 200

    change = send_json(api, "put", f"/1.0/User/{alice.pk}", {"password": "new-password"})
    old = auth(api, "alice", "correct-horse")
    new = auth(api, "alice", "new-password")

    assert change.status_code == 200
    assert old.status_code == 401
    assert old.json() == INVALID_CREDENTIALS
    assert new.status_code == 200
    assert new.json() == {"success": "ok", "user_id": alice.pk}


def test_auth_cache_hit_still_checks_disable(api, alice):
    assert auth(api, "alice", "correct-horse").status_code == 200

    send_json(api, "patch", "/1.0/User/alice", {"enable": False})
    response = auth(api, "alice", "correct-horse")

    assert response.status_code == 403
    assert response.json()["error"] == "user_disabled"


def test_auth_cache_hit_skips_hashing(api, alice, django_assert_num_queries, monkeypatch):
    assert auth(api, "alice", "correct-horse").status_code == 200

    def fail(*args, **kwargs):
        raise AssertionError("the password was hashed again")

    monkeypatch.setattr(VpnUser, "check_password", fail)
    response = auth(api, "alice", "correct-horse")

    assert response.status_code == 200


def test_auth_username_change_keeps_password(api, alice):
    send_json(api, "put", "/1.0/User/alice", {"username": "alice2"})

    old_name = auth(api, "alice", "correct-horse")
    new_name = auth(api, "alice2", "correct-horse")

    assert old_name.status_code == 401
    assert new_name.status_code == 200
    assert new_name.json() == {"success": "ok", "user_id": alice.pk}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "correct-horse"}, "username"),
        ({"username": "alice"}, "password"),
    ],
)
def test_auth_missing_field(api, alice, body, field):
    response = send_json(api, "post", "/1.0/Auth", body)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert response.json()["fields"] == {field: ["This field is required."]}


def test_auth_unknown_field(api, alice):
    response = send_json(api, "post", "/1.0/Auth", {"username": "alice", "password": "correct-horse", "pin": 1})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert response.json()["fields"] == {"pin": ["Unknown field 'pin': use only password, username."]}


@pytest.mark.parametrize(
    ("username", "password"),
    [("ali\x00ce", "correct-horse"), ("alice", "correct\x00horse"), ("alice\n", "correct-horse"), ("alice", "x\x1b")],
)
def test_auth_control_characters_rejected(api, alice, username, password):
    response = auth(api, username, password)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_auth_non_string_username(api, alice):
    response = send_json(api, "post", "/1.0/Auth", {"username": 5, "password": "correct-horse"})

    assert response.status_code == 400
    assert response.json()["fields"] == {"username": ["Send a JSON string, not a number."]}


def test_auth_upgrades_hash_with_other_parameters(api, alice):
    old_hash = make_password("correct-horse", hasher="argon2")
    VpnUser.objects.filter(pk=alice.pk).update(password=old_hash)
    assert old_hash.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")

    response = auth(api, "alice", "correct-horse")

    assert response.status_code == 200
    stored = VpnUser.objects.get(pk=alice.pk).password
    assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert stored != old_hash


def test_auth_upgrades_pbkdf2_hash(api, alice):
    VpnUser.objects.filter(pk=alice.pk).update(password=make_password("correct-horse", hasher="pbkdf2_sha256"))

    response = auth(api, "alice", "correct-horse")

    assert response.status_code == 200
    assert VpnUser.objects.get(pk=alice.pk).password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_auth_wrong_password_keeps_old_hash(api, alice):
    old_hash = make_password("correct-horse", hasher="argon2")
    VpnUser.objects.filter(pk=alice.pk).update(password=old_hash)

    response = auth(api, "alice", "wrong-horse")

    assert response.status_code == 401
    assert VpnUser.objects.get(pk=alice.pk).password == old_hash


def test_auth_unknown_user_checks_dummy_hash(api, monkeypatch):
    checked = []
    monkeypatch.setattr("vpnapi.credentials._password_matches_dummy", checked.append)

    response = auth(api, "nobody", "some-password")

    assert response.status_code == 401
    assert checked == ["some-password"]


def test_auth_logs_never_contain_password(api, alice, caplog):
    caplog.set_level("DEBUG")

    auth(api, "alice", "wrong-horse-battery")
    auth(api, "alice", "correct-horse")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "alice" in logged
    assert "wrong-horse-battery" not in logged
    assert "correct-horse" not in logged
