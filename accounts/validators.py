import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def find_control_character(value):
    """Return the first control character (Unicode category Cc) in value, or None."""
    for character in value:
        if unicodedata.category(character) == "Cc":
            return character
    return None


def validate_no_control_characters(value):
    character = find_control_character(value)
    if character is not None:
        raise ValidationError(
            _("Remove the control character %(code)s; only printable text is allowed."),
            code="control_character",
            params={"code": f"U+{ord(character):04X}"},
        )
