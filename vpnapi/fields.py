"""Serializer fields that apply the API's input rules."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from rest_framework import serializers

from accounts.validators import find_control_character


def format_http_date(value):
    """Format a datetime as RFC 1123 in GMT, or None as None."""
    if value is None:
        return None
    return http_date(value.timestamp())


class TextField(serializers.CharField):
    """A string field that rejects non-strings and control characters.

    Whitespace is kept as sent, because a password may begin with a space and
    a username with a space must be rejected rather than trimmed into another
    valid name.
    """

    default_error_messages = {
        "not_a_string": "Send a JSON string, not {type}.",
        "control_character": "Remove the control character {code}; only printable text is allowed.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        # DRF's own NUL check returns a vaguer message; ours covers it.
        self.validators = [v for v in self.validators if type(v).__name__ != "ProhibitNullCharactersValidator"]

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", type=json_type_name(data))
        character = find_control_character(data)
        if character is not None:
            self.fail("control_character", code=f"U+{ord(character):04X}")
        return super().to_internal_value(data)


class FlexibleBooleanField(serializers.Field):
    """A flag sent as true/false, 1/0, "1"/"0" or "true"/"false"."""

    TRUE_VALUES = {True, "1", "true"}
    FALSE_VALUES = {False, "0", "false"}

    default_error_messages = {
        "invalid": "Send true or false (1 or 0 also work), not {value}.",
    }

    def to_internal_value(self, data):
        # Only these types can match. Lists and objects are unhashable, and
        # 1.0 == 1 == True, so floats must be rejected before the set lookup.
        if not isinstance(data, (bool, int, str)):
            self.fail("invalid", value=_show(data))
        key = data.lower() if isinstance(data, str) else data
        if key in self.TRUE_VALUES:
            return True
        if key in self.FALSE_VALUES:
            return False
        self.fail("invalid", value=_show(data))

    def to_representation(self, value):
        return bool(value)


class StrictChoiceIntegerField(serializers.Field):
    """An integer that must be one of the given choices; numeric strings are accepted."""

    default_error_messages = {"invalid": "Send one of {choices}, not {value}."}

    def __init__(self, choices, **kwargs):
        self.choices = list(choices)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = data
        # isdigit() alone also accepts digits such as "²" that int() rejects.
        if isinstance(data, str) and data.strip().isascii() and data.strip().isdigit():
            value = int(data)
        if isinstance(value, bool) or not isinstance(value, int) or value not in self.choices:
            self.fail("invalid", choices=", ".join(str(c) for c in self.choices), value=_show(data))
        return value

    def to_representation(self, value):
        return value


class ExpiryField(serializers.Field):
    """An expiry time: ISO 8601 with an offset, Unix seconds, or null to clear."""

    default_error_messages = {
        "invalid": (
            "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
            "Unix seconds such as 1896134399, or null; got {value}."
        ),
        "naive": "Add a time zone offset to {value}, for example {value}Z for UTC.",
        "range": "Send a time from 0001-01-02 to 9999-12-30 (UTC); got {value}.",
    }

    # One day inside the range of Python's datetime, so that converting the
    # value to any time zone, as the dashboard does to show it, cannot overflow.
    earliest = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
    latest = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        parsed = self._parse(data)
        if not self.earliest <= parsed <= self.latest:
            self.fail("range", value=_show(data))
        return parsed

    def _parse(self, data):
        if isinstance(data, bool):
            self.fail("invalid", value=_show(data))
        if isinstance(data, (int, float)):
            return self._from_timestamp(data)
        if not isinstance(data, str) or find_control_character(data) is not None or len(data) > 64:
            self.fail("invalid", value=_show(data))
        text = data.strip()
        if text.isascii() and text.isdigit():
            return self._from_timestamp(int(text))
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid", value=_show(data))
        if timezone.is_naive(parsed):
            self.fail("naive", value=text)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            # Year 1 with a positive offset, or year 9999 with a negative one.
            self.fail("invalid", value=_show(data))

    def _from_timestamp(self, seconds):
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            self.fail("invalid", value=_show(seconds))

    def to_representation(self, value):
        return format_http_date(value)


def json_type_name(value):
    """Return the JSON type of a parsed value as error messages name it, such as "an array"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value, limit=40):
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, (list, dict)):
        text = json_type_name(value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"
