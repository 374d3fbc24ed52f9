"""The periodic tasks Celery beat sends. Worker liveness (models/heartbeat.py)
is read off this schedule, so the two never disagree."""


def beat_schedule(health_interval: float) -> dict:
    return {
        "check-peer": {
            "task": "failover.tasks.check_peer",
            "schedule": health_interval,
            # Expire just under the interval so a stalled worker does not run a
            # backlog of stale checks when it comes back.
            "options": {"queue": "health", "expires": health_interval * 0.9},
        },
        "check-witness": {
            "task": "failover.tasks.check_witness",
            "schedule": health_interval,
            "options": {"queue": "health", "expires": health_interval * 0.9},
        },
        "start-sync-if-due": {
            "task": "failover.tasks.start_sync_if_due",
            "schedule": 15.0,
            "options": {"queue": "default", "expires": 14},
        },
        "housekeeping": {
            "task": "failover.tasks.housekeeping",
            "schedule": 60.0,
            "options": {"queue": "default", "expires": 59},
        },
        "default-queue-heartbeat": {
            "task": "failover.tasks.heartbeat",
            "schedule": 15.0,
            "options": {"queue": "default", "expires": 14},
        },
    }
