"""Dashboard access rules and the home page.

Every dashboard view goes through one of two decorators. Both require a login
that belongs to a reseller and set ``request.reseller``. Views that change
data use ``reseller_action``, which also refuses a disabled reseller.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers


def reseller_page(view):
    """Require a login that belongs to a reseller; provider staff get a page pointing to the admin."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        reseller = request.user.reseller
        if reseller is None:
            return render(request, "dashboard/no_reseller.html", status=403)
        request.reseller = reseller
        return view(request, *args, **kwargs)

    return wrapper


def reseller_action(view):
    """Like reseller_page, and also refuse every request while the reseller is disabled."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.reseller.enabled:
            return render(request, "dashboard/reseller_disabled.html", status=403)
        return view(request, *args, **kwargs)

    return reseller_page(guarded)


def render_secret(request, template, context):
    """Render a page that shows a password or key once, and keep it out of every cache."""
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response


@reseller_page
def home(request):
    return redirect("dashboard:users")
