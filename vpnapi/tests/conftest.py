"""Fixtures for the API tests: a pinned clock, a VPN server's node key and JSON helpers."""

import json
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from vpnapi.models import VpnServer

# A fixed instant for tests that compare stored or rendered times.
PINNED_NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)


class Clock:
    """A settable replacement for django.utils.timezone.now."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    pinned = Clock(PINNED_NOW)
    monkeypatch.setattr("django.utils.timezone.now", pinned)
    return pinned


@pytest.fixture
def vpn_server(db):
    return VpnServer.objects.create(name="node-1", hostname="node-1.example")


@pytest.fixture
def node_api(vpn_server):
    client = APIClient()
    client.credentials(HTTP_API_KEY=vpn_server.issue_node_key())
    return client


def send_json(client, method, path, body, **extra):
    """Send body (any Python value, or a str sent as it is) as a JSON request."""
    payload = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.generic(method.upper(), path, payload, content_type="application/json", **extra)
