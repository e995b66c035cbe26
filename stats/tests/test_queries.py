import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccountType
from stats import queries
from stats.tests.conftest import NOW, local
from vpnapi.models import Protocol, Session

PREMIUM = AccountType.PREMIUM
LEX = AccountType.LEX


@pytest.fixture
def timeline(far_zone, add_user, other_reseller):
    """Users created and deleted on both sides of local midnights and month ends.

    Each comment gives the local time, then how a UTC computation would
    misplace it.
    """
    # 1 March 00:00:00, today (28 February in UTC).
    add_user(local(2026, 3, 1, 0, 0, 0))
    # 28 February 23:59:59, yesterday.
    add_user(local(2026, 2, 28, 23, 59, 59), account_type=LEX)
    # 23 February 00:00:00, the first instant of the seven-day week.
    add_user(local(2026, 2, 23, 0, 0, 0), enable=False)
    # 22 February 23:59:59, just before the week; deleted 1 March 00:30
    # (28 February in UTC).
    add_user(local(2026, 2, 22, 23, 59, 59), deleted_at=local(2026, 3, 1, 0, 30))
    # 31 January 00:00:00, the first instant of the 30-day average window.
    add_user(local(2026, 1, 31, 0, 0, 0), account_type=LEX)
    # 30 January 23:59:59; deleted 1 February 00:10 (31 January in UTC).
    add_user(local(2026, 1, 30, 23, 59, 59), deleted_at=local(2026, 2, 1, 0, 10))
    # 31 December 2025 23:59:59 (December in UTC too).
    add_user(local(2025, 12, 31, 23, 59, 59))
    # Created in October, deleted in November: November has only a deletion.
    add_user(local(2025, 10, 15, 12, 0), deleted_at=local(2025, 11, 30, 23, 30))
    # Another reseller's users never count.
    add_user(local(2026, 3, 1, 0, 0, 0), owner=other_reseller)
    add_user(local(2026, 2, 1, 0, 0, 0), owner=other_reseller, deleted_at=local(2026, 3, 1, 1, 0))


def test_summary_uses_local_day_boundaries(reseller, timeline):
    figures = queries.summary(reseller, now=NOW)

    assert figures["today_signups"] == 1
    assert figures["week_signup"] == 3


def test_summary_counts_live_and_deleted_users(reseller, timeline):
    figures = queries.summary(reseller, now=NOW)

    assert figures["total_user"] == 5
    assert figures["total_premium"] == 3
    assert figures["total_lexuser"] == 2
    assert figures["total_deleted"] == 3
    assert figures["total_enable"] == 4
    assert figures["total_disable"] == 1


def test_summary_has_exactly_the_documented_fields(reseller, timeline):
    assert queries.summary(reseller, now=NOW) == {
        "current_online": 0,
        "premium_online": 0,
        "lex_online": 0,
        "total_user": 5,
        "total_premium": 3,
        "total_lexuser": 2,
        "total_deleted": 3,
        "today_signups": 1,
        "week_signup": 3,
        "avg_user": 0,
        "total_enable": 4,
        "total_disable": 1,
    }


def test_monthly_rows_follow_local_months(reseller, timeline):
    rows = queries.monthly(reseller, now=NOW)

    assert rows == [
        {
            "month": "2026-March",
            "users": 1,
            "users_premium": 1,
            "users_lex": 0,
            "deluser": 1,
            "total_enable": 1,
            "total_disable": 0,
        },
        {
            "month": "2026-February",
            "users": 3,
            "users_premium": 2,
            "users_lex": 1,
            "deluser": 1,
            "total_enable": 1,
            "total_disable": 1,
        },
        {
            "month": "2026-January",
            "users": 2,
            "users_premium": 1,
            "users_lex": 1,
            "deluser": 0,
            "total_enable": 1,
            "total_disable": 0,
        },
        {
            "month": "2025-December",
            "users": 1,
            "users_premium": 1,
            "users_lex": 0,
            "deluser": 0,
            "total_enable": 1,
            "total_disable": 0,
        },
        {
            "month": "2025-November",
            "users": 0,
            "users_premium": 0,
            "users_lex": 0,
            "deluser": 1,
            "total_enable": 0,
            "total_disable": 0,
        },
        {
            "month": "2025-October",
            "users": 1,
            "users_premium": 1,
            "users_lex": 0,
            "deluser": 0,
            "total_enable": 0,
            "total_disable": 0,
        },
    ]


def test_monthly_of_reseller_without_users_is_empty(other_reseller, far_zone):
    assert queries.monthly(other_reseller, now=NOW) == []


def test_month_names_ignore_active_language(reseller, far_zone, add_user):
    from django.utils import translation

    add_user(local(2026, 5, 2))
    with translation.override("de"):
        rows = queries.monthly(reseller, now=NOW)

    assert rows[0]["month"] == "2026-May"


def test_deleting_user_moves_it_to_deleted(reseller, far_zone, make_user):
    kept = make_user("kept-user")
    gone = make_user("gone-user")

    gone.soft_delete()
    figures = queries.summary(reseller)

    assert kept.deleted_at is None
    assert figures["total_user"] == 1
    assert figures["total_deleted"] == 1
    assert queries.monthly(reseller)[0]["deluser"] == 1


@pytest.mark.parametrize(
    ("users_in_window", "expected"),
    [(0, 0), (14, 0), (15, 1), (44, 1), (45, 2)],
)
def test_avg_user_rounds_half_up(reseller, far_zone, add_user, users_in_window, expected):
    for _ in range(users_in_window):
        add_user(local(2026, 1, 31, 0, 0, 0))
    # One second before the window: not counted.
    add_user(local(2026, 1, 30, 23, 59, 59))

    assert queries.summary(reseller, now=NOW)["avg_user"] == expected


def test_online_counts_each_user_once(reseller, other_reseller, add_user, server, second_server, far_zone):
    twice = add_user(local(2026, 2, 1))
    offline = add_user(local(2026, 2, 1))
    lex = add_user(local(2026, 2, 1), account_type=LEX)
    outsider = add_user(local(2026, 2, 1), owner=other_reseller)
    started = local(2026, 3, 1, 9)
    Session.objects.create(user=twice, server=server, protocol=Protocol.OPENVPN, started_at=started)
    Session.objects.create(user=twice, server=second_server, protocol=Protocol.WIREGUARD, started_at=started)
    Session.objects.create(
        user=offline,
        server=server,
        protocol=Protocol.OPENVPN,
        started_at=local(2026, 3, 1, 8),
        ended_at=local(2026, 3, 1, 9),
    )
    Session.objects.create(user=lex, server=server, protocol=Protocol.WIREGUARD, started_at=local(2026, 3, 1, 9))
    Session.objects.create(user=outsider, server=server, protocol=Protocol.OPENVPN, started_at=local(2026, 3, 1, 9))

    figures = queries.summary(reseller, now=NOW)

    assert figures["current_online"] == 2
    assert figures["premium_online"] == 1
    assert figures["lex_online"] == 1


def test_deleted_user_goes_offline(reseller, make_user, server, far_zone):
    user = make_user("online-user")
    Session.objects.create(user=user, server=server, protocol=Protocol.OPENVPN)

    user.soft_delete()

    assert queries.summary(reseller)["current_online"] == 0
    assert Session.objects.get(user=user).ended_at == user.deleted_at


@pytest.mark.parametrize("function", [queries.summary, queries.monthly])
def test_query_count_is_constant(reseller, add_user, far_zone, server, function):
    add_user(local(2026, 2, 1))
    with CaptureQueriesContext(connection) as small:
        function(reseller, now=NOW)

    for month in range(1, 13):
        for _ in range(5):
            user = add_user(local(2025, month, 3), deleted_at=local(2026, 1, 2))
            Session.objects.create(user=user, server=server, protocol=Protocol.OPENVPN)
    with CaptureQueriesContext(connection) as large:
        function(reseller, now=NOW)

    assert len(small) == 2
    assert len(large) == 2
