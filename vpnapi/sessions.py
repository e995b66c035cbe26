"""Matching the sessions on record to the connected users a VPN server reports."""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from accounts.models import VpnUser
from vpnapi.models import Session, VpnServer, WireguardKey

logger = logging.getLogger(__name__)


@dataclass
class ReportResult:
    opened: int = 0
    updated: int = 0
    closed: int = 0
    unknown: list = field(default_factory=list)


def session_identity(user_id, protocol, tunnel_address):
    """Return the key that identifies one connection in a node's reports."""
    return user_id, protocol, tunnel_address or None


def resolve_users(entries):
    """Return {entry index: user id} for entries naming a live user by username or WireGuard public key."""
    usernames = {entry["username"].upper() for entry in entries if entry.get("username")}
    pubkeys = {entry["pubkey"] for entry in entries if entry.get("pubkey")}
    by_username = dict(
        VpnUser.objects.live()
        .annotate(upper_username=Upper("username"))
        .filter(upper_username__in=usernames)
        .values_list("upper_username", "id")
    )
    by_pubkey = dict(
        WireguardKey.objects.filter(public_key__in=pubkeys, user__deleted_at__isnull=True).values_list(
            "public_key", "user_id"
        )
    )

    resolved = {}
    for index, entry in enumerate(entries):
        if entry.get("username"):
            user_id = by_username.get(entry["username"].upper())
        else:
            user_id = by_pubkey.get(entry["pubkey"])
        if user_id is not None:
            resolved[index] = user_id
    return resolved


def apply_report(server, entries, now=None):
    """Open, update and close the server's sessions so that the open ones match entries exactly.

    entries is the full list of connections the server has now. A session
    open on record but missing from the list is closed, so a lost
    disconnect message cannot leave a user online for ever. Sending the
    same report twice changes nothing the second time. When a connection's
    byte counters go down, the node restarted it, so the old session is
    closed and a new one opened.
    """
    now = now or timezone.now()
    result = ReportResult()
    with transaction.atomic():
        # Reports from one server are applied one at a time, so two
        # overlapping reports cannot both open the same session.
        VpnServer.objects.select_for_update().filter(pk=server.pk).first()
        resolved = resolve_users(entries)
        # Lock the named users' rows, in id order, so that a concurrent
        # deletion either waits for this report and then closes the sessions
        # it opens, or commits first and drops its user from the report.
        still_live = set(
            VpnUser.objects.select_for_update()
            .live()
            .filter(pk__in=set(resolved.values()))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        resolved = {index: user_id for index, user_id in resolved.items() if user_id in still_live}
        open_sessions = {}
        duplicates = []
        for session in Session.objects.filter(server=server, ended_at__isnull=True).order_by("id"):
            identity = session_identity(session.user_id, session.protocol, session.tunnel_address)
            if identity in open_sessions:
                duplicates.append(session.pk)
            else:
                open_sessions[identity] = session

        to_create, to_update, to_close = [], [], list(duplicates)
        for index, entry in enumerate(entries):
            user_id = resolved.get(index)
            if user_id is None:
                result.unknown.append(entry.get("username") or entry.get("pubkey"))
                continue
            identity = session_identity(user_id, entry["protocol"], entry.get("tunnel_address"))
            session = open_sessions.pop(identity, None)
            restarted = session is not None and (
                entry["bytes_in"] < session.bytes_in or entry["bytes_out"] < session.bytes_out
            )
            if session is None or restarted:
                if restarted:
                    to_close.append(session.pk)
                to_create.append(
                    Session(
                        user_id=user_id,
                        server=server,
                        protocol=entry["protocol"],
                        tunnel_address=entry.get("tunnel_address") or None,
                        started_at=now,
                        bytes_in=entry["bytes_in"],
                        bytes_out=entry["bytes_out"],
                    )
                )
            elif (session.bytes_in, session.bytes_out) != (entry["bytes_in"], entry["bytes_out"]):
                session.bytes_in = entry["bytes_in"]
                session.bytes_out = entry["bytes_out"]
                to_update.append(session)
        to_close.extend(session.pk for session in open_sessions.values())

        if to_close:
            Session.objects.filter(pk__in=to_close).update(ended_at=now)
        if to_update:
            Session.objects.bulk_update(to_update, ["bytes_in", "bytes_out"])
        if to_create:
            Session.objects.bulk_create(to_create)

    result.opened, result.updated, result.closed = len(to_create), len(to_update), len(to_close)
    logger.info(
        "Applied session report of server %s: %s opened, %s updated, %s closed, %s unknown",
        server.pk,
        result.opened,
        result.updated,
        result.closed,
        len(result.unknown),
    )
    return result
