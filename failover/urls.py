from django.urls import path

from failover.sync import serving
from failover.views import (
    api,
    auth,
    diverged,
    failover_actions,
    failover_config,
    failover_page,
    history,
    metrics,
    notifications,
    peer_endpoints,
    probes,
    security,
    software,
    witness_config,
    witness_endpoints,
)

urlpatterns = [
    path("-/alive", probes.alive, name="alive"),
    path("metrics", metrics.metrics, name="metrics"),
    path("login", auth.sign_in, name="login"),
    path("logout", auth.sign_out, name="logout"),
    path("management/", software.software, name="software"),
    path("management/failover/", failover_page.failover_page, name="failover"),
    path("management/failover/history", history.history, name="failover-history"),
    path(
        "management/failover/history.csv",
        history.history_export,
        {"fmt": "csv"},
        name="failover-history-csv",
    ),
    path(
        "management/failover/history.jsonl",
        history.history_export,
        {"fmt": "jsonl"},
        name="failover-history-jsonl",
    ),
    path(
        "management/failover/settings",
        failover_config.save_backup_settings,
        name="failover-settings",
    ),
    path("management/failover/shared-ips", failover_config.save_failover_ips, name="failover-ips"),
    path(
        "management/failover/shared-ips/add", failover_config.add_shared_ip, name="failover-ip-add"
    ),
    path(
        "management/failover/shared-ips/remove",
        failover_config.remove_shared_ip,
        name="failover-ip-remove",
    ),
    path(
        "management/failover/witness/add", witness_config.add_witness, name="failover-witness-add"
    ),
    path(
        "management/failover/witness/remove",
        witness_config.remove_witness,
        name="failover-witness-remove",
    ),
    path("management/failover/pair", failover_actions.pair, name="failover-pair"),
    path("management/failover/break", failover_actions.break_relationship, name="failover-break"),
    path("management/failover/sync-now", failover_actions.sync_now, name="failover-sync-now"),
    path("management/failover/become", failover_actions.become, name="failover-become"),
    path(
        "management/failover/fix-conflict",
        failover_actions.fix_conflict,
        name="failover-fix-conflict",
    ),
    path(
        "management/failover/diverged/<int:copy_id>/download",
        diverged.download,
        name="diverged-download",
    ),
    path(
        "management/failover/diverged/<int:copy_id>/delete",
        diverged.delete,
        name="diverged-delete",
    ),
    path("api/v1/diverged", diverged.api_list, name="api-diverged"),
    path("api/v1/diverged/<int:copy_id>", diverged.api_copy, name="api-diverged-copy"),
    path(
        "api/v1/diverged/<int:copy_id>/download",
        diverged.api_download,
        name="api-diverged-download",
    ),
    path("api/v1/failover", api.failover_status, name="api-failover"),
    path("api/v1/health", api.health, name="api-health"),
    path("api/v1/events", api.events, name="api-events"),
    path("api/v1/failover/pair", api.pair, name="api-pair"),
    path("api/v1/failover/break", api.break_relationship, name="api-break"),
    path("api/v1/failover/sync-now", api.sync_now, name="api-sync-now"),
    path("api/v1/failover/become", api.become, name="api-become"),
    path("api/v1/failover/fix-conflict", api.fix_conflict, name="api-fix-conflict"),
    path("management/notifications/", notifications.notifications_tab, name="notifications"),
    path("management/notifications/save", notifications.save, name="notifications-save"),
    path("management/notifications/secret", notifications.new_secret, name="notifications-secret"),
    path("management/notifications/test", notifications.send_test, name="notifications-test"),
    path("management/security/", security.security, name="security"),
    path("management/security/key", security.set_key, name="security-key"),
    path("management/security/key/generate", security.generate_key, name="security-key-generate"),
    path("management/security/tokens", security.create_token, name="security-token-create"),
    path(
        "management/security/tokens/<int:token_id>/delete",
        security.delete_token,
        name="security-token-delete",
    ),
]

# Under /api/peer/v1/: only the peer site calls these (signed requests).
peer_urlpatterns = [
    path("status", peer_endpoints.status, name="peer-status"),
    path("pair", peer_endpoints.pair, name="peer-pair"),
    path("unpair", peer_endpoints.unpair, name="peer-unpair"),
    path("sync/request", peer_endpoints.request_sync, name="peer-sync-request"),
    path("sync/pending", peer_endpoints.sync_pending, name="peer-sync-pending"),
    path("sync/delivered", serving.delivered, name="peer-sync-delivered"),
    path("role/lock", peer_endpoints.role_lock, name="peer-role-lock"),
    path("role/unlock", peer_endpoints.role_unlock, name="peer-role-unlock"),
    path("role/change", peer_endpoints.role_change, name="peer-role-change"),
    path("sync/manifest", serving.manifest, name="peer-sync-manifest"),
    path("sync/file", serving.file, name="peer-sync-file"),
    path("sync/files", serving.files, name="peer-sync-files"),
    path("sync/chunks", serving.chunk_list, name="peer-sync-chunks"),
    path("sync/ranges", serving.ranges, name="peer-sync-ranges"),
    path("sync/database", serving.database_rows, name="peer-sync-database"),
    path("witness/heartbeat", witness_endpoints.heartbeat, name="peer-witness-heartbeat"),
    path("witness/grant", witness_endpoints.grant, name="peer-witness-grant"),
    path("witness/configure", witness_endpoints.configure, name="peer-witness-configure"),
]
