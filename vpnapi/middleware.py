import logging

from vpnapi.errors import error_response

logger = logging.getLogger(__name__)

API_PREFIX = "/1.0/"


def is_api_path(path):
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


class ApiErrorMiddleware:
    """Answer unexpected exceptions on API paths with the JSON error shape.

    DRF handles the errors it knows; anything else reaching here is a bug. It
    is logged with its traceback and the client gets a generic message, also
    when DEBUG is on, because API clients parse JSON and never read HTML.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not getattr(request, "is_api_request", False) and not is_api_path(request.path):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(
            500, "server_error", "The server failed to handle the request. It has been logged; try again later."
        )
