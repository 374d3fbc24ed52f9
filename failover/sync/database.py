"""The replicated database rows: dumped by the primary, applied by the backup
in one transaction.

The models are listed in ``FAILOVER_REPLICATED_MODELS``, parents before
children. Rows keep their primary keys, so foreign keys between replicated
models survive; links to non-replicated rows (permissions, content types) go by
natural key. No model that is not replicated may have a foreign key to a
replicated one, or applying a sync would delete its rows.
"""

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction

from failover.sync import hashing

# Bookkeeping that is replicated with its row but is nobody's write: a
# sign-in's time, a token's last use. Saving only these is no change to sync,
# and a difference only in these is no data lost.
BOOKKEEPING_FIELDS = {"auth.user": {"last_login"}, "failover.apitoken": {"last_used_at"}}


def bookkeeping_only(model, update_fields) -> bool:
    fields = BOOKKEEPING_FIELDS.get(model._meta.label_lower, set())
    return bool(update_fields) and set(update_fields) <= fields


def replicated_models() -> list:
    return [apps.get_model(label) for label in settings.FAILOVER_REPLICATED_MODELS]


def dump() -> str:
    rows = []
    for model in replicated_models():
        rows.extend(model._default_manager.order_by("pk"))
    return serializers.serialize("json", rows, use_natural_foreign_keys=True)


def digest(text: str) -> str:
    return hashing.text_digest(text)


class DatabaseSyncError(Exception):
    pass


@transaction.atomic
def apply(text: str) -> int:
    """Replace this site's replicated rows with the dump's. All or nothing.

    Rows are deserialized one at a time after the old ones are gone, parents
    first: a natural key to a replicated row (an API token's user, by user
    name) then finds the primary's row just saved, never this site's old row of
    that name, which may have another id or none.
    """
    models = replicated_models()
    labels = {m._meta.label for m in models}
    count = 0
    try:
        for model in reversed(models):
            model._default_manager.all().delete()
        for obj in serializers.deserialize("json", text):
            if type(obj.object)._meta.label not in labels:
                raise DatabaseSyncError(
                    "the dump holds a model this site does not replicate: "
                    f"{type(obj.object)._meta.label}"
                )
            obj.save()
            count += 1
    except DeserializationError as e:
        raise DatabaseSyncError(f"the primary's database dump is invalid: {e}") from None
    except DatabaseError as e:
        raise DatabaseSyncError(f"the primary's rows could not be applied: {e}") from None

    if connection.vendor == "postgresql":
        # Explicit primary keys leave the sequences behind: reset them so rows
        # created here after a failover get fresh ids.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    return count
