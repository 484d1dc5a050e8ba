"""``{% exchange_figures as rows %}``: the exchange's figures of the last 90 days for the
reader, shown beside the directory's communication checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def exchange_figures(context: dict[str, Any], days: int = 90) -> list[Any]:
    from cicte.messaging import metrics

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return []
    today = timezone.now().date()
    return metrics.compute(user, start=today - dt.timedelta(days=days), end=today)
