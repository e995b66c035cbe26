"""Dashboard pages for a reseller's VPN users."""

import csv
import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from accounts.filters import VpnUserFilter
from accounts.forms import BulkActionForm, PasswordResetForm, VpnUserCreateForm, VpnUserEditForm
from accounts.models import QuotaExceeded, UsernameTaken, VpnUser, generate_password
from accounts.tables import VpnUserTable
from accounts.views import render_secret, reseller_action, reseller_page
from vpnapi import wireguard

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
RECENT_SESSIONS = 20
# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def live_users(reseller):
    return VpnUser.objects.for_reseller(reseller).live()


def get_live_user_or_404(reseller, pk):
    """Return the reseller's live user; another reseller's user is a 404 like a missing one."""
    return get_object_or_404(live_users(reseller), pk=pk)


def username_taken_message(username):
    return _("The username %(username)s is taken: choose another one.") % {"username": username}


def quota_message(quota):
    return _(
        "You have reached your quota of %(quota)d live users: delete users or ask the provider for a larger quota."
    ) % {"quota": quota}


@require_GET
@reseller_page
def user_list(request):
    user_filter = VpnUserFilter(request.GET, queryset=live_users(request.reseller))
    table = VpnUserTable(user_filter.qs)
    # Pagination is set here rather than by RequestConfig, which would take
    # the page size from a per_page parameter and raise EmptyPage below 1.
    RequestConfig(request, paginate=False).configure(table)
    table.paginator = Paginator(table.rows, PAGE_SIZE)
    table.page = table.paginator.get_page(request.GET.get("page"))
    return render(request, "dashboard/users/list.html", {"filter": user_filter, "table": table})


@require_GET
@reseller_page
def user_export(request):
    """Stream the filtered user list as CSV; passwords are never part of it."""
    user_filter = VpnUserFilter(request.GET, queryset=live_users(request.reseller))
    users = user_filter.qs.order_by("id")
    filename = f"vpn-users-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(csv_rows(users), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value):
        return value


def csv_rows(users):
    writer = csv.writer(_Echo())
    yield writer.writerow(["user_id", "username", "account_type", "enable", "expires_at", "note", "created_at"])
    for user in users.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                user.pk,
                user.username,
                user.account_typename,
                "1" if user.enable else "0",
                user.expires_at.isoformat() if user.expires_at else "",
                spreadsheet_safe(user.note),
                user.created_at.isoformat(),
            ]
        )


def spreadsheet_safe(text):
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Usernames need no such guard: their characters (letters, digits, . _ - @)
    cannot form a formula call.
    """
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


@require_http_methods(["GET", "POST"])
@reseller_action
def user_create(request):
    form = VpnUserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        username = fields.pop("username") or None
        password = fields.pop("password") or None
        try:
            user, password = VpnUser.create_for(request.reseller, username=username, password=password, **fields)
        except UsernameTaken as error:
            form.add_error("username", username_taken_message(error.username))
        except QuotaExceeded as error:
            form.add_error(None, quota_message(error.quota))
        else:
            # The password is rendered in this response only: it is never
            # stored in the session or put in a URL.
            return render_secret(request, "dashboard/users/created.html", {"vpn_user": user, "password": password})
    return render(request, "dashboard/users/form.html", {"form": form, "creating": True})


@require_GET
@reseller_page
def user_detail(request, pk):
    user = get_live_user_or_404(request.reseller, pk)
    context = {
        "vpn_user": user,
        "wireguard_keys": user.wireguard_keys.order_by("id"),
        "sessions": user.sessions.select_related("server").order_by("-started_at", "-id")[:RECENT_SESSIONS],
    }
    return render(request, "dashboard/users/detail.html", context)


@require_POST
@reseller_action
def wireguard_key_remove(request, pk, key_pk):
    user = get_live_user_or_404(request.reseller, pk)
    key = get_object_or_404(user.wireguard_keys, pk=key_pk)
    wireguard.remove_key(key)
    messages.success(request, _("Removed the WireGuard key %(public_key)s.") % {"public_key": key.public_key})
    return redirect("dashboard:user_detail", pk=user.pk)


@require_http_methods(["GET", "POST"])
@reseller_action
def user_edit(request, pk):
    user = get_live_user_or_404(request.reseller, pk)
    form = VpnUserEditForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user.apply_changes(form.changes())
        except UsernameTaken as error:
            form.add_error("username", username_taken_message(error.username))
        else:
            messages.success(request, _("Saved the changes to %(username)s.") % {"username": user.username})
            return redirect("dashboard:user_detail", pk=user.pk)
    return render(request, "dashboard/users/form.html", {"form": form, "vpn_user": user, "creating": False})


@require_http_methods(["GET", "POST"])
@reseller_action
def user_password(request, pk):
    user = get_live_user_or_404(request.reseller, pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"] or generate_password()
        user.apply_changes({"password": password})
        return render_secret(request, "dashboard/users/password_set.html", {"vpn_user": user, "password": password})
    return render(request, "dashboard/users/password.html", {"form": form, "vpn_user": user})


@require_http_methods(["GET", "POST"])
@reseller_action
def user_delete(request, pk):
    user = get_live_user_or_404(request.reseller, pk)
    if request.method == "POST":
        if user.soft_delete():
            messages.success(request, _("Deleted %(username)s.") % {"username": user.username})
        return redirect("dashboard:users")
    return render(request, "dashboard/users/delete.html", {"vpn_user": user})


@require_POST
@reseller_action
def user_bulk(request):
    """Enable, disable or delete the selected users; a delete first renders a confirmation page."""
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("dashboard:users")

    action = form.cleaned_data["action"]
    selected = live_users(request.reseller).filter(pk__in=form.cleaned_data["selection"])
    if action == "delete":
        return bulk_delete(request, form, selected)

    enable = action == "enable"
    count = selected.update(enable=enable, updated_at=timezone.now())
    logger.info("Set enable=%s on %s VPN users of reseller %s", enable, count, request.reseller.pk)
    if enable:
        text = ngettext("Enabled %(count)d user.", "Enabled %(count)d users.", count)
    else:
        text = ngettext("Disabled %(count)d user.", "Disabled %(count)d users.", count)
    messages.success(request, text % {"count": count})
    return redirect("dashboard:users")


def bulk_delete(request, form, selected):
    users = list(selected.order_by("username"))
    if not form.cleaned_data["confirm"]:
        return render(request, "dashboard/users/bulk_delete.html", {"vpn_users": users})

    # soft_delete runs per user so each deletion sends its signal and frees
    # the user's WireGuard keys and sessions in its own transaction.
    count = sum(1 for user in users if user.soft_delete())
    messages.success(request, ngettext("Deleted %(count)d user.", "Deleted %(count)d users.", count) % {"count": count})
    return redirect("dashboard:users")
