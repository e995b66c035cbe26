"""Staff admin for resellers, their logins and API keys, and every VPN user."""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from accounts import keys
from accounts.models import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    ApiKey,
    Reseller,
    User,
    VpnUser,
    generate_password,
    is_username_conflict,
)
from accounts.validators import validate_no_control_characters

logger = logging.getLogger(__name__)


class LoginInline(admin.TabularInline):
    model = User
    fields = ["username", "email", "is_active", "last_login"]
    readonly_fields = ["username", "email", "is_active", "last_login"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("dashboard login")
    verbose_name_plural = _("dashboard logins (add them under Users)")

    def has_add_permission(self, request, obj=None):
        return False


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = ["name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("API keys (issue them under API keys)")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reseller)
class ResellerAdmin(admin.ModelAdmin):
    list_display = ["name", "enabled", "quota", "live_users", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["name"]
    readonly_fields = ["created_at"]
    inlines = [LoginInline, ApiKeyInline]

    def get_queryset(self, request):
        # One annotated query for the list instead of a count per row.
        return (
            super()
            .get_queryset(request)
            .annotate(live_user_count=Count("vpn_users", filter=Q(vpn_users__deleted_at__isnull=True)))
        )

    @admin.display(description=_("live VPN users"), ordering="live_user_count")
    def live_users(self, reseller):
        return reseller.live_user_count


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:1],
        (_("Reseller"), {"fields": ["reseller"]}),
        *DjangoUserAdmin.fieldsets[1:],
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "reseller", "usable_password", "password1", "password2"]}),
    ]
    list_display = ["username", "reseller", "email", "is_staff", "is_active", "last_login"]
    list_filter = ["reseller", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["reseller"]
    autocomplete_fields = ["reseller"]


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["reseller", "name", "expires_at"]


class ShowSecretOnAddMixin:
    """Render a secret made while adding an object in the response to that add request.

    The secret goes straight into that response rather than into a message,
    because Django keeps messages in a cookie or the session until the next
    page shows them.
    """

    secret_label = ""

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(obj, "_secret_to_show", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Copy it now"),
            "object": obj,
            "secret_label": self.secret_label,
            "secret": secret,
            "opts": self.model._meta,
        }
        return never_cache(lambda request: TemplateResponse(request, "admin/show_secret.html", context))(request)


@admin.register(ApiKey)
class ApiKeyAdmin(ShowSecretOnAddMixin, admin.ModelAdmin):
    secret_label = _("API key")

    list_display = ["prefix", "name", "reseller", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "reseller"]
    search_fields = ["name", "prefix", "reseller__name"]
    list_select_related = ["reseller"]
    readonly_fields = ["reseller", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["reseller", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
            kwargs["fields"] = ApiKeyAddForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else ApiKeyAddForm.Meta.fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        new_key = keys.generate_key("live")
        obj.prefix = new_key.prefix
        obj.digest = new_key.digest
        super().save_model(request, obj, form, change)
        logger.info("Staff user %s issued API key %s for reseller %s", request.user.pk, obj.prefix, obj.reseller_id)
        obj._secret_to_show = new_key.plaintext

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        logger.info("Staff user %s revoked %s API keys", request.user.pk, count)
        text = ngettext("Revoked %(count)d key.", "Revoked %(count)d keys.", count)
        self.message_user(request, text % {"count": count})


class LiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", _("Live")), ("deleted", _("Deleted"))]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "deleted":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


class VpnUserAdminForm(forms.ModelForm):
    """The VPN user form; the stored hash is never shown, and a new password is hashed on save."""

    new_password = forms.CharField(
        label=_("New password"),
        required=False,
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        validators=[validate_no_control_characters],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password; a new user without one gets a generated password."),
    )

    class Meta:
        model = VpnUser
        fields = ["reseller", "username", "account_type", "enable", "expires_at", "note"]

    def clean_username(self):
        # Checked here for a clear message next to the field; the unique
        # constraint still decides when two saves race for one name.
        username = self.cleaned_data["username"]
        taken = VpnUser.objects.live().filter(username__iexact=username).exclude(pk=self.instance.pk)
        if self.instance.deleted_at is None and taken.exists():
            raise forms.ValidationError(
                _("The username %(username)s is taken by a live user: choose another one."),
                params={"username": username},
            )
        return username


@admin.register(VpnUser)
class VpnUserAdmin(ShowSecretOnAddMixin, admin.ModelAdmin):
    secret_label = _("Password")
    form = VpnUserAdminForm
    list_display = ["id", "username", "reseller", "account_type", "enable", "expires_at", "created_at", "deleted_at"]
    list_filter = [LiveFilter, "enable", "account_type", "reseller"]
    search_fields = ["username", "note", "reseller__name"]
    list_select_related = ["reseller"]
    readonly_fields = ["created_at", "updated_at", "deleted_at"]
    actions = ["restore"]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        fields = ["reseller", "username", "new_password", "account_type", "enable", "expires_at", "note"]
        if obj is not None:
            fields += self.readonly_fields
        return fields

    def save_model(self, request, obj, form, change):
        new_password = form.cleaned_data.get("new_password")
        if not change and not new_password:
            new_password = generate_password()
            obj._secret_to_show = new_password
        if new_password:
            obj.set_password(new_password)
        super().save_model(request, obj, form, change)
        logger.info("Staff user %s saved VPN user %s", request.user.pk, obj.pk)

    @admin.action(description=_("Restore the selected deleted users"))
    def restore(self, request, queryset):
        """Bring deleted users back, one at a time, skipping any whose username a live user took since."""
        restored = 0
        for user in queryset.filter(deleted_at__isnull=False).order_by("id"):
            try:
                with transaction.atomic():
                    VpnUser.objects.filter(pk=user.pk).update(deleted_at=None, updated_at=timezone.now())
            except IntegrityError as error:
                if not is_username_conflict(error):
                    raise
                self.message_user(
                    request,
                    _("Could not restore %(username)s (id %(id)d): a live user has taken the username since.")
                    % {"username": user.username, "id": user.pk},
                    level=messages.ERROR,
                )
                continue
            restored += 1
            logger.info("Staff user %s restored VPN user %s", request.user.pk, user.pk)
        # NOTE: a restore does not check the reseller's quota, so staff can
        # take a reseller above it on purpose.
        self.message_user(
            request, ngettext("Restored %(count)d user.", "Restored %(count)d users.", restored) % {"count": restored}
        )
