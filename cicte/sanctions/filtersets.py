"""Filters of a list's entries, shared by the list's page and the REST API: ``q`` (a name, an
alias or the list's own identifier) and ``changed_since`` (a version number or an ISO 8601 date
and time: the entries added, amended or removed after it, removed ones included, for a client
that keeps a copy in step)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from cicte.sanctions.models import ListEntity
from cicte.sanctions.services import fold

_Entities = TypeVar("_Entities", bound=QuerySet[ListEntity])


def name_search(queryset: _Entities, query: str) -> _Entities:
    """Entries with a name or alias containing ``query`` (case and accents folded), or whose list
    identifier is ``query``."""
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(
        Q(names_text__contains=query.casefold())
        | Q(names_text__contains=fold(query))
        | Q(source_id__iexact=query)
    )


class ChangedSinceField(forms.CharField):
    """A version number (``3``) or an ISO 8601 date (``2026-11-01``) or date and time."""

    def clean(self, value: Any) -> int | dt.datetime | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        if text.isdigit():
            return int(text)
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.min)
        if moment is None:
            raise ValidationError(
                _("Give a version number (such as 3) or an ISO 8601 date and time."),
                code="invalid",
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.UTC)
        return moment


class ChangedSinceFilter(django_filters.Filter):
    field_class = ChangedSinceField


class ListEntityFilterSet(django_filters.FilterSet):
    """Apply to the entries of one list the caller may read (``visible_to``)."""

    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Name, alias or list identifier"),
        help_text=_("Part of a name or alias (case and accents ignored), or a list identifier."),
    )
    changed_since = ChangedSinceFilter(
        method="filter_changed_since",
        label=_("Changed since"),
        help_text=_(
            "A version number or an ISO 8601 date and time: the entries added, amended or "
            "removed after it (removed ones included, with removed_in)."
        ),
    )

    class Meta:
        model = ListEntity
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[ListEntity], name: str, value: str) -> Any:
        return name_search(queryset, value or "")

    def filter_changed_since(
        self, queryset: QuerySet[ListEntity], name: str, value: int | dt.datetime | None
    ) -> Any:
        if value is None:
            return queryset.filter(removed_in__isnull=True)
        if isinstance(value, int):
            return queryset.filter(last_changed_version__number__gt=value)
        return queryset.filter(last_changed_version__imported_at__gt=value)

    @property
    def qs(self) -> Any:
        queryset = super().qs
        if self.form.cleaned_data.get("changed_since") is None:
            # Without changed_since: the entries listed now.
            queryset = queryset.filter(removed_in__isnull=True)
        return queryset
