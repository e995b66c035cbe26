"""Swagger UI at /1.0/docs renders in headless Chromium without any network access.

Every request that is not for the live test server is aborted, so the page
passes only if Swagger UI and its assets come from the vendored static files.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Milliseconds to wait for Swagger UI to fetch the schema and draw the operations.
RENDER_TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install it with apt-get install chromium"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_docs_render_without_network(browser, live_server):
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

    page = browser.new_page()
    page.route("**/*", route)
    page.goto(f"{live_server.url}/1.0/docs", wait_until="load")
    page.locator(".opblock").first.wait_for(timeout=RENDER_TIMEOUT_MS)

    summaries = page.locator(".opblock .opblock-summary-path").all_inner_texts()
    assert "/1.0/User" in summaries
    assert "/1.0/User/{identifier}" in summaries
    assert "/1.0/Auth" in summaries
    assert page.locator(".opblock").count() >= 7
    assert page.locator("button.authorize").count() == 1
    assert f"{live_server.url}/1.0/openapi.json" in served
    assert blocked == []
