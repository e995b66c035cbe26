import json
import sys

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from vpnapi.errors import payload_too_large
from vpnapi.fields import json_type_name


class StrictJSONParser(parsers.BaseParser):
    """Parse a JSON object body of at most API_MAX_BODY_BYTES.

    Unlike DRF's parser it rejects NaN and Infinity, duplicate keys and any
    top-level value that is not an object, because every route takes named
    fields.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise payload_too_large(limit)
        if not raw.strip():
            return {}
        try:
            # utf-8-sig also drops a leading byte order mark, which some
            # Windows tools write before the JSON text.
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ParseError("The request body is not valid UTF-8: send JSON encoded as UTF-8.") from None
        try:
            data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_reject_duplicates)
        except json.JSONDecodeError as error:
            raise ParseError(
                f"The request body is not valid JSON ({error.msg} at line {error.lineno} column {error.colno}): "
                'quote every key and string, for example {"enable": 1}.'
            ) from None
        except RecursionError:
            # About 1,000 nested brackets reach Python's default recursion limit.
            raise ParseError("The request body nests arrays or objects too deeply: send a flat JSON object.") from None
        except ValueError:
            # json.loads raises ValueError for integers longer than sys.get_int_max_str_digits() (4300 by default).
            raise ParseError(
                f"The request body contains an integer longer than {sys.get_int_max_str_digits()} digits: "
                "send a shorter number."
            ) from None
        if not isinstance(data, dict):
            raise ParseError(f"The request body must be a JSON object, not {json_type_name(data)}: send {{...}}.")
        return data


def _reject_constant(name):
    raise ParseError(f"The request body contains {name}, which is not valid JSON: send a number.")


def _reject_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ParseError(f"The request body repeats the key {key!r}: send each field once.")
        result[key] = value
    return result
