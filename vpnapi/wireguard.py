"""WireGuard public keys and the allocation of their tunnel addresses.

Every key gets one IPv4 and one IPv6 address from the pools in settings.
The unique constraints on WireguardKey decide who gets an address when
requests race: a loser's insert fails and it tries another candidate.
"""

import base64
import binascii
import ipaddress
import logging
import random
import re

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import VpnUser
from vpnapi.fields import json_type_name
from vpnapi.models import WireguardKey

logger = logging.getLogger(__name__)

PUBLIC_KEY_LENGTH = 44
PUBLIC_KEY_BYTES = 32
# 32 bytes fill 43 base64 characters with 2 bits to spare, and canonical
# encoding leaves those bits zero. So the last character before the "=" is
# one of the 16 whose 6-bit value is a multiple of 4.
_PUBLIC_KEY_PATTERN = re.compile(r"\A[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=\Z")

# Candidates drawn at random per query. In a pool that is mostly free one
# draw almost always finds a free address, and two concurrent requests rarely
# draw the same one.
CANDIDATES_PER_DRAW = 8
# Pools up to this many usable addresses are scanned in full when random
# draws find nothing free, so exhaustion is detected exactly.
FULL_SCAN_LIMIT = 1 << 16
# Draws tried in a larger pool before it is reported exhausted.
LARGE_POOL_DRAWS = 4
# Inserts tried before giving up on a pool that other requests keep filling.
MAX_INSERT_ATTEMPTS = 20


class KeyTaken(Exception):
    """The public key is registered to another user."""


class UserDeleted(Exception):
    """The user was deleted while its request was being handled."""


class TooManyKeys(Exception):
    def __init__(self, limit):
        super().__init__(limit)
        self.limit = limit


class PoolExhausted(Exception):
    def __init__(self, pool):
        super().__init__(pool)
        self.pool = pool


def public_key_error(value):
    """Return why value is not a WireGuard public key, or None when it is one."""
    if not isinstance(value, str):
        return f"Send the public key as a JSON string, not {json_type_name(value)}."
    if len(value) != PUBLIC_KEY_LENGTH:
        return (
            f"A WireGuard public key is {PUBLIC_KEY_LENGTH} characters of standard base64, "
            f"not {len(value)}: send the output of `wg pubkey`."
        )
    if not _PUBLIC_KEY_PATTERN.match(value):
        return (
            "The public key is not canonical standard base64 of 32 bytes "
            "(letters, digits, + and /, ending in one =): send the output of `wg pubkey`."
        )
    try:
        decoded = base64.b64decode(value, validate=True)
    except binascii.Error:
        return "The public key is not valid base64: send the output of `wg pubkey`."
    if len(decoded) != PUBLIC_KEY_BYTES:
        return f"The public key must decode to {PUBLIC_KEY_BYTES} bytes, not {len(decoded)}."
    return None


class AddressPool:
    """The usable host addresses of a tunnel network.

    The network address, the gateway (the first host, which the VPN server
    keeps for itself) and the last address (the IPv4 broadcast address, kept
    out in IPv6 too for symmetry) are never handed out.
    """

    def __init__(self, network, field):
        self.network = network
        self.field = field
        self.first = int(network.network_address) + 2
        self.last = int(network.broadcast_address) - 1
        self.size = max(0, self.last - self.first + 1)

    def __str__(self):
        return str(self.network)

    def address(self, number):
        return ipaddress.ip_address(number) if self.network.version == 4 else ipaddress.IPv6Address(number)

    def contains(self, address):
        return self.first <= int(address) <= self.last

    def pick_free(self, excluded):
        """Return a free address, preferring a random one; raise PoolExhausted when there is none.

        ``excluded`` contains addresses known to be taken that the database may
        not show yet (another transaction's uncommitted insert).
        """
        draws = 1 if self.size <= FULL_SCAN_LIMIT else LARGE_POOL_DRAWS
        for _ in range(draws):
            candidates = self._draw(excluded)
            if not candidates:
                break
            used = self._used_among(candidates)
            free = [candidate for candidate in candidates if candidate not in used]
            if free:
                return free[0]
        if self.size > FULL_SCAN_LIMIT:
            # NOTE: a large pool is reported exhausted after a few random
            # draws find only taken addresses, so this happens somewhat
            # before every address is used.
            raise PoolExhausted(self)

        used = self._used_in_pool() | set(excluded)
        free = [number for number in range(self.first, self.last + 1) if self.address(number) not in used]
        if not free:
            raise PoolExhausted(self)
        return self.address(random.choice(free))

    def _draw(self, excluded):
        count = min(CANDIDATES_PER_DRAW, self.size)
        numbers = {random.randint(self.first, self.last) for _ in range(count)}
        return [self.address(number) for number in numbers if self.address(number) not in excluded]

    def _used_among(self, candidates):
        lookup = {f"{self.field}__in": [str(candidate) for candidate in candidates]}
        values = WireguardKey.objects.filter(**lookup).values_list(self.field, flat=True)
        return {ipaddress.ip_address(value) for value in values}

    def _used_in_pool(self):
        used = set()
        for value in WireguardKey.objects.values_list(self.field, flat=True).iterator():
            address = ipaddress.ip_address(value)
            if address.version == self.network.version and self.contains(address):
                used.add(address)
        return used


def ipv4_pool():
    return AddressPool(settings.WIREGUARD_IPV4_POOL, "ipv4_address")


def ipv6_pool():
    return AddressPool(settings.WIREGUARD_IPV6_POOL, "ipv6_address")


def failed_column(error):
    """Return which unique column an IntegrityError from inserting a WireguardKey names, or None."""
    message = str(error)
    for column in ("public_key", "ipv4_address", "ipv6_address"):
        if column in message:
            return column
    return None


def register_key(user, public_key):
    """Register a public key for a user; return (key, created).

    The same key for the same user returns the existing row unchanged.
    Raises UserDeleted, KeyTaken, TooManyKeys or PoolExhausted. The user's row is locked
    while its keys are counted, so concurrent requests cannot pass the cap.
    """
    existing = WireguardKey.objects.filter(public_key=public_key).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise KeyTaken
        return existing, False

    pools = {"ipv4_address": ipv4_pool(), "ipv6_address": ipv6_pool()}
    excluded = {column: set() for column in pools}
    contested = pools["ipv4_address"]
    with transaction.atomic():
        # A user deleted since its credentials were checked gets no key: the
        # deletion has already removed its keys and would not see this one.
        if VpnUser.objects.select_for_update().live().filter(pk=user.pk).first() is None:
            raise UserDeleted
        limit = settings.WIREGUARD_MAX_KEYS_PER_USER
        if WireguardKey.objects.filter(user=user).count() >= limit:
            raise TooManyKeys(limit)

        for _ in range(MAX_INSERT_ATTEMPTS):
            addresses = {column: pool.pick_free(excluded[column]) for column, pool in pools.items()}
            columns = {column: str(address) for column, address in addresses.items()}
            key = WireguardKey(user=user, public_key=public_key, **columns)
            try:
                with transaction.atomic():
                    key.save(force_insert=True)
            except IntegrityError as error:
                column = failed_column(error)
                if column == "public_key":
                    return _existing_after_race(user, public_key), False
                if column not in pools:
                    raise
                excluded[column].add(addresses[column])
                contested = pools[column]
                continue
            logger.info(
                "Registered WireGuard key %s for VPN user %s: %s, %s",
                key.pk,
                user.pk,
                key.ipv4_address,
                key.ipv6_address,
            )
            return key, True

    # Every attempt lost a race for an address: the pool is close to full.
    raise PoolExhausted(contested)


def _existing_after_race(user, public_key):
    """Return the user's key after a concurrent request inserted the same key, or raise KeyTaken."""
    existing = WireguardKey.objects.filter(public_key=public_key).first()
    if existing is None or existing.user_id != user.pk:
        raise KeyTaken
    return existing


def rotate_key(key, public_key):
    """Replace a key's public key in place, keeping its addresses; raise KeyTaken when another key has it."""
    if key.public_key == public_key:
        return key
    old = key.public_key
    key.public_key = public_key
    try:
        with transaction.atomic():
            key.save(update_fields=["public_key"])
    except IntegrityError as error:
        key.public_key = old
        if failed_column(error) == "public_key":
            raise KeyTaken from None
        raise
    logger.info("Rotated WireGuard key %s of VPN user %s", key.pk, key.user_id)
    return key


def remove_key(key):
    key_id, user_id = key.pk, key.user_id
    key.delete()
    logger.info("Removed WireGuard key %s of VPN user %s", key_id, user_id)
