"""VPN user and API key logic on the models."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import models
from accounts.models import ApiKey, QuotaExceeded, UsernameTaken, VpnUser


def test_password_hash_uses_owasp_argon2id(make_user):
    user = make_user(password="correct-horse")

    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert "correct-horse" not in user.password
    assert check_password("correct-horse", user.password)


def test_generated_credentials(reseller):
    user, password = VpnUser.create_for(reseller)

    assert len(user.username) == 10
    assert user.username[:4].isalpha()
    assert user.username[:4].islower()
    assert user.username[4:].isdigit()
    assert len(password) >= 12
    assert user.check_password(password)


def test_generated_username_retries_collision(reseller, make_user, monkeypatch):
    make_user(username="aaaa000000")
    names = iter(["aaaa000000", "AAAA000000", "bbbb111111"])
    monkeypatch.setattr(models, "generate_username", lambda: next(names))

    user, _ = VpnUser.create_for(reseller)

    assert user.username == "bbbb111111"
    assert VpnUser.objects.count() == 2


def test_generated_username_gives_up(reseller, make_user, monkeypatch):
    make_user(username="aaaa000000")
    monkeypatch.setattr(models, "generate_username", lambda: "aaaa000000")

    with pytest.raises(UsernameTaken):
        VpnUser.create_for(reseller)

    assert VpnUser.objects.count() == 1


def test_chosen_username_taken_any_case(reseller, make_user):
    make_user(username="alice")

    with pytest.raises(UsernameTaken) as raised:
        VpnUser.create_for(reseller, username="ALICE")

    assert raised.value.username == "ALICE"


def test_constraint_rejects_live_duplicates(reseller, make_user):
    make_user(username="alice")

    with pytest.raises(IntegrityError), transaction.atomic():
        VpnUser.objects.create(reseller=reseller, username="Alice", password="x")


def test_quota_counts_live_users_only(reseller, make_user):
    reseller.quota = 1
    reseller.save()
    make_user(username="first-user").soft_delete()
    make_user(username="second-user")

    with pytest.raises(QuotaExceeded) as raised:
        VpnUser.create_for(reseller)

    assert raised.value.quota == 1
    assert VpnUser.objects.live().count() == 1


def test_quota_zero_blocks_all(reseller):
    reseller.quota = 0
    reseller.save()

    with pytest.raises(QuotaExceeded):
        VpnUser.create_for(reseller)


@pytest.mark.parametrize(
    ("identifier", "found"),
    [
        ("alice", True),
        ("ALICE", True),
        ("{pk}", True),
        ("0{pk}", True),
        ("99999", False),
        ("9" * 19, False),
        ("al ice", False),
        ("a\x00b", False),
        ("", False),
        ("١٢", False),
    ],
)
def test_by_identifier(make_user, identifier, found):
    user = make_user(username="alice")

    matches = list(VpnUser.objects.by_identifier(identifier.format(pk=user.pk)))

    assert matches == ([user] if found else [])


@pytest.mark.parametrize(
    ("username", "valid"),
    [
        ("abc", True),
        ("a.b_c-d@e", True),
        ("123a", True),
        ("123", False),
        ("ab", False),
        ("a" * 64, True),
        ("a" * 65, False),
        ("abc\n", False),
        ("äbc", False),
        ("a b", False),
    ],
)
def test_is_valid_username(username, valid):
    assert models.is_valid_username(username) is valid


def test_apply_changes_hashes_password(make_user):
    user = make_user(username="alice", password="old-password")

    user.apply_changes({"password": "new-password", "note": "n"})

    stored = VpnUser.objects.get(pk=user.pk)
    assert stored.check_password("new-password")
    assert stored.password.startswith("argon2$argon2id$")
    assert stored.note == "n"


def test_apply_changes_taken_username(make_user):
    make_user(username="bob-user")
    alice = make_user(username="alice")

    with pytest.raises(UsernameTaken):
        alice.apply_changes({"username": "BOB-USER"})

    assert VpnUser.objects.get(pk=alice.pk).username == "alice"


def test_soft_delete_once(make_user):
    user = make_user(username="alice")

    assert user.soft_delete() is True
    assert user.soft_delete() is False
    assert VpnUser.objects.live().count() == 0
    assert VpnUser.objects.count() == 1


def test_api_key_usable(reseller):
    now = timezone.now()
    live, _ = reseller.issue_api_key(name="live")
    expired, _ = reseller.issue_api_key(name="expired", expires_at=now - timedelta(seconds=1))
    grace, _ = reseller.issue_api_key(name="grace", expires_at=now + timedelta(hours=1))
    revoked, _ = reseller.issue_api_key(name="revoked")
    revoked.revoke()

    usable = set(ApiKey.objects.usable(now).values_list("name", flat=True))

    assert usable == {"live", "grace"}
    assert live.is_usable(now) is True
    assert expired.is_usable(now) is False
    assert grace.is_usable(now) is True
    assert revoked.is_usable(now) is False


def test_api_key_touch_resolution(reseller, django_assert_num_queries):
    api_key, _ = reseller.issue_api_key()
    start = timezone.now()

    with django_assert_num_queries(1):
        api_key.touch(start)
    with django_assert_num_queries(0):
        api_key.touch(start + timedelta(seconds=30))
    with django_assert_num_queries(1):
        api_key.touch(start + timedelta(minutes=1))

    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == start + timedelta(minutes=1)


def test_touch_never_moves_back(reseller):
    api_key, _ = reseller.issue_api_key()
    stale = ApiKey.objects.get(pk=api_key.pk)
    start = timezone.now()
    api_key.touch(start + timedelta(minutes=5))

    stale.touch(start + timedelta(minutes=4, seconds=30))

    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == start + timedelta(minutes=5)
