import logging
import math

from django.db import transaction
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.models import AccountType, QuotaExceeded, UsernameTaken, VpnUser
from accounts.validators import find_control_character
from vpnapi import idempotency, schema
from vpnapi.errors import bad_request, conflict, forbidden, not_found
from vpnapi.fields import format_http_date
from vpnapi.serializers import VpnUserWriteSerializer, user_detail, user_row
from vpnapi.views.base import ApiView, validated

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_SEARCH_LENGTH = 100

# Each sort key maps to its model field. ListParameters.ordering() adds id
# as the tie-breaker, so walking the pages returns every user exactly once.
SORT_FIELDS = {"userid": "id", "username": "username", "enable": "enable", "created": "created_at"}
ORDERS = ("asc", "desc")


class ListParameters:
    """The validated query parameters of the user list."""

    def __init__(self, query):
        for name, value in query.items():
            if find_control_character(value) is not None:
                raise bad_request(f"The parameter {name} contains a control character: send printable text only.")
        self.sort = self._choice(query, "sort", SORT_FIELDS, "userid")
        self.order = self._choice(query, "order", ORDERS, "desc")
        self.page = self._integer(query, "page", 0, minimum=0, maximum=10**9)
        self.limit = self._integer(query, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
        self.search = query.get("search", "")
        if len(self.search) > MAX_SEARCH_LENGTH:
            raise bad_request(f"The parameter search is longer than {MAX_SEARCH_LENGTH} characters: shorten it.")
        self.enable = self._flag(query, "enable", {"0": False, "1": True})
        self.account_type = self._flag(query, "account_type", {str(v): v for v in AccountType.values})

    @staticmethod
    def _choice(query, name, allowed, default):
        value = query.get(name, default).lower()
        if value not in allowed:
            raise bad_request(f"The parameter {name}={query[name]!r} is not valid: use one of {', '.join(allowed)}.")
        return value

    @staticmethod
    def _integer(query, name, default, minimum, maximum):
        raw = query.get(name)
        if raw is None:
            return default
        if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
            raise bad_request(
                f"The parameter {name}={raw!r} is not valid: use a whole number from {minimum} to {maximum}."
            )
        return int(raw)

    @staticmethod
    def _flag(query, name, allowed):
        raw = query.get(name)
        if raw is None:
            return None
        if raw not in allowed:
            raise bad_request(f"The parameter {name}={raw!r} is not valid: use one of {', '.join(allowed)}.")
        return allowed[raw]

    def ordering(self):
        field = SORT_FIELDS[self.sort]
        prefix = "-" if self.order == "desc" else ""
        if field == "id":
            return [f"{prefix}id"]
        return [f"{prefix}{field}", f"{prefix}id"]


class UserListView(ApiView):
    """List a reseller's live VPN users (GET) or create one (POST)."""

    @extend_schema(
        operation_id="user_list",
        summary="List the reseller's users, one page at a time",
        description=(
            "The answer is a list holding one page object. Rows with equal sort values are ordered by user_id, "
            "so walking the pages returns every user once; a page past the end has an empty data list."
        ),
        parameters=schema.user_list_parameters(),
        responses={200: schema.UserPageSerializer(many=True), 400: schema.error_response(400)},
        examples=schema.USER_LIST_EXAMPLES,
    )
    def get(self, request):
        params = ListParameters(request.query_params)
        users = VpnUser.objects.for_reseller(request.user.reseller).live()
        if params.search:
            users = users.filter(Q(username__icontains=params.search) | Q(note__icontains=params.search))
        if params.enable is not None:
            users = users.filter(enable=params.enable)
        if params.account_type is not None:
            users = users.filter(account_type=params.account_type)

        total_rows = users.count()
        offset = params.page * params.limit
        rows = (
            [user_row(u) for u in users.order_by(*params.ordering())[offset : offset + params.limit]]
            if (offset < total_rows)
            else []
        )
        return Response(
            [
                {
                    "data": rows,
                    "max_row_limit_per_page": params.limit,
                    "rows_on_this_page": len(rows),
                    "success": "ok",
                    "this_page": params.page,
                    "total_pages": math.ceil(total_rows / params.limit),
                    "total_rows": total_rows,
                }
            ]
        )

    @extend_schema(
        operation_id="user_create",
        summary="Create a user",
        description=(
            "Every field is optional: a missing username or password is generated. The answer holds the "
            "password in clear, the only time it is shown."
        ),
        parameters=[schema.IDEMPOTENCY_KEY],
        request=VpnUserWriteSerializer,
        responses={
            200: schema.UserCreatedSerializer,
            400: schema.error_response(400),
            403: schema.error_response(403, schema.QUOTA_403_DESCRIPTION),
            409: schema.error_response(409, schema.CREATE_409_DESCRIPTION),
        },
        examples=schema.USER_CREATE_EXAMPLES,
    )
    def post(self, request):
        reseller = request.user.reseller
        key = idempotency.read_idempotency_key(request)
        data = validated(VpnUserWriteSerializer, request.data)
        if key is not None:
            try:
                idempotency.find_previous(reseller, key, request.data)
            except idempotency.Replay as replay:
                return Response(replay.body, status=replay.status_code)

        try:
            body = self._create(reseller, data, key, request.data)
        except idempotency.Replay as replay:
            return Response(replay.body, status=replay.status_code)
        return Response(body)

    def _create(self, reseller, data, key, raw_data):
        fields = dict(data)
        username = fields.pop("username", None)
        password = fields.pop("password", None)
        try:
            with transaction.atomic():
                user, password = VpnUser.create_for(reseller, username=username, password=password, **fields)
                body = {
                    "account_type": user.account_type,
                    "account_typename": user.account_typename,
                    "created_at": format_http_date(user.created_at),
                    "enable": user.enable,
                    "expires_at": format_http_date(user.expires_at),
                    "password": password,
                    "reseller_id": reseller.pk,
                    "success": "ok",
                    "user_id": user.pk,
                    "username": user.username,
                }
                if key is not None and not idempotency.remember(reseller, key, raw_data, 200, body):
                    raise _LostIdempotencyRace
        except _LostIdempotencyRace:
            idempotency.replay_winner(reseller, key, raw_data)
            raise conflict("Another request with this Idempotency-Key is in progress: retry shortly.") from None
        except UsernameTaken as error:
            if key is not None:
                # A concurrent request with the same key can lose on the
                # username or the quota before it reaches the key. It gets the
                # winner's stored response, like any other retry.
                idempotency.replay_winner(reseller, key, raw_data)
            raise conflict(f"The username {error.username} is taken: choose another one.") from None
        except QuotaExceeded as error:
            if key is not None:
                idempotency.replay_winner(reseller, key, raw_data)
            raise forbidden(
                f"The reseller has reached its quota of {error.quota} live users: "
                "delete users or ask the provider for a larger quota."
            ) from None
        return body


class _LostIdempotencyRace(Exception):
    pass


def get_user_or_404(reseller, identifier):
    """Return the reseller's live user by id or username.

    Another reseller's user raises the same 404 as a missing one, so ids and
    usernames of other resellers cannot be probed.
    """
    user = VpnUser.objects.for_reseller(reseller).live().select_related("reseller").by_identifier(identifier).first()
    if user is None:
        raise not_found(f"No user {identifier!r} was found: check the user id or username.")
    return user


class UserDetailView(ApiView):
    """Read (GET), change (PUT, PATCH) or delete (DELETE) one VPN user."""

    @extend_schema(
        operation_id="user_retrieve",
        summary="Read one user",
        description="Another reseller's user answers 404, like a user that does not exist.",
        parameters=[schema.USER_IDENTIFIER],
        responses={200: schema.UserDetailSerializer, 404: schema.error_response(404)},
        examples=schema.USER_DETAIL_EXAMPLES,
    )
    def get(self, request, identifier):
        return Response(user_detail(get_user_or_404(request.user.reseller, identifier)))

    # PATCH is the same function, so its operation id comes from the method.
    @extend_schema(
        summary="Change any of the user's fields",
        description="Fields left out keep their values. PUT and PATCH behave the same.",
        parameters=[schema.USER_IDENTIFIER],
        request=VpnUserWriteSerializer,
        responses={
            200: schema.OkUserIdSerializer,
            400: schema.error_response(400),
            404: schema.error_response(404),
            409: schema.error_response(409, schema.UPDATE_409_DESCRIPTION),
        },
        examples=schema.USER_UPDATE_EXAMPLES,
    )
    def put(self, request, identifier):
        data = validated(VpnUserWriteSerializer, request.data)
        user = get_user_or_404(request.user.reseller, identifier)
        try:
            user.apply_changes(data)
        except UsernameTaken as error:
            raise conflict(f"The username {error.username} is taken: choose another one.") from None
        return Response({"success": "ok", "user_id": user.pk})

    patch = put

    @extend_schema(
        operation_id="user_destroy",
        summary="Delete the user",
        description="The user disappears from the API and its username becomes free; the row is kept for statistics.",
        parameters=[schema.USER_IDENTIFIER],
        responses={200: schema.OkSerializer, 404: schema.error_response(404)},
        examples=schema.USER_DELETE_EXAMPLES,
    )
    def delete(self, request, identifier):
        user = get_user_or_404(request.user.reseller, identifier)
        if not user.soft_delete():
            raise not_found(f"No user {identifier!r} was found: check the user id or username.")
        return Response({"success": "ok"})
