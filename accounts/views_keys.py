"""Dashboard pages for a reseller's API keys."""

import logging
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import ApiKeyCreateForm, ApiKeyRotateForm
from accounts.models import ApiKey
from accounts.views import render_secret, reseller_action, reseller_page

logger = logging.getLogger(__name__)


def reseller_keys(reseller):
    return ApiKey.objects.filter(reseller=reseller)


@require_GET
@reseller_page
def key_list(request):
    keys = reseller_keys(request.reseller)
    return render(request, "dashboard/keys/list.html", {"api_keys": keys, "now": timezone.now()})


@require_http_methods(["GET", "POST"])
@reseller_action
def key_create(request):
    form = ApiKeyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        api_key, plaintext = request.reseller.issue_api_key(name=form.cleaned_data["name"])
        return render_secret(request, "dashboard/keys/created.html", {"api_key": api_key, "plaintext": plaintext})
    return render(request, "dashboard/keys/create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@reseller_action
def key_rotate(request, pk):
    """Issue a replacement key and make the old one expire now or after a grace period."""
    old_key = get_object_or_404(reseller_keys(request.reseller).usable(), pk=pk)
    form = ApiKeyRotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ends_at = timezone.now() + timedelta(seconds=form.cleaned_data["grace_seconds"])
        with transaction.atomic():
            # The row lock makes a second rotation of the same key wait, then
            # find the key already ending and leave its earlier end in place.
            old_key = get_object_or_404(reseller_keys(request.reseller).usable().select_for_update(), pk=pk)
            if old_key.expires_at is None or old_key.expires_at > ends_at:
                old_key.expires_at = ends_at
                old_key.save(update_fields=["expires_at"])
            new_key, plaintext = request.reseller.issue_api_key(name=old_key.name)
        logger.info("Rotated API key %s to %s; the old key ends at %s", old_key.prefix, new_key.prefix, ends_at)
        context = {"api_key": new_key, "plaintext": plaintext, "old_key": old_key}
        return render_secret(request, "dashboard/keys/created.html", context)
    return render(request, "dashboard/keys/rotate.html", {"form": form, "api_key": old_key})


@require_http_methods(["GET", "POST"])
@reseller_action
def key_revoke(request, pk):
    api_key = get_object_or_404(reseller_keys(request.reseller), pk=pk)
    if request.method == "POST":
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            logger.info("Revoked API key %s of reseller %s", api_key.prefix, request.reseller.pk)
            messages.success(request, _("Revoked the key %(prefix)s….") % {"prefix": api_key.prefix})
        return redirect("dashboard:keys")
    return render(request, "dashboard/keys/revoke.html", {"api_key": api_key})
