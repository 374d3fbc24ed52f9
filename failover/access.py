"""Who may use the console. Staff may look at every page and read the API;
changing the pair needs a superuser or the failover.manage_failover
permission, on the pages and the API alike."""

import ipaddress
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from failover.models import ApiToken

MANAGE_PERMISSION = "failover.manage_failover"
CHANGE_REFUSED = (
    "You may look but not change: changing the failover pair needs a superuser "
    "or the failover.manage_failover permission."
)


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse
    proxies the address the outermost one saw (X-Forwarded-For, read from the
    right, where the trusted proxies appended it; a client can forge entries
    on the left only)."""
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def can_manage(user) -> bool:
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or user.has_perm(MANAGE_PERMISSION))
    )


def staff_required(view):
    """Anonymous users go to /login?next=...; signed-in non-staff get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Staff only.")
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    """Like staff_required, and 403 with the reason for staff who may only look."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_manage(request.user):
            raise PermissionDenied(CHANGE_REFUSED)
        return view(request, *args, **kwargs)

    return wrapper


def _bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


_CSRF = CsrfViewMiddleware(lambda request: None)


def _api_user_refusal(request):
    """Authenticate an API request; the JSON refusal, or None when it may go on.

    Token requests carry no cookie, so they need no CSRF token; session
    requests keep Django's CSRF check."""
    token = _bearer_token(request)
    if token is not None:
        user = ApiToken.authenticate(token)
        if user is None:
            return JsonResponse({"error": "Invalid API token."}, status=401)
        request.user = user
    elif not request.user.is_authenticated:
        return JsonResponse(
            {"error": "Authentication required: sign in or send a bearer API token."},
            status=401,
        )
    elif _CSRF.process_view(request, None, (), {}) is not None:
        return JsonResponse({"error": "CSRF token missing or incorrect."}, status=403)
    if not request.user.is_staff:
        return JsonResponse({"error": "Staff only."}, status=403)
    return None


def api_auth(view=None, *, change: bool = False):
    """A bearer API token or a signed-in staff session; JSON 401/403 otherwise.
    ``change``: the request changes the pair, so the user must be allowed to."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refusal = _api_user_refusal(request)
            if refusal is None and change and not can_manage(request.user):
                refusal = JsonResponse({"error": CHANGE_REFUSED}, status=403)
            return refusal or view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
