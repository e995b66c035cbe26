import pytest

from accounts.tests.test_dashboard_users import USERS_URL, bulk_users, page_usernames


@pytest.mark.parametrize("per_page", ["-1", "0", "1", "100000", "x"])
def test_list_ignores_per_page(dashboard, reseller, per_page):
    bulk_users(reseller, 30)

    response = dashboard.get(USERS_URL, {"sort": "username", "per_page": per_page})

    assert response.status_code == 200
    assert page_usernames(response) == [f"bulk{index:05d}" for index in range(25)]


@pytest.mark.parametrize(("page", "first_index"), [("2", 25), ("99", 25), ("-1", 25), ("x", 0), ("", 0)])
def test_list_page_out_of_range(dashboard, reseller, page, first_index):
    bulk_users(reseller, 30)

    response = dashboard.get(USERS_URL, {"sort": "username", "page": page})

    assert response.status_code == 200
    assert page_usernames(response)[0] == f"bulk{first_index:05d}"
