"""Rate limits kept as fixed-window counters in Django's cache.

Counters live in the cache rather than in process memory, so several app
servers share them when CACHE_URL points at a shared cache such as Redis.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle


def hit(key, limit, window_seconds, now=None):
    """Count one event under key; return the seconds to wait when over limit, else 0."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    cache_key = f"throttle:{key}:{window_seconds}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The entry expired between add() and incr(); start the window again.
        cache.set(cache_key, 1, timeout=window_seconds + 1)
        count = 1
    if count > limit:
        return (window + 1) * window_seconds - now
    return 0


def peek(key, limit, window_seconds, now=None):
    """Return the seconds to wait if key is already over limit, without counting."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    count = cache.get(f"throttle:{key}:{window_seconds}:{window}", 0)
    if count >= limit:
        return (window + 1) * window_seconds - now
    return 0


class ApiKeyRateThrottle(BaseThrottle):
    """Limit each API key (or node key) to API_RATE_LIMIT_PER_MINUTE requests."""

    def allow_request(self, request, view):
        if request.user is None:
            return True
        self.wait_seconds = hit(f"key:{request.user.throttle_id}", settings.API_RATE_LIMIT_PER_MINUTE, 60)
        return self.wait_seconds == 0

    def wait(self):
        return self.wait_seconds


def _username_key(scope, username):
    digest = hashlib.sha256(username.lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"authfail:{scope}:{digest}"


def credential_failure_wait(scope, username):
    """Return seconds to wait when this username has too many recent failures in scope, else 0."""
    key = _username_key(scope, username)
    return max(
        peek(key, settings.AUTH_FAILURES_PER_MINUTE, 60),
        peek(key, settings.AUTH_FAILURES_PER_HOUR, 3600),
    )


def record_credential_failure(scope, username):
    key = _username_key(scope, username)
    hit(key, settings.AUTH_FAILURES_PER_MINUTE, 60)
    hit(key, settings.AUTH_FAILURES_PER_HOUR, 3600)
