from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import (
    NOTE_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_MIN_LENGTH,
    AccountType,
    username_validator,
)
from vpnapi.fields import ExpiryField, FlexibleBooleanField, StrictChoiceIntegerField, TextField, format_http_date


class StrictSerializer(serializers.Serializer):
    """A serializer that rejects fields it does not declare.

    A typo such as ``enabled`` for ``enable`` would otherwise be dropped
    silently and the client would believe the change was made.
    """

    def to_internal_value(self, data):
        # A value that is not an object, such as a list entry of 5, is left to
        # DRF, which rejects it with "Expected a dictionary".
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        if unknown:
            allowed = ", ".join(sorted(self.fields))
            raise serializers.ValidationError(
                {name: [f"Unknown field {name!r}: use only {allowed}."] for name in unknown}
            )
        return super().to_internal_value(data)


def validate_username(value):
    try:
        username_validator(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None
    return value


def username_field(**kwargs):
    return TextField(
        min_length=USERNAME_MIN_LENGTH,
        max_length=USERNAME_MAX_LENGTH,
        validators=[validate_username],
        **kwargs,
    )


def password_field(**kwargs):
    return TextField(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH, **kwargs)


class VpnUserWriteSerializer(StrictSerializer):
    """Fields a reseller may set when creating or updating a VPN user; all optional."""

    username = username_field(required=False)
    password = password_field(required=False)
    enable = FlexibleBooleanField(required=False)
    account_type = StrictChoiceIntegerField(AccountType.values, required=False)
    expires_at = ExpiryField(required=False)
    note = TextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class CredentialsSerializer(StrictSerializer):
    """A VPN user's username and password, as a VPN server or app sends them.

    The limits are looser than for creating users, so that a malformed
    username is reported like any unknown one (401) and not as a 400 that
    would tell a prober which names are well formed.
    """

    username = TextField(max_length=256)
    password = TextField(max_length=1024)


def user_row(user):
    """Return a VPN user as one row of the list, with the reference's field names."""
    return {
        "account_type": user.account_type,
        "account_typename": user.account_typename,
        "created_at": format_http_date(user.created_at),
        "enable": user.enable,
        "expires_at": format_http_date(user.expires_at),
        "note": user.note,
        "reseller_id": user.reseller_id,
        "updated_at": format_http_date(user.updated_at),
        "user_id": user.pk,
        "username": user.username,
    }


def user_detail(user):
    return {**user_row(user), "reseller_name": user.reseller.name}
