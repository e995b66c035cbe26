from django.db import models
from django.db.models import F, Q
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
    """The first response to a create request sent with an Idempotency-Key header.

    The key itself is stored only as a digest, and the response (which contains
    the new user's password) is encrypted under a key derived from the
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


class ExitAddress(models.Model):
    """A public address that a VPN server's traffic leaves from, as Ipcheck matches it."""

    server = models.ForeignKey(
        VpnServer, verbose_name=_("server"), related_name="exit_addresses", on_delete=models.CASCADE
    )
    # unpack_ipv4 stores ::ffff:203.0.113.5 as 203.0.113.5, so a lookup by
    # either form finds the row.
    address = models.GenericIPAddressField(_("address"), unpack_ipv4=True)

    class Meta:
        ordering = ["server", "address"]
        verbose_name = _("exit address")
        verbose_name_plural = _("exit addresses")
        constraints = [
            models.UniqueConstraint(fields=["address"], name="exitaddress_address_unique"),
        ]

    def __str__(self):
        return self.address


class WireguardKey(models.Model):
    """A VPN user's WireGuard public key and the tunnel addresses allocated to it."""

    user = models.ForeignKey(
        "accounts.VpnUser", verbose_name=_("user"), related_name="wireguard_keys", on_delete=models.CASCADE
    )
    public_key = models.CharField(_("public key"), max_length=44)
    ipv4_address = models.GenericIPAddressField(_("IPv4 address"), protocol="IPv4")
    ipv6_address = models.GenericIPAddressField(_("IPv6 address"), protocol="IPv6")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["user", "id"]
        verbose_name = _("WireGuard key")
        verbose_name_plural = _("WireGuard keys")
        # The constraint names contain the column names, so the code that
        # retries after an IntegrityError can tell which one failed from the
        # message on SQLite (which names the column) and PostgreSQL (which
        # names the constraint).
        constraints = [
            models.UniqueConstraint(fields=["public_key"], name="wireguardkey_public_key_unique"),
            models.UniqueConstraint(fields=["ipv4_address"], name="wireguardkey_ipv4_address_unique"),
            models.UniqueConstraint(fields=["ipv6_address"], name="wireguardkey_ipv6_address_unique"),
        ]

    def __str__(self):
        return self.public_key


class Protocol(models.TextChoices):
    OPENVPN = "openvpn", "OpenVPN"
    WIREGUARD = "wireguard", "WireGuard"


class Session(models.Model):
    """A VPN user's connection to a VPN server, open until ended_at is set."""

    user = models.ForeignKey(
        "accounts.VpnUser", verbose_name=_("user"), related_name="sessions", on_delete=models.CASCADE
    )
    server = models.ForeignKey(VpnServer, verbose_name=_("server"), related_name="sessions", on_delete=models.CASCADE)
    protocol = models.CharField(_("protocol"), max_length=16, choices=Protocol.choices)
    tunnel_address = models.GenericIPAddressField(_("tunnel address"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    bytes_in = models.BigIntegerField(_("bytes in"), default=0)
    bytes_out = models.BigIntegerField(_("bytes out"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(protocol__in=Protocol.values), name="session_protocol_valid"),
            models.CheckConstraint(condition=Q(bytes_in__gte=0, bytes_out__gte=0), name="session_bytes_not_negative"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="session_ends_after_start",
            ),
        ]
        indexes = [
            # The online figures of the statistics: open sessions by user.
            models.Index(fields=["user"], condition=Q(ended_at__isnull=True), name="session_open_user_idx"),
            # A node's report: the open sessions of one server.
            models.Index(fields=["server"], condition=Q(ended_at__isnull=True), name="session_open_server_idx"),
            # A user's recent sessions on the dashboard.
            models.Index(fields=["user", "-started_at"], name="session_user_started_idx"),
        ]

    def __str__(self):
        return f"{self.user_id}@{self.server_id} {self.protocol}"

    @property
    def is_open(self):
        return self.ended_at is None
