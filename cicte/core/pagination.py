"""Pagination that finds a page's rows by their keys first.

A list page of wide rows (a designation with its contact, organisation, network and member
state) sorted over thousands of matches makes the database carry every match's joined columns
through the sort. :class:`KeysFirstPaginator` asks for the page's primary keys alone (the
queryset's filters and order, without the joins it makes for display or its prefetches), then
for those rows with everything the page shows: two short statements instead of one long one
(see docs/benchmarks.md, directory search). Counting the matches in the keys' statement, as a
window aggregate, was measured too: it makes both databases materialise every match before
sorting, and was slower.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def rows_by_keys(queryset: QuerySet[Any], start: int, stop: int) -> list[Any]:
    """Rows ``start`` to ``stop`` of the ordered ``queryset``: their keys, then the rows."""
    keys = list(queryset.values_list("pk", flat=True)[start:stop])
    if not keys:
        return []
    # The keys come from ``queryset``, filters included: the rows are read by key alone (with
    # its joins, deferred fields and prefetches), rather than filtered a second time.
    rows = queryset.model._base_manager.filter(pk__in=keys).order_by()
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    rows = rows.prefetch_related(*queryset._prefetch_related_lookups)  # type: ignore[attr-defined]
    found = {row.pk: row for row in rows}
    return [found[key] for key in keys if key in found]


class KeysFirstPaginator(Paginator):
    """A :class:`~django.core.paginator.Paginator` over an ordered queryset whose pages are read
    with :func:`rows_by_keys`."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = rows_by_keys(cast(QuerySet[Any], self.object_list), bottom, top)
        return cast(Page, self._get_page(rows, number, self))  # type: ignore[attr-defined]
