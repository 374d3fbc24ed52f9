"""Diverged copies on the page and in the API: list, download as a streamed
.tar.gz, delete."""

from django.contrib import messages
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from failover.access import CHANGE_REFUSED, api_auth, can_manage, manager_required, staff_required
from failover.models import DivergedCopy
from failover.services import diverged, diverged_archive
from failover.shapes import diverged_json
from failover.views.api import refusals_as_json
from failover.views.failover_actions import refusals_on_the_page


def _download(copy_id) -> StreamingHttpResponse:
    copy = diverged.get(copy_id)
    response = StreamingHttpResponse(diverged_archive.stream(copy), content_type="application/gzip")
    response["Content-Disposition"] = (
        f'attachment; filename="diverged-{copy.pk}-epoch-{copy.epoch}.tar.gz"'
    )
    return response


@require_GET
@staff_required
@refusals_on_the_page
def download(request, copy_id):
    return _download(copy_id)


@require_POST
@manager_required
@refusals_on_the_page
def delete(request, copy_id):
    diverged.delete(copy_id, request.user)
    messages.success(request, f"Diverged copy #{copy_id} deleted.")
    return redirect("failover")


@require_GET
@api_auth
def api_list(request):
    return JsonResponse({"diverged": [diverged_json(c) for c in DivergedCopy.objects.all()]})


@require_http_methods(["GET", "DELETE"])
@api_auth
@refusals_as_json
def api_copy(request, copy_id):
    if request.method == "GET":
        copy = diverged.get(copy_id)
        return JsonResponse(
            {
                **diverged_json(copy),
                "paths": {
                    "added": copy.files_added,
                    "changed": copy.files_changed,
                    "deleted": copy.files_deleted,
                },
                "row_keys": copy.rows,
            }
        )
    if not can_manage(request.user):
        return JsonResponse({"error": CHANGE_REFUSED}, status=403)
    diverged.delete(copy_id, request.user)
    return JsonResponse({"deleted": copy_id})


@require_GET
@api_auth
@refusals_as_json
def api_download(request, copy_id):
    return _download(copy_id)
