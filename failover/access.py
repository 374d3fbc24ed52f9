"""Who may use the console: signed-in staff on pages, staff or token on the API."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from failover.models import ApiToken


def staff_required(view):
    """Anonymous users go to /login?next=...; signed-in non-staff get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Staff only.")
        return view(request, *args, **kwargs)

    return wrapper


def _bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


_CSRF = CsrfViewMiddleware(lambda request: None)


def api_auth(view):
    """A bearer API token or a signed-in staff session; JSON 401/403 otherwise.

    Token requests carry no cookie, so they need no CSRF token; session
    requests keep Django's CSRF check.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
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
        else:
            refused = _CSRF.process_view(request, None, (), {})
            if refused is not None:
                return JsonResponse({"error": "CSRF token missing or incorrect."}, status=403)
        if not request.user.is_staff:
            return JsonResponse({"error": "Staff only."}, status=403)
        return view(request, *args, **kwargs)

    return wrapper
