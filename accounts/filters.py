import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountType, VpnUser

MAX_SEARCH_LENGTH = 100


class VpnUserFilter(django_filters.FilterSet):
    """Search and filters of the dashboard's user list and its CSV export."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Username or note")}),
    )
    enable = django_filters.BooleanFilter(
        label=_("Status"),
        widget=forms.Select(choices=[("", _("Any status")), ("true", _("Enabled")), ("false", _("Disabled"))]),
    )
    account_type = django_filters.ChoiceFilter(label=_("Type"), choices=AccountType.choices, empty_label=_("Any type"))

    class Meta:
        model = VpnUser
        fields = ["q", "enable", "account_type"]

    def search(self, queryset, name, value):
        # NOTE: a substring match cannot use a b-tree index, so this scans the
        # reseller's rows; a pg_trgm index would be needed for very large resellers.
        return queryset.filter(Q(username__icontains=value) | Q(note__icontains=value))
