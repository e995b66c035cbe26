import ipaddress

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from vpnapi import schema, sessions
from vpnapi.fields import TextField, json_type_name
from vpnapi.models import Protocol, WireguardKey
from vpnapi.permissions import IsNodeKey
from vpnapi.serializers import StrictSerializer
from vpnapi.views.base import ApiView, validated
from vpnapi.views.wireguard import PublicKeyField

# Largest byte counter a BigIntegerField holds.
MAX_COUNTER = 2**63 - 1


class PeersView(ApiView):
    """List the WireGuard peers a node must serve: keys of live, enabled, unexpired users of enabled resellers."""

    permission_classes = [IsNodeKey]

    @extend_schema(
        operation_id="node_peers",
        summary="List the WireGuard peers a VPN server must serve",
        description="Node keys only. Disabled, expired and deleted users have no peers.",
        responses={200: schema.PeersSerializer, 403: schema.error_response(403, schema.NODE_403_DESCRIPTION)},
        examples=schema.PEERS_EXAMPLES,
    )
    def get(self, request):
        now = timezone.now()
        keys = (
            WireguardKey.objects.filter(
                user__deleted_at__isnull=True,
                user__enable=True,
                user__reseller__enabled=True,
            )
            .filter(Q(user__expires_at__isnull=True) | Q(user__expires_at__gt=now))
            .order_by("id")
            .values_list("public_key", "ipv4_address", "ipv6_address", "user_id")
        )
        peers = [
            {"public_key": public_key, "allowed_ips": [f"{ipv4}/32", f"{ipv6}/128"], "user_id": user_id}
            for public_key, ipv4, ipv6, user_id in keys
        ]
        return Response({"success": "ok", "peers": peers})


class TunnelAddressField(serializers.Field):
    default_error_messages = {
        "invalid": "Send the tunnel address as an IP address string such as 10.8.0.6, not {value}."
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=json_type_name(data))
        try:
            return str(ipaddress.ip_address(data.strip()))
        except ValueError:
            self.fail("invalid", value=repr(data[:50]))

    def to_representation(self, value):
        return value


class SessionEntrySerializer(StrictSerializer):
    username = TextField(max_length=256, required=False)
    pubkey = PublicKeyField(required=False)
    protocol = serializers.ChoiceField(choices=Protocol.values)
    tunnel_address = TunnelAddressField(required=False, allow_null=True)
    bytes_in = serializers.IntegerField(min_value=0, max_value=MAX_COUNTER, default=0)
    bytes_out = serializers.IntegerField(min_value=0, max_value=MAX_COUNTER, default=0)

    def validate(self, attrs):
        if bool(attrs.get("username")) == bool(attrs.get("pubkey")):
            raise serializers.ValidationError("Name the user with exactly one of username and pubkey.")
        return attrs


class SessionReportSerializer(StrictSerializer):
    sessions = serializers.ListField(child=SessionEntrySerializer(), allow_empty=True)

    def validate_sessions(self, entries):
        seen = {}
        for index, entry in enumerate(entries):
            identity = (
                (entry.get("username") or "").upper(),
                entry.get("pubkey"),
                entry["protocol"],
                entry.get("tunnel_address"),
            )
            if identity in seen:
                raise serializers.ValidationError(
                    f"Entries {seen[identity]} and {index} describe the same connection: send each connection once."
                )
            seen[identity] = index
        return entries


class SessionReportView(ApiView):
    """Replace the node's open sessions with the connections it reports now."""

    # NOTE: the 64 KiB body limit of every API route caps a report at about
    # 500 connections. A larger node needs a higher limit for this route.

    permission_classes = [IsNodeKey]

    @extend_schema(
        operation_id="node_sessions_report",
        summary="Report the users connected to a VPN server now",
        description=(
            "Node keys only. The list replaces the server's open sessions: connections not in it are closed. "
            "Each entry names its user by exactly one of username and pubkey."
        ),
        request=SessionReportSerializer,
        responses={
            200: schema.SessionReportResultSerializer,
            400: schema.error_response(400),
            403: schema.error_response(403, schema.NODE_403_DESCRIPTION),
        },
        examples=schema.SESSION_REPORT_EXAMPLES,
    )
    def post(self, request):
        data = validated(SessionReportSerializer, request.data)
        result = sessions.apply_report(request.user.server, data["sessions"])
        return Response(
            {
                "success": "ok",
                "opened": result.opened,
                "updated": result.updated,
                "closed": result.closed,
                "unknown": result.unknown,
            }
        )
