"""The dashboard's statistics page: summary tiles and the last twelve months."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.views import reseller_page
from stats import queries

MONTHS_SHOWN = 12

# Summary figures in the order of the tiles, with their labels.
TILES = [
    ("current_online", _("Online now")),
    ("premium_online", _("PREMIUM online")),
    ("lex_online", _("LEX online")),
    ("total_user", _("Live users")),
    ("total_premium", _("PREMIUM users")),
    ("total_lexuser", _("LEX users")),
    ("total_enable", _("Enabled")),
    ("total_disable", _("Disabled")),
    ("today_signups", _("Signups today")),
    ("week_signup", _("Signups in 7 days")),
    ("avg_user", _("Signups a day (30-day average)")),
    ("total_deleted", _("Deleted")),
]


def recent_months(now, count):
    """Return the (year, month) pairs of the last count local calendar months, oldest first."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    months = []
    for _index in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def month_label(year, month):
    return f"{year}-{queries.MONTH_NAMES[month - 1]}"


def fill_months(rows, now, count=MONTHS_SHOWN):
    """Return one row for each of the last count months, oldest first, with zeros where a month had no activity."""
    by_label = {row["month"]: row for row in rows}
    filled = []
    for year, month in recent_months(now, count):
        label = month_label(year, month)
        row = by_label.get(label)
        filled.append(
            {
                "month": label,
                "users": row["users"] if row else 0,
                "users_premium": row["users_premium"] if row else 0,
                "users_lex": row["users_lex"] if row else 0,
                "deluser": row["deluser"] if row else 0,
            }
        )
    return filled


@require_GET
@reseller_page
def statistics(request):
    now = timezone.now()
    figures = queries.summary(request.reseller, now=now)
    months = fill_months(queries.monthly(request.reseller, now=now), now)
    chart = {
        "labels": [row["month"] for row in months],
        "series": [
            {"label": str(_("PREMIUM signups")), "stack": "signups", "data": [row["users_premium"] for row in months]},
            {"label": str(_("LEX signups")), "stack": "signups", "data": [row["users_lex"] for row in months]},
            {"label": str(_("Deletions")), "stack": "deletions", "data": [row["deluser"] for row in months]},
        ],
    }
    tiles = [(key, label, figures[key]) for key, label in TILES]
    return render(request, "dashboard/stats/statistics.html", {"tiles": tiles, "months": months, "chart": chart})
