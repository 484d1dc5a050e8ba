"""``{% load sanctions_delays %}``: ``{{ notification.email_delay|delay }}`` for people."""

from __future__ import annotations

from typing import Any

from django import template

from cicte.sanctions.notify import format_delay

register = template.Library()


@register.filter
def delay(value: Any) -> str:
    """A timedelta or a number of seconds as "0.4 s", "3 min 5 s", "2 h 10 min"."""
    return format_delay(value)
