"""The replicated database rows: dumped by the primary, applied by the backup
in one transaction.

The models are listed in ``FAILOVER_REPLICATED_MODELS``, parents before
children. Rows keep their primary keys, so foreign keys between replicated
models survive; links to non-replicated rows (permissions, content types) go by
natural key. No model that is not replicated may have a foreign key to a
replicated one, or applying a sync would delete its rows.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction


def replicated_models() -> list:
    return [apps.get_model(label) for label in settings.FAILOVER_REPLICATED_MODELS]


def dump() -> str:
    rows = []
    for model in replicated_models():
        rows.extend(model._default_manager.order_by("pk"))
    return serializers.serialize("json", rows, use_natural_foreign_keys=True)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class DatabaseSyncError(Exception):
    pass


@transaction.atomic
def apply(text: str) -> int:
    """Replace this site's replicated rows with the dump's. All or nothing."""
    models = replicated_models()
    try:
        objects = list(serializers.deserialize("json", text, handle_forward_references=True))
    except DeserializationError as e:
        raise DatabaseSyncError(f"the primary's database dump is invalid: {e}") from None
    unexpected = {type(obj.object)._meta.label for obj in objects} - {m._meta.label for m in models}
    if unexpected:
        raise DatabaseSyncError(
            f"the dump holds models this site does not replicate: {', '.join(sorted(unexpected))}"
        )
    try:
        for model in reversed(models):
            model._default_manager.all().delete()
        for obj in objects:
            obj.save()
    except DatabaseError as e:
        raise DatabaseSyncError(f"the primary's rows could not be applied: {e}") from None

    if connection.vendor == "postgresql":
        # Explicit primary keys leave the sequences behind: reset them so rows
        # created here after a failover get fresh ids.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    return len(objects)
