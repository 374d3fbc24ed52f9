from django.db import models


class SingletonModel(models.Model):
    """A table holding this site's one row of some state (always pk 1)."""

    class Meta:
        abstract = True

    @classmethod
    def load(cls):
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
