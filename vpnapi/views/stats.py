from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from stats import queries
from vpnapi import schema
from vpnapi.errors import not_found
from vpnapi.views.base import ApiView

OPTIONS = ("all", "summary", "monthly")


class StatsView(ApiView):
    """Return the caller's statistics: the summary (tdata), the monthly rows (data) or both."""

    @extend_schema(
        operation_id="stats_retrieve",
        summary="Read the reseller's statistics",
        description="How each figure is defined: docs/statistics.md.",
        parameters=[schema.STATS_OPTION],
        responses={200: schema.StatisticsSerializer, 404: schema.error_response(404)},
        examples=schema.STATS_EXAMPLES,
    )
    def get(self, request, option=None):
        option = option or ""
        if option.lower() not in OPTIONS:
            raise not_found(f"There is no statistics option {option!r}: use one of {', '.join(OPTIONS)}.")

        option = option.lower()
        reseller = request.user.reseller
        body = {}
        if option in ("all", "summary"):
            body["tdata"] = [queries.summary(reseller)]
        if option in ("all", "monthly"):
            body["data"] = queries.monthly(reseller)
        return Response(body)


@extend_schema(exclude=True)
class StatsWithoutOptionView(StatsView):
    """Return the options 404 for /Stats with no option; the schema documents only /Stats/{option}."""
