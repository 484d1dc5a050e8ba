"""Template context shared by every page: the navigation by module."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cicte.accounts import permissions


def _navigation(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not user.is_authenticated:
        return []
    perms = permissions.all_perms(user)
    items: list[dict[str, Any]] = [
        {"label": _("Dashboard"), "url": reverse("core:dashboard"), "name": "core:dashboard"},
        {"label": _("Directory"), "url": reverse("directory:search"), "name": "directory:search"},
        {
            "label": _("Intelligence"),
            "url": reverse("intel:collection_list"),
            "name": "intel:collection_list",
        },
        {"label": _("Advisories"), "url": reverse("advisories:list"), "name": "advisories:list"},
        {"label": _("Retro-hunt"), "url": reverse("hunts:job_list"), "name": "hunts:job_list"},
        {
            "label": _("Sanctions"),
            "url": reverse("sanctions:list_index"),
            "name": "sanctions:list_index",
        },
        {"label": _("Work plan"), "url": reverse("workplan:index"), "name": "workplan:index"},
        {"label": _("Secure exchange"), "url": reverse("messaging:list"), "name": "messaging:list"},
        {
            "label": _("Networks"),
            "url": reverse("accounts:network_list"),
            "name": "accounts:network_list",
        },
        {
            "label": _("Organisations"),
            "url": reverse("accounts:organization_list"),
            "name": "accounts:organization_list",
        },
        {
            "label": _("Member states"),
            "url": reverse("accounts:memberstate_list"),
            "name": "accounts:memberstate_list",
        },
    ]
    from cicte.directory.checks import may_see_checks

    if may_see_checks(user):
        items.append(
            {
                "label": _("Communication checks"),
                "url": reverse("directory:check_list"),
                "name": "directory:check_list",
            }
        )
    if "accounts.manage_users" in perms:
        items.append(
            {
                "label": _("People"),
                "url": reverse("accounts:user_list"),
                "name": "accounts:user_list",
            }
        )
    if "core.view_auditevent" in perms:
        items.append(
            {
                "label": _("Audit trail"),
                "url": reverse("core:audit_list"),
                "name": "core:audit_list",
            }
        )
    # The entry whose pages these are: the longest URL prefix of the current path.
    path = request.path_info
    matching = [item for item in items if path.startswith(item["url"])]
    current = max(matching, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["current"] = item is current
    return items


def platform(request: HttpRequest) -> dict[str, Any]:
    return {"navigation": _navigation(request)}
