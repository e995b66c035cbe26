import logging

from django.dispatch import receiver
from django.utils import timezone

from accounts.signals import vpn_user_deleted
from vpnapi.models import Session, WireguardKey

logger = logging.getLogger(__name__)


@receiver(vpn_user_deleted, dispatch_uid="vpnapi_release_deleted_user")
def release_deleted_user(sender, user, **kwargs):
    """Remove a deleted user's WireGuard keys, freeing their addresses, and close its open sessions.

    This runs inside the transaction that marks the user deleted, so either
    all of it happens or none of it does.
    """
    removed, _ = WireguardKey.objects.filter(user=user).delete()
    ended_at = user.deleted_at or timezone.now()
    closed = Session.objects.filter(user=user, ended_at__isnull=True).update(ended_at=ended_at)
    logger.info("Released deleted VPN user %s: removed %s WireGuard keys, closed %s sessions", user.pk, removed, closed)
