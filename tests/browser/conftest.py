"""Headless Chromium for the browser tests, driven through Playwright's sync API.

The tests use the system's Chromium (Debian's chromium package) and never
download a browser. Without it they are skipped, except when REQUIRE_BROWSER=1
(set by the CI script), where a missing browser fails them.
"""

import os
from pathlib import Path

import pytest

from accounts.models import User

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOGIN_USERNAME = "browser-staff"
LOGIN_PASSWORD = "browser-password-123"

# Playwright's sync API runs an event loop in the test's thread, and Django
# refuses ORM calls from a thread with a running loop unless this is set. The
# tests only use the ORM to prepare and check rows between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install it with `apt-get install chromium`."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def browser_login(reseller):
    return User.objects.create_user(username=LOGIN_USERNAME, password=LOGIN_PASSWORD, reseller=reseller)


@pytest.fixture
def logged_in_page(page, live_server, browser_login):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", LOGIN_USERNAME)
    page.fill("#id_password", LOGIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/users/")
    return page
