"""The createreseller and demo management commands."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey, Reseller, User, VpnUser

KEY_LINE = re.compile(r"^API-KEY: (itg_live_\S+)$", re.MULTILINE)


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def key_from(output):
    matches = KEY_LINE.findall(output)
    assert len(matches) == 1, output
    return matches[0]


def list_users(key):
    client = APIClient()
    client.credentials(HTTP_API_KEY=key)
    return client.get("/1.0/User")


def test_createreseller_prints_working_key(db):
    output = run("createreseller", "Acme VPN", "--login", "acme-admin", "--password", "pw-123456", "--quota", "5")

    key = key_from(output)
    reseller = Reseller.objects.get(name="Acme VPN")
    login = User.objects.get(username="acme-admin")
    assert reseller.quota == 5
    assert reseller.enabled is True
    assert login.reseller == reseller
    assert login.check_password("pw-123456")
    assert f"Created reseller Acme VPN (id {reseller.pk})." in output
    assert "Dashboard login: acme-admin" in output
    assert ApiKey.objects.get().reseller == reseller
    response = list_users(key)
    assert response.status_code == 200
    assert response.json()[0]["total_rows"] == 0


def test_createreseller_without_login(db):
    output = run("createreseller", "Solo")

    assert Reseller.objects.get(name="Solo").quota is None
    assert User.objects.count() == 0
    assert "Dashboard login" not in output
    assert list_users(key_from(output)).status_code == 200


def test_createreseller_duplicate_name(db):
    run("createreseller", "Acme")

    with pytest.raises(CommandError, match=r"^A reseller named 'Acme' already exists: choose another name\.$"):
        run("createreseller", "Acme")

    assert Reseller.objects.count() == 1
    assert ApiKey.objects.count() == 1


def test_createreseller_duplicate_login_rolls_back(db):
    run("createreseller", "First", "--login", "admin", "--password", "pw-123456")

    with pytest.raises(CommandError, match=r"^A login named 'admin' already exists: choose another login\.$"):
        run("createreseller", "Second", "--login", "admin", "--password", "pw-123456")

    assert list(Reseller.objects.values_list("name", flat=True)) == ["First"]
    assert ApiKey.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--login", "u"], "Give --login and --password together, or neither."),
        (["X", "--password", "p"], "Give --login and --password together, or neither."),
        (["X", "--quota", "-1"], "--quota=-1 is negative: give 0 or more."),
        (["   "], "The reseller name must be 1 to 100 characters: got ''."),
        (["n" * 101], f"The reseller name must be 1 to 100 characters: got '{'n' * 101}'."),
        (
            ["X", "--login", "a b", "--password", "a long password"],
            "--login='a b' is invalid: Enter a valid username. This value may contain only letters, "
            "numbers, and @/./+/-/_ characters.",
        ),
        (
            ["X", "--login", "u" * 151, "--password", "a long password"],
            f"--login='{'u' * 151}' is too long: use at most 150 characters.",
        ),
        (
            ["X", "--login", "acme", "--password", "x"],
            "--password is too weak: This password is too short. It must contain at least 8 characters. "
            "This password is too common.",
        ),
        (["X", "--login", "acme", "--password", "password"], "--password is too weak: This password is too common."),
        (
            ["X", "--login", "u", "--password", "1234"],
            "--password is too weak: This password is too short. It must contain at least 8 characters. "
            "This password is too common. This password is entirely numeric.",
        ),
        (
            ["X", "--login", "acme-admin", "--password", "acme-admin"],
            "--password is too weak: The password is too similar to the username.",
        ),
    ],
)
def test_createreseller_bad_arguments(db, args, message):
    with pytest.raises(CommandError) as raised:
        run("createreseller", *args)

    assert str(raised.value) == message
    assert Reseller.objects.count() == 0


def test_demo_prints_login_and_working_key(db):
    output = run("demo")

    key = key_from(output)
    assert "Dashboard login: demo / demo-password" in output
    login = User.objects.get(username="demo")
    assert login.check_password("demo-password")
    assert login.reseller.name == "Demo reseller"
    assert list_users(key).status_code == 200


def test_demo_is_rerunnable(db):
    first = key_from(run("demo"))
    second = key_from(run("demo"))

    assert first != second
    assert Reseller.objects.filter(name="Demo reseller").count() == 1
    assert User.objects.filter(username="demo").count() == 1
    assert list_users(first).status_code == 200
    assert list_users(second).status_code == 200


def test_demo_reenables_reseller(db):
    run("demo")
    Reseller.objects.filter(name="Demo reseller").update(enabled=False)

    key = key_from(run("demo"))

    assert Reseller.objects.get(name="Demo reseller").enabled is True
    assert list_users(key).status_code == 200


def test_demo_adds_users_over_twelve_months(db):
    output = run("demo", "--users", "50")

    now = timezone.now()
    users = VpnUser.objects.filter(reseller__name="Demo reseller")
    created = sorted(users.values_list("created_at", flat=True))
    assert users.count() == 50
    assert "Added 50 sample users; their password is sample-password" in output
    assert created[0] >= now - timedelta(days=366)
    assert created[-1] <= now
    assert created[-1] - created[0] > timedelta(days=60)
    assert len({u.lower() for u in users.values_list("username", flat=True)}) == 50
    assert users.first().check_password("sample-password")
    for user in users.exclude(deleted_at=None):
        assert user.created_at <= user.deleted_at <= now


def test_demo_users_add_up(db):
    run("demo", "--users", "5")
    output = run("demo", "--users", "5")

    assert VpnUser.objects.count() == 10
    body = list_users(key_from(output)).json()[0]
    assert body["total_rows"] == VpnUser.objects.live().count()


@pytest.mark.parametrize("count", ["-1", "1000001"])
def test_demo_rejects_bad_user_count(db, count):
    with pytest.raises(CommandError, match=rf"^--users={count} is out of range: give 0 to 1000000\.$"):
        run("demo", "--users", count)

    assert Reseller.objects.count() == 0
