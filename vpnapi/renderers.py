import json

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """UTF-8 JSON with keys sorted, as the reference responses show them."""

    charset = "utf-8"
    ensure_ascii = False

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(", ", ": "), allow_nan=False).encode(
            "utf-8"
        )
