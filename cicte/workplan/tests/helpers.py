"""Helpers of the work plan tests: an event with sensible defaults."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from cicte.workplan import services
from cicte.workplan.models import Event


def when(year: int, month: int, day: int, hour: int = 14) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def make_event(actor: Any, **data: Any) -> Event:
    starts = data.pop("starts_at", when(2022, 10, 3))
    values = {
        "kind": "course",
        "title": "Course",
        "modality": "virtual",
        "starts_at": starts,
        "ends_at": data.pop("ends_at", starts + datetime.timedelta(hours=3)),
        **data,
    }
    return services.create_event(actor=actor, data=values)


def today() -> datetime.date:
    return timezone.localdate()
