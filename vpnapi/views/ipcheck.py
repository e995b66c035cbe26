import logging

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from vpnapi.clientip import client_address
from vpnapi.models import ExitAddress
from vpnapi.permissions import IsResellerOrNodeKey
from vpnapi.views.base import ApiView

logger = logging.getLogger(__name__)


class IpcheckView(ApiView):
    """Return the caller's address and whether it is an exit address of an enabled VPN server."""

    permission_classes = [IsResellerOrNodeKey]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Ipcheck",
                {
                    "ip": serializers.CharField(),
                    "connected": serializers.BooleanField(),
                    "server": serializers.CharField(required=False),
                },
            )
        }
    )
    def get(self, request):
        address = client_address(request)
        if address is None:
            logger.warning(
                "Ipcheck could not read the client address from REMOTE_ADDR=%r", request.META.get("REMOTE_ADDR")
            )
            return Response({"ip": request.META.get("REMOTE_ADDR", ""), "connected": False})

        exit_address = (
            ExitAddress.objects.filter(address=str(address), server__enabled=True).select_related("server").first()
        )
        body = {"ip": str(address), "connected": exit_address is not None}
        if exit_address is not None:
            body["server"] = exit_address.server.name
        return Response(body)
