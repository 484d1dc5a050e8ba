"""Template filters of the work plan pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def translated(obj: Any, field: str) -> str:
    """``{{ program|translated:"title" }}``: the text in the reader's language, else English."""
    if obj is None:
        return ""
    return str(obj.translated(field))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None
