from django.apps import AppConfig


class VpnapiConfig(AppConfig):
    name = "vpnapi"
    verbose_name = "VPN API"

    def ready(self):
        from vpnapi import receivers  # noqa: F401  (connects the signal receivers)
