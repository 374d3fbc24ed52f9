"""The data sync hashes with BLAKE3: the cached SHA-256 digests are dropped
(the next manifest hashes every file once) and the column says what it holds."""

from django.db import migrations


def forget_sha256_digests(apps, schema_editor):
    apps.get_model("failover", "FileDigest").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("failover", "0012_continuous_sync_and_diverged_copies")]

    operations = [
        migrations.RunPython(forget_sha256_digests, migrations.RunPython.noop),
        migrations.RenameField("filedigest", "sha256", "digest"),
    ]
