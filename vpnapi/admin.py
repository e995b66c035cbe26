import logging

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from vpnapi.models import ExitAddress, Session, VpnServer, WireguardKey

logger = logging.getLogger(__name__)


class ExitAddressInline(admin.TabularInline):
    model = ExitAddress
    extra = 1


@admin.register(VpnServer)
class VpnServerAdmin(admin.ModelAdmin):
    list_display = ["name", "hostname", "country", "enabled", "wireguard_endpoint", "node_key_prefix", "created_at"]
    list_filter = ["enabled", "country"]
    search_fields = ["name", "hostname", "exit_addresses__address"]
    readonly_fields = ["node_key_prefix", "created_at"]
    inlines = [ExitAddressInline]
    actions = ["issue_node_key"]

    @admin.action(description=_("Issue a new node key (the old one stops working)"))
    def issue_node_key(self, request, queryset):
        # The keys go straight into this response, not into a message,
        # because messages are kept in a cookie or the session store.
        issued = [(server, server.issue_node_key()) for server in queryset]
        logger.info(
            "Staff user %s issued node keys for servers %s", request.user.pk, [server.pk for server, _key in issued]
        )
        context = {**self.admin_site.each_context(request), "title": _("New node keys"), "issued": issued}
        # The admin's changelist view already marks the response never_cache.
        return TemplateResponse(request, "admin/vpnapi/node_keys.html", context)


@admin.register(WireguardKey)
class WireguardKeyAdmin(admin.ModelAdmin):
    list_display = ["public_key", "user", "ipv4_address", "ipv6_address", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["public_key", "user__username", "ipv4_address", "ipv6_address"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("1", _("open")), ("0", _("ended"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "0":
            return queryset.filter(ended_at__isnull=False)
        return queryset


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["user", "server", "protocol", "tunnel_address", "started_at", "ended_at", "bytes_in", "bytes_out"]
    list_filter = [OpenFilter, "protocol", "server"]
    search_fields = ["user__username", "tunnel_address", "server__name"]
    list_select_related = ["user", "server"]
    raw_id_fields = ["user"]
    date_hierarchy = "started_at"
