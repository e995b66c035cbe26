"""Checking a VPN user's username and password, shared by Auth and Wireguard."""

import hashlib
import hmac
import logging
import math

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from rest_framework import status

from accounts.models import VpnUser
from vpnapi import throttling
from vpnapi.errors import ApiError

logger = logging.getLogger(__name__)

# Checked for unknown usernames so that they take about as long as a wrong
# password for a real user, and response time does not reveal which exist.
_DUMMY_HASH = SimpleLazyObject(lambda: make_password("integrity-dummy-password"))

INVALID_CREDENTIALS_MESSAGE = "The username or password is wrong: check both and try again."


def _scope(caller):
    return "node" if caller.server is not None else f"reseller:{caller.reseller.pk}"


def _cache_key(user, password):
    """Return a cache key that changes whenever the user's password hash changes.

    The key is an HMAC under SECRET_KEY, so the cache never contains anything from
    which the password could be recovered without the secret.
    """
    message = f"{user.pk}\0{user.password}\0{password}".encode("utf-8", "surrogatepass")
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"authok:{digest}"


def _password_matches(user, password):
    if settings.AUTH_CACHE_SECONDS:
        key = _cache_key(user, password)
        if cache.get(key):
            return True
    if not user.check_password(password):
        return False
    if settings.AUTH_CACHE_SECONDS:
        # check_password may have upgraded the hash, so key on the current one.
        cache.set(_cache_key(user, password), True, timeout=settings.AUTH_CACHE_SECONDS)
    return True


def invalid_credentials():
    return ApiError(status.HTTP_401_UNAUTHORIZED, "invalid_credentials", INVALID_CREDENTIALS_MESSAGE)


def check_credentials(caller, username, password):
    """Return the live, enabled, unexpired VPN user with these credentials.

    A reseller's key checks that reseller's users; a node key checks every user.
    Raises ApiError with 429, 401 invalid_credentials, or 403 user_disabled or
    user_expired (the last two only after the password matched).
    """
    scope = _scope(caller)
    wait = throttling.credential_failure_wait(scope, username)
    if wait:
        seconds = max(1, math.ceil(wait))
        logger.warning("Throttled credential checks for username %r in %s", username, scope)
        raise ApiError(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "rate_limited",
            f"Too many failed logins for this username: retry in {seconds} seconds.",
            headers={"Retry-After": str(seconds)},
        )

    users = VpnUser.objects.live().select_related("reseller").by_identifier(username)
    if caller.reseller is not None:
        users = users.for_reseller(caller.reseller)
    # by_identifier also accepts ids; credentials name a user by username only.
    user = None if username.isdigit() else users.first()

    if user is None:
        _password_matches_dummy(password)
        matched = False
    else:
        matched = _password_matches(user, password)
    if not matched:
        throttling.record_credential_failure(scope, username)
        logger.info("Rejected credentials for username %r in %s", username, scope)
        raise invalid_credentials()

    if not user.enable or not user.reseller.enabled:
        raise ApiError(status.HTTP_403_FORBIDDEN, "user_disabled", f"The user {user.username} is disabled.")
    if user.is_expired:
        raise ApiError(status.HTTP_403_FORBIDDEN, "user_expired", f"The user {user.username} has expired.")
    return user


def _password_matches_dummy(password):
    from django.contrib.auth.hashers import check_password

    check_password(password, str(_DUMMY_HASH))
