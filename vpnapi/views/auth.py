from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from vpnapi import schema
from vpnapi.credentials import check_credentials
from vpnapi.permissions import IsResellerOrNodeKey
from vpnapi.serializers import CredentialsSerializer
from vpnapi.views.base import ApiView, validated


class AuthView(ApiView):
    """Check a VPN user's username and password.

    GET with a JSON body behaves like POST, because the reference's Python
    client sends it that way.
    """

    permission_classes = [IsResellerOrNodeKey]

    @extend_schema(
        operation_id="auth_check",
        summary="Check a VPN user's username and password",
        description=(
            "A reseller's key checks that reseller's users; a VPN server's node key checks every reseller's users. "
            "Usernames match ignoring case. GET with the same JSON body works too, for older clients."
        ),
        request=CredentialsSerializer,
        responses={
            200: schema.OkUserIdSerializer,
            401: schema.error_response(401, schema.AUTH_401_DESCRIPTION),
            403: schema.error_response(403, schema.AUTH_403_DESCRIPTION),
        },
        examples=schema.AUTH_EXAMPLES,
    )
    def post(self, request):
        data = validated(CredentialsSerializer, request.data)
        user = check_credentials(request.user, data["username"], data["password"])
        return Response({"success": "ok", "user_id": user.pk})

    get = post
