"""API routes.

Each route answers at /1.0/<Name> and, because the reference's own examples
use those forms, also without the /1.0 prefix and with a lower-case name. A
trailing slash is optional and never redirected.
"""

from django.urls import re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from vpnapi.views.auth import AuthView
from vpnapi.views.fallback import unknown_route
from vpnapi.views.ipcheck import IpcheckView
from vpnapi.views.node import PeersView, SessionReportView
from vpnapi.views.stats import StatsView, StatsWithoutOptionView
from vpnapi.views.users import UserDetailView, UserListView
from vpnapi.views.wireguard import UserWireguardDetailView, UserWireguardListView, WireguardView


def api_route(name, suffix, view, route_name):
    """Return a route for /1.0/Name<suffix>, /Name<suffix> and their lower-case forms."""
    names = f"(?:{name}|{name.lower()})" if name != name.lower() else name
    return re_path(rf"^(?:1\.0/)?{names}{suffix}/?$", view, name=route_name)


urlpatterns = [
    api_route("Auth", "", AuthView.as_view(), "api-auth"),
    api_route("User", "", UserListView.as_view(), "api-users"),
    api_route("User", r"/(?P<identifier>[^/]+)", UserDetailView.as_view(), "api-user"),
    api_route("Stats", r"/(?P<option>[^/]*)", StatsView.as_view(), "api-stats"),
    api_route("Wireguard", "", WireguardView.as_view(), "api-wireguard"),
    api_route("Ipcheck", "", IpcheckView.as_view(), "api-ipcheck"),
    api_route("Node", "/(?:Peers|peers)", PeersView.as_view(), "api-node-peers"),
    api_route("Node", "/(?:Sessions|sessions)", SessionReportView.as_view(), "api-node-sessions"),
    api_route(
        "User",
        r"/(?P<identifier>[^/]+)/(?:Wireguard|wireguard)",
        UserWireguardListView.as_view(),
        "api-user-wireguard",
    ),
    api_route(
        "User",
        r"/(?P<identifier>[^/]+)/(?:Wireguard|wireguard)/(?P<key_id>[^/]+)",
        UserWireguardDetailView.as_view(),
        "api-user-wireguard-key",
    ),
]

# The OpenAPI schema and Swagger UI are public: integrators read them before
# they have a key, so a missing or wrong API-KEY header must not block them.
urlpatterns += [
    re_path(
        r"^1\.0/openapi\.json$",
        SpectacularJSONAPIView.as_view(authentication_classes=[]),
        name="api-schema",
    ),
    re_path(
        r"^1\.0/docs/?$",
        SpectacularSwaggerView.as_view(url_name="api-schema", authentication_classes=[]),
        name="api-docs",
    ),
]

# Must stay last: everything else under /1.0/ is a JSON 404. The path may
# contain a newline (%0A), which "." does not match and Django's full match
# would otherwise leave to its HTML 404 page.
fallback_urlpatterns = [
    # /Stats without an option gets the 404 that lists the options rather
    # than a redirect to /Stats/.
    api_route("Stats", "", StatsWithoutOptionView.as_view(), "api-stats-index"),
    re_path(r"^1\.0(?:/(?P<path>[\s\S]*))?\n?$", unknown_route),
    # Deeper paths under the aliases without /1.0 are API paths too.
    re_path(r"^(?:User|user|Auth|auth)/(?P<path>[\s\S]+)$", unknown_route),
]
