from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import keys
from accounts.models import Reseller


class VpnServer(models.Model):
    """An OpenVPN or WireGuard node run by the provider.

    The node authenticates to the API with its own node key, stored like a
    reseller's API key: a SHA-256 digest and a display prefix.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    hostname = models.CharField(_("hostname"), max_length=255, blank=True, default="")
    country = models.CharField(_("country"), max_length=2, blank=True, default="", help_text=_("ISO 3166 code."))
    wireguard_public_key = models.CharField(_("WireGuard public key"), max_length=44, blank=True, default="")
    wireguard_endpoint = models.CharField(
        _("WireGuard endpoint"), max_length=255, blank=True, default="", help_text=_("host:port")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    node_key_prefix = models.CharField(_("node key prefix"), max_length=24, editable=False, blank=True, default="")
    # NULL rather than "" for a server without a key, so the unique index
    # allows many of them.
    node_key_digest = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("VPN server")
        verbose_name_plural = _("VPN servers")

    def __str__(self):
        return self.name

    def issue_node_key(self):
        """Replace the node key and return the new plaintext, which is never stored."""
        new_key = keys.generate_key("node")
        self.node_key_prefix = new_key.prefix
        self.node_key_digest = new_key.digest
        self.save(update_fields=["node_key_prefix", "node_key_digest"])
        return new_key.plaintext


class IdempotencyRecord(models.Model):
    """The first answer to a create request sent with an Idempotency-Key header.

    The key itself is stored only as a digest, and the answer (which holds the
    new user's password) is encrypted under a key derived from the
    Idempotency-Key, so the database alone cannot reveal the password.
    """

    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE)
    key_digest = models.CharField(max_length=64)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    encrypted_body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["reseller", "key_digest"], name="idempotency_reseller_key_unique"),
        ]

    def __str__(self):
        return f"{self.reseller_id}:{self.key_digest[:12]}"
