import logging
import secrets
import string
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import keys
from accounts.validators import validate_no_control_characters

logger = logging.getLogger(__name__)

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 64
PASSWORD_MIN_LENGTH = 6
PASSWORD_MAX_LENGTH = 128
NOTE_MAX_LENGTH = 500
GENERATED_PASSWORD_LENGTH = 16

# Letters, digits and . _ - @, with at least one character that is not a
# digit, so that a path segment of digits only is always a user id.
username_validator = RegexValidator(
    r"\A(?=.*[^0-9])[A-Za-z0-9._@-]+\Z",
    _("Use letters, digits and . _ - @ only, with at least one character that is not a digit."),
    code="invalid_username",
)

LIVE_USERNAME_CONSTRAINT = "vpnuser_live_username_ci_unique"


class Reseller(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    quota = models.PositiveIntegerField(
        _("quota"), null=True, blank=True, help_text=_("Maximum number of live VPN users; empty means no limit.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("reseller")
        verbose_name_plural = _("resellers")

    def __str__(self):
        return self.name

    def issue_api_key(self, name="default", expires_at=None):
        """Create an API key and return it with its plaintext, which is never stored."""
        new_key = keys.generate_key("live")
        api_key = ApiKey.objects.create(
            reseller=self, name=name, prefix=new_key.prefix, digest=new_key.digest, expires_at=expires_at
        )
        logger.info("Issued API key %s for reseller %s", api_key.prefix, self.pk)
        return api_key, new_key.plaintext


class User(AbstractUser):
    """A login for the dashboard (reseller staff) or the admin (provider staff)."""

    reseller = models.ForeignKey(
        Reseller,
        verbose_name=_("reseller"),
        related_name="logins",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("The reseller whose dashboard this login opens; empty for provider staff."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(revoked_at__isnull=True), Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiKey(models.Model):
    reseller = models.ForeignKey(Reseller, related_name="api_keys", on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=100, default="default")
    prefix = models.CharField(_("prefix"), max_length=24, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    # last_used_at is written at most this often, so a busy key does not turn
    # every read request into a write.
    LAST_USED_RESOLUTION = timedelta(minutes=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None):
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

    def touch(self, now=None):
        """Record use of the key, writing at most once per LAST_USED_RESOLUTION."""
        now = now or timezone.now()
        if self.last_used_at and now - self.last_used_at < self.LAST_USED_RESOLUTION:
            return
        ApiKey.objects.filter(pk=self.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - self.LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        self.last_used_at = now

    def revoke(self, when=None):
        self.revoked_at = when or timezone.now()
        self.save(update_fields=["revoked_at"])


class AccountType(models.IntegerChoices):
    PREMIUM = 1, "PREMIUM"
    LEX = 2, "LEX"


class VpnUserQuerySet(models.QuerySet):
    def for_reseller(self, reseller):
        return self.filter(reseller=reseller)

    def live(self):
        return self.filter(deleted_at__isnull=True)

    def by_identifier(self, identifier):
        """Filter on a path segment that is either a user id or a username.

        A segment that can be neither (bad characters, too long) matches no
        row, and never reaches the database as a malformed literal.
        """
        if identifier.isascii() and identifier.isdigit():
            if len(identifier) > 18:
                return self.none()
            return self.filter(pk=int(identifier))
        if not is_valid_username(identifier):
            return self.none()
        return self.filter(username__iexact=identifier)


def is_valid_username(value):
    if not isinstance(value, str) or not USERNAME_MIN_LENGTH <= len(value) <= USERNAME_MAX_LENGTH:
        return False
    try:
        username_validator(value)
    except Exception:
        return False
    return True


def generate_username():
    """Return a username of four lowercase letters and six digits, like jlgu468206."""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(4))
    digits = "".join(secrets.choice(string.digits) for _ in range(6))
    return letters + digits


def generate_password():
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(GENERATED_PASSWORD_LENGTH))


class UsernameTaken(Exception):
    """Raised when a live user already has the username, in any letter case."""

    def __init__(self, username):
        super().__init__(username)
        self.username = username


class QuotaExceeded(Exception):
    def __init__(self, quota):
        super().__init__(quota)
        self.quota = quota


def is_username_conflict(error):
    return LIVE_USERNAME_CONSTRAINT in str(error)


class VpnUser(models.Model):
    reseller = models.ForeignKey(Reseller, related_name="vpn_users", on_delete=models.PROTECT)
    username = models.CharField(
        _("username"),
        max_length=USERNAME_MAX_LENGTH,
        validators=[MinLengthValidator(USERNAME_MIN_LENGTH), username_validator],
    )
    password = models.CharField(_("password hash"), max_length=256)
    enable = models.BooleanField(_("enabled"), default=True)
    account_type = models.PositiveSmallIntegerField(
        _("account type"), choices=AccountType.choices, default=AccountType.PREMIUM
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    note = models.CharField(
        _("note"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        default="",
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_no_control_characters],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = VpnUserQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("VPN user")
        verbose_name_plural = _("VPN users")
        constraints = [
            # Usernames are global, not per reseller, because a VPN server
            # checks a login without knowing which reseller sold it. Deleted
            # users keep their row but free the name.
            models.UniqueConstraint(
                Upper("username"),
                condition=Q(deleted_at__isnull=True),
                name=LIVE_USERNAME_CONSTRAINT,
            ),
        ]
        # The API's user list: one reseller's live users, counted, then sorted
        # by id (the default), enable, username or created_at with id as the
        # tie-breaker. Each sort has its own partial index so the database
        # walks the index in order and stops after one page. Without them
        # PostgreSQL 15 scanned the primary key backwards, and both databases
        # sorted every live user of the reseller for each page.
        # NOTE: with PostgreSQL's default random_page_cost of 4 the planner
        # can still prefer a backward primary key scan for the default sort
        # when a reseller's users hold old ids; random_page_cost = 1.1 (SSD
        # storage) makes it use vpnuser_live_id_idx.
        # The search's trigram indexes exist on PostgreSQL only, so migration
        # 0004_vpnuser_search_trigram_indexes creates them with SQL, not here.
        indexes = [
            models.Index(fields=["reseller", "id"], condition=Q(deleted_at__isnull=True), name="vpnuser_live_id_idx"),
            models.Index(
                fields=["reseller", "enable", "id"],
                condition=Q(deleted_at__isnull=True),
                name="vpnuser_live_enable_idx",
            ),
            models.Index(
                fields=["reseller", "username", "id"],
                condition=Q(deleted_at__isnull=True),
                name="vpnuser_live_username_idx",
            ),
            models.Index(
                fields=["reseller", "created_at", "id"],
                condition=Q(deleted_at__isnull=True),
                name="vpnuser_live_created_idx",
            ),
            # The statistics: one reseller's users filtered and grouped by
            # created_at, counted by flag, type and deletion. The included
            # columns let PostgreSQL read the counts from the index alone.
            # SQLite has no covering indexes and keeps only the key columns.
            models.Index(
                fields=["reseller", "created_at"],
                include=["enable", "account_type", "deleted_at", "id"],
                name="vpnuser_reseller_created_idx",
            ),
            # The monthly statistics' deletions: one reseller's deleted users
            # grouped by deleted_at. Only deleted rows are indexed, so the
            # query no longer scans every live user to find none.
            models.Index(
                fields=["reseller", "deleted_at"],
                condition=Q(deleted_at__isnull=False),
                name="vpnuser_deleted_idx",
            ),
        ]

    def __str__(self):
        return self.username

    @property
    def account_typename(self):
        return AccountType(self.account_type).label

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def set_password(self, raw_password):
        self.password = make_password(raw_password)

    def check_password(self, raw_password):
        """Check a password, upgrading the stored hash when the hasher's cost changed."""

        def upgrade(raw):
            self.set_password(raw)
            VpnUser.objects.filter(pk=self.pk).update(password=self.password)

        return check_password(raw_password, self.password, setter=upgrade)

    @classmethod
    def create_for(cls, reseller, *, username=None, password=None, **fields):
        """Create a live user for a reseller and return it with its plaintext password.

        Raises UsernameTaken when the name is held by a live user, and
        QuotaExceeded when the reseller already has its quota of live users.
        The quota check locks the reseller row, so concurrent creates cannot
        both take the last free place.
        """
        password = password if password is not None else generate_password()
        attempts = 1 if username else 5
        with transaction.atomic():
            if reseller.quota is not None:
                locked = Reseller.objects.select_for_update().get(pk=reseller.pk)
                live_count = cls.objects.for_reseller(locked).live().count()
                if locked.quota is not None and live_count >= locked.quota:
                    raise QuotaExceeded(locked.quota)
            for attempt in range(attempts):
                user = cls(reseller=reseller, username=username or generate_username(), **fields)
                user.set_password(password)
                try:
                    with transaction.atomic():
                        user.save(force_insert=True)
                except IntegrityError as error:
                    if not is_username_conflict(error):
                        raise
                    if username or attempt == attempts - 1:
                        raise UsernameTaken(user.username) from None
                    continue
                break
        logger.info("Created VPN user %s (%s) for reseller %s", user.pk, user.username, reseller.pk)
        return user, password

    def apply_changes(self, changes):
        """Save the given field values; a new ``password`` is hashed first.

        Raises UsernameTaken when another live user has the new username.
        The unique constraint decides, so two requests racing for one name
        cannot both win.
        """
        changes = dict(changes)
        if "password" in changes:
            self.set_password(changes.pop("password"))
            changes["password"] = self.password
        for field, value in changes.items():
            setattr(self, field, value)
        if not changes:
            return
        try:
            with transaction.atomic():
                self.save(update_fields=[*changes, "updated_at"])
        except IntegrityError as error:
            if is_username_conflict(error):
                raise UsernameTaken(self.username) from None
            raise
        logger.info("Updated VPN user %s of reseller %s, fields %s", self.pk, self.reseller_id, sorted(changes))

    def soft_delete(self):
        """Mark the user deleted; return False when it was already deleted.

        The conditional update decides between concurrent deletes, so only one
        caller sees True and runs the clean-up that goes with deletion.
        """
        now = timezone.now()
        with transaction.atomic():
            marked = VpnUser.objects.filter(pk=self.pk, deleted_at__isnull=True).update(deleted_at=now, updated_at=now)
            if not marked:
                return False
            self.deleted_at = now
            self.updated_at = now
            from accounts.signals import vpn_user_deleted

            vpn_user_deleted.send(sender=VpnUser, user=self)
        logger.info("Deleted VPN user %s (%s) of reseller %s", self.pk, self.username, self.reseller_id)
        return True
