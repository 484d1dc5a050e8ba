"""The FilterSets of the retro-hunt, shared by its pages and its REST API. They filter querysets
that already went through ``HuntJob.objects.visible_to`` (the person's own jobs)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from cicte.hunts.choices import HuntStatus, MatchKind, ValueKind
from cicte.hunts.models import HuntJob, HuntMatch


class HuntJobFilterSet(django_filters.FilterSet):
    """A person's jobs by status."""

    status = django_filters.ChoiceFilter(choices=HuntStatus.choices, label=_("Status"))

    class Meta:
        model = HuntJob
        fields = ["status"]


class HuntMatchFilterSet(django_filters.FilterSet):
    """A job's matches by the kind of the value found and by how it matched."""

    kind = django_filters.ChoiceFilter(choices=ValueKind.choices, label=_("Kind of value"))
    match = django_filters.ChoiceFilter(
        field_name="match_kind", choices=MatchKind.choices, label=_("Match")
    )

    class Meta:
        model = HuntMatch
        fields = ["kind", "match"]
