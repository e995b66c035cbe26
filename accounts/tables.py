import django_tables2 as tables
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.models import VpnUser

DATETIME_FORMAT = "Y-m-d H:i"
NOTE_PREVIEW_CHARS = 60


class VpnUserTable(tables.Table):
    """The dashboard's user list. Every column reads the row itself, so a page costs one query."""

    selection = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {"data-select-all": "selection", "aria-label": _("Select all users on this page")},
            "td__input": {"form": "bulk-form", "aria-label": _("Select user")},
        },
    )
    id = tables.Column(verbose_name=_("ID"), linkify=("dashboard:user_detail", {"pk": tables.A("pk")}))
    username = tables.Column(
        verbose_name=_("Username"),
        linkify=("dashboard:user_detail", {"pk": tables.A("pk")}),
        order_by=("username", "id"),
    )
    account_type = tables.Column(verbose_name=_("Type"), order_by=("account_type", "id"))
    enable = tables.BooleanColumn(verbose_name=_("Enabled"), yesno=(_("Yes"), _("No")), order_by=("enable", "id"))
    expires_at = tables.DateTimeColumn(
        verbose_name=_("Expires"), format=DATETIME_FORMAT, order_by=("expires_at", "id"), default="—"
    )
    note = tables.Column(verbose_name=_("Note"), order_by=("note", "id"), default="", attrs={"td": {"class": "note"}})
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format=DATETIME_FORMAT, order_by=("created_at", "id"))

    class Meta:
        model = VpnUser
        fields = ["selection", "id", "username", "account_type", "enable", "expires_at", "note", "created_at"]
        order_by = "-id"
        attrs = {"class": "data-table", "id": "users-table"}
        empty_text = _("No users match.")

    def render_note(self, value):
        return Truncator(value).chars(NOTE_PREVIEW_CHARS)
