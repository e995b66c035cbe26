from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from vpnapi.urls import fallback_urlpatterns

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:home", permanent=False)),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/", include("accounts.urls")),
    path("", include("vpnapi.urls")),
    *fallback_urlpatterns,
]
