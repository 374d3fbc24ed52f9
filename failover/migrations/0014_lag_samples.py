import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("failover", "0013_blake3_file_digests"),
    ]

    operations = [
        migrations.CreateModel(
            name="LagSample",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "time",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                ("lag_seconds", models.FloatField(null=True)),
            ],
            options={
                "ordering": ["time"],
            },
        ),
    ]
