"""Django's 400, 404 and 500 error views, returning the API's JSON error shape on API paths.

Django calls these for failures outside any view, where the API's own
exception handling never runs. Examples are a Host header missing from
ALLOWED_HOSTS, a path such as /User/a/b that matches no route, and an
exception in a middleware. Other paths keep Django's default pages. With DEBUG on, Django shows its
technical pages instead and these views are not used.
"""

from django.core.exceptions import DisallowedHost
from django.views import defaults

from vpnapi.errors import error_response
from vpnapi.middleware import is_api_path

# Routes also answer without the /1.0 prefix, so a path starting with one of
# these names is an API path too.
ALIAS_ROOTS = {"auth", "user", "stats", "wireguard", "ipcheck", "node"}


def is_api_or_alias_path(path):
    return is_api_path(path) or path.lstrip("/").split("/", 1)[0].lower() in ALIAS_ROOTS


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if not is_api_or_alias_path(request.path):
        return defaults.bad_request(request, exception, template_name)
    if isinstance(exception, DisallowedHost):
        message = "The Host header names a host this server does not serve: send the API's own host name."
    else:
        message = "The request is malformed and was rejected: check its headers and body."
    return error_response(400, "bad_request", message)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if not is_api_or_alias_path(request.path):
        return defaults.page_not_found(request, exception, template_name)
    return error_response(
        404, "not_found", f"There is no API route {request.path!r}: see /1.0/docs for the list of routes."
    )


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if not is_api_or_alias_path(request.path):
        return defaults.server_error(request, template_name)
    return error_response(
        500, "server_error", "The server failed to handle the request. It has been logged; try again later."
    )
