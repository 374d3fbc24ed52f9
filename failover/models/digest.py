from django.db import models


class FileDigest(models.Model):
    """Cached digest (BLAKE3, ``failover/sync/hashing.py``) of a data file,
    valid while its size and mtime are unchanged, so a manifest does not rehash
    unchanged files. Never replicated."""

    path = models.TextField(unique=True)
    size = models.PositiveBigIntegerField()
    mtime_ns = models.BigIntegerField()
    digest = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.path} {self.digest[:12]}"
