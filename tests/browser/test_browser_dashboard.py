import json
import os
import urllib.error
import urllib.request

import pytest

from accounts.models import VpnUser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def usernames_in_table(page):
    return page.locator("#users-table tbody tr td:nth-child(3)").all_inner_texts()


def api_status(live_server, key):
    request = urllib.request.Request(f"{live_server.url}/1.0/User", headers={"API-KEY": key})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_user_lifecycle_in_browser(logged_in_page, live_server, make_user, reseller):
    page = logged_in_page
    make_user("zebra-one")
    make_user("aardvark-one")

    page.click("text=New user")
    page.fill("#id_username", "browser-made")
    page.select_option("#id_account_type", "2")
    page.fill("#id_note", "made in chromium")
    page.click("button:has-text('Create user')")
    shown_password = page.inner_text("#created-password")
    created = VpnUser.objects.get(username="browser-made")
    assert created.account_type == 2
    assert created.check_password(shown_password)

    page.click("text=Back to the users")
    page.fill("#id_q", "browser")
    page.click("button:has-text('Filter')")
    assert usernames_in_table(page) == ["browser-made"]

    page.click("text=Clear")
    page.click("#users-table thead >> text=Username")
    assert usernames_in_table(page) == ["aardvark-one", "browser-made", "zebra-one"]
    page.click("#users-table thead >> text=Username")
    assert usernames_in_table(page) == ["zebra-one", "browser-made", "aardvark-one"]

    page.check(f"input[name=selection][value='{created.pk}']")
    page.select_option("#bulk-action", "disable")
    page.click("#bulk-form button:has-text('Apply')")
    page.wait_for_selector("text=Disabled 1 user.")
    created.refresh_from_db()
    assert created.enable is False

    page.click("#users-table >> text=browser-made")
    page.click(".actions >> text=Delete")
    page.click("form button:has-text('Delete')")
    page.wait_for_selector("text=Deleted browser-made.")
    created.refresh_from_db()
    assert created.deleted_at is not None
    assert "browser-made" not in usernames_in_table(page)


def test_key_rotation_in_browser(logged_in_page, live_server, reseller):
    page = logged_in_page
    _, old_plaintext = reseller.issue_api_key(name="billing")
    assert api_status(live_server, old_plaintext) == 200

    page.click("nav >> text=API keys")
    page.click("#keys-table >> text=Rotate")
    page.check("input[name=grace_seconds][value='0']")
    page.click("button:has-text('Rotate')")
    new_plaintext = page.inner_text("#new-api-key")

    assert new_plaintext != old_plaintext
    assert api_status(live_server, old_plaintext) == 401
    assert api_status(live_server, new_plaintext) == 200
