import pytest

from accounts.models import VpnUser
from vpnapi.tests.conftest import send_json


@pytest.mark.parametrize("time_zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
@pytest.mark.parametrize("expires_at", ["0001-01-02T00:00:00Z", "9999-12-30T23:59:59Z"])
def test_extreme_api_expiry_renders(api, dashboard, settings, time_zone, expires_at):
    settings.TIME_ZONE = time_zone
    created = send_json(api, "post", "/1.0/User", {"expires_at": expires_at})
    assert created.status_code == 200
    user = VpnUser.objects.get(pk=created.json()["user_id"])

    for path in ["/dashboard/users/", f"/dashboard/users/{user.pk}/", f"/dashboard/users/{user.pk}/edit/"]:
        response = dashboard.get(path)

        assert response.status_code == 200, path
