import pytest

pytestmark = pytest.mark.browser


def test_copy_button_copies_new_key(logged_in_page, live_server, reseller):
    page = logged_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    page.click("nav >> text=API keys")
    page.click("text=New key")
    page.fill("#id_name", "billing")
    page.click("button:has-text('Create key')")
    shown_key = page.inner_text("#new-api-key")
    page.click("button[data-copy='new-api-key']")
    page.wait_for_selector("button[data-copy='new-api-key']:has-text('Copied')")

    assert page.evaluate("navigator.clipboard.readText()") == shown_key
    assert shown_key.startswith(reseller.api_keys.get(name="billing").prefix)
