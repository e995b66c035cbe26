"""Rate limits: failed credential checks per username, and requests per API key."""

import pytest

from vpnapi import throttling
from vpnapi.tests.conftest import send_json

# The start of a minute and of an hour, so the fixed windows are predictable.
WINDOW_START = 1_800_000_000.0
assert WINDOW_START % 3600 == 0


@pytest.fixture
def frozen_time(monkeypatch):
    """Pin the throttle clock 15 seconds into a minute window."""

    class FrozenTime:
        now = WINDOW_START + 15

        @classmethod
        def time(cls):
            return cls.now

    monkeypatch.setattr(throttling, "time", FrozenTime)
    return FrozenTime


def auth(client, username, password):
    return send_json(client, "post", "/1.0/Auth", {"username": username, "password": password})


def test_failures_per_username_reach_429(api, make_user, settings, frozen_time):
    settings.AUTH_FAILURES_PER_MINUTE = 3
    alice = make_user(username="alice", password="correct-horse")
    bob = make_user(username="bob-user", password="bob-password")

    failures = [auth(api, "alice", f"guess-{i}") for i in range(3)]
    blocked_wrong = auth(api, "alice", "guess-again")
    blocked_right = auth(api, "ALICE", "correct-horse")
    other = auth(api, "bob-user", "bob-password")

    assert [r.status_code for r in failures] == [401, 401, 401]
    assert blocked_wrong.status_code == 429
    assert blocked_wrong["Retry-After"] == "45"
    assert blocked_wrong.json() == {
        "success": "error",
        "error": "rate_limited",
        "message": "Too many failed logins for this username: retry in 45 seconds.",
    }
    assert blocked_right.status_code == 429
    assert other.status_code == 200
    assert other.json() == {"success": "ok", "user_id": bob.pk}
    assert alice.pk != bob.pk


def test_failures_reset_next_minute(api, make_user, settings, frozen_time):
    settings.AUTH_FAILURES_PER_MINUTE = 2
    alice = make_user(username="alice", password="correct-horse")
    for _ in range(2):
        auth(api, "alice", "wrong-horse")
    assert auth(api, "alice", "correct-horse").status_code == 429

    frozen_time.now = WINDOW_START + 60
    response = auth(api, "alice", "correct-horse")

    assert response.status_code == 200
    assert response.json() == {"success": "ok", "user_id": alice.pk}


def test_failures_per_hour(api, make_user, settings, frozen_time):
    settings.AUTH_FAILURES_PER_MINUTE = 100
    settings.AUTH_FAILURES_PER_HOUR = 4
    make_user(username="alice", password="correct-horse")
    for minute in range(4):
        frozen_time.now = WINDOW_START + minute * 60
        assert auth(api, "alice", "wrong-horse").status_code == 401

    frozen_time.now = WINDOW_START + 600
    response = auth(api, "alice", "correct-horse")

    assert response.status_code == 429
    assert response["Retry-After"] == "3000"


def test_unknown_usernames_are_throttled_too(api, settings, frozen_time):
    settings.AUTH_FAILURES_PER_MINUTE = 2

    statuses = [auth(api, "nobody", "guess").status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


def test_default_failure_limit_is_ten(api, make_user, frozen_time):
    make_user(username="alice", password="correct-horse")

    statuses = [auth(api, "alice", "wrong-horse").status_code for _ in range(11)]

    assert statuses == [401] * 10 + [429]


def test_successes_do_not_count(api, make_user, settings, frozen_time):
    settings.AUTH_FAILURES_PER_MINUTE = 2
    make_user(username="alice", password="correct-horse")

    statuses = [auth(api, "alice", "correct-horse").status_code for _ in range(5)]

    assert statuses == [200] * 5


def test_api_key_rate_limit(api, other_api, settings, frozen_time):
    settings.API_RATE_LIMIT_PER_MINUTE = 3

    statuses = [api.get("/1.0/User").status_code for _ in range(3)]
    limited = api.get("/1.0/User")
    other = other_api.get("/1.0/User")

    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "45"
    assert limited.json() == {
        "success": "error",
        "error": "rate_limited",
        "message": "Too many requests: retry in 45 seconds.",
    }
    assert other.status_code == 200


def test_api_key_rate_limit_resets(api, settings, frozen_time):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    assert api.get("/1.0/User").status_code == 200
    assert api.get("/1.0/User").status_code == 429

    frozen_time.now = WINDOW_START + 60

    assert api.get("/1.0/User").status_code == 200
