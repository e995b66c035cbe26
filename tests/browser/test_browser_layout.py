import base64
import os

import pytest

from vpnapi.models import Session, VpnServer, WireguardKey

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390


@pytest.fixture
def phone_page(chromium, live_server, browser_login):
    context = chromium.new_context(viewport={"width": PHONE_WIDTH, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "browser-staff")
    page.fill("#id_password", "browser-password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/users/")
    yield page
    context.close()


def test_pages_fit_phone_width(phone_page, live_server, make_user, reseller):
    user = make_user("alice")
    WireguardKey.objects.create(
        user=user,
        public_key=base64.b64encode(os.urandom(32)).decode(),
        ipv4_address="10.64.0.2",
        ipv6_address="fc00:bbbb:bbbb:bb01::2",
    )
    Session.objects.create(user=user, server=VpnServer.objects.create(name="se-sto-1"), protocol="openvpn")
    reseller.issue_api_key(name="billing")

    for path in ["/dashboard/users/", f"/dashboard/users/{user.pk}/", "/dashboard/keys/", "/dashboard/statistics/"]:
        phone_page.goto(f"{live_server.url}{path}")
        scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")

        assert scroll_width == PHONE_WIDTH, path
