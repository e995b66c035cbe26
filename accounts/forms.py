"""Dashboard forms for VPN users and API keys.

The username and note fields reuse the validators declared on the VpnUser
model, so the dashboard accepts exactly what the API accepts.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    NOTE_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_MAX_LENGTH,
    AccountType,
    VpnUser,
)
from accounts.validators import validate_no_control_characters

# The <input type="datetime-local"> value, read in the current time zone.
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"
EXPIRY_INPUT_FORMATS = [DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]

# The maximum number of rows one bulk action accepts, above the table's page size.
MAX_BULK_SELECTION = 500


def model_validators(field_name):
    return list(VpnUser._meta.get_field(field_name).validators)


class ExpiryInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        # step=1 makes browsers show and send the seconds too.
        super().__init__(format=DATETIME_LOCAL_FORMAT, attrs={"step": "1"})


def username_field(**kwargs):
    # The model's validators carry the minimum length and the allowed
    # characters; Django adds MaxLengthValidator for max_length itself.
    return forms.CharField(
        label=_("Username"),
        max_length=USERNAME_MAX_LENGTH,
        strip=False,
        validators=model_validators("username"),
        **kwargs,
    )


def password_field(**kwargs):
    # Whitespace is kept: a password may begin or end with a space.
    return forms.CharField(
        label=_("Password"),
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        validators=[validate_no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        **kwargs,
    )


class VpnUserFieldsForm(forms.Form):
    """The fields a reseller sets on a VPN user, shared by the create and edit forms."""

    account_type = forms.TypedChoiceField(
        label=_("Account type"), choices=AccountType.choices, coerce=int, initial=AccountType.PREMIUM
    )
    enable = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        input_formats=EXPIRY_INPUT_FORMATS,
        widget=ExpiryInput(),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        strip=False,
        validators=model_validators("note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For your own reference; searchable in the user list."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Naive input is read in the active time zone, which is TIME_ZONE.
        self.fields["expires_at"].help_text = _(
            "Leave empty for no expiry. After this time the user can no longer log in to the VPN. "
            "Times are in %(zone)s."
        ) % {"zone": timezone.get_current_timezone_name()}


class VpnUserCreateForm(VpnUserFieldsForm):
    username = username_field(
        required=False, help_text=_("Leave empty to generate one, such as jlgu468206."), widget=forms.TextInput()
    )
    password = password_field(required=False, help_text=_("Leave empty to generate a strong password."))

    field_order = ["username", "password", "account_type", "enable", "expires_at", "note"]


class VpnUserEditForm(VpnUserFieldsForm):
    username = username_field()

    field_order = ["username", "account_type", "enable", "expires_at", "note"]

    def __init__(self, *args, user, **kwargs):
        initial = {
            "username": user.username,
            "account_type": user.account_type,
            "enable": user.enable,
            "expires_at": user.expires_at,
            "note": user.note,
        }
        super().__init__(*args, initial=initial, **kwargs)

    def changes(self):
        """Return the changed fields and their new values, as VpnUser.apply_changes takes them."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class PasswordResetForm(forms.Form):
    password = password_field(required=False, help_text=_("Leave empty to generate a strong password."))


class IdListField(forms.MultipleChoiceField):
    """A list of row ids; any whole number is accepted, and the view keeps only the reseller's own rows."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one user."),
        "invalid_choice": _("%(value)s is not a user id."),
    }

    def valid_value(self, value):
        return value.isascii() and value.isdigit() and len(value) <= 18

    def clean(self, value):
        ids = [int(item) for item in super().clean(value)]
        if len(ids) > MAX_BULK_SELECTION:
            raise forms.ValidationError(
                _("Select at most %(limit)d users at a time."), params={"limit": MAX_BULK_SELECTION}
            )
        return ids


class BulkActionForm(forms.Form):
    ACTIONS = [("enable", _("Enable")), ("disable", _("Disable")), ("delete", _("Delete"))]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    selection = IdListField(label=_("Selected users"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        validators=[validate_no_control_characters],
        help_text=_("What the key is for, such as the billing system that uses it."),
    )


class ApiKeyRotateForm(forms.Form):
    GRACE_CHOICES = [
        (0, _("Now")),
        (3600, _("In 1 hour")),
        (86400, _("In 24 hours")),
    ]

    grace_seconds = forms.TypedChoiceField(
        label=_("The old key stops working"),
        choices=GRACE_CHOICES,
        coerce=int,
        initial=3600,
        widget=forms.RadioSelect,
    )
