"""Fixtures shared by every test."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cicte.accounts.tests import factories


@pytest.fixture(autouse=True)
def _fresh_language() -> Any:
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def login(client: Client) -> Any:
    """Sign ``user`` in through the real forms (password, then TOTP when it has a device)."""

    def _login(user: Any, password: str = factories.PASSWORD) -> Client:
        response = client.post(
            "/accounts/login/", {"username": user.username, "password": password}
        )
        assert response.status_code == 302, response.content[:500]
        if response["Location"].endswith("/accounts/login/verify/"):
            from cicte.accounts.models import TOTPDevice

            device = TOTPDevice.objects.get(user=user, confirmed=True)
            response = client.post("/accounts/login/verify/", {"token": factories.totp_now(device)})
            assert response.status_code == 302, response.content[:500]
        return client

    return _login
