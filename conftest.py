"""Shared fixtures: two resellers with API keys, and API clients for each.

The "owner" reseller and the "outsider" reseller exist in most tests, so
every test can check that one reseller never reads the other's data.
"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Reseller, VpnUser


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and the credential cache live in Django's cache and
    # must not leak from one test into the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production settings use whitenoise's manifest storage, which needs
    # collectstatic to have run; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def reseller(db):
    return Reseller.objects.create(name="Owner")


@pytest.fixture
def other_reseller(db):
    return Reseller.objects.create(name="Outsider")


@pytest.fixture
def api_key(reseller):
    _, plaintext = reseller.issue_api_key()
    return plaintext


@pytest.fixture
def other_api_key(other_reseller):
    _, plaintext = other_reseller.issue_api_key()
    return plaintext


def make_client(key):
    client = APIClient()
    if key:
        client.credentials(HTTP_API_KEY=key)
    return client


@pytest.fixture
def api(api_key):
    return make_client(api_key)


@pytest.fixture
def other_api(other_api_key):
    return make_client(other_api_key)


@pytest.fixture
def make_user(reseller):
    """Create a VPN user directly through the model; defaults to the owner reseller."""

    def create(username=None, password="secret-password", owner=None, **fields):
        user, _ = VpnUser.create_for(owner or reseller, username=username, password=password, **fields)
        return user

    return create
