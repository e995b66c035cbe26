from django.urls import include, path

from accounts import views, views_keys, views_users

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("users/", views_users.user_list, name="users"),
    path("users/export.csv", views_users.user_export, name="users_export"),
    path("users/new/", views_users.user_create, name="user_create"),
    path("users/bulk/", views_users.user_bulk, name="users_bulk"),
    path("users/<int:pk>/", views_users.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views_users.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views_users.user_password, name="user_password"),
    path("users/<int:pk>/delete/", views_users.user_delete, name="user_delete"),
    path(
        "users/<int:pk>/wireguard/<int:key_pk>/remove/",
        views_users.wireguard_key_remove,
        name="wireguard_key_remove",
    ),
    path("statistics/", include("stats.urls")),
    path("keys/", views_keys.key_list, name="keys"),
    path("keys/new/", views_keys.key_create, name="key_create"),
    path("keys/<int:pk>/rotate/", views_keys.key_rotate, name="key_rotate"),
    path("keys/<int:pk>/revoke/", views_keys.key_revoke, name="key_revoke"),
]
