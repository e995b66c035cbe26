import logging
import re

from vpnapi.errors import error_response

logger = logging.getLogger(__name__)

# /1.0 and everything under it, and the routes' aliases without the prefix,
# in the reference's spelling and in lower case.
API_PATH = re.compile(
    r"^/(?:1\.0|Auth|auth|User|user|Stats|stats|Wireguard|wireguard|Ipcheck|ipcheck|Node|node)(?:/|$)"
)

# Error codes and messages for HTML error pages that Django returns outside
# the API view, such as for a Host header not in ALLOWED_HOSTS (400).
STATUS_CODES = {
    400: ("bad_request", "The request is malformed or its Host header is not served here: check the URL and Host."),
    403: ("forbidden", "The request was rejected."),
    404: ("not_found", "The requested resource was not found."),
    405: ("method_not_allowed", "The HTTP method is not allowed on this path."),
    413: ("payload_too_large", "The request body is too large: send a smaller JSON object."),
}
SERVER_ERROR_MESSAGE = "The server failed to handle the request. It has been logged; try again later."


def is_api_path(path):
    return API_PATH.match(path) is not None


class ApiErrorMiddleware:
    """Give every error on an API path the API's JSON shape.

    DRF converts the exceptions it defines. Any other exception from a view
    is a bug, so it is logged with its traceback and the client gets a
    generic message, also when DEBUG is on, because API clients parse JSON
    and never read HTML. HTML error pages that Django returns, such as for a
    disallowed Host header, are replaced by the same JSON shape.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not self._is_api_request(request):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = STATUS_CODES.get(response.status_code, ("server_error", SERVER_ERROR_MESSAGE))
        if response.status_code >= 500:
            code, message = "server_error", SERVER_ERROR_MESSAGE
        replacement = error_response(response.status_code, code, message)
        if response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement

    def process_exception(self, request, exception):
        if not self._is_api_request(request):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, "server_error", SERVER_ERROR_MESSAGE)

    @staticmethod
    def _is_api_request(request):
        return getattr(request, "is_api_request", False) or is_api_path(request.path)
