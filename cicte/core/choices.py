"""Choices shared by every module."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cicte.core import tlp


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0 (FIRST). Values are the labels' lower-case names."""

    CLEAR = tlp.CLEAR, _("TLP:CLEAR")
    GREEN = tlp.GREEN, _("TLP:GREEN")
    AMBER = tlp.AMBER, _("TLP:AMBER")
    AMBER_STRICT = tlp.AMBER_STRICT, _("TLP:AMBER+STRICT")
    RED = tlp.RED, _("TLP:RED")


# The fixed STIX 2.1 marking-definition ids of TLP 2.0 (and of TLP 1.0, mapped onto 2.0).
TLP2_MARKING_IDS = {TLP(label): ref for label, ref in tlp.TLP2_MARKING_IDS.items()}
TLP_BY_MARKING_ID = {ref: TLP(label) for ref, label in tlp.TLP_BY_MARKING_ID.items()}
