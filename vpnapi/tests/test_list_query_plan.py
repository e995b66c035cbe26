"""The user list's queries use the partial indexes made for them (SQLite's planner)."""

import pytest
from django.db import connection

from accounts.models import VpnUser
from vpnapi.views.users import SORT_FIELDS, ListParameters

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL picks plans from table statistics, which a small test table does not represent",
)

EXPECTED_INDEX = {
    "userid": "vpnuser_live_id_idx",
    "username": "vpnuser_live_username_idx",
    "enable": "vpnuser_live_enable_idx",
    "created": "vpnuser_live_created_idx",
}


def query_plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(row[-1] for row in cursor.fetchall())


@pytest.mark.parametrize("sort", sorted(SORT_FIELDS))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_list_page_walks_sort_index(reseller, sort, order):
    params = ListParameters({"sort": sort, "order": order})
    page = VpnUser.objects.for_reseller(reseller).live().order_by(*params.ordering())[20:30]

    plan = query_plan(page)

    assert EXPECTED_INDEX[sort] in plan
    assert "TEMP B-TREE" not in plan


def test_list_count_uses_live_index(reseller):
    users = VpnUser.objects.for_reseller(reseller).live()
    sql, params = users.values("pk").query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql}) AS page", params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())

    assert "vpnuser_live_" in plan
