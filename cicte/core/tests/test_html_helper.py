"""The page_text helper removes the random CSRF token from both places a page carries it."""

from __future__ import annotations

import re

from django.test import Client

from cicte.core.tests.html import page_text


def test_page_text_drops_the_csrf_token() -> None:
    response = Client().get("/certificates/")
    html = response.content.decode()
    tokens = re.findall(r'(?:value="|"X-CSRFToken": ")([A-Za-z0-9]{32,})"', html)
    assert len(tokens) == 2
    text = page_text(response)
    for token in tokens:
        assert token not in text
    assert 'name="csrfmiddlewaretoken" value=""' in text and '"X-CSRFToken": ""' in text
    assert len(html) - len(text) == sum(len(token) for token in tokens)  # nothing else removed
