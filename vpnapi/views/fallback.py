from django.views.decorators.csrf import csrf_exempt

from vpnapi.errors import error_response


@csrf_exempt
def unknown_route(request, path=""):
    """Return the API's 404 error shape for any unknown path under /1.0/."""
    return error_response(
        404, "not_found", f"There is no API route {request.path!r}: see /1.0/docs for the list of routes."
    )
