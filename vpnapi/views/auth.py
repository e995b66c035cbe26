from rest_framework.response import Response

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

    def post(self, request):
        data = validated(CredentialsSerializer, request.data)
        user = check_credentials(request.user, data["username"], data["password"])
        return Response({"success": "ok", "user_id": user.pk})

    get = post
