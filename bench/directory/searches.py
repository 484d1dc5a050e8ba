"""The timed searches: what the directory's search page asks of the database for one request.

One search is: load the signed-in user and their grants (as each request does), build
``ContactDesignationFilterSet`` over the search page's own queryset
(``DirectorySearchView.get_queryset``: ``ContactDesignation.objects.visible_to(user)`` with the
page's ``select_related`` and ``prefetch_related``, and its default of the active designations
when no status or date is chosen), take the first page of 50 rows with a paginator (its count
included) and materialise them with their prefetched records. The request's start and end are
signalled, so that database connections live as in production (one per request on SQLite,
persistent on PostgreSQL). Rendering (formatting phone numbers, deciding which sensitive fields
to show, the template) is the page's work, not the search's, and is not timed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import signals
from django.db.models import QuerySet
from django.test import RequestFactory

from bench.directory.fixture import CSIRT, IANT, MEMBER_STATE, Loaded
from cicte.accounts.models import User
from cicte.directory.filtersets import ContactDesignationFilterSet
from cicte.directory.models import ContactDesignation
from cicte.directory.views import DirectorySearchView

PAGE_SIZE = 50


@dataclass(frozen=True)
class Search:
    key: str
    label: str
    data: dict[str, Any]


def searches(loaded: Loaded) -> list[Search]:
    """The typical searches, with values that the data set holds and both users may use."""
    past: dt.date = loaded.past_date
    return [
        Search("all", "No filter (first page)", {}),
        Search("name", "Free text: a surname", {"q": "castillo"}),
        Search("state_network", "State + network", {"member_state": "MX", "network": CSIRT}),
        Search("role", "Role: national point of contact", {"role": "national_poc"}),
        Search("language", "Language: French", {"language": "fr"}),
        Search("always", "24/7 contacts", {"always_available": "true"}),
        Search("stale", "Verification overdue", {"stale": "true"}),
        Search("organisation", "Organisation", {"organization": loaded.organization_slug}),
        Search(
            "combined",
            "Combined: network + role + language + 24/7",
            {
                "network": IANT,
                "role": ["national_poc", "operational"],
                "language": "es",
                "always_available": "true",
            },
        ),
        Search(
            "on",
            "In force on a past date (state + network)",
            {"on": past.isoformat(), "member_state": MEMBER_STATE, "network": IANT},
        ),
    ]


def filtered(user: User, data: dict[str, Any]) -> tuple[DirectorySearchView, Any]:
    """The search view and its filterset for ``user``, built as ``FilteredListView.get`` builds
    them."""
    request = RequestFactory().get("/directory/", data)
    request.user = user
    view = DirectorySearchView()
    view.setup(request)
    filterset = ContactDesignationFilterSet(
        request.GET or None, queryset=view.get_queryset(user), request=request
    )
    view.prepare_filterset(filterset, user)
    if filterset.is_bound and not filterset.is_valid():
        # The benchmark's own mistake (a value the data set lacks), not a figure: stop.
        raise ValueError(f"Invalid search {data}: {filterset.errors.as_json()}")
    return view, filterset


def page_queryset(user: User, data: dict[str, Any]) -> QuerySet[ContactDesignation]:
    """The queryset of the page's rows (for EXPLAIN)."""
    return filtered(user, data)[1].qs


def runner(user_pk: int, data: dict[str, Any]) -> Callable[[], tuple[int, int]]:
    """One search as one request runs it; returns (rows matched, rows shown)."""

    def run() -> tuple[int, int]:
        # The request's start and end, as the handler signals them: database connections are
        # opened and closed as in production (per request on SQLite, kept on PostgreSQL).
        signals.request_started.send(sender=__name__)
        try:
            # A fresh user object each time: its grants are read again, as on every request.
            user = User.objects.get(pk=user_pk)
            view, filterset = filtered(user, data)
            page = view.paginator_class(filterset.qs, PAGE_SIZE).page(1)
            rows = list(page.object_list)
            return page.paginator.count, len(rows)
        finally:
            signals.request_finished.send(sender=__name__)

    return run
