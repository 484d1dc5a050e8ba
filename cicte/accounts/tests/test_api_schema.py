"""The OpenAPI 3 schema and the browsable documentation (Swagger UI) of the API."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from cicte.accounts.tests import factories

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/me/",
        "/api/member-states/",
        "/api/member-states/{code}/",
        "/api/organizations/",
        "/api/organizations/{slug}/",
        "/api/networks/",
        "/api/networks/{slug}/",
        "/api/organization-memberships/",
        "/api/organization-memberships/{id}/",
        "/api/users/",
        "/api/users/{id}/",
        "/api/role-assignments/",
        "/api/role-assignments/{id}/",
        "/api/directory/designations/",
        "/api/directory/designations/{id}/",
        "/api/directory/designations/{id}/confirm/",
        "/api/directory/designations/{id}/reject/",
        "/api/directory/designations/{id}/withdraw/",
        "/api/directory/designations/{id}/verify/",
        "/api/directory/contacts/",
        "/api/directory/contacts/{id}/",
        "/api/intel/collections/",
        "/api/intel/collections/{id}/",
        "/api/intel/collections/{id}/objects/",
        "/api/intel/objects/",
        "/api/intel/objects/{id}/",
        "/api/intel/objects/{id}/versions/",
        "/api/intel/ingests/{id}/",
        "/api/advisories/",
        "/api/advisories/{id}/",
        "/api/advisories/{id}/versions/",
        "/api/advisories/{id}/translations/",
        "/api/advisories/{id}/submit/",
        "/api/advisories/{id}/approve/",
        "/api/advisories/{id}/send-back/",
        "/api/advisories/{id}/withdraw/",
        "/api/hunts/",
        "/api/hunts/{id}/",
        "/api/hunts/{id}/matches/",
        "/api/hunts/{id}/matches.csv",
        "/api/hunts/{id}/file/",
        "/api/hunts/{id}/sightings/",
        "/api/sanctions/screen/",
        "/api/sanctions/designations/",
        "/api/sanctions/designations/{reference}/",
        "/api/sanctions/designations/{reference}/actions/",
        "/api/sanctions/designations/{reference}/export.{fmt}/",
        "/api/sanctions/designations/actions/",
        "/api/sanctions/designations/actions/{id}/",
        "/api/sanctions/designations/actions/{id}/approve/",
        "/api/sanctions/designations/actions/{id}/reject/",
        "/api/sanctions/designations/actions/{id}/withdraw/",
        "/api/sanctions/lists/",
        "/api/sanctions/lists/{key}/",
        "/api/sanctions/lists/{key}/entities/",
        "/api/sanctions/lists/{key}/entities/{ftm_id}/",
        "/api/sanctions/lists/{key}/versions/",
        "/api/sanctions/lists/{key}/versions/{number}/",
        "/api/sanctions/notifications/",
        "/api/sanctions/screening/hits/{id}/",
        "/api/sanctions/screening/hits/{id}/decision/",
        "/api/sanctions/screening/jobs/",
        "/api/sanctions/screening/jobs/{id}/",
        "/api/sanctions/screening/jobs/{id}/hits/",
        "/api/sanctions/screening/jobs/{id}/hits.csv",
        "/api/sanctions/subscriptions/",
        "/api/sanctions/subscriptions/{id}/",
        "/api/workplan/events/",
        "/api/workplan/events/{id}/",
        "/api/workplan/partners/",
        "/api/workplan/partners/{id}/",
        "/api/workplan/requests/",
        "/api/workplan/requests/{id}/",
        "/api/workplan/requests/{id}/triage/",
        "/api/workplan/requests/{id}/decline/",
        "/api/workplan/requests/{id}/plan/",
        "/api/workplan/requests/{id}/deliver/",
        "/api/workplan/requests/{id}/feedback/",
        "/api/workplan/requests/{id}/close/",
        "/api/exchange/messages/",
        "/api/exchange/messages/{id}/",
        "/api/exchange/messages/{id}/acknowledge/",
        "/api/exchange/messages/{id}/reply/",
        "/api/exchange/messages/{id}/close/",
        "/api/exchange/messages/{id}/deliveries/",
        "/api/exchange/messages/{id}/attachments/{attachment_id}/",
        "/api/exchange/metrics/",
    }
    # Partial updates only: no PUT.
    assert set(schema["paths"]["/api/organizations/{slug}/"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/users/{id}/"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/role-assignments/{id}/"]) == {"get", "delete"}
    assert set(schema["components"]["securitySchemes"]) == {
        "tokenAuth",
        "basicAuth",
        "cookieAuth",
    }


def _schema(client: APIClient) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_schema_describes_errors_and_hides_secrets():
    client = APIClient()
    _token, secret = factories.api_token(factories.UserFactory(), "accounts:read")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    schema = _schema(client)
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail", "error"]
    not_found = schema["paths"]["/api/users/{id}/"]["get"]["responses"]["404"]
    assert not_found["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    exposed = {
        name: set(components[name]["properties"])
        for name in ("User", "Me", "TokenInfo", "UserRole", "MeRole")
    }
    for fields in exposed.values():
        assert not fields & {"password", "digest", "key", "last_audited_at", "secret"}
    assert exposed["TokenInfo"] == {
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
    }
    # The password of a new account is write-only.
    assert "password" in components["UserCreateRequest"]["properties"]
    # Relations travel as natural keys.
    membership = components["OrganizationMembershipRequest"]["properties"]
    assert membership["network"]["type"] == "string"
    assert membership["organization"]["type"] == "string"


def test_schema_needs_credentials():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json() == {
        "error": "Authentication credentials were not provided.",
        "detail": None,
    }


def test_docs_send_anonymous_visitors_to_the_login_page():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"


def test_docs_page_runs_under_the_content_security_policy(client, login):
    login(factories.UserFactory())
    response = client.get("/api/docs/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    html = response.content.decode()
    # No inline script, no inline style: every script has a src, there is no <style> block and
    # no style attribute.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    assert all('src="' in attrs and body.strip() == "" for attrs, body in scripts)
    assert "<style" not in html
    assert "style=" not in html
    assert 'src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in html
    assert 'src="/api/docs/?script="' in html

    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    body = script.content.decode()
    assert "SwaggerUIBundle(" in body
    assert '"/api/schema/"' in body
