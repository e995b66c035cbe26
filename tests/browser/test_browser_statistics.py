import os
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccountType

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def test_statistics_chart_drawn(logged_in_page, live_server, make_user):
    page = logged_in_page
    make_user("alice")
    make_user("bob", account_type=AccountType.LEX)
    make_user("carol", created_at=timezone.now() - timedelta(days=40)).soft_delete()

    page.click("nav >> text=Statistics")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('monthly-chart'))")

    size = page.evaluate("() => { const c = document.getElementById('monthly-chart'); return [c.width, c.height]; }")
    datasets = page.evaluate(
        "() => Chart.getChart(document.getElementById('monthly-chart'))"
        ".data.datasets.map(d => d.data.reduce((a, b) => a + b, 0))"
    )
    rows = page.locator("#monthly-table tbody tr").count()
    this_month = page.locator("#monthly-table tbody tr").last.locator("td").all_inner_texts()
    total_tile = page.inner_text("[data-figure=total_user] .tile-value")

    assert size[0] > 0
    assert size[1] > 0
    assert datasets == [2, 1, 1]
    assert rows == 12
    assert this_month[1:] == ["2", "1", "1", "1"]
    assert total_tile == "2"
