from django.urls import path

from stats import views

# Included by accounts.urls inside the "dashboard" namespace.
urlpatterns = [
    path("", views.statistics, name="stats"),
]
