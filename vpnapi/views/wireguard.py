import logging

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from vpnapi import schema, wireguard
from vpnapi.credentials import check_credentials, invalid_credentials
from vpnapi.errors import ApiError, conflict, not_found
from vpnapi.fields import format_http_date
from vpnapi.models import WireguardKey
from vpnapi.permissions import IsResellerOrNodeKey
from vpnapi.serializers import CredentialsSerializer, StrictSerializer
from vpnapi.views.base import ApiView, validated
from vpnapi.views.users import get_user_or_404

logger = logging.getLogger(__name__)


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

    @extend_schema(
        operation_id="wireguard_register",
        summary="Register a WireGuard public key with the user's own credentials",
        description=(
            "The credentials are checked as by Auth. Registering the same key again returns the same addresses. "
            "GET with the same JSON body works too, for older clients."
        ),
        request=KeyRegistrationSerializer,
        responses={
            200: schema.WireguardKeySerializer,
            400: schema.error_response(400),
            401: schema.error_response(401, schema.AUTH_401_DESCRIPTION),
            403: schema.error_response(403, schema.AUTH_403_DESCRIPTION),
            409: schema.error_response(409, schema.WIREGUARD_409_DESCRIPTION),
            503: schema.error_response(503, schema.POOL_503_DESCRIPTION),
        },
        examples=schema.WIREGUARD_REGISTER_EXAMPLES,
    )
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

    @extend_schema(
        operation_id="wireguard_remove",
        summary="Remove a WireGuard public key with the user's own credentials",
        description="The key's tunnel addresses become free.",
        request=KeyRegistrationSerializer,
        responses={
            200: schema.OkUserIdSerializer,
            400: schema.error_response(400),
            401: schema.error_response(401, schema.AUTH_401_DESCRIPTION),
            403: schema.error_response(403, schema.AUTH_403_DESCRIPTION),
            404: schema.error_response(404),
        },
        examples=schema.WIREGUARD_REMOVE_EXAMPLES,
    )
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

    @extend_schema(
        operation_id="user_wireguard_list",
        summary="List a user's WireGuard keys",
        parameters=[schema.USER_IDENTIFIER],
        responses={200: schema.WireguardKeyListSerializer, 404: schema.error_response(404)},
        examples=schema.USER_WIREGUARD_LIST_EXAMPLES,
    )
    def get(self, request, identifier):
        user = get_user_or_404(request.user.reseller, identifier)
        keys = WireguardKey.objects.filter(user=user).order_by("id")
        return Response({"success": "ok", "user_id": user.pk, "data": [key_row(key) for key in keys]})


class UserWireguardDetailView(ApiView):
    """Replace the public key of one of a user's keys (PUT), keeping its addresses, or remove it (DELETE)."""

    @extend_schema(
        operation_id="user_wireguard_rotate",
        summary="Replace one of a user's WireGuard keys, keeping its addresses",
        parameters=[schema.USER_IDENTIFIER, schema.WIREGUARD_KEY_ID],
        request=PublicKeySerializer,
        responses={
            200: schema.RotatedWireguardKeySerializer,
            400: schema.error_response(400),
            404: schema.error_response(404),
            409: schema.error_response(409, schema.WIREGUARD_409_DESCRIPTION),
        },
        examples=schema.USER_WIREGUARD_ROTATE_EXAMPLES,
    )
    def put(self, request, identifier, key_id):
        data = validated(PublicKeySerializer, request.data)
        user = get_user_or_404(request.user.reseller, identifier)
        key = get_key_or_404(user, key_id)

        try:
            wireguard.rotate_key(key, data["pubkey"])
        except wireguard.KeyTaken:
            # The holder may be this user's other key, so do not say "another user".
            raise conflict(
                "This public key is already registered: send a new key from `wg genkey`, "
                "or remove the key that holds it first."
            ) from None
        return Response({**key_body(key), "key_id": key.pk})

    @extend_schema(
        operation_id="user_wireguard_remove",
        summary="Remove one of a user's WireGuard keys",
        parameters=[schema.USER_IDENTIFIER, schema.WIREGUARD_KEY_ID],
        responses={200: schema.RemovedWireguardKeySerializer, 404: schema.error_response(404)},
        examples=schema.USER_WIREGUARD_REMOVE_EXAMPLES,
    )
    def delete(self, request, identifier, key_id):
        user = get_user_or_404(request.user.reseller, identifier)
        key = get_key_or_404(user, key_id)

        wireguard.remove_key(key)
        return Response({"success": "ok", "user_id": user.pk, "key_id": int(key_id)})
