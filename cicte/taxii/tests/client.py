"""A TAXII client over Django's test client, and the addresses of the endpoints."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from cicte.accounts.tests import factories as af

TAXII = "application/taxii+json;version=2.1"


@dataclass
class Taxii:
    """Django's test client speaking TAXII as ``user`` (a token with ``scopes``)."""

    client: Client
    authorization: str

    def headers(self, **extra: Any) -> dict[str, str]:
        headers = {"HTTP_ACCEPT": TAXII}
        if self.authorization:
            headers["HTTP_AUTHORIZATION"] = self.authorization
        headers.update(extra)
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.get(path, params or {}, **self.headers(**extra))

    def post(self, path: str, body: Any, content_type: str = TAXII, **extra: Any) -> Any:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.client.post(path, data=data, content_type=content_type, **self.headers(**extra))

    def delete(self, path: str, params: str = "", **extra: Any) -> Any:
        return self.client.delete(f"{path}?{params}" if params else path, **self.headers(**extra))


def as_token(user: Any, *scopes: str) -> Taxii:
    _token, secret = af.api_token(user, *(scopes or ("intel:write",)))
    return Taxii(Client(), f"Token {secret}")


def as_basic(username: str, password: str) -> Taxii:
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return Taxii(Client(), f"Basic {credentials}")


def objects_url(collection: Any, root: str = "csirtamericas") -> str:
    return f"/taxii2/{root}/collections/{collection.pk}/objects/"


def collection_url(collection: Any, root: str = "csirtamericas") -> str:
    return f"/taxii2/{root}/collections/{collection.pk}/"
