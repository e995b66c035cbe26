import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccountType, User, VpnUser
from stats.queries import MONTH_NAMES
from stats.views import fill_months, recent_months

STATS_URL = "/dashboard/statistics/"


@pytest.fixture
def dashboard(reseller):
    login = User.objects.create_user(username="owner-staff", password="login-password-123", reseller=reseller)
    client = Client()
    client.force_login(login)
    return client


def mid_month(months_ago):
    """Return the 15th, noon UTC, of the local calendar month months_ago months before now."""
    year, month = recent_months(timezone.now(), months_ago + 1)[0]
    return datetime(year, month, 15, 12, tzinfo=UTC)


def label(moment):
    return f"{moment.year}-{MONTH_NAMES[moment.month - 1]}"


def add_users(reseller, count, created_at, **fields):
    password_hash = make_password("secret-password")
    suffix = "d" if "deleted_at" in fields else ""
    VpnUser.objects.bulk_create(
        VpnUser(
            reseller=reseller,
            username=f"u{created_at:%Y%m}t{fields.get('account_type', 1)}n{index:05d}{suffix}",
            password=password_hash,
            created_at=created_at,
            **fields,
        )
        for index in range(count)
    )


def test_statistics_anonymous_redirects_to_login(client):
    response = client.get(STATS_URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/statistics/"


def test_statistics_tiles_show_summary(dashboard, reseller, other_reseller, make_user):
    make_user("alice")
    make_user("bob", account_type=AccountType.LEX, enable=False)
    make_user("carol").soft_delete()
    make_user("mallory", owner=other_reseller)

    response = dashboard.get(STATS_URL)

    tiles = {key: value for key, _label, value in response.context["tiles"]}
    assert response.status_code == 200
    assert tiles["total_user"] == 2
    assert tiles["total_premium"] == 1
    assert tiles["total_lexuser"] == 1
    assert tiles["total_deleted"] == 1
    assert tiles["total_enable"] == 1
    assert tiles["total_disable"] == 1
    assert tiles["today_signups"] == 3
    assert tiles["current_online"] == 0
    assert b'data-figure="total_user"><span class="tile-value">2</span>' in response.content


def test_statistics_fills_twelve_months(dashboard, reseller):
    two_months_ago = mid_month(2)
    add_users(reseller, 3, two_months_ago, account_type=AccountType.PREMIUM)
    add_users(reseller, 1, two_months_ago, account_type=AccountType.LEX)
    add_users(reseller, 2, mid_month(5), deleted_at=mid_month(4))
    add_users(reseller, 4, mid_month(13))

    response = dashboard.get(STATS_URL)

    months = response.context["months"]
    by_label = {row["month"]: row for row in months}
    assert response.status_code == 200
    assert len(months) == 12
    assert months[-1]["month"] == label(timezone.now())
    assert months[0]["month"] == label(mid_month(11))
    assert by_label[label(two_months_ago)] == {
        "month": label(two_months_ago),
        "users": 4,
        "users_premium": 3,
        "users_lex": 1,
        "deluser": 0,
    }
    assert by_label[label(mid_month(5))]["users"] == 2
    assert by_label[label(mid_month(4))]["deluser"] == 2
    assert label(mid_month(13)) not in by_label
    assert sum(row["users"] for row in months) == 6
    assert sum(row["deluser"] for row in months) == 2


def test_statistics_table_and_chart_data(dashboard, reseller):
    add_users(reseller, 2, mid_month(1), account_type=AccountType.LEX)

    response = dashboard.get(STATS_URL)

    content = response.content.decode()
    chart_json = content.split('<script id="monthly-chart-data" type="application/json">')[1].split("</script>")[0]
    chart = json.loads(chart_json)
    assert content.count("<tr>") == 13  # header row and twelve months
    assert f"<td>{label(mid_month(1))}</td>" in content
    assert chart["labels"] == [row["month"] for row in response.context["months"]]
    assert [series["label"] for series in chart["series"]] == ["PREMIUM signups", "LEX signups", "Deletions"]
    assert chart["series"][1]["data"][-2] == 2
    assert chart["series"][0]["data"] == [0] * 12
    assert "vendor/chartjs/chart.umd.min.js" in content


def test_statistics_ignores_other_reseller(dashboard, other_reseller):
    add_users(other_reseller, 5, mid_month(0))

    response = dashboard.get(STATS_URL)

    assert [row["users"] for row in response.context["months"]] == [0] * 12
    assert {key: value for key, _label, value in response.context["tiles"]}["total_user"] == 0


@pytest.mark.parametrize("count", [10, 1000])
def test_statistics_query_count_is_constant(dashboard, reseller, count):
    for months_ago in range(4):
        add_users(reseller, count // 4, mid_month(months_ago))

    with CaptureQueriesContext(connection) as queries:
        response = dashboard.get(STATS_URL)

    assert response.status_code == 200
    # session, login, reseller, the user and session summaries, signups and
    # deletions by month
    assert len(queries) == 7


def test_recent_months_crosses_year_boundary():
    now = datetime(2026, 2, 10, 12, tzinfo=UTC)

    months = recent_months(now, 3)

    assert months == [(2025, 12), (2026, 1), (2026, 2)]


def test_fill_months_puts_zeros_in_gaps():
    now = datetime(2018, 12, 1, 12, tzinfo=UTC)
    rows = [
        {"month": "2018-October", "users": 5, "users_premium": 4, "users_lex": 1, "deluser": 2},
        {"month": "2017-October", "users": 9, "users_premium": 9, "users_lex": 0, "deluser": 0},
    ]

    filled = fill_months(rows, now)

    assert [row["month"] for row in filled][-3:] == ["2018-October", "2018-November", "2018-December"]
    assert filled[0]["month"] == "2018-January"
    assert filled[-3] == {"month": "2018-October", "users": 5, "users_premium": 4, "users_lex": 1, "deluser": 2}
    assert filled[-2] == {"month": "2018-November", "users": 0, "users_premium": 0, "users_lex": 0, "deluser": 0}
    assert sum(row["users"] for row in filled) == 5
