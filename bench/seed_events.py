"""Fill the status history with N synthetic events (default 1,000,000).

    DATABASE_URL=... python bench/seed_events.py [N]

Adds only what is missing to reach N rows. Uses COPY on PostgreSQL.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")

KINDS = ["peer_reachable", "peer_unreachable", "sync_succeeded", "settings_changed"]
BATCH = 50_000


def seed(total: int) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from failover.models import StatusEvent

    missing = total - StatusEvent.objects.count()
    start = timezone.now() - timedelta(seconds=max(missing, 0))
    for offset in range(0, max(missing, 0), BATCH):
        count = min(BATCH, missing - offset)
        rows = [
            (
                start + timedelta(seconds=offset + i),
                KINDS[i % len(KINDS)],
                f"Synthetic event {offset + i}",
                "system",
            )
            for i in range(count)
        ]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                table = StatusEvent._meta.db_table
                with (
                    connection.cursor() as cursor,
                    cursor.copy(
                        f"COPY {table} (time, kind, message, actor, details) FROM STDIN"
                    ) as copy,
                ):
                    for row in rows:
                        copy.write_row((*row, "{}"))
            else:
                StatusEvent.objects.bulk_create(
                    (StatusEvent(time=t, kind=k, message=m, actor=a) for t, k, m, a in rows),
                    batch_size=5000,
                )
        print(f"  {offset + count:,} of {missing:,} events added", flush=True)
    # As autovacuum would within a minute of such a load: without statistics
    # the planner takes a million rows for a thousand.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {StatusEvent._meta.db_table}")
    return max(missing, 0)


if __name__ == "__main__":
    import django

    django.setup()
    seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
