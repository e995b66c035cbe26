"""The API's OpenAPI description: schema-only serializers, examples and generator hooks.

The views build their JSON by hand. The serializers here only describe those
bodies to drf-spectacular, and no view uses them to read or write data. The
hooks keep the schema to the canonical ``/1.0/<Name>`` paths and add the error
responses that every operation shares.
"""

import copy
import re

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from accounts.models import (
    NOTE_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_MIN_LENGTH,
    AccountType,
)
from vpnapi import idempotency

# "Wed, 31 Oct 2018 04:41:28 GMT": RFC 1123 in GMT, as format_http_date writes it.
HTTP_DATE_PATTERN = r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$"

# Every code the API returns in the "error" member, with its HTTP status.
ERROR_CODES = {
    "bad_request": 400,
    "invalid": 400,
    "unauthorized": 401,
    "invalid_credentials": 401,
    "forbidden": 403,
    "user_disabled": 403,
    "user_expired": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "server_error": 500,
    "address_pool_exhausted": 503,
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error shape of the API, for every status from 400 up.",
    "properties": {
        "success": {"type": "string", "enum": ["error"]},
        "error": {"type": "string", "enum": list(ERROR_CODES), "description": "Machine-readable error code."},
        "message": {"type": "string", "description": "A sentence naming the bad value and what to do."},
        "fields": {
            "type": "object",
            "description": "Only for the code invalid: the messages for each rejected field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["success", "error", "message"],
    "additionalProperties": False,
}


# --- Generator classes ---------------------------------------------------------


class ApiAutoSchema(AutoSchema):
    """AutoSchema that also documents a DELETE's JSON body when the view declares one.

    drf-spectacular gives only PUT, PATCH and POST a request body, but
    DELETE /1.0/Wireguard reads the user's credentials and key from its body.
    """

    def _get_serializer(self):
        # A DELETE has a body only when @extend_schema(request=...) names it;
        # without this, drf-spectacular would guess one and report an error.
        if self.method == "DELETE":
            return None
        return super()._get_serializer()

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        # The parent builds a body only for PUT, PATCH and POST, so it is
        # called as for a POST, whose body is built the same way.
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


# --- Authentication ----------------------------------------------------------


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe ApiKeyAuthentication as two alternative schemes: the API-KEY header or a bearer token."""

    target_class = "vpnapi.authentication.ApiKeyAuthentication"
    name = ["ApiKey", "Bearer"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "API-KEY",
                "description": "A reseller's API key, or a VPN server's node key (itg_node_...) on node routes.",
            },
            {
                "type": "http",
                "scheme": "bearer",
                "description": "The same key sent as Authorization: Bearer <key>.",
            },
        ]

    def get_security_requirement(self, auto_schema):
        # A list means either scheme is enough; a single dict would require both.
        return [{"ApiKey": []}, {"Bearer": []}]


# --- Field and body schemas ---------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Schema-only: the error body, described by ErrorSchema below.

    A serializer cannot declare a field named "fields", so the body's schema
    is written out by hand.
    """


class ErrorSchema(OpenApiSerializerExtension):
    target_class = ErrorSerializer

    def get_name(self, auto_schema, direction):
        return "Error"

    def map_serializer(self, auto_schema, direction):
        # A copy, because the enum postprocessing hook edits schemas in place.
        return copy.deepcopy(ERROR_SCHEMA)


# No control character (Unicode category Cc: U+0000 to U+001F and U+007F to U+009F).
PRINTABLE_TEXT_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
# Letters, digits and . _ - @, with at least one character that is not a digit.
USERNAME_PATTERN = "^[A-Za-z0-9._@-]*[A-Za-z._@-][A-Za-z0-9._@-]*$"


class TextSchema(OpenApiSerializerFieldExtension):
    """Add TextField's input rules, which are code rather than field options, as patterns."""

    target_class = "vpnapi.fields.TextField"

    def map_serializer_field(self, auto_schema, direction):
        from vpnapi.serializers import validate_username

        field_schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            is_username = validate_username in self.target.validators
            field_schema["pattern"] = USERNAME_PATTERN if is_username else PRINTABLE_TEXT_PATTERN
            if not self.target.allow_blank:
                field_schema["minLength"] = max(field_schema.get("minLength", 0), 1)
        return field_schema


class StrictSerializerSchema(OpenApiSerializerExtension):
    """Declare that request bodies take no other members, as StrictSerializer enforces."""

    target_class = "vpnapi.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        body_schema = auto_schema._map_basic_serializer(self.target, direction)
        body_schema["additionalProperties"] = False
        return body_schema


class FlexibleBooleanSchema(OpenApiSerializerFieldExtension):
    target_class = "vpnapi.fields.FlexibleBooleanField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "boolean"}
        return {
            "oneOf": [
                {"type": "boolean"},
                {"type": "integer", "enum": [0, 1]},
                {"type": "string", "enum": ["0", "1", "true", "false"]},
            ],
            "description": "true or false; 1, 0, and the strings 1, 0, true and false (any case) are accepted too.",
        }


class ChoiceIntegerSchema(OpenApiSerializerFieldExtension):
    target_class = "vpnapi.fields.StrictChoiceIntegerField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "integer", "enum": list(self.target.choices)}


class ExpirySchema(OpenApiSerializerFieldExtension):
    target_class = "vpnapi.fields.ExpiryField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "string", "pattern": HTTP_DATE_PATTERN, "nullable": True}
        return {
            "oneOf": [
                {"type": "string", "format": "date-time", "maxLength": 64},
                {"type": "integer", "minimum": 0, "description": "Unix seconds."},
            ],
            "nullable": True,
            "description": "ISO 8601 with a time zone offset, or Unix seconds; null clears the expiry.",
        }


def http_date_field(**kwargs):
    return serializers.RegexField(HTTP_DATE_PATTERN, help_text="RFC 1123 date in GMT.", **kwargs)


def account_type_field():
    return serializers.ChoiceField(AccountType.values, help_text="1 is PREMIUM, 2 is LEX.")


def account_typename_field():
    return serializers.ChoiceField(AccountType.labels)


class OkSerializer(serializers.Serializer):
    success = serializers.ChoiceField(["ok"])


class OkUserIdSerializer(OkSerializer):
    user_id = serializers.IntegerField()


class UserRowSerializer(serializers.Serializer):
    account_type = account_type_field()
    account_typename = account_typename_field()
    created_at = http_date_field()
    enable = serializers.BooleanField()
    expires_at = http_date_field(allow_null=True)
    note = serializers.CharField(allow_blank=True, max_length=NOTE_MAX_LENGTH)
    reseller_id = serializers.IntegerField()
    updated_at = http_date_field()
    user_id = serializers.IntegerField()
    username = serializers.CharField(min_length=USERNAME_MIN_LENGTH, max_length=USERNAME_MAX_LENGTH)


class UserDetailSerializer(UserRowSerializer):
    reseller_name = serializers.CharField()


class UserPageSerializer(OkSerializer):
    data = UserRowSerializer(many=True)
    max_row_limit_per_page = serializers.IntegerField(min_value=1)
    rows_on_this_page = serializers.IntegerField(min_value=0)
    this_page = serializers.IntegerField(min_value=0)
    total_pages = serializers.IntegerField(min_value=0)
    total_rows = serializers.IntegerField(min_value=0)


class UserCreatedSerializer(OkSerializer):
    account_type = account_type_field()
    account_typename = account_typename_field()
    created_at = http_date_field()
    enable = serializers.BooleanField()
    expires_at = http_date_field(allow_null=True)
    password = serializers.CharField(
        min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH, help_text="Shown in clear this once only."
    )
    reseller_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    username = serializers.CharField()


WIREGUARD_PUBLIC_KEY_PATTERN = "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$"


class PublicKeySchema(OpenApiSerializerFieldExtension):
    target_class = "vpnapi.views.wireguard.PublicKeyField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "minLength": 44,
            "maxLength": 44,
            "pattern": WIREGUARD_PUBLIC_KEY_PATTERN,
            "description": "A WireGuard public key, as `wg pubkey` prints it: standard base64 of 32 bytes.",
        }


class TunnelAddressSchema(OpenApiSerializerFieldExtension):
    target_class = "vpnapi.views.node.TunnelAddressField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "nullable": True,
            "maxLength": 45,
            "description": "The address the user has inside the tunnel, IPv4 or IPv6, such as 10.8.0.6.",
        }


def public_key_field():
    return serializers.RegexField(WIREGUARD_PUBLIC_KEY_PATTERN)


class WireguardKeySerializer(OkUserIdSerializer):
    pubkey = public_key_field()
    ipv4_address = serializers.RegexField(r"^[0-9.]+/32$", help_text="The user's IPv4 tunnel address.")
    ipv6_address = serializers.RegexField(r"^[0-9a-f:]+/128$", help_text="The user's IPv6 tunnel address.")


class RotatedWireguardKeySerializer(WireguardKeySerializer):
    key_id = serializers.IntegerField()


class WireguardKeyRowSerializer(serializers.Serializer):
    key_id = serializers.IntegerField()
    pubkey = public_key_field()
    ipv4_address = serializers.RegexField(r"^[0-9.]+/32$")
    ipv6_address = serializers.RegexField(r"^[0-9a-f:]+/128$")
    created_at = http_date_field()


class WireguardKeyListSerializer(OkUserIdSerializer):
    data = WireguardKeyRowSerializer(many=True)


class RemovedWireguardKeySerializer(OkUserIdSerializer):
    key_id = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    current_online = serializers.IntegerField(min_value=0)
    premium_online = serializers.IntegerField(min_value=0)
    lex_online = serializers.IntegerField(min_value=0)
    total_user = serializers.IntegerField(min_value=0)
    total_premium = serializers.IntegerField(min_value=0)
    total_lexuser = serializers.IntegerField(min_value=0)
    total_deleted = serializers.IntegerField(min_value=0)
    today_signups = serializers.IntegerField(min_value=0)
    week_signup = serializers.IntegerField(min_value=0)
    avg_user = serializers.IntegerField(min_value=0)
    total_enable = serializers.IntegerField(min_value=0)
    total_disable = serializers.IntegerField(min_value=0)


MONTH_PATTERN = "^[0-9]{4}-(January|February|March|April|May|June|July|August|September|October|November|December)$"


class MonthSerializer(serializers.Serializer):
    month = serializers.RegexField(MONTH_PATTERN, help_text="Year and English month name, such as 2018-October.")
    users = serializers.IntegerField(min_value=0)
    users_premium = serializers.IntegerField(min_value=0)
    users_lex = serializers.IntegerField(min_value=0)
    deluser = serializers.IntegerField(min_value=0)
    total_enable = serializers.IntegerField(min_value=0)
    total_disable = serializers.IntegerField(min_value=0)


class StatisticsSerializer(serializers.Serializer):
    tdata = serializers.ListField(
        child=SummarySerializer(),
        min_length=1,
        max_length=1,
        required=False,
        help_text="The summary, as a list of one object; with the options all and summary.",
    )
    data = serializers.ListField(
        child=MonthSerializer(),
        required=False,
        help_text="One row per month with a signup or a deletion, newest first; with the options all and monthly.",
    )


class IpcheckSerializer(serializers.Serializer):
    ip = serializers.CharField(help_text="The client address the server saw, IPv4-mapped addresses as IPv4.")
    connected = serializers.BooleanField(help_text="Whether the address is an exit address of an enabled VPN server.")
    server = serializers.CharField(required=False, help_text="The VPN server's name; only when connected.")


class PeerSerializer(serializers.Serializer):
    public_key = public_key_field()
    allowed_ips = serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2)
    user_id = serializers.IntegerField()


class PeersSerializer(OkSerializer):
    peers = PeerSerializer(many=True)


class SessionReportResultSerializer(OkSerializer):
    opened = serializers.IntegerField(min_value=0)
    updated = serializers.IntegerField(min_value=0)
    closed = serializers.IntegerField(min_value=0)
    unknown = serializers.ListField(
        child=serializers.CharField(), help_text="The usernames or public keys that name no live user."
    )


# --- Parameters ---------------------------------------------------------------

USER_IDENTIFIER = OpenApiParameter(
    "identifier",
    str,
    OpenApiParameter.PATH,
    description="The user's numeric user_id, or its username (ignoring case).",
)


def user_list_parameters():
    """Return the query parameters of the user list, with the limits the view enforces."""
    # Imported here because the view module imports this one for its decorators.
    from vpnapi.views.users import DEFAULT_LIMIT, MAX_LIMIT, MAX_SEARCH_LENGTH, ORDERS, SORT_FIELDS

    return [
        OpenApiParameter(
            "sort", str, enum=list(SORT_FIELDS), default="userid", description="Sort key; ties are broken by user_id."
        ),
        OpenApiParameter(
            "order", str, enum=list(ORDERS), default="desc", description="Sort direction (any letter case)."
        ),
        OpenApiParameter(
            "page",
            {"type": "integer", "minimum": 0, "maximum": 10**9},
            default=0,
            description="0-based page number; a page past the end returns an empty data list.",
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            default=DEFAULT_LIMIT,
            description="Rows per page.",
        ),
        OpenApiParameter(
            "search",
            {"type": "string", "maxLength": MAX_SEARCH_LENGTH, "pattern": PRINTABLE_TEXT_PATTERN},
            description="Case-insensitive substring of the username or the note; % and _ match themselves.",
        ),
        OpenApiParameter(
            "enable", {"type": "integer", "enum": [0, 1]}, description="1 lists enabled users, 0 disabled ones."
        ),
        OpenApiParameter(
            "account_type", {"type": "integer", "enum": AccountType.values}, description="1 is PREMIUM, 2 is LEX."
        ),
    ]


STATS_OPTION = OpenApiParameter(
    "option",
    str,
    OpenApiParameter.PATH,
    enum=["all", "summary", "monthly"],
    description="Which figures to return; any letter case. Another option gets 404.",
)

WIREGUARD_KEY_ID = OpenApiParameter(
    "key_id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH, description="The key_id from the key list."
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH, "pattern": "^[\\x20-\\x7e]+$"},
    OpenApiParameter.HEADER,
    description=(
        "A new random value (a UUID) for each new user. Retrying with the same key and body within 24 hours "
        "returns the first answer instead of creating a second user."
    ),
)


# --- Error responses ----------------------------------------------------------

ERROR_DESCRIPTIONS = {
    400: "bad_request (malformed JSON, bad parameter or header) or invalid (field validation, with fields).",
    401: "unauthorized: the API key is missing, unknown, revoked or expired.",
    403: "forbidden: the reseller is disabled, or the key is of the wrong kind for this route.",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large: the body is over 64 KiB.",
    415: "unsupported_media_type: the body is not sent as application/json.",
    429: "rate_limited: wait the seconds given in Retry-After.",
    500: "server_error: an unexpected failure, logged on the server.",
    503: "address_pool_exhausted",
}

RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def error_response(status, description=None):
    """Return an OpenApiResponse of the error shape for one status."""
    return OpenApiResponse(ErrorSerializer, description=description or ERROR_DESCRIPTIONS[status])


def error_example(name, status, code, message, fields=None):
    body = {"success": "error", "error": code, "message": message}
    if fields:
        body["fields"] = fields
    return OpenApiExample(name, value=body, status_codes=[str(status)], response_only=True)


# --- Hooks --------------------------------------------------------------------

_OPTIONAL_VERSION_PREFIX = r"^(?:1\.0/)?"
_NAME_ALTERNATIVES = re.compile(r"\(\?:([^|()]+)\|[^|()]+\)")
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
# An optional last segment, such as Stats' (?:/{option})?, is documented as required.
_OPTIONAL_PARAMETER = re.compile(r"\(\?:(/\{\w+\})\)\?")
_OPTIONAL_SLASH_END = re.compile(r"/\?\$$")
_REGEX_SYNTAX = re.compile(r"[\\()?|^$*+\[\]]")


def canonical_path(path_regex):
    """Return the /1.0/<Name> path that an api_route regex matches, or None for other routes.

    api_route builds one regex for /1.0/Name, /Name and /name, so the generator
    gets a single endpoint per route. This function turns that regex into the
    one path integrators should call. Raises ValueError for a regex of another
    form, so that a new route shape fails schema generation instead of giving
    a nonsense path.
    """
    if not path_regex.startswith(_OPTIONAL_VERSION_PREFIX):
        return None
    body = path_regex.removeprefix(_OPTIONAL_VERSION_PREFIX)
    body = _OPTIONAL_SLASH_END.sub("", body)
    body = _NAME_ALTERNATIVES.sub(r"\1", body)
    body = _NAMED_GROUP.sub(r"{\1}", body)
    body = _OPTIONAL_PARAMETER.sub(r"\1", body)
    body = body.replace(r"\.", ".")
    if _REGEX_SYNTAX.search(body):
        raise ValueError(
            f"Cannot derive an OpenAPI path from the route regex {path_regex!r}: build the route with api_route."
        )
    return f"/1.0/{body}"


def keep_canonical_routes(endpoints, **kwargs):
    """Preprocessing hook: keep each API route once, at its /1.0/<Name> path.

    Routes outside the API are dropped, and so is a GET that is only an alias
    of the view's POST (Auth accepts GET with a JSON body for old clients,
    but OpenAPI 3.0 gives a GET no request body).
    """
    kept = []
    for _path, path_regex, method, callback in endpoints:
        path = canonical_path(path_regex)
        if path is None:
            continue
        view_class = getattr(callback, "cls", None)
        if (
            method == "GET"
            and view_class is not None
            and getattr(view_class, "get", None) is getattr(view_class, "post", object())
        ):
            continue
        kept.append((path, path_regex, method, callback))
    return kept


def _has_request_body(operation):
    return "requestBody" in operation


def add_shared_error_responses(result, generator, request, public):
    """Postprocessing hook: add the error responses that every operation can return.

    Operations with a body can fail to parse it (400, 413, 415). Every
    operation can meet a missing or bad key (401, 403), the rate limit (429)
    and an unexpected failure (500). Responses a view declares itself win.
    Operation ids are lower-cased, so that the ids derived from the method
    (PATCH shares PUT's function and so cannot have its own) match the
    explicit ones.
    """
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", copy.deepcopy(ERROR_SCHEMA))
    reference = {"$ref": "#/components/schemas/Error"}

    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation["operationId"] = operation["operationId"].lower()
            statuses = [500, 429]
            if operation.get("security"):
                statuses += [401, 403]
            if _has_request_body(operation):
                statuses += [400, 413, 415]
            responses = operation.setdefault("responses", {})
            for status in statuses:
                response = responses.setdefault(
                    str(status),
                    {"description": ERROR_DESCRIPTIONS[status], "content": {"application/json": {"schema": reference}}},
                )
                if status == 429:
                    response.setdefault("headers", RETRY_AFTER_HEADER)
            operation["responses"] = dict(sorted(responses.items()))
    return result


# --- Route-specific descriptions and examples -------------------------------------

AUTH_401_DESCRIPTION = (
    "invalid_credentials: unknown user, wrong password, deleted user or another reseller's user "
    "(one answer for all); unauthorized: the API key is missing or not valid."
)
AUTH_403_DESCRIPTION = (
    "user_disabled or user_expired (only after the password matched); forbidden: the reseller is disabled."
)
QUOTA_403_DESCRIPTION = "forbidden: the reseller is disabled, or has reached its quota of live users."
CREATE_409_DESCRIPTION = (
    "conflict: the username is taken, or the Idempotency-Key was used with another body or is in progress."
)
UPDATE_409_DESCRIPTION = "conflict: another live user holds the new username."
NODE_403_DESCRIPTION = "forbidden: the key is a reseller's key, or the VPN server is disabled."
WIREGUARD_409_DESCRIPTION = "conflict: the key is registered to another user, or the user has its maximum of keys."
POOL_503_DESCRIPTION = "address_pool_exhausted: no free tunnel address is left; retry later."

# Examples below are responses a development server returned for docs/api.md.

ALICE_ROW = {
    "account_type": 1,
    "account_typename": "PREMIUM",
    "created_at": "Fri, 04 Dec 2026 20:21:54 GMT",
    "enable": True,
    "expires_at": None,
    "note": "Order 1042",
    "reseller_id": 1,
    "updated_at": "Fri, 04 Dec 2026 20:21:54 GMT",
    "user_id": 1,
    "username": "alice",
}
BOB_ROW = {
    **ALICE_ROW,
    "account_type": 2,
    "account_typename": "LEX",
    "enable": False,
    "note": "",
    "user_id": 2,
    "username": "bob",
}
NO_SUCH_USER = error_example(
    "No such user",
    404,
    "not_found",
    "No user 'nobody' was found: check the user id or username.",
)


def ok_example(name, value):
    return OpenApiExample(name, value=value, status_codes=["200"], response_only=True)


def request_example(name, value):
    return OpenApiExample(name, value=value, request_only=True)


AUTH_EXAMPLES = [
    request_example("Credentials", {"username": "alice", "password": "correct-horse-7"}),
    ok_example("Accepted", {"success": "ok", "user_id": 1}),
    error_example(
        "Wrong username or password",
        401,
        "invalid_credentials",
        "The username or password is wrong: check both and try again.",
    ),
    error_example("Disabled user", 403, "user_disabled", "The user bob is disabled."),
]

USER_LIST_EXAMPLES = [
    # drf-spectacular wraps the example of a list response in a list itself.
    ok_example(
        "First page",
        {
            "data": [ALICE_ROW, BOB_ROW],
            "max_row_limit_per_page": 2,
            "rows_on_this_page": 2,
            "success": "ok",
            "this_page": 0,
            "total_pages": 1,
            "total_rows": 2,
        },
    ),
    error_example(
        "Limit out of range",
        400,
        "bad_request",
        "The parameter limit='500' is not valid: use a whole number from 1 to 100.",
    ),
]

UNKNOWN_FIELD_MESSAGE = "Unknown field 'enabled': use only account_type, enable, expires_at, note, password, username."

USER_CREATE_EXAMPLES = [
    request_example(
        "Chosen username and password",
        {
            "username": "carol",
            "password": "tulip-garden-3",
            "account_type": 2,
            "expires_at": "2027-06-30T23:59:59Z",
            "note": "Order 1043",
        },
    ),
    request_example("Generated username and password", {}),
    ok_example(
        "Created",
        {
            "account_type": 2,
            "account_typename": "LEX",
            "created_at": "Fri, 04 Dec 2026 20:21:56 GMT",
            "enable": True,
            "expires_at": "Wed, 30 Jun 2027 23:59:59 GMT",
            "password": "tulip-garden-3",
            "reseller_id": 1,
            "success": "ok",
            "user_id": 3,
            "username": "carol",
        },
    ),
    error_example(
        "Unknown field",
        400,
        "invalid",
        f"Invalid request. enabled: {UNKNOWN_FIELD_MESSAGE}",
        fields={"enabled": [UNKNOWN_FIELD_MESSAGE]},
    ),
    error_example("Username taken", 409, "conflict", "The username Alice is taken: choose another one."),
]

USER_DETAIL_EXAMPLES = [
    ok_example("User", {**ALICE_ROW, "reseller_name": "Demo reseller"}),
    NO_SUCH_USER,
]

USER_UPDATE_EXAMPLES = [
    request_example("Pause", {"enable": False, "expires_at": None, "note": "Paused by customer"}),
    ok_example("Changed", {"success": "ok", "user_id": 3}),
    NO_SUCH_USER,
]

USER_DELETE_EXAMPLES = [
    ok_example("Deleted", {"success": "ok"}),
    NO_SUCH_USER,
]

ALICE_KEY = {
    "ipv4_address": "10.66.0.129/32",
    "ipv6_address": "fc00:bbbb:bbbb:bb01:c204:578d:a8b1:98db/128",
    "pubkey": "Zih9uV6qAh/QfA/3l7GPdqTcPyFDMVfqrim7v1fkGIk=",
}
ROTATED_PUBLIC_KEY = "LhW0BSXEYOKCzQfzGDei2/kA/FPd1DqPToTA1LtsUMI="
NO_SUCH_KEY = error_example(
    "No such key",
    404,
    "not_found",
    "The user has no WireGuard key '9': list its keys with GET .../Wireguard.",
)
KEY_REGISTRATION = {"username": "alice", "password": "correct-horse-7", "pubkey": ALICE_KEY["pubkey"]}

STATS_EXAMPLES = [
    ok_example(
        "All figures",
        {
            "data": [
                {
                    "deluser": 1,
                    "month": "2026-December",
                    "total_disable": 1,
                    "total_enable": 3,
                    "users": 5,
                    "users_lex": 2,
                    "users_premium": 3,
                }
            ],
            "tdata": [
                {
                    "avg_user": 0,
                    "current_online": 1,
                    "lex_online": 0,
                    "premium_online": 1,
                    "today_signups": 5,
                    "total_deleted": 1,
                    "total_disable": 1,
                    "total_enable": 3,
                    "total_lexuser": 1,
                    "total_premium": 3,
                    "total_user": 4,
                    "week_signup": 5,
                }
            ],
        },
    ),
    error_example(
        "Unknown option",
        404,
        "not_found",
        "There is no statistics option 'daily': use one of all, summary, monthly.",
    ),
]

IPCHECK_EXAMPLES = [
    ok_example("Through the VPN", {"connected": True, "ip": "127.0.0.1", "server": "se-sto-1"}),
]

PEERS_EXAMPLES = [
    ok_example(
        "One peer",
        {
            "peers": [
                {
                    "allowed_ips": [ALICE_KEY["ipv4_address"], ALICE_KEY["ipv6_address"]],
                    "public_key": ROTATED_PUBLIC_KEY,
                    "user_id": 1,
                }
            ],
            "success": "ok",
        },
    ),
    error_example("Reseller key", 403, "forbidden", "This route needs a VPN server's node key."),
]

SESSION_REPORT_EXAMPLES = [
    request_example(
        "Three connections",
        {
            "sessions": [
                {
                    "username": "alice",
                    "protocol": "openvpn",
                    "tunnel_address": "10.8.0.6",
                    "bytes_in": 52340,
                    "bytes_out": 918000,
                },
                {"pubkey": ROTATED_PUBLIC_KEY, "protocol": "wireguard"},
                {"username": "mallory", "protocol": "openvpn"},
            ]
        },
    ),
    ok_example("Applied", {"closed": 0, "opened": 2, "success": "ok", "unknown": ["mallory"], "updated": 0}),
]

WIREGUARD_REGISTER_EXAMPLES = [
    request_example("Key registration", KEY_REGISTRATION),
    ok_example("Registered", {**ALICE_KEY, "success": "ok", "user_id": 1}),
    error_example(
        "Not a key",
        400,
        "invalid",
        "Invalid request. pubkey: A WireGuard public key is 44 characters of standard base64, not 9: "
        "send the output of `wg pubkey`.",
        fields={
            "pubkey": [
                "A WireGuard public key is 44 characters of standard base64, not 9: send the output of `wg pubkey`."
            ]
        },
    ),
]

WIREGUARD_REMOVE_EXAMPLES = [
    request_example("Key removal", KEY_REGISTRATION),
    ok_example("Removed", {"success": "ok", "user_id": 1}),
]

USER_WIREGUARD_LIST_EXAMPLES = [
    ok_example(
        "One key",
        {
            "data": [{**ALICE_KEY, "created_at": "Fri, 04 Dec 2026 20:26:31 GMT", "key_id": 1}],
            "success": "ok",
            "user_id": 1,
        },
    ),
    NO_SUCH_USER,
]

USER_WIREGUARD_ROTATE_EXAMPLES = [
    request_example("New key", {"pubkey": ROTATED_PUBLIC_KEY}),
    ok_example("Rotated", {**ALICE_KEY, "key_id": 1, "pubkey": ROTATED_PUBLIC_KEY, "success": "ok", "user_id": 1}),
    NO_SUCH_KEY,
]

USER_WIREGUARD_REMOVE_EXAMPLES = [
    ok_example("Removed", {"key_id": 3, "success": "ok", "user_id": 1}),
    NO_SUCH_KEY,
]
