from django.apps import AppConfig


class VpnapiConfig(AppConfig):
    name = "vpnapi"
    verbose_name = "VPN API"
