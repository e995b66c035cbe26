"""Dashboard fixtures: a login for each reseller, provider staff, and clients for them."""

import pytest
from django.test import Client

from accounts.models import User

LOGIN_PASSWORD = "login-password-123"


@pytest.fixture
def login(reseller):
    return User.objects.create_user(username="owner-staff", password=LOGIN_PASSWORD, reseller=reseller)


@pytest.fixture
def other_login(other_reseller):
    return User.objects.create_user(username="outsider-staff", password=LOGIN_PASSWORD, reseller=other_reseller)


@pytest.fixture
def staff(db):
    return User.objects.create_superuser(username="provider", password=LOGIN_PASSWORD, email="ops@example.com")


@pytest.fixture
def dashboard(login):
    client = Client()
    client.force_login(login)
    return client


@pytest.fixture
def csrf_dashboard(login):
    """A logged-in client that enforces CSRF like a browser session would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(login)
    return client


@pytest.fixture
def admin_client_for(staff):
    client = Client()
    client.force_login(staff)
    return client
