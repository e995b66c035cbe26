from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import AccountType, VpnUser
from vpnapi.models import VpnServer

# UTC+14 all year: a local midnight falls at 10:00 UTC of the day before, so a
# computation that used UTC day or month boundaries gives different figures.
ZONE_NAME = "Pacific/Kiritimati"
ZONE = ZoneInfo(ZONE_NAME)

# Sunday 1 March 2026, 10:00 local time (28 February 2026, 20:00 UTC).
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=ZONE)


def local(*parts):
    return datetime(*parts, tzinfo=ZONE)


@pytest.fixture
def far_zone(settings):
    settings.TIME_ZONE = ZONE_NAME
    return ZONE


@pytest.fixture
def pinned_clock(monkeypatch, far_zone):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def password_hash():
    # One hash for every user that bulk_create makes, so that making a
    # thousand users costs one Argon2 computation.
    return make_password("secret-password")


@pytest.fixture
def add_user(reseller, password_hash):
    """Create a VPN user with the given times and flags, bypassing create_for's timestamps."""
    counter = iter(range(1, 100_000))

    def create(created_at, owner=None, account_type=AccountType.PREMIUM, enable=True, deleted_at=None):
        return VpnUser.objects.create(
            reseller=owner or reseller,
            username=f"user{next(counter)}x",
            password=password_hash,
            account_type=account_type,
            enable=enable,
            created_at=created_at,
            deleted_at=deleted_at,
        )

    return create


@pytest.fixture
def server(db):
    return VpnServer.objects.create(name="se-sto-1")


@pytest.fixture
def second_server(db):
    return VpnServer.objects.create(name="nl-ams-1")
