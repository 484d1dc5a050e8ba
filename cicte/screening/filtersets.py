"""The FilterSets of screening, shared by its pages and its REST API. They filter querysets that
already went through ``visible_to`` (the person's organisation's jobs)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cicte.screening.choices import HitState, JobStatus, Verdict
from cicte.screening.models import ScreeningHit, ScreeningJob


class ScreeningJobFilterSet(django_filters.FilterSet):
    """An organisation's jobs by status."""

    status = django_filters.ChoiceFilter(choices=JobStatus.choices, label=_("Status"))

    class Meta:
        model = ScreeningJob
        fields = ["status"]


class ScreeningHitFilterSet(django_filters.FilterSet):
    """A job's hits: the raised ones by default, by decision, or those cleared earlier."""

    state = django_filters.ChoiceFilter(
        choices=HitState.choices,
        label=_("Decision"),
        method="filter_state",
        empty_label=_("Every hit raised"),
    )
    list = django_filters.CharFilter(field_name="list_key", label=_("List"))

    class Meta:
        model = ScreeningHit
        fields = ["state", "list"]

    @property
    def qs(self) -> QuerySet[ScreeningHit]:
        # Hits cleared earlier are listed only when asked for ("cleared"): they were not raised.
        hits = super().qs
        state = self.form.cleaned_data.get("state") if self.is_bound and self.is_valid() else ""
        return hits if state == HitState.CLEARED else hits.filter(cleared=False)

    def filter_state(self, queryset: QuerySet[ScreeningHit], name: str, value: Any) -> Any:
        if value == HitState.CLEARED:
            return queryset.filter(cleared=True)
        if value == HitState.UNDECIDED:
            return queryset.filter(decision__isnull=True)
        if value in Verdict.values:
            return queryset.filter(decision__verdict=value)
        return queryset
