from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def alive(request):
    """Liveness of the web process only (no database): for container health
    checks and as the trivial baseline of bench/page.py."""
    return HttpResponse("ok\n", content_type="text/plain")
