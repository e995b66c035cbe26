from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from stats import queries
from vpnapi.errors import not_found
from vpnapi.views.base import ApiView

OPTIONS = ("all", "summary", "monthly")

SUMMARY_FIELDS = (
    "current_online",
    "premium_online",
    "lex_online",
    "total_user",
    "total_premium",
    "total_lexuser",
    "total_deleted",
    "today_signups",
    "week_signup",
    "avg_user",
    "total_enable",
    "total_disable",
)
MONTH_FIELDS = ("users", "users_premium", "users_lex", "deluser", "total_enable", "total_disable")

stats_schema = inline_serializer(
    "Stats",
    {
        "tdata": serializers.ListField(
            required=False,
            child=inline_serializer("StatsSummary", {name: serializers.IntegerField() for name in SUMMARY_FIELDS}),
        ),
        "data": serializers.ListField(
            required=False,
            child=inline_serializer(
                "StatsMonth",
                {"month": serializers.CharField(), **{name: serializers.IntegerField() for name in MONTH_FIELDS}},
            ),
        ),
    },
)


class StatsView(ApiView):
    """Return the caller's statistics: the summary (tdata), the monthly rows (data) or both."""

    @extend_schema(responses={200: stats_schema})
    def get(self, request, option):
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
