from django.urls import path

from failover.peer import endpoints
from failover.sync import serving

urlpatterns = [
    path("status", endpoints.status, name="peer-status"),
    path("pair", endpoints.pair, name="peer-pair"),
    path("unpair", endpoints.unpair, name="peer-unpair"),
    path("sync/request", endpoints.request_sync, name="peer-sync-request"),
    path("role/lock", endpoints.role_lock, name="peer-role-lock"),
    path("role/unlock", endpoints.role_unlock, name="peer-role-unlock"),
    path("role/change", endpoints.role_change, name="peer-role-change"),
    path("sync/manifest", serving.manifest, name="peer-sync-manifest"),
    path("sync/file", serving.file, name="peer-sync-file"),
    path("sync/files", serving.files, name="peer-sync-files"),
    path("sync/database", serving.database_rows, name="peer-sync-database"),
]
