"""Listing and reading VPN users, and keeping one reseller's users from another."""

import math
from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import AccountType, VpnUser
from vpnapi.tests.conftest import send_json


def error(code, message, **extra):
    return {"success": "error", "error": code, "message": message, **extra}


def bulk_users(reseller, count, prefix="user", **fields):
    """Insert count live users quickly, with one shared password hash."""
    password = make_password("secret-password")
    VpnUser.objects.bulk_create(
        VpnUser(reseller=reseller, username=f"{prefix}{i:04d}x", password=password, **fields) for i in range(count)
    )
    return list(VpnUser.objects.filter(reseller=reseller).order_by("id"))


def page_of(response):
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 1
    return body[0]


# --- Get -------------------------------------------------------------------


@pytest.fixture
def roxy(make_user):
    user = make_user(username="RoxyRoxy", note="VIP", account_type=AccountType.LEX)
    VpnUser.objects.filter(pk=user.pk).update(
        created_at=datetime(2018, 10, 31, 4, 40, 37, tzinfo=UTC),
        updated_at=datetime(2018, 10, 31, 6, 13, 11, tzinfo=UTC),
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    return user


def expected_detail(user, reseller):
    return {
        "account_type": 2,
        "account_typename": "LEX",
        "created_at": "Wed, 31 Oct 2018 04:40:37 GMT",
        "enable": True,
        "expires_at": "Tue, 01 Jan 2030 00:00:00 GMT",
        "note": "VIP",
        "reseller_id": reseller.pk,
        "reseller_name": "Owner",
        "updated_at": "Wed, 31 Oct 2018 06:13:11 GMT",
        "user_id": user.pk,
        "username": "RoxyRoxy",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/1.0/User/{id}",
        "/1.0/User/{id}/",
        "/User/{id}",
        "/user/{id}",
        "/1.0/user/{id}/",
        "/1.0/User/RoxyRoxy",
        "/1.0/User/roxyroxy",
        "/1.0/User/ROXYROXY/",
        "/user/rOxYrOxY",
    ],
)
def test_get_user_by_id_or_name(api, roxy, reseller, path):
    response = api.get(path.format(id=roxy.pk))

    assert response.status_code == 200
    assert response.json() == expected_detail(roxy, reseller)


def test_get_user_never_expiring(api, make_user, reseller):
    user = make_user(username="plain-user")

    response = api.get("/1.0/User/plain-user")

    assert response.status_code == 200
    assert response.json()["expires_at"] is None
    assert response.json()["note"] == ""
    assert response.json()["account_typename"] == "PREMIUM"
    assert response.json()["user_id"] == user.pk


@pytest.mark.parametrize(
    "identifier",
    ["999999", "nobody", "a%00b", "%00", "1" * 30, "x" * 65, "a%20b", "%C3%A9t%C3%A9", "0", "-1", "%E2%80%A8abc"],
)
def test_get_user_missing(api, roxy, identifier):
    response = api.get(f"/1.0/User/{identifier}")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert response.json()["success"] == "error"


def test_get_user_nul_in_path_message(api):
    response = api.get("/1.0/User/a%00b")

    assert response.status_code == 404
    assert response.json() == error("not_found", "No user 'a\\x00b' was found: check the user id or username.")


def test_get_deleted_user(api, roxy):
    roxy.soft_delete()

    response = api.get(f"/1.0/User/{roxy.pk}")

    assert response.status_code == 404
    assert response.json() == error("not_found", f"No user '{roxy.pk}' was found: check the user id or username.")


# --- Isolation ---------------------------------------------------------------


def test_outsider_gets_missing_user_answer(other_api, roxy):
    missing_id = roxy.pk + 1000
    checks = [
        ("get", f"/1.0/User/{roxy.pk}", f"/1.0/User/{missing_id}", None),
        ("get", "/1.0/User/RoxyRoxy", "/1.0/User/NobodyHere", None),
        ("put", f"/1.0/User/{roxy.pk}", f"/1.0/User/{missing_id}", {"note": "stolen"}),
        ("patch", "/1.0/User/roxyroxy", "/1.0/User/nobodyhere", {"enable": 0}),
        ("delete", f"/1.0/User/{roxy.pk}", f"/1.0/User/{missing_id}", None),
    ]
    for method, owned_path, missing_path, body in checks:
        owned = send_json(other_api, method, owned_path, body if body is not None else "")
        missing = send_json(other_api, method, missing_path, body if body is not None else "")
        identifier = owned_path.rsplit("/", 1)[1]
        assert owned.status_code == 404, owned_path
        assert missing.status_code == 404, missing_path
        assert owned.json() == error(
            "not_found", f"No user {identifier!r} was found: check the user id or username."
        ), owned_path
        assert set(owned.json()) == set(missing.json())

    user = VpnUser.objects.get(pk=roxy.pk)
    assert user.note == "VIP"
    assert user.enable is True
    assert user.deleted_at is None


def test_outsider_list_and_search_empty(other_api, roxy):
    listing = page_of(other_api.get("/1.0/User"))
    search = page_of(other_api.get("/1.0/User", {"search": "roxy"}))

    assert listing["data"] == []
    assert listing["total_rows"] == 0
    assert search["data"] == []
    assert search["total_rows"] == 0


def test_outsider_cannot_authenticate(other_api, roxy):
    response = send_json(other_api, "post", "/1.0/Auth", {"username": "RoxyRoxy", "password": "secret-password"})

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"


def test_owner_list_excludes_outsider_users(api, other_reseller, make_user, reseller):
    own = make_user(username="own-user")
    make_user(username="their-user", owner=other_reseller)

    body = page_of(api.get("/1.0/User"))

    assert [row["user_id"] for row in body["data"]] == [own.pk]
    assert body["total_rows"] == 1


# --- List --------------------------------------------------------------------


def test_list_row_fields(api, roxy, reseller):
    body = page_of(api.get("/1.0/User"))

    assert body == {
        "data": [
            {
                "account_type": 2,
                "account_typename": "LEX",
                "created_at": "Wed, 31 Oct 2018 04:40:37 GMT",
                "enable": True,
                "expires_at": "Tue, 01 Jan 2030 00:00:00 GMT",
                "note": "VIP",
                "reseller_id": reseller.pk,
                "updated_at": "Wed, 31 Oct 2018 06:13:11 GMT",
                "user_id": roxy.pk,
                "username": "RoxyRoxy",
            }
        ],
        "max_row_limit_per_page": 10,
        "rows_on_this_page": 1,
        "success": "ok",
        "this_page": 0,
        "total_pages": 1,
        "total_rows": 1,
    }


@pytest.mark.parametrize("path", ["/1.0/User", "/1.0/User/", "/User", "/user/", "/1.0/user"])
def test_list_path_forms(api, roxy, path):
    body = page_of(api.get(path))

    assert body["total_rows"] == 1


def test_list_empty(api):
    body = page_of(api.get("/1.0/User"))

    assert body == {
        "data": [],
        "max_row_limit_per_page": 10,
        "rows_on_this_page": 0,
        "success": "ok",
        "this_page": 0,
        "total_pages": 0,
        "total_rows": 0,
    }


def test_list_defaults_newest_id_first(api, reseller):
    users = bulk_users(reseller, 24)

    body = page_of(api.get("/1.0/User"))

    assert [row["user_id"] for row in body["data"]] == [u.pk for u in reversed(users)][:10]
    assert body["total_rows"] == 24
    assert body["total_pages"] == 3
    assert body["rows_on_this_page"] == 10
    assert body["max_row_limit_per_page"] == 10


def test_list_last_page_and_past_end(api, reseller):
    users = bulk_users(reseller, 24)

    last = page_of(api.get("/1.0/User", {"page": 2}))
    past = page_of(api.get("/1.0/User", {"page": 3}))
    far = page_of(api.get("/1.0/User", {"page": 1000000000}))

    assert [row["user_id"] for row in last["data"]] == [u.pk for u in reversed(users)][20:]
    assert last["rows_on_this_page"] == 4
    assert last["this_page"] == 2
    assert past["data"] == []
    assert past["rows_on_this_page"] == 0
    assert past["this_page"] == 3
    assert past["total_rows"] == 24
    assert far["data"] == []


@pytest.mark.parametrize(("total", "limit", "pages"), [(0, 10, 0), (1, 10, 1), (10, 10, 1), (11, 10, 2), (7, 1, 7)])
def test_list_total_pages(api, reseller, total, limit, pages):
    bulk_users(reseller, total)

    body = page_of(api.get("/1.0/User", {"limit": limit}))

    assert body["total_pages"] == pages
    assert body["total_pages"] == math.ceil(total / limit)
    assert body["total_rows"] == total


@pytest.mark.parametrize(
    ("sort", "order", "key", "reverse"),
    [
        ("userid", "asc", lambda u: u.pk, False),
        ("userid", "DESC", lambda u: u.pk, True),
        ("USERNAME", "asc", lambda u: (u.username, u.pk), False),
        ("username", "Desc", lambda u: (u.username, u.pk), True),
        ("enable", "asc", lambda u: (u.enable, u.pk), False),
        ("enable", "desc", lambda u: (u.enable, u.pk), True),
        ("created", "ASC", lambda u: (u.created_at, u.pk), False),
        ("Created", "desc", lambda u: (u.created_at, u.pk), True),
    ],
)
def test_list_sort_and_order(api, reseller, sort, order, key, reverse):
    password = make_password("secret-password")
    names = ["delta", "alpha", "charlie", "bravo", "echo", "alpha2"]
    for i, name in enumerate(names):
        VpnUser.objects.create(
            reseller=reseller,
            username=name,
            password=password,
            enable=i % 2 == 0,
            created_at=datetime(2020, 1, 1 + (i * 7) % 5, tzinfo=UTC),
        )
    users = sorted(VpnUser.objects.all(), key=key, reverse=reverse)

    body = page_of(api.get("/1.0/User", {"sort": sort, "order": order}))

    assert [row["user_id"] for row in body["data"]] == [u.pk for u in users]


def test_list_order_defaults_to_desc(api, reseller):
    users = bulk_users(reseller, 3)

    body = page_of(api.get("/1.0/User", {"sort": "username"}))

    assert [row["username"] for row in body["data"]] == [u.username for u in reversed(users)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "name"}, "The parameter sort='name' is not valid: use one of userid, username, enable, created."),
        ({"sort": ""}, "The parameter sort='' is not valid: use one of userid, username, enable, created."),
        ({"order": "up"}, "The parameter order='up' is not valid: use one of asc, desc."),
        ({"page": "-1"}, "The parameter page='-1' is not valid: use a whole number from 0 to 1000000000."),
        ({"page": "one"}, "The parameter page='one' is not valid: use a whole number from 0 to 1000000000."),
        ({"page": "1.5"}, "The parameter page='1.5' is not valid: use a whole number from 0 to 1000000000."),
        ({"page": ""}, "The parameter page='' is not valid: use a whole number from 0 to 1000000000."),
        ({"page": "1" * 40}, f"The parameter page='{'1' * 40}' is not valid: use a whole number from 0 to 1000000000."),
        ({"page": "١"}, "The parameter page='١' is not valid: use a whole number from 0 to 1000000000."),
        ({"limit": "0"}, "The parameter limit='0' is not valid: use a whole number from 1 to 100."),
        ({"limit": "101"}, "The parameter limit='101' is not valid: use a whole number from 1 to 100."),
        ({"limit": "ten"}, "The parameter limit='ten' is not valid: use a whole number from 1 to 100."),
        ({"limit": "-5"}, "The parameter limit='-5' is not valid: use a whole number from 1 to 100."),
        ({"enable": "true"}, "The parameter enable='true' is not valid: use one of 0, 1."),
        ({"enable": "2"}, "The parameter enable='2' is not valid: use one of 0, 1."),
        ({"account_type": "3"}, "The parameter account_type='3' is not valid: use one of 1, 2."),
        ({"account_type": "LEX"}, "The parameter account_type='LEX' is not valid: use one of 1, 2."),
        ({"search": "a\x00b"}, "The parameter search contains a control character: send printable text only."),
        ({"search": "a\nb"}, "The parameter search contains a control character: send printable text only."),
        ({"search": "s" * 101}, "The parameter search is longer than 100 characters: shorten it."),
    ],
)
def test_list_rejects_bad_parameter(api, params, message):
    response = api.get("/1.0/User", params)

    assert response.status_code == 400
    assert response.json() == error("bad_request", message)


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_list_limit(api, reseller, limit):
    bulk_users(reseller, 101)

    body = page_of(api.get("/1.0/User", {"limit": str(limit)}))

    assert body["rows_on_this_page"] == limit
    assert len(body["data"]) == limit
    assert body["max_row_limit_per_page"] == limit
    assert body["total_pages"] == math.ceil(101 / limit)


def test_list_filters(api, reseller, make_user):
    premium_on = make_user(username="premium-on")
    premium_off = make_user(username="premium-off", enable=False)
    lex_on = make_user(username="lex-on", account_type=AccountType.LEX)
    lex_off = make_user(username="lex-off", account_type=AccountType.LEX, enable=False)

    def ids(params):
        return sorted(row["user_id"] for row in page_of(api.get("/1.0/User", params))["data"])

    assert ids({"enable": "1"}) == sorted([premium_on.pk, lex_on.pk])
    assert ids({"enable": "0"}) == sorted([premium_off.pk, lex_off.pk])
    assert ids({"account_type": "1"}) == sorted([premium_on.pk, premium_off.pk])
    assert ids({"account_type": "2"}) == sorted([lex_on.pk, lex_off.pk])
    assert ids({"account_type": "2", "enable": "0"}) == [lex_off.pk]


def test_list_search(api, reseller, make_user, other_reseller):
    by_name = make_user(username="FooBar")
    by_note = make_user(username="plain-one", note="customer fooBAR inc")
    percent = make_user(username="pct-user", note="100% off")
    underscore = make_user(username="under_score")
    backslash = make_user(username="slash-user", note="C:\\temp")
    make_user(username="underXscore", note="100X off C:Xtemp")
    make_user(username="foobar-outsider", owner=other_reseller)

    def ids(search):
        return sorted(row["user_id"] for row in page_of(api.get("/1.0/User", {"search": search}))["data"])

    assert ids("foobar") == sorted([by_name.pk, by_note.pk])
    assert ids("FOOBAR") == sorted([by_name.pk, by_note.pk])
    assert ids("%") == [percent.pk]
    assert ids("0% o") == [percent.pk]
    assert ids("_") == [underscore.pk]
    assert ids("r_s") == [underscore.pk]
    assert ids("\\") == [backslash.pk]
    assert ids(":\\t") == [backslash.pk]
    assert ids("nothing-like-this") == []


def test_list_search_counts_match_rows(api, reseller):
    bulk_users(reseller, 15, prefix="match")
    bulk_users(reseller, 5, prefix="other")

    body = page_of(api.get("/1.0/User", {"search": "MATCH", "limit": "10", "page": "1"}))

    assert body["total_rows"] == 15
    assert body["total_pages"] == 2
    assert body["rows_on_this_page"] == 5


def test_list_excludes_deleted(api, reseller, make_user):
    kept = make_user(username="kept-user")
    make_user(username="gone-user").soft_delete()

    body = page_of(api.get("/1.0/User"))

    assert [row["user_id"] for row in body["data"]] == [kept.pk]
    assert body["total_rows"] == 1


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_list_walk_by_enable_sees_each_user_once(api, reseller, order):
    password = make_password("secret-password")
    VpnUser.objects.bulk_create(
        VpnUser(reseller=reseller, username=f"walk{i:02d}x", password=password, enable=i % 25 >= 12) for i in range(25)
    )
    assert VpnUser.objects.filter(enable=False).count() == 12

    seen = []
    for page in range(3):
        body = page_of(api.get("/1.0/User", {"sort": "enable", "order": order, "limit": 10, "page": page}))
        seen.extend(body["data"])

    assert len(seen) == 25
    assert len({row["user_id"] for row in seen}) == 25
    flags = [row["enable"] for row in seen]
    assert flags == sorted(flags, reverse=order == "desc")


# --- Query counts ------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 100])
def test_list_query_count_constant(api, reseller, count, django_assert_num_queries):
    bulk_users(reseller, count)
    api.get("/1.0/User")  # records the key's first use, a write the next minute skips

    # 1. the API key with its reseller, 2. the row count, 3. the page of rows
    with django_assert_num_queries(3):
        response = api.get("/1.0/User", {"limit": 100})

    assert response.status_code == 200
    assert response.json()[0]["rows_on_this_page"] == count


@pytest.mark.parametrize("count", [10, 100])
def test_get_query_count_constant(api, reseller, count, django_assert_num_queries):
    users = bulk_users(reseller, count)
    api.get("/1.0/User")

    # 1. the API key with its reseller, 2. the user with its reseller
    with django_assert_num_queries(2):
        response = api.get(f"/1.0/User/{users[-1].username}")

    assert response.status_code == 200
    assert response.json()["user_id"] == users[-1].pk
