"""The reseller statistics, computed by SQL aggregation.

Each function runs a fixed number of queries however many users a reseller
has. Day and month boundaries are midnights in settings.TIME_ZONE, while the
database stores UTC.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import AccountType, VpnUser
from vpnapi.models import Session

# Fixed English names, because calendar.month_name follows the process locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

WEEK_DAYS = 7
AVERAGE_DAYS = 30


def statistics_zone():
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(now, days_ago, zone):
    """Return the midnight that starts the local day days_ago days before now's local day."""
    day = timezone.localtime(now, zone).date() - timedelta(days=days_ago)
    return datetime.combine(day, time.min, tzinfo=zone)


def round_half_up(numerator, denominator):
    return (2 * numerator + denominator) // (2 * denominator)


def summary(reseller, now=None):
    """Return the reseller's summary figures, the one object of ``tdata``.

    Runs two queries: one over the reseller's users, one over open sessions.
    """
    now = now or timezone.now()
    zone = statistics_zone()
    today = local_midnight(now, 0, zone)
    week = local_midnight(now, WEEK_DAYS - 1, zone)
    month = local_midnight(now, AVERAGE_DAYS - 1, zone)

    live = Q(deleted_at__isnull=True)
    users = VpnUser.objects.for_reseller(reseller).aggregate(
        total_user=Count("id", filter=live),
        total_premium=Count("id", filter=live & Q(account_type=AccountType.PREMIUM)),
        total_lexuser=Count("id", filter=live & Q(account_type=AccountType.LEX)),
        total_deleted=Count("id", filter=Q(deleted_at__isnull=False)),
        today_signups=Count("id", filter=Q(created_at__gte=today)),
        week_signup=Count("id", filter=Q(created_at__gte=week)),
        average_window_signups=Count("id", filter=Q(created_at__gte=month)),
        total_enable=Count("id", filter=live & Q(enable=True)),
        total_disable=Count("id", filter=live & Q(enable=False)),
    )

    # A user with several open sessions (two devices, two servers) is online once.
    online = Session.objects.filter(ended_at__isnull=True, user__reseller=reseller).aggregate(
        current_online=Count("user", distinct=True),
        premium_online=Count("user", distinct=True, filter=Q(user__account_type=AccountType.PREMIUM)),
        lex_online=Count("user", distinct=True, filter=Q(user__account_type=AccountType.LEX)),
    )

    average_window_signups = users.pop("average_window_signups")
    return {
        **online,
        **users,
        "avg_user": round_half_up(average_window_signups, AVERAGE_DAYS),
    }


def monthly(reseller, now=None):
    """Return one row per local calendar month with a signup or a deletion, newest first.

    Runs two queries: signups grouped by the month of created_at, and
    deletions grouped by the month of deleted_at. A month without either is
    left out. ``now`` is accepted for symmetry with summary(); rows cover
    every month on record.
    """
    zone = statistics_zone()
    users = VpnUser.objects.for_reseller(reseller)
    live = Q(deleted_at__isnull=True)

    signups = (
        users.annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month")
        .annotate(
            users=Count("id"),
            users_premium=Count("id", filter=Q(account_type=AccountType.PREMIUM)),
            users_lex=Count("id", filter=Q(account_type=AccountType.LEX)),
            total_enable=Count("id", filter=live & Q(enable=True)),
            total_disable=Count("id", filter=live & Q(enable=False)),
        )
        .order_by()
    )
    deletions = (
        users.filter(deleted_at__isnull=False)
        .annotate(month=TruncMonth("deleted_at", tzinfo=zone))
        .values("month")
        .annotate(deluser=Count("id"))
        .order_by()
    )

    rows = {}
    for row in signups:
        key = _month_key(row["month"], zone)
        rows[key] = {**_empty_row(key), **{name: value for name, value in row.items() if name != "month"}}
    for row in deletions:
        key = _month_key(row["month"], zone)
        rows.setdefault(key, _empty_row(key))["deluser"] = row["deluser"]

    return [rows[key] for key in sorted(rows, reverse=True)]


def _month_key(moment, zone):
    # TruncMonth returns an aware datetime on PostgreSQL and SQLite alike;
    # read its year and month in the statistics zone.
    local = timezone.localtime(moment, zone) if timezone.is_aware(moment) else moment
    return local.year, local.month


def _empty_row(key):
    year, month = key
    return {
        "month": f"{year}-{MONTH_NAMES[month - 1]}",
        "users": 0,
        "users_premium": 0,
        "users_lex": 0,
        "deluser": 0,
        "total_enable": 0,
        "total_disable": 0,
    }
