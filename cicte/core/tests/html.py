"""Helpers for tests that check what a page does *not* show."""

from __future__ import annotations

import re

from django.http import HttpResponse

# The per-request CSRF token is random text on every page (the language form's hidden input and
# the htmx header on <body>): a short string checked "not in page" could occur in it by chance.
_TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]+"')


def page_text(response: HttpResponse) -> str:
    """The response's HTML without its random per-request tokens."""
    return _TOKENS.sub(r'\1"', response.content.decode("utf-8", "replace"))
