import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccountType, VpnUser
from stats.tests.conftest import local
from vpnapi.models import Protocol, Session


def test_all_returns_summary_and_months(api, pinned_clock, add_user, server):
    user = add_user(local(2026, 3, 1, 0, 0, 0))
    add_user(local(2026, 2, 28, 23, 59, 59), account_type=AccountType.LEX, enable=False)
    Session.objects.create(user=user, server=server, protocol=Protocol.WIREGUARD)

    response = api.get("/1.0/Stats/all")

    assert response.status_code == 200
    assert response.json() == {
        "tdata": [
            {
                "current_online": 1,
                "premium_online": 1,
                "lex_online": 0,
                "total_user": 2,
                "total_premium": 1,
                "total_lexuser": 1,
                "total_deleted": 0,
                "today_signups": 1,
                "week_signup": 2,
                "avg_user": 0,
                "total_enable": 1,
                "total_disable": 1,
            }
        ],
        "data": [
            {
                "month": "2026-March",
                "users": 1,
                "users_premium": 1,
                "users_lex": 0,
                "deluser": 0,
                "total_enable": 1,
                "total_disable": 0,
            },
            {
                "month": "2026-February",
                "users": 1,
                "users_premium": 0,
                "users_lex": 1,
                "deluser": 0,
                "total_enable": 0,
                "total_disable": 1,
            },
        ],
    }


def test_summary_returns_only_tdata(api, pinned_clock, add_user):
    add_user(local(2026, 3, 1, 9))

    response = api.get("/1.0/Stats/summary")

    assert response.status_code == 200
    assert list(response.json()) == ["tdata"]
    assert response.json()["tdata"][0]["today_signups"] == 1


def test_monthly_returns_only_data(api, pinned_clock, add_user):
    add_user(local(2026, 3, 1, 9))

    response = api.get("/stats/monthly/")

    assert response.status_code == 200
    assert list(response.json()) == ["data"]
    assert response.json()["data"][0]["month"] == "2026-March"


@pytest.mark.parametrize("option", ["daily", "ALLX", ""])
def test_unknown_option_lists_valid_ones(api, db, option):
    response = api.get(f"/1.0/Stats/{option}")

    assert response.status_code == 404
    assert response.json() == {
        "success": "error",
        "error": "not_found",
        "message": f"There is no statistics option {option!r}: use one of all, summary, monthly.",
    }


def test_other_resellers_users_never_count(other_api, pinned_clock, add_user, reseller):
    add_user(local(2026, 3, 1, 9))

    response = other_api.get("/1.0/Stats/all")

    assert response.status_code == 200
    assert response.json()["tdata"][0]["total_user"] == 0
    assert response.json()["data"] == []


def test_node_key_is_rejected(db, server):
    from conftest import make_client

    response = make_client(server.issue_node_key()).get("/1.0/Stats/all")

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_missing_key_is_unauthorized(client, db):
    response = client.get("/1.0/Stats/all")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize("user_count", [10, 1000])
def test_query_count_is_constant(api, pinned_clock, reseller, password_hash, server, user_count):
    users = VpnUser.objects.bulk_create(
        VpnUser(
            reseller=reseller,
            username=f"bulk{number}x",
            password=password_hash,
            account_type=AccountType.LEX if number % 3 else AccountType.PREMIUM,
            enable=bool(number % 4),
            created_at=local(2025, 1 + number % 12, 1 + number % 28, number % 24),
            deleted_at=local(2026, 2, 1) if number % 5 == 0 else None,
        )
        for number in range(user_count)
    )
    Session.objects.bulk_create(Session(user=user, server=server, protocol=Protocol.OPENVPN) for user in users[::7])
    # The first request also records that the API key was used.
    api.get("/1.0/Stats/all")

    with CaptureQueriesContext(connection) as queries:
        response = api.get("/1.0/Stats/all")

    assert response.status_code == 200
    # 1: API key lookup. 2, 3: user figures and online figures. 4, 5: signups
    # and deletions by month.
    assert len(queries) == 5
    assert response.json()["tdata"][0]["total_user"] == user_count - user_count // 5


@pytest.mark.parametrize("path", ["/1.0/Stats", "/Stats", "/stats/", "/1.0/Stats/"])
def test_missing_option_lists_options(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json() == {
        "success": "error",
        "error": "not_found",
        "message": "There is no statistics option '': use one of all, summary, monthly.",
    }
