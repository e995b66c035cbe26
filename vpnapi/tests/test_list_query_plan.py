"""The user list's queries can walk the partial indexes made for them."""

import pytest
from django.db import connection

from accounts.models import VpnUser
from vpnapi.views.users import SORT_FIELDS, ListParameters

EXPECTED_INDEX = {
    "userid": "vpnuser_live_id_idx",
    "username": "vpnuser_live_username_idx",
    "enable": "vpnuser_live_enable_idx",
    "created": "vpnuser_live_created_idx",
}


def query_plan(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " | ".join(row[-1] for row in cursor.fetchall())
        # A test table of a few rows makes a sequential scan cheapest, so
        # PostgreSQL is set to avoid one; the test then shows which index
        # can deliver the rows in the requested order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return " | ".join(row[0] for row in cursor.fetchall())


def list_page(reseller, sort, order):
    params = ListParameters({"sort": sort, "order": order})
    return VpnUser.objects.for_reseller(reseller).live().order_by(*params.ordering())[20:30]


@pytest.mark.parametrize("sort", sorted(SORT_FIELDS))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_list_page_walks_sort_index(reseller, sort, order):
    plan = query_plan(*list_page(reseller, sort, order).query.sql_with_params())

    if sort == "userid" and connection.vendor == "postgresql":
        # The primary key delivers the same order, and PostgreSQL may take it.
        assert EXPECTED_INDEX[sort] in plan or "accounts_vpnuser_pkey" in plan
    else:
        assert EXPECTED_INDEX[sort] in plan
    assert "TEMP B-TREE" not in plan
    assert "Sort Key" not in plan


def test_list_count_uses_live_index(reseller):
    sql, params = VpnUser.objects.for_reseller(reseller).live().order_by().values("pk").query.sql_with_params()

    plan = query_plan(f"SELECT COUNT(*) FROM ({sql}) AS page", params)

    assert "vpnuser_live_" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
@pytest.mark.parametrize("column", ["username", "note"])
def test_search_trigram_index_exists(db, column):
    # A test table is too small for the planner to prefer these indexes, so
    # this checks their definition; the migration notes the measured plans.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'accounts_vpnuser' AND indexname = %s",
            [f"vpnuser_live_{column}_trgm_idx"],
        )
        (definition,) = cursor.fetchone()

    assert "USING gin" in definition
    assert f"upper(({column})::text) gin_trgm_ops" in definition
    assert "WHERE (deleted_at IS NULL)" in definition
