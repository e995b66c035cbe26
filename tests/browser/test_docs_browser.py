"""Swagger UI at /1.0/docs renders in headless Chromium without any network access.

Every request that is not for the live test server is aborted, so the page
passes only if Swagger UI and its assets come from the vendored static files.
The browser comes from this folder's conftest, which skips the test when
Chromium is missing (and fails it when REQUIRE_BROWSER=1).
"""

from urllib.parse import urlsplit

import pytest

from tests.conftest import generate_schema

# Milliseconds to wait for Swagger UI to fetch the schema and draw the operations.
RENDER_TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


def test_docs_render_without_network(page, live_server):
    server = urlsplit(live_server.url).netloc
    served, blocked = [], []

    def route(request_route):
        request = request_route.request
        if urlsplit(request.url).netloc == server:
            served.append(request.url)
            request_route.continue_()
        else:
            blocked.append(request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(f"{live_server.url}/1.0/docs", wait_until="load")
    page.locator(".opblock").first.wait_for(timeout=RENDER_TIMEOUT_MS)

    summaries = page.locator(".opblock .opblock-summary-path").all_inner_texts()
    assert "/1.0/User" in summaries
    assert "/1.0/User/{identifier}" in summaries
    assert "/1.0/Auth" in summaries
    operation_count = sum(len(path_item) for path_item in generate_schema()["paths"].values())
    assert page.locator(".opblock").count() == operation_count
    assert page.locator("button.authorize").count() == 1
    assert f"{live_server.url}/1.0/openapi.json" in served
    assert blocked == []
