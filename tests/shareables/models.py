from django.db import models

from cicte.core.sharing import Shareable


class SharedRecord(Shareable):
    """The simplest shareable: a title under a TLP label and an audience."""

    title = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.title
