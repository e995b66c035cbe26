import logging

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from vpnapi import wireguard
from vpnapi.credentials import check_credentials, invalid_credentials
from vpnapi.errors import ApiError, conflict, not_found
from vpnapi.fields import format_http_date
from vpnapi.models import WireguardKey
from vpnapi.permissions import IsResellerOrNodeKey
from vpnapi.serializers import CredentialsSerializer, StrictSerializer
from vpnapi.views.base import ApiView, validated
from vpnapi.views.users import get_user_or_404

logger = logging.getLogger(__name__)


@extend_schema_field(OpenApiTypes.STR)
class PublicKeyField(serializers.Field):
    """A WireGuard public key: canonical standard base64 of exactly 32 bytes, taken as sent."""

    default_error_messages = {"null": "Send the public key as a JSON string, not null."}

    def to_internal_value(self, data):
        error = wireguard.public_key_error(data)
        if error is not None:
            raise serializers.ValidationError(error)
        return data

    def to_representation(self, value):
        return value


class KeyRegistrationSerializer(CredentialsSerializer):
    pubkey = PublicKeyField()


class PublicKeySerializer(StrictSerializer):
    pubkey = PublicKeyField()


key_schema = inline_serializer(
    "WireguardKeyRegistered",
    {
        "success": serializers.CharField(),
        "user_id": serializers.IntegerField(),
        "pubkey": serializers.CharField(),
        "ipv4_address": serializers.CharField(),
        "ipv6_address": serializers.CharField(),
    },
)
key_list_schema = inline_serializer(
    "WireguardKeyList",
    {
        "success": serializers.CharField(),
        "user_id": serializers.IntegerField(),
        "data": serializers.ListField(
            child=inline_serializer(
                "WireguardKeyRow",
                {
                    "key_id": serializers.IntegerField(),
                    "pubkey": serializers.CharField(),
                    "ipv4_address": serializers.CharField(),
                    "ipv6_address": serializers.CharField(),
                    "created_at": serializers.CharField(),
                },
            )
        ),
    },
)
removed_schema = inline_serializer(
    "WireguardKeyRemoved", {"success": serializers.CharField(), "user_id": serializers.IntegerField()}
)


def key_body(key):
    return {
        "success": "ok",
        "user_id": key.user_id,
        "pubkey": key.public_key,
        "ipv4_address": f"{key.ipv4_address}/32",
        "ipv6_address": f"{key.ipv6_address}/128",
    }


def key_row(key):
    return {
        "key_id": key.pk,
        "pubkey": key.public_key,
        "ipv4_address": f"{key.ipv4_address}/32",
        "ipv6_address": f"{key.ipv6_address}/128",
        "created_at": format_http_date(key.created_at),
    }


def key_taken():
    return conflict("This public key is registered to another user: generate a new key pair with `wg genkey`.")


def too_many_keys(limit):
    return conflict(f"The user already has the maximum of {limit} WireGuard keys: remove one before adding another.")


def pool_exhausted(error):
    logger.error("WireGuard address pool %s is exhausted", error.pool)
    return ApiError(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "address_pool_exhausted",
        f"No free tunnel address is left in the pool {error.pool}: retry later or ask the provider to enlarge it.",
    )


class WireguardView(ApiView):
    """Register (POST) or remove (DELETE) a WireGuard public key with the user's own credentials.

    GET with a JSON body behaves like POST, as for Auth.
    """

    permission_classes = [IsResellerOrNodeKey]

    @extend_schema(request=KeyRegistrationSerializer, responses={200: key_schema})
    def post(self, request):
        data = validated(KeyRegistrationSerializer, request.data)
        user = check_credentials(request.user, data["username"], data["password"])

        try:
            key, _ = wireguard.register_key(user, data["pubkey"])
        except wireguard.UserDeleted:
            raise invalid_credentials() from None
        except wireguard.KeyTaken:
            raise key_taken() from None
        except wireguard.TooManyKeys as error:
            raise too_many_keys(error.limit) from None
        except wireguard.PoolExhausted as error:
            raise pool_exhausted(error) from None
        return Response(key_body(key))

    get = post

    @extend_schema(request=KeyRegistrationSerializer, responses={200: removed_schema})
    def delete(self, request):
        data = validated(KeyRegistrationSerializer, request.data)
        user = check_credentials(request.user, data["username"], data["password"])

        key = WireguardKey.objects.filter(user=user, public_key=data["pubkey"]).first()
        if key is None:
            raise not_found("This public key is not registered to the user: check the pubkey.")
        wireguard.remove_key(key)
        return Response({"success": "ok", "user_id": user.pk})


def get_key_or_404(user, key_id):
    key = None
    if key_id.isascii() and key_id.isdigit() and len(key_id) <= 18:
        key = WireguardKey.objects.filter(user=user, pk=int(key_id)).first()
    if key is None:
        raise not_found(f"The user has no WireGuard key {key_id!r}: list its keys with GET .../Wireguard.")
    return key


class UserWireguardListView(ApiView):
    """List a reseller's user's WireGuard keys."""

    @extend_schema(responses={200: key_list_schema})
    def get(self, request, identifier):
        user = get_user_or_404(request.user.reseller, identifier)
        keys = WireguardKey.objects.filter(user=user).order_by("id")
        return Response({"success": "ok", "user_id": user.pk, "data": [key_row(key) for key in keys]})


class UserWireguardDetailView(ApiView):
    """Replace the public key of one of a user's keys (PUT), keeping its addresses, or remove it (DELETE)."""

    @extend_schema(request=PublicKeySerializer, responses={200: key_schema})
    def put(self, request, identifier, key_id):
        data = validated(PublicKeySerializer, request.data)
        user = get_user_or_404(request.user.reseller, identifier)
        key = get_key_or_404(user, key_id)

        try:
            wireguard.rotate_key(key, data["pubkey"])
        except wireguard.KeyTaken:
            raise key_taken() from None
        return Response({**key_body(key), "key_id": key.pk})

    @extend_schema(responses={200: removed_schema})
    def delete(self, request, identifier, key_id):
        user = get_user_or_404(request.user.reseller, identifier)
        key = get_key_or_404(user, key_id)

        wireguard.remove_key(key)
        return Response({"success": "ok", "user_id": user.pk, "key_id": int(key_id)})
